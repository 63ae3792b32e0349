/* TLS transport: mbedTLS over any cpuser transport. */
#include "cpuser/tls.h"

#include <limits.h>
#include <string.h>

#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CPUSER_MBEDTLS3 1
#endif

/* Constrained-device suites: ECDHE key exchange, AEAD only. */
static const int suites[] = {
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
#endif
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    0,
};

/* ---- callbacks mbedTLS calls ---------------------------------------------- */

static int entropy(void *ctx, unsigned char *buf, size_t len)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    return t->platform->random(t->platform->ctx, buf, len) == CPUSER_OK
               ? 0
               : MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    size_t sent = 0;
    cpuser_err err;
    if (len > (size_t)INT_MAX) {
        len = (size_t)INT_MAX;
    }
    err = t->inner->send(t->inner->ctx, buf, len, &sent, t->io_timeout_ms);
    if (err != CPUSER_OK) {
        t->inner_err = err;
        return err == CPUSER_ERR_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return (int)sent;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len, uint32_t timeout)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    size_t got = 0;
    cpuser_err err;
    (void)timeout; /* ours comes from the call in progress */
    if (len > (size_t)INT_MAX) {
        len = (size_t)INT_MAX;
    }
    err = t->inner->recv(t->inner->ctx, buf, len, &got, t->io_timeout_ms);
    if (err == CPUSER_ERR_CLOSED) {
        t->inner_err = err;
        return 0; /* end of stream */
    }
    if (err != CPUSER_OK) {
        t->inner_err = err;
        return err == CPUSER_ERR_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_RECV_FAILED;
    }
    return (int)got;
}

/* Called for every certificate of the server's chain; depth 0 is the
 * server's own. Only full handshakes see a certificate, so counting depth 0
 * also tells full from resumed handshakes. */
static int verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    unsigned char der[800];
    unsigned char hash[32];
    int n;
    if (depth != 0) {
        return 0;
    }
    t->cert_checks++;
    if (t->pin == NULL) {
        return 0;
    }
    /* The SubjectPublicKeyInfo is written at the end of der. */
    n = mbedtls_pk_write_pubkey_der(&crt->pk, der, sizeof der);
#if defined(CPUSER_MBEDTLS3)
    if (n <= 0 || mbedtls_sha256(der + sizeof der - (size_t)n, (size_t)n, hash, 0) != 0 ||
#else
    if (n <= 0 || mbedtls_sha256_ret(der + sizeof der - (size_t)n, (size_t)n, hash, 0) != 0 ||
#endif
        memcmp(hash, t->pin, sizeof hash) != 0) {
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        t->verify_flags |= CPUSER_TLS_PIN_MISMATCH;
    }
    return 0;
}

/* ---- error mapping -------------------------------------------------------- */

static cpuser_err map_error(cpuser_tls *t, int ret)
{
    t->last_mbedtls_err = ret;
    if (t->inner_err != CPUSER_OK) {
        return t->inner_err;
    }
    switch (ret) {
    case MBEDTLS_ERR_SSL_TIMEOUT:
        return CPUSER_ERR_TIMEOUT;
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
    case MBEDTLS_ERR_SSL_CONN_EOF:
        return CPUSER_ERR_CLOSED;
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        return CPUSER_ERR_CERTIFICATE;
    default:
        return CPUSER_ERR_TLS;
    }
}

static bool want_again(int ret)
{
    return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
           || ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
#endif
        ;
}

/* mbedTLS with a blocking bio never asks twice in a row for long; the bound
 * only guards against a loop that would not end. */
#define MAX_AGAIN 64

/* ---- the transport -------------------------------------------------------- */

static void tls_close(void *ctx)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    if (t->open) {
        t->io_timeout_ms = 200u; /* best effort */
        (void)mbedtls_ssl_close_notify(&t->ssl);
        t->open = false;
    }
    t->inner->close(t->inner->ctx);
}

static void save_session(cpuser_tls *t, const char *name)
{
    size_t n = strlen(name);
    cpuser_tls_forget_session(t);
    if (n >= sizeof t->session_name) {
        return; /* no room to remember whose it is: do not keep it */
    }
    t->have_session = mbedtls_ssl_get_session(&t->ssl, &t->session) == 0;
    memcpy(t->session_name, name, n + 1u);
}

