/* The TLS transport against real TLS peers (the simulator on Python's ssl,
 * i.e. OpenSSL, and `openssl s_server`), with certificates made at test time
 * by tests/tls/make_certs.sh. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "peer.h"
#include "tap.h"

#include "cpuser/client.h"
#include "cpuser/posix.h"
#include "cpuser/tls.h"

#include <mbedtls/x509.h>

static char dir[256];         /* certificates and logs */
static char path_buf[512];

static const char *in_dir(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

/* ---- peers ---- */

static peer server;

/* The simulator over TLS with cert/key (names in dir); client_ca may be NULL. */
static void start_sim(const char *cert, const char *key, const char *client_ca)
{
    char c[512], k[512], ca[512];
    const char *extra[] = {"--tls-cert", c, "--tls-key", k, "--seed-users", "3",
                           "--tls-client-ca", ca, NULL};
    snprintf(c, sizeof c, "%s/%s", dir, cert);
    snprintf(k, sizeof k, "%s/%s", dir, key);
    snprintf(ca, sizeof ca, "%s/%s", dir, client_ca != NULL ? client_ca : "");
    if (client_ca == NULL) {
        extra[6] = NULL;
    }
    if (peer_start_sim(&server, dir, extra) != 0) {
        fail_msg("the simulator did not start (see %s/sim.out)", dir);
    }
}

static void start_s_server(const char *cert, const char *key)
{
    char c[512], k[512], acc[64], log_out[512];
    char *argv[16];
    int n = 0;
    unsigned short port = peer_free_port();
    snprintf(c, sizeof c, "%s/%s", dir, cert);
    snprintf(k, sizeof k, "%s/%s", dir, key);
    snprintf(acc, sizeof acc, "127.0.0.1:%u", port);
    snprintf(log_out, sizeof log_out, "%s/s_server.out", dir);
    argv[n++] = "openssl";
    argv[n++] = "s_server";
    argv[n++] = "-quiet";
    argv[n++] = "-www";
    argv[n++] = "-accept";
    argv[n++] = acc;
    argv[n++] = "-cert";
    argv[n++] = c;
    argv[n++] = "-key";
    argv[n++] = k;
    argv[n] = NULL;
    if (peer_start(&server, argv, NULL, port, log_out) != 0) {
        fail_msg("openssl s_server did not start (see %s)", log_out);
    }
}

/* Requests the simulator logged (it logs one line per request). */
static int sim_requests(void)
{
    char text[8192];
    char lg[512];
    int lines = 0;
    size_t i;
    snprintf(lg, sizeof lg, "%s/requests.log", dir);
    if (peer_read_file(lg, text, sizeof text) == 0) {
        return 0;
    }
    for (i = 0; text[i] != '\0'; i++) {
        lines += text[i] == '\n';
    }
    return lines;
}

/* ---- client over TLS over a tap over POSIX, with a tap above TLS ---- */

static cpuser_posix_tcp tcp;
static cpuser_transport tcp_tp;
static tap wire;              /* below TLS: wire bytes, faults */
static cpuser_transport wire_tp;
static cpuser_tls tls;
static cpuser_transport tls_tp;
static tap app;               /* above TLS: application bytes */
static cpuser_transport app_tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];

static unsigned char ca_pem[4096];
static unsigned char cert_pem[4096];
static unsigned char key_pem[4096];
static uint8_t pin[32];

typedef struct {
    const char *ca;          /* file in dir */
    bool client_cert;        /* present client.crt/client.key */
    const uint8_t *pin;
    uint16_t max_fragment;
} tls_opts;

static size_t load(const char *name, unsigned char *buf, size_t cap, bool text)
{
    size_t n;
    FILE *f = fopen(in_dir(name), "rb");
    assert_non_null(f);
    n = fread(buf, 1, cap - 1u, f);
    fclose(f);
    if (text) {
        buf[n++] = '\0'; /* PEM: mbedTLS wants the NUL counted */
    }
    return n;
}

