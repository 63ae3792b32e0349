/*
 * cpuser_mbedtls_config.h: mbedTLS 2.28 configuration for a constrained
 * TLS 1.2 client (a charge point talking HTTPS to its backend), used as
 *
 *     -DMBEDTLS_CONFIG_FILE='"cpuser_mbedtls_config.h"' -Iboards/mbedtls
 *
 * for the mbedTLS library sources AND for everything that includes mbedTLS
 * headers (port/mbedtls/tls.c, the application): the structures embedded in
 * cpuser_tls change size with this file, so all of it must see the same one.
 * `make mbedtls-small` (tests/tls/mbedtls_src.mk) builds Debian's mbedTLS
 * source package with it; `make check-mbedtls-small` proves it against the
 * local simulator.
 *
 * Like MBEDTLS_CONFIG_FILE always does, this file replaces mbedtls/config.h
 * completely: whatever is not defined below is left out. It holds exactly
 * what port/mbedtls/tls.c uses:
 *   - the client side of TLS 1.2, nothing older, no DTLS, no server side;
 *   - tls.c's suite list: ECDHE-ECDSA and ECDHE-RSA with AES-128/256-GCM
 *     and CHACHA20-POLY1305 (AEAD only, so no CBC, no HMAC record MAC);
 *   - X.509 certificate parsing (PEM and DER), P-256 (and P-384, see
 *     below), RSA signature verification for RSA server certificates;
 *   - SHA-256 / SHA-384, a CTR-DRBG seeded from the platform's random hook;
 *   - session tickets, SNI, max fragment length negotiation;
 *   - time and date, so certificate validity periods are checked;
 *   - all of mbedTLS's memory taken from one static buffer.
 *
 * Every block says why it is here. Sizes can be overridden from the
 * compiler command line (the CPUSER_MBEDTLS_* knobs), for measurements and
 * for boards that know their backend.
 */
#ifndef CPUSER_MBEDTLS_CONFIG_H
#define CPUSER_MBEDTLS_CONFIG_H

/* ---- system support ------------------------------------------------------ */

/* The bignum multiply helpers have inline assembly for common CPUs (x86-64
 * on the host, ARM Thumb-2 on Cortex-M4); they speed up the ECDHE and
 * signature arithmetic of every full handshake several times over. */
#define MBEDTLS_HAVE_ASM

/* time() and gmtime_r(): without them mbedTLS cannot tell an expired or
 * not-yet-valid certificate from a good one (MBEDTLS_X509_BADCERT_EXPIRED /
 * _FUTURE would never be set). On a host they come from libc; a board
 * without a calendar clock provides them (MBEDTLS_PLATFORM_TIME_ALT,
 * MBEDTLS_PLATFORM_GMTIME_R_ALT) once it has synchronised its time. */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE

/* ---- memory: one static buffer -------------------------------------------- */

/* mbedTLS allocates its record buffers, the handshake state, the parsed
 * certificates and the bignum temporaries at run time. PLATFORM_MEMORY
 * routes every such allocation through mbedtls_calloc/mbedtls_free function
 * pointers, and MEMORY_BUFFER_ALLOC_C points them at a first-fit allocator
 * inside one caller-provided buffer:
 *
 *     static unsigned char tls_heap[CPUSER_TLS_HEAP_SIZE];
 *     mbedtls_memory_buffer_alloc_init(tls_heap, sizeof tls_heap);
 *
 * called once before cpuser_tls_init(). After that nothing in mbedTLS
 * touches the C library heap. (The C library's calloc/free stay referenced
 * only as platform.c's initial pointer values, replaced by that call.)
 * The buffer must hold the high-water mark of one connection plus the
 * allocator's block headers (8 words each: 32 bytes on Cortex-M4, 64 on a
 * 64-bit host) and some room for fragmentation; `make check-mbedtls-small` prints the figures. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C

/* High-water mark and current use of that buffer
 * (mbedtls_memory_buffer_alloc_max_get / _cur_get / _status), to size it on
 * the real target. Costs a few hundred bytes of code and pulls in fprintf
 * for _status(); a production image may drop it. */
#define MBEDTLS_MEMORY_DEBUG

/* ---- TLS: client side of TLS 1.2 only -------------------------------------- */

/* tls.c is a client and asks for TLS 1.2 as the minimum; mbedTLS 2.28 has
 * no TLS 1.3 client, so 1.2 is also the maximum. SSL 3.0, TLS 1.0/1.1,
 * DTLS and the server side are left out. */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2