static cpuser_err tls_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    const char *name = t->server_name != NULL ? t->server_name : host;
    uint32_t start;
    int ret;
    int again = 0;
    cpuser_err err;

    tls_close(t);
    start = t->platform->now_ms(t->platform->ctx);
    err = t->inner->connect(t->inner->ctx, host, port, timeout_ms);
    if (err != CPUSER_OK) {
        return err;
    }
    t->inner_err = CPUSER_OK;
    t->verify_flags = 0;
    t->cert_checks = 0;
    if (mbedtls_ssl_session_reset(&t->ssl) != 0 ||
        mbedtls_ssl_set_hostname(&t->ssl, name) != 0) {
        t->inner->close(t->inner->ctx);
        return CPUSER_ERR_TLS;
    }
    /* a saved session is offered to the name it was made for only: a
     * resumed handshake skips the certificate check */
    if (t->have_session && strcmp(t->session_name, name) == 0) {
        (void)mbedtls_ssl_set_session(&t->ssl, &t->session);
    }
    do {
        /* the whole handshake shares the connect timeout */
        uint32_t spent = t->platform->now_ms(t->platform->ctx) - start;
        if (spent >= timeout_ms) {
            t->inner_err = CPUSER_ERR_TIMEOUT;
            ret = MBEDTLS_ERR_SSL_TIMEOUT;
            break;
        }
        t->io_timeout_ms = timeout_ms - spent;
        ret = mbedtls_ssl_handshake(&t->ssl);
    } while (want_again(ret) && ++again < MAX_AGAIN);
    if (ret != 0) {
        uint32_t result = mbedtls_ssl_get_verify_result(&t->ssl);
        if (result != UINT32_MAX) { /* UINT32_MAX: no verification took place */
            t->verify_flags |= result;
        }
        err = map_error(t, ret);
        if (t->verify_flags != 0u) {
            err = CPUSER_ERR_CERTIFICATE;
        } else if (err != CPUSER_ERR_TIMEOUT) {
            /* A peer that closes or resets mid-handshake refused it (a
             * missing client certificate, no common suite): a TLS failure,
             * whatever the socket said. */
            err = CPUSER_ERR_TLS;
        }
        t->inner->close(t->inner->ctx);
        return err;
    }
    t->handshakes++;
    if (t->cert_checks > 0u) {
        t->full_handshakes++;
    }
    save_session(t, name);
    t->open = true;
    return CPUSER_OK;
}

static cpuser_err tls_send(void *ctx, const void *data, size_t len, size_t *sent, uint32_t timeout_ms)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    int ret;
    int again = 0;
    if (!t->open) {
        return CPUSER_ERR_IO;
    }
    t->inner_err = CPUSER_OK;
    t->io_timeout_ms = timeout_ms;
    if (len > (size_t)INT_MAX) {
        len = (size_t)INT_MAX;
    }
    do {
        ret = mbedtls_ssl_write(&t->ssl, (const unsigned char *)data, len);
    } while (want_again(ret) && ++again < MAX_AGAIN);
    if (ret <= 0) {
        return ret == 0 ? CPUSER_ERR_IO : map_error(t, ret);
    }
    *sent = (size_t)ret;
    return CPUSER_OK;
}

static cpuser_err tls_recv(void *ctx, void *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    cpuser_tls *t = (cpuser_tls *)ctx;
    int ret;
    int again = 0;
    if (!t->open) {
        return CPUSER_ERR_IO;
    }
    t->inner_err = CPUSER_OK;
    t->io_timeout_ms = timeout_ms;
    if (cap > (size_t)INT_MAX) {
        cap = (size_t)INT_MAX;
    }
    do {
        ret = mbedtls_ssl_read(&t->ssl, (unsigned char *)buf, cap);
    } while (want_again(ret) && ++again < MAX_AGAIN);
    if (ret == 0) {
        return CPUSER_ERR_CLOSED;
    }
    if (ret < 0) {
        return map_error(t, ret);
    }
    *got = (size_t)ret;
    return CPUSER_OK;
}

/* ---- set-up --------------------------------------------------------------- */

static int mfl_code(uint16_t bytes, unsigned char *code)
{
    switch (bytes) {
    case 0: *code = MBEDTLS_SSL_MAX_FRAG_LEN_NONE; return 0;
    case 512: *code = MBEDTLS_SSL_MAX_FRAG_LEN_512; return 0;
    case 1024: *code = MBEDTLS_SSL_MAX_FRAG_LEN_1024; return 0;
    case 2048: *code = MBEDTLS_SSL_MAX_FRAG_LEN_2048; return 0;
    case 4096: *code = MBEDTLS_SSL_MAX_FRAG_LEN_4096; return 0;
    default: return -1;
    }
}

static int parse_key(cpuser_tls *t, const cpuser_tls_config *cfg)
{
#if defined(CPUSER_MBEDTLS3)
    return mbedtls_pk_parse_key(&t->own_key, cfg->key, cfg->key_len, NULL, 0,
                                mbedtls_ctr_drbg_random, &t->drbg);
#else
    return mbedtls_pk_parse_key(&t->own_key, cfg->key, cfg->key_len, NULL, 0);
#endif
}