static cpuser_err setup_tls(const tls_opts *o)
{
    cpuser_tls_config cfg;
    cpuser_client_config cc;
    cpuser_err err;
    bool der = strstr(o->ca, ".der") != NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca = ca_pem;
    cfg.ca_len = load(o->ca, ca_pem, sizeof ca_pem, !der);
    if (o->client_cert) {
        cfg.cert = cert_pem;
        cfg.cert_len = load("client.crt", cert_pem, sizeof cert_pem, true);
        cfg.key = key_pem;
        cfg.key_len = load("client.key", key_pem, sizeof key_pem, true);
    }
    cfg.pin_sha256 = o->pin;
    cfg.max_fragment = o->max_fragment;
    cpuser_posix_tcp_init(&tcp, &tcp_tp);
    cpuser_posix_platform_init(&pf);
    tap_init(&wire, &tcp_tp, &wire_tp);
    err = cpuser_tls_init(&tls, &cfg, &wire_tp, &pf, &tls_tp);
    if (err != CPUSER_OK) {
        return err;
    }
    tap_init(&app, &tls_tp, &app_tp);
    memset(&cc, 0, sizeof cc);
    cc.host = "localhost";
    cc.port = server.port;
    cc.https = true;
    cc.token = "sim-token";
    cc.token_len = 9;
    cc.total_timeout_ms = 10000;
    return cpuser_client_init(&client, &cc, &app_tp, &pf, work, sizeof work);
}

static void teardown_tls(void)
{
    cpuser_client_close(&client);
    cpuser_tls_free(&tls);
    peer_stop(&server);
}

static cpuser_view uid;

static cpuser_err get_user(const char *id)
{
    cpuser_request req;
    memset(&req, 0, sizeof req);
    uid = cpuser_view_of(id);
    req.method = "GET";
    req.path = "/public-api/resources/users/v1.0/{}";
    req.segments = &uid;
    req.segment_count = 1;
    return cpuser_client_call(&client, &req, NULL);
}