/* The key exchanges of tls.c's suites: ECDHE for forward secrecy, with the
 * server authenticated by an ECDSA or an RSA certificate (many backends,
 * behind cloud load balancers, still present RSA certificates). No static
 * RSA, no PSK, no DHE: tls.c never offers them. */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED

/* The suites mbedTLS offers when an application does not set a list
 * (tls.c always does; this keeps the default honest). Preference: AES-128-GCM
 * (cheapest with AES hardware or tables), CHACHA20-POLY1305 (fast in
 * software), AES-256-GCM. */
#define MBEDTLS_SSL_CIPHERSUITES \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384

/* SNI: the backend's TLS terminator picks the certificate by host name, and
 * mbedTLS sends the name given to mbedtls_ssl_set_hostname(). */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION

/* Session tickets (RFC 5077): a reconnect resumes the saved session in an
 * abbreviated handshake: no certificate on the wire, no certificate
 * parsing, no ECDHE or signature arithmetic. On a device that reconnects
 * often this saves most of the handshake time and energy. The ticket
 * (~200 bytes with OpenSSL servers) is kept in the saved session. */
#define MBEDTLS_SSL_SESSION_TICKETS

/* Extended master secret (RFC 7627): binds the master secret to the whole
 * handshake, which makes resumption safe against the triple-handshake
 * attack. A few bytes of code; servers all support it. */
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET

/* Max fragment length negotiation (RFC 6066): tls.c's max_fragment asks
 * the server to send records of at most 512..4096 bytes of plaintext, which
 * is what makes the small record buffers below safe (see there). */
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH

/* Send the precise alert when a handshake fails (bad_certificate,
 * certificate_expired...), so the backend's logs say why a charge point
 * could not connect. A few hundred bytes of code. */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES

/* Record buffers: the largest single use of RAM. mbedTLS keeps one input
 * and one output buffer per connection, each the content length plus about
 * 50 bytes (record header, explicit nonce, tag). The defaults (16384 each,
 * the TLS maximum) cost ~33 KB; 4096 costs ~8.3 KB.
 *
 * What the sizes must hold, with mbedTLS 2.28:
 *  - IN: every record the server sends. A TLS server may send records of up
 *    to 16384 bytes unless the client negotiated a max fragment length, so
 *    with IN below 16384 the application must set
 *    cpuser_tls_config.max_fragment (to at most IN) and the server must
 *    honour it. OpenSSL servers (nginx, HAProxy, Python's ssl: the
 *    simulator) do; some terminators (Go's crypto/tls, BoringSSL-based
 *    ones) ignore the extension: against those keep IN at 16384, or rely on
 *    the server sending small records, which a server is free not to do.
 *  - IN, also: the whole Certificate handshake message (the server's chain)
 *    in ONE record. mbedTLS 2.28 does not reassemble a TLS handshake
 *    message that spans records ("TLS handshake fragmentation not
 *    supported"), and a server that honours a max fragment length splits
 *    its Certificate message at that length. So the negotiated fragment
 *    length must be at least the size of the server's certificate chain:
 *    ~0.6 KB for a P-256 leaf alone (the tests), ~2.5-4 KB for a typical
 *    public RSA chain (leaf + intermediate).
 *  - OUT: the ClientHello (with a session ticket, under 512 bytes), our
 *    client certificate for mutual TLS (in one record too) and request
 *    records; a longer request is simply split over several records by
 *    mbedtls_ssl_write(), which tls.c's send already reports as partial.
 *  - mbedTLS refuses a max fragment length above the smaller of IN and OUT
 *    (MBEDTLS_TLS_EXT_ADV_CONTENT_LEN), so OUT must not be smaller than the
 *    fragment length we ask for.
 * Hence IN = OUT = 4096 with max_fragment = 4096: room for a real RSA chain,
 * ~25 KB less RAM than the defaults. A board whose backend has a small
 * certificate chain can go to 2048 or 1024 (with the same max_fragment).
 *
 * Measured by `make check-mbedtls-small` (x86-64 host: 64-bit pointers and
 * 64-byte allocator headers, so a Cortex-M4 needs somewhat less), high-water
 * mark of the static buffer over a full handshake, requests and a resumed
 * handshake, and the smallest whole-KB buffer that ran:
 *     IN = OUT = 4096, P-256 server:            13.6 KB, buffer 17 KB
 *     IN = OUT = 4096, RSA chain, 4096-bit root: 24.4 KB, buffer 27 KB
 *     IN = OUT = 2048, P-256 server:             9.3 KB, buffer 13 KB
 *     IN = OUT = 2048, RSA chain:                20.3 KB
 *     IN = OUT = 1024, P-256 server:             7.6 KB, buffer 11 KB
 * (Debian's default build, 16384 each: 43.7 KB of heap at the peak, see
 * `make bench-tls`.) The record buffers are allocated by cpuser_tls_init()
 * (mbedtls_ssl_setup) and held until cpuser_tls_free(). A max_fragment
 * smaller than these sizes saves nothing by itself: only the compiled sizes
 * set the buffers. */