/* The client key must be the certificate's: a mismatch would only show as
 * a handshake failure after the ClientHello went out. */
static bool key_matches_cert(cpuser_tls *t)
{
#if defined(CPUSER_MBEDTLS3)
    return mbedtls_pk_check_pair(&t->own_cert.pk, &t->own_key, mbedtls_ctr_drbg_random, &t->drbg) == 0;
#else
    return mbedtls_pk_check_pair(&t->own_cert.pk, &t->own_key) == 0;
#endif
}

static cpuser_err configure(cpuser_tls *t, const cpuser_tls_config *cfg)
{
    static const unsigned char personal[] = "cpuser";
    unsigned char mfl = 0;
    if (mfl_code(cfg->max_fragment, &mfl) != 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (mbedtls_ctr_drbg_seed(&t->drbg, entropy, t, personal, sizeof personal - 1u) != 0) {
        return CPUSER_ERR_TLS;
    }
    /* A PEM bundle may hold certificates this build cannot parse (a
     * positive count): keep the others; none at all is an error. */
    if (mbedtls_x509_crt_parse(&t->ca, cfg->ca, cfg->ca_len) < 0 || t->ca.version == 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (cfg->cert != NULL && (mbedtls_x509_crt_parse(&t->own_cert, cfg->cert, cfg->cert_len) != 0 ||
                              parse_key(t, cfg) != 0 || !key_matches_cert(t))) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        return CPUSER_ERR_TLS;
    }
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_verify(&t->conf, verify, t);
    mbedtls_ssl_conf_ciphersuites(&t->conf, suites);
#if defined(CPUSER_MBEDTLS3)
    mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    mbedtls_ssl_conf_session_tickets(&t->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#endif
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    if (mbedtls_ssl_conf_max_frag_len(&t->conf, mfl) != 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
#else
    if (mfl != MBEDTLS_SSL_MAX_FRAG_LEN_NONE) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
#endif
    if (cfg->cert != NULL && mbedtls_ssl_conf_own_cert(&t->conf, &t->own_cert, &t->own_key) != 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0) {
        return CPUSER_ERR_TLS;
    }
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, NULL, bio_recv);
    return CPUSER_OK;
}

cpuser_err cpuser_tls_init(cpuser_tls *tls, const cpuser_tls_config *cfg,
                           const cpuser_transport *inner,
                           const cpuser_platform *platform,
                           cpuser_transport *out)
{
    cpuser_err err;
    if (tls == NULL || cfg == NULL || inner == NULL || platform == NULL || out == NULL ||
        cfg->ca == NULL || cfg->ca_len == 0u || (cfg->cert == NULL) != (cfg->key == NULL)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    memset(tls, 0, sizeof *tls);
    tls->inner = inner;
    tls->platform = platform;
    tls->server_name = cfg->server_name;
    tls->pin = cfg->pin_sha256;
    mbedtls_ssl_init(&tls->ssl);
    mbedtls_ssl_config_init(&tls->conf);
    mbedtls_ctr_drbg_init(&tls->drbg);
    mbedtls_x509_crt_init(&tls->ca);
    mbedtls_x509_crt_init(&tls->own_cert);
    mbedtls_pk_init(&tls->own_key);
    mbedtls_ssl_session_init(&tls->session);
    err = configure(tls, cfg);
    if (err != CPUSER_OK) {
        cpuser_tls_free(tls);
        return err;
    }
    out->ctx = tls;
    out->connect = tls_connect;
    out->send = tls_send;
    out->recv = tls_recv;
    out->close = tls_close;
    return CPUSER_OK;
}

void cpuser_tls_free(cpuser_tls *tls)
{
    if (tls == NULL || tls->inner == NULL) {
        return;
    }
    tls_close(tls);
    mbedtls_ssl_session_free(&tls->session);
    mbedtls_ssl_free(&tls->ssl);
    mbedtls_ssl_config_free(&tls->conf);
    mbedtls_ctr_drbg_free(&tls->drbg);
    mbedtls_x509_crt_free(&tls->ca);
    mbedtls_x509_crt_free(&tls->own_cert);
    mbedtls_pk_free(&tls->own_key);
    tls->inner = NULL;
}

uint32_t cpuser_tls_verify_flags(const cpuser_tls *tls)
{
    return tls->verify_flags;
}

void cpuser_tls_forget_session(cpuser_tls *tls)
{
    mbedtls_ssl_session_free(&tls->session);
    mbedtls_ssl_session_init(&tls->session);
    tls->have_session = false;
    tls->session_name[0] = '\0';
}