static bool body_has(const char *s)
{
    const cpuser_view *b = &cpuser_client_last(&client)->body;
    size_t n = strlen(s);
    size_t i;
    for (i = 0; b->len >= n && i <= b->len - n; i++) {
        if (memcmp(b->ptr + i, s, n) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- tests ---- */

static void valid_chain(void **state)
{
    tls_opts o = {"ca.crt", false, NULL, 0};
    (void)state;
    start_sim("server.crt", "server.key", NULL);
    assert_int_equal(setup_tls(&o), CPUSER_OK);
    assert_int_equal(get_user("1"), CPUSER_OK);
    assert_int_equal(client.last.status, 200);
    assert_true(body_has("user1@example.com"));
    assert_int_equal(cpuser_tls_verify_flags(&tls), 0);
    assert_int_equal(tls.handshakes, 1);
    assert_int_equal(sim_requests(), 1);
    teardown_tls();
}

static void ca_as_der_and_matching_pin(void **state)
{
    tls_opts o = {"ca.der", false, pin, 0};
    (void)state;
    start_sim("server.crt", "server.key", NULL);
    assert_int_equal(setup_tls(&o), CPUSER_OK);
    assert_int_equal(get_user("2"), CPUSER_OK);
    assert_true(body_has("user2@example.com"));
    teardown_tls();
}

static char page[65536];
static size_t page_len;

static cpuser_err keep_page(void *arg, char *data, size_t len, bool final, size_t *consumed)
{
    (void)arg;
    (void)final;
    if (len > sizeof page - 1u - page_len) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(page + page_len, data, len);
    page_len += len;
    page[page_len] = '\0';
    *consumed = len;
    return CPUSER_OK;
}

static void openssl_s_server_peer(void **state)
{
    tls_opts o = {"ca.crt", false, NULL, 0};
    cpuser_request req;
    cpuser_sink sink;
    (void)state;
    start_s_server("server.crt", "server.key");
    assert_int_equal(setup_tls(&o), CPUSER_OK);
    /* s_server -www answers any GET with an HTTP/1.0 status page of several
     * KB, closed by the connection: stream it through the 4 KB buffer */
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/status";
    sink.write = keep_page;
    sink.arg = NULL;
    page_len = 0;
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_OK);
    assert_int_equal(client.last.status, 200);
    assert_true(page_len > sizeof work);
    assert_non_null(strstr(page, "s_server"));
    assert_non_null(strstr(page, "</HTML>"));
    teardown_tls();
}

typedef struct {
    const char *name;
    const char *cert;
    const char *key;
    const char *client_ca;   /* the server requires a client certificate */
    bool use_s_server;
    bool wrong_pin;
    cpuser_err want;
    uint32_t want_flag;
} refusal;

static const refusal refusals[] = {
    {"self-signed", "selfsigned.crt", "selfsigned.key", NULL, false, false,
     CPUSER_ERR_CERTIFICATE, MBEDTLS_X509_BADCERT_NOT_TRUSTED},
    {"unknown CA", "unknown.crt", "unknown.key", NULL, false, false,
     CPUSER_ERR_CERTIFICATE, MBEDTLS_X509_BADCERT_NOT_TRUSTED},
    {"expired", "expired.crt", "expired.key", NULL, false, false,
     CPUSER_ERR_CERTIFICATE, MBEDTLS_X509_BADCERT_EXPIRED},
    {"expired (s_server)", "expired.crt", "expired.key", NULL, true, false,
     CPUSER_ERR_CERTIFICATE, MBEDTLS_X509_BADCERT_EXPIRED},
    {"not yet valid", "future.crt", "future.key", NULL, false, false,
     CPUSER_ERR_CERTIFICATE, MBEDTLS_X509_BADCERT_FUTURE},
    {"wrong host name", "wronghost.crt", "wronghost.key", NULL, false, false,
     CPUSER_ERR_CERTIFICATE, MBEDTLS_X509_BADCERT_CN_MISMATCH},
    {"wrong pinned key", "server.crt", "server.key", NULL, false, true,
     CPUSER_ERR_CERTIFICATE, CPUSER_TLS_PIN_MISMATCH},
    {"client certificate required, none given", "server.crt", "server.key", "ca.crt",
     false, false, CPUSER_ERR_TLS, 0},
};

static void each_bad_peer_is_refused_before_any_request_byte(void **state)
{
    size_t i;
    static uint8_t wrong[32];
    (void)state;
    memcpy(wrong, pin, sizeof wrong);
    wrong[0] ^= 1u;
    for (i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const refusal *r = &refusals[i];
        tls_opts o = {"ca.crt", false, r->wrong_pin ? wrong : NULL, 0};
        cpuser_err err;
        if (r->use_s_server) {
            start_s_server(r->cert, r->key);
        } else {
            start_sim(r->cert, r->key, r->client_ca);
        }
        assert_int_equal(setup_tls(&o), CPUSER_OK);
        err = get_user("1");
        if (err != r->want) {
            fail_msg("%s: got %s, want %s", r->name, cpuser_strerror(err), cpuser_strerror(r->want));
        }
        if (r->want_flag != 0u && (cpuser_tls_verify_flags(&tls) & r->want_flag) == 0u) {
            fail_msg("%s: verify flags 0x%x lack 0x%x", r->name,
                     (unsigned)cpuser_tls_verify_flags(&tls), (unsigned)r->want_flag);
        }
        /* nothing of the request left the client, nothing reached the server */
        assert_int_equal(app.sent, 0);
        assert_int_equal(client.last.status, 0);
        if (!r->use_s_server) {
            assert_int_equal(sim_requests(), 0);
        }
        teardown_tls();
    }
}

static void keep_alive_one_handshake_then_resumption(void **state)
{
    tls_opts o = {"ca.crt", false, NULL, 0};
    int i;
    (void)state;
    start_sim("server.crt", "server.key", NULL);
    assert_int_equal(setup_tls(&o), CPUSER_OK);
    for (i = 0; i < 100; i++) {
        assert_int_equal(get_user(i % 2 ? "1" : "2"), CPUSER_OK);
    }
    assert_int_equal(tls.handshakes, 1);
    assert_int_equal(tls.full_handshakes, 1);
    assert_int_equal(wire.connects, 1);
    assert_int_equal(sim_requests(), 100);
    /* a forced reconnect resumes the saved session: no certificate is sent */
    cpuser_client_close(&client);
    assert_int_equal(get_user("3"), CPUSER_OK);
    assert_true(body_has("user3@example.com"));
    assert_int_equal(tls.handshakes, 2);
    assert_int_equal(tls.full_handshakes, 1);
    /* a session is only offered to the name it was made for: the same
     * server reached under another name that its certificate carries
     * (server_name) gets a full handshake */
    cpuser_client_close(&client);
    tls.server_name = "127.0.0.1"; /* not in the DNS names: the check must run, and fail */
    assert_int_equal(get_user("3"), CPUSER_ERR_CERTIFICATE);
    assert_int_equal(tls.full_handshakes, 1); /* attempted in full, not resumed */
    assert_true((cpuser_tls_verify_flags(&tls) & MBEDTLS_X509_BADCERT_CN_MISMATCH) != 0u);
    tls.server_name = NULL;
    assert_int_equal(get_user("3"), CPUSER_OK); /* localhost again: still resumable */
    assert_int_equal(tls.full_handshakes, 1);
    assert_int_equal(tls.handshakes, 3);
    /* forgetting the session forces a full one again */
    cpuser_client_close(&client);
    cpuser_tls_forget_session(&tls);
    assert_int_equal(get_user("3"), CPUSER_OK);
    assert_int_equal(tls.handshakes, 4);
    assert_int_equal(tls.full_handshakes, 2);
    teardown_tls();
}

static void mutual_tls_round_trip(void **state)
{
    tls_opts o = {"ca.crt", true, NULL, 0};
    (void)state;
    start_sim("server.crt", "server.key", "ca.crt");
    assert_int_equal(setup_tls(&o), CPUSER_OK);
    assert_int_equal(get_user("1"), CPUSER_OK);
    assert_true(body_has("user1@example.com"));
    assert_int_equal(sim_requests(), 1);
    teardown_tls();
}

static void bad_configuration_is_refused(void **state)
{
    cpuser_tls_config cfg;
    static const unsigned char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    (void)state;
    cpuser_posix_tcp_init(&tcp, &tcp_tp);
    cpuser_posix_platform_init(&pf);
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(cpuser_tls_init(&tls, &cfg, &tcp_tp, &pf, &tls_tp), CPUSER_ERR_BAD_ARGUMENT);
    cfg.ca = junk;
    cfg.ca_len = sizeof junk;
    assert_int_equal(cpuser_tls_init(&tls, &cfg, &tcp_tp, &pf, &tls_tp), CPUSER_ERR_BAD_ARGUMENT);
    cfg.ca = ca_pem;
    cfg.ca_len = load("ca.crt", ca_pem, sizeof ca_pem, true);
    cfg.cert = ca_pem; /* a certificate without its key */
    cfg.cert_len = cfg.ca_len;
    assert_int_equal(cpuser_tls_init(&tls, &cfg, &tcp_tp, &pf, &tls_tp), CPUSER_ERR_BAD_ARGUMENT);
    cfg.cert = NULL;
    cfg.cert_len = 0;
    cfg.max_fragment = 777;
    assert_int_equal(cpuser_tls_init(&tls, &cfg, &tcp_tp, &pf, &tls_tp), CPUSER_ERR_BAD_ARGUMENT);
    cfg.max_fragment = 0;
    assert_int_equal(cpuser_tls_init(&tls, &cfg, &tcp_tp, &pf, &tls_tp), CPUSER_OK);
    cpuser_tls_free(&tls);
    /* a client key that is not the certificate's is refused at set-up */
    cfg.cert = cert_pem;
    cfg.cert_len = load("client.crt", cert_pem, sizeof cert_pem, true);
    cfg.key = key_pem;
    cfg.key_len = load("server.key", key_pem, sizeof key_pem, true);
    assert_int_equal(cpuser_tls_init(&tls, &cfg, &tcp_tp, &pf, &tls_tp), CPUSER_ERR_BAD_ARGUMENT);
    cfg.key_len = load("client.key", key_pem, sizeof key_pem, true);
    assert_int_equal(cpuser_tls_init(&tls, &cfg, &tcp_tp, &pf, &tls_tp), CPUSER_OK);
    cpuser_tls_free(&tls);
}

static void ca_bundle_with_an_unparsable_certificate(void **state)
{
    static unsigned char bundle[8192];
    tls_opts o = {"ca.crt", false, NULL, 0};
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nMIIBbroken\n-----END CERTIFICATE-----\n";
    size_t n;
    (void)state;
    start_sim("server.crt", "server.key", NULL);
    assert_int_equal(setup_tls(&o), CPUSER_OK); /* sets up the transports */
    cpuser_tls_free(&tls);
    memcpy(bundle, junk, sizeof junk - 1u);
    n = load("ca.crt", bundle + sizeof junk - 1u, sizeof bundle - sizeof junk, true);
    {
        cpuser_tls_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.ca = bundle;
        cfg.ca_len = sizeof junk - 1u + n;
        assert_int_equal(cpuser_tls_init(&tls, &cfg, &wire_tp, &pf, &tls_tp), CPUSER_OK);
        tap_init(&app, &tls_tp, &app_tp);
    }
    assert_int_equal(get_user("1"), CPUSER_OK);
    assert_true(body_has("user1@example.com"));
    teardown_tls();
}

/* Faults under TLS: the response's records are cut (the peer closes
 * mid-record) or corrupted at many offsets. Each must end in a clean error
 * (closed or TLS) and the client must work again afterwards. */
static void truncated_and_corrupted_records(void **state)
{
    static const long offsets[] = {0, 1, 2, 4, 5, 6, 13, 20, 40, 100, 200, 400};
    tls_opts o = {"ca.crt", false, NULL, 0};
    size_t i;
    (void)state;
    start_sim("server.crt", "server.key", NULL);
    assert_int_equal(setup_tls(&o), CPUSER_OK);
    for (i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        cpuser_err err;
        assert_int_equal(get_user("1"), CPUSER_OK); /* connected, healthy */
        tap_arm(&wire, offsets[i], -1);
        err = get_user("1");
        if (err != CPUSER_ERR_CLOSED && err != CPUSER_ERR_TLS) {
            fail_msg("cut at %ld: %s", offsets[i], cpuser_strerror(err));
        }
        assert_false(client.connected);
        tap_arm(&wire, -1, -1);
        assert_int_equal(get_user("1"), CPUSER_OK);
        tap_arm(&wire, -1, offsets[i]);
        err = get_user("1");
        if (err != CPUSER_ERR_TLS) {
            fail_msg("flip at %ld: %s", offsets[i], cpuser_strerror(err));
        }
        assert_false(client.connected);
        tap_arm(&wire, -1, -1);
    }
    assert_int_equal(get_user("2"), CPUSER_OK);
    teardown_tls();
}

static int make_certs(void **state)
{
    char cmd[512];
    char pin_hex[128];
    size_t i;
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cpuser-tls-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(cmd, sizeof cmd, "sh tests/tls/make_certs.sh %s >/dev/null", dir);
    if (system(cmd) != 0) {
        return -1;
    }
    if (peer_read_file(in_dir("server.pin"), pin_hex, sizeof pin_hex) < 65) {
        return -1;
    }
    for (i = 0; i < 32; i++) {
        unsigned v = 0;
        if (sscanf(pin_hex + 2 * i, "%2x", &v) != 1) {
            return -1;
        }
        pin[i] = (uint8_t)v;
    }
    return 0;
}

static int remove_certs(void **state)
{
    char cmd[512];
    (void)state;
    peer_stop(&server);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_chain),
        cmocka_unit_test(ca_as_der_and_matching_pin),
        cmocka_unit_test(openssl_s_server_peer),
        cmocka_unit_test(each_bad_peer_is_refused_before_any_request_byte),
        cmocka_unit_test(keep_alive_one_handshake_then_resumption),
        cmocka_unit_test(mutual_tls_round_trip),
        cmocka_unit_test(bad_configuration_is_refused),
        cmocka_unit_test(ca_bundle_with_an_unparsable_certificate),
        cmocka_unit_test(truncated_and_corrupted_records),
    };
    return cmocka_run_group_tests(tests, make_certs, remove_certs);
}