#if !defined(CPUSER_MBEDTLS_IN_CONTENT_LEN)
#define CPUSER_MBEDTLS_IN_CONTENT_LEN 4096
#endif
#if !defined(CPUSER_MBEDTLS_OUT_CONTENT_LEN)
#define CPUSER_MBEDTLS_OUT_CONTENT_LEN 4096
#endif
#define MBEDTLS_SSL_IN_CONTENT_LEN CPUSER_MBEDTLS_IN_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN CPUSER_MBEDTLS_OUT_CONTENT_LEN

/* Deliberately left out:
 *  - MBEDTLS_SSL_KEEP_PEER_CERTIFICATE: keeping the server's parsed chain
 *    after the handshake costs ~1-2 KB per connection for nothing (tls.c
 *    checks the certificate, and the pin, during the handshake); without
 *    it only a hash of the certificate stays in the session.
 *  - MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH: it shrinks the record buffers to
 *    the negotiated fragment length after each handshake and grows them
 *    back for the next one; the peak (the handshake) stays the same, and
 *    the shrink/grow copies fragment a fixed buffer.
 *  - renegotiation, encrypt-then-MAC and truncated HMAC (CBC only),
 *    ALPN, context serialisation, DTLS, debug output, error strings. */

/* ---- symmetric crypto and hashes ------------------------------------------- */

/* AES-GCM and ChaCha20-Poly1305 record protection, through the generic
 * cipher layer mbedTLS's record code uses. */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C

/* AES tables in flash (const) instead of ~8 KB of RAM filled at first use,
 * and one table instead of four (~6 KB less flash, slightly slower). */
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES

/* SHA-256 (TLS 1.2 PRF, handshake hash, certificate signatures) and
 * SHA-384 (the *_SHA384 suites, P-384 certificate signatures; SHA512_C
 * provides both 384 and 512), through the generic message-digest layer.
 * No MD5 or SHA-1: TLS 1.2 with these suites never needs them. */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C

/* The random generator: a CTR-DRBG on AES, which tls.c seeds from the
 * platform's random hook (getrandom on POSIX, the TRNG on a board). The
 * entropy-pool module (MBEDTLS_ENTROPY_C) is not used by tls.c. */
#define MBEDTLS_CTR_DRBG_C

/* ---- public-key crypto --------------------------------------------------- */

#define MBEDTLS_BIGNUM_C

/* Elliptic curves: ECDHE key agreement and ECDSA signatures. P-256 is the
 * curve of the ECDHE exchange and of the usual ECDSA certificates. P-384 is
 * here for certificate chains: public ECDSA intermediates (e.g. Let's
 * Encrypt's E5/E6) sign with a P-384 key, so verifying a P-256 leaf needs
 * P-384 arithmetic. NIST_OPTIM: fast modular reduction for these curves
 * (more flash, much faster handshakes). */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C

/* Point multiplication tables live in the heap during a handshake: window 2
 * instead of 4 keeps them small, and no fixed-point optimisation means no
 * per-curve table cached in the group (speed traded for RAM). */
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0

/* RSA, for ECDHE-RSA: verifying the server's RSA signature on the key
 * exchange and RSA signatures in the certificate chain (PKCS#1 v1.5, what
 * TLS 1.2 and public CAs use). 4096-bit keys at most (RSA root and
 * intermediate CAs are 2048 or 4096 bits), which bounds the bignum sizes. */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_MPI_MAX_SIZE 512
#define MBEDTLS_MPI_WINDOW_SIZE 2

/* Keys: the server's public key in its certificate (PK_PARSE), the client
 * key for mutual TLS, and PK_WRITE for tls.c's key pinning (it hashes the
 * server's SubjectPublicKeyInfo as DER). */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C

/* ---- X.509 and the encodings under it -------------------------------------- */

/* Certificates: the CA chain given to cpuser_tls_init(), the server's chain,
 * an optional client certificate; PEM (base64) or DER. Key usage and
 * extended key usage are checked (a certificate that is not for TLS server
 * authentication is refused). No CRL, CSR or certificate writing. */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE

/* Consistency checks of mbedTLS itself (mbedtls/config.h includes them at
 * its end; a replacement config has to as well). */
#include "mbedtls/check_config.h"

#endif /* CPUSER_MBEDTLS_CONFIG_H */
