/*
 * The TLS transport (port/mbedtls, build/libcpuser_mbedtls.a): mbedTLS wrapped
 * around any other cpuser transport (POSIX, lwIP, ...), presented as a
 * cpuser_transport itself, so the client above does not change.
 *
 * Secure by default, with no way to switch it off: the server certificate is
 * verified against the configured CA chain and its host name against the
 * name given to connect (or server_name), TLS 1.2 is the minimum, and only
 * ECDHE suites with AES-GCM or CHACHA20-POLY1305 are offered. Optional: a
 * client certificate (mutual TLS), a pinned server key (SHA-256 of its
 * SubjectPublicKeyInfo), max fragment length negotiation.
 *
 * The connection is kept between requests (keep-alive, one handshake for
 * many requests). After the first handshake the session is saved inside the
 * context; the next connect offers it, so a reconnect normally costs only an
 * abbreviated handshake (session ticket or session id).
 *
 * Memory: the cpuser_tls struct is caller-owned (put it in static memory).
 * mbedTLS itself allocates its record buffers and certificate structures
 * through its platform calloc/free; build mbedTLS with
 * MBEDTLS_MEMORY_BUFFER_ALLOC_C (see boards/mbedtls/cpuser_mbedtls_config.h)
 * to have it take that memory from one static buffer instead: the
 * application calls mbedtls_memory_buffer_alloc_init(buf, size) before
 * cpuser_tls_init(). Too small a buffer shows up as a failed handshake
 * (often CPUSER_ERR_CERTIFICATE with NOT_TRUSTED: mbedTLS reports a failed
 * allocation during signature checks that way). cpuser_tls embeds mbedTLS
 * structures, so port/mbedtls/tls.c must be compiled with the same mbedTLS
 * headers and config as the mbedTLS library it is linked with.
 *
 * Host names: the certificate is checked against the name given to connect
 * (or server_name). mbedTLS 2.28 matches DNS names only, not IP addresses:
 * to reach a server by IP literal, set server_name to a DNS name its
 * certificate carries.
 *
 * Max fragment length: with mbedTLS's record buffers made smaller than 16 KB
 * (the small-RAM config), set max_fragment to at most that size so that the
 * server sends records that fit. mbedTLS 2.28 needs the server's whole
 * certificate message in one fragment: a max_fragment below its size makes
 * the handshake fail with CPUSER_ERR_TLS.
 *
 * Compatible with mbedTLS 2.28 (Debian's libmbedtls-dev) and 3.x.
 */
#ifndef CPUSER_TLS_H
#define CPUSER_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/version.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "cpuser/config.h"
#include "cpuser/port.h"

/* Extra bit in cpuser_tls_verify_flags(): the server key did not match the
 * pinned SHA-256. (mbedTLS's own MBEDTLS_X509_BADCERT_* bits say the rest:
 * EXPIRED, FUTURE, NOT_TRUSTED, CN_MISMATCH, ...) */
#define CPUSER_TLS_PIN_MISMATCH 0x80000000u

typedef struct {
    /* Trusted CA certificates: PEM (the length includes the terminating
     * NUL, as mbedTLS wants) or DER. Required. Caller-owned; parsed at init. */
    const unsigned char *ca;
    size_t ca_len;
    /* Optional client certificate and private key for mutual TLS (PEM with
     * the NUL in the length, or DER). Both or neither. */
    const unsigned char *cert;
    size_t cert_len;
    const unsigned char *key;
    size_t key_len;
    /* Optional: SHA-256 (32 bytes) of the server's SubjectPublicKeyInfo. When
     * set, the server's key must match it as well as verify. */
    const uint8_t *pin_sha256;
    /* Name for SNI and host-name verification. NULL: the host given to
     * connect. Caller-owned, NUL-terminated. */
    const char *server_name;
    /* Max fragment length to negotiate: 0 off, else 512, 1024, 2048, 4096. */
    uint16_t max_fragment;
} cpuser_tls_config;

typedef struct {
    const cpuser_transport *inner;
    const cpuser_platform *platform; /* entropy for the DRBG, clock */
    const char *server_name;
    const uint8_t *pin;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_x509_crt own_cert;
    mbedtls_pk_context own_key;
    mbedtls_ssl_session session;     /* saved for resumption */
    bool have_session;
    char session_name[CPUSER_MAX_HOST]; /* the name it was made for: it is
                                           offered to that name only */
    bool open;
    cpuser_err inner_err;            /* last error of the inner transport */
    uint32_t io_timeout_ms;          /* for the bio callbacks */
    uint32_t verify_flags;           /* of the last handshake */
    int last_mbedtls_err;            /* for diagnostics, never a secret */
    uint32_t handshakes;             /* handshakes completed */
    uint32_t full_handshakes;        /* of which full (certificate sent) */
    uint32_t cert_checks;            /* internal: end-entity checks this handshake */
} cpuser_tls;

/* Set up the TLS context over `inner` and fill *out with a transport that
 * uses it. `platform->random` seeds mbedTLS's CTR-DRBG (it must be a strong
 * source: on POSIX it is getrandom). The config's buffers are parsed here
 * (the key's bytes may be wiped by the caller afterwards); pointers to
 * server_name and pin_sha256 are kept (caller-owned). A CA bundle with some
 * certificates this mbedTLS cannot parse keeps the others.
 * Errors: CPUSER_ERR_BAD_ARGUMENT (NULL, no usable CA certificate, a client
 * certificate or key that does not parse or a key that is not the
 * certificate's, cert without key, bad max_fragment), CPUSER_ERR_TLS (DRBG
 * seeding or mbedTLS setup failed). */
cpuser_err cpuser_tls_init(cpuser_tls *tls, const cpuser_tls_config *cfg,
                           const cpuser_transport *inner,
                           const cpuser_platform *platform,
                           cpuser_transport *out);

/* Errors of the TLS transport's connect, besides the inner transport's own
 * DNS/CONNECT/TIMEOUT: CPUSER_ERR_CERTIFICATE when the server's certificate,
 * host name or pinned key did not verify (cpuser_tls_verify_flags() says
 * why); CPUSER_ERR_TLS when the handshake failed otherwise, including a peer
 * that closed or reset the connection during the handshake (a server that
 * wants a client certificate does that). send/recv: CPUSER_ERR_CLOSED
 * (close_notify or end of stream), CPUSER_ERR_TIMEOUT, CPUSER_ERR_IO (reset),
 * CPUSER_ERR_TLS (bad record, MAC failure, alert). tls->last_mbedtls_err
 * keeps mbedTLS's code for diagnostics. */

/* Release everything mbedTLS holds for tls (closing the connection first). */
void cpuser_tls_free(cpuser_tls *tls);

/* MBEDTLS_X509_BADCERT_* bits (plus CPUSER_TLS_PIN_MISMATCH) of the last
 * handshake's certificate verification; 0 when it verified. */
uint32_t cpuser_tls_verify_flags(const cpuser_tls *tls);

/* Forget the saved session: the next connect does a full handshake. */
void cpuser_tls_forget_session(cpuser_tls *tls);

#endif /* CPUSER_TLS_H */
