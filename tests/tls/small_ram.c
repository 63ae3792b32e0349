/* HTTPS with mbedTLS in one static buffer (make check-mbedtls-small).
 *
 * Built against Debian's mbedTLS source package compiled with the small
 * config (boards/mbedtls/cpuser_mbedtls_config.h), with port/mbedtls/tls.c
 * compiled again against the same headers and config. mbedTLS gets one
 * static buffer (MBEDTLS_MEMORY_BUFFER_ALLOC_C), and malloc, calloc, realloc
 * and free are wrapped to abort for every statically linked object: the
 * only memory mbedTLS can use is that buffer.
 *
 * Against the simulator over TLS (certificates made at test time), through
 * cpuser_client over the TLS transport over POSIX: a full handshake and GET
 * of a seeded user, a second request (a list page of ~2.9 KB) on the same
 * connection, then a reconnect that resumes the session and GETs another
 * user. With a P-256 server certificate: once for each fragment length the
 * compiled record buffers allow (4096, 2048, 1024) and once without; with
 * an RSA chain (ECDHE-RSA): once, and once more to show that a fragment
 * length below the size of the server's Certificate message breaks the
 * handshake with mbedTLS 2.28. Each run prints the buffer's high-water
 * mark, what is held after init and with the connection open, what is left
 * after cpuser_tls_free() (nothing), and the largest record the server sent
 * (which shows whether it honoured the negotiated fragment length). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "peer.h"

#include "cpuser/client.h"
#include "cpuser/posix.h"
#include "cpuser/tls.h"

#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#if !defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C) || !defined(MBEDTLS_MEMORY_DEBUG)
#error "small_ram.c is built with the small config (boards/mbedtls/cpuser_mbedtls_config.h)"
#endif

/* The static buffer. With 4096-byte record buffers on a 64-bit host the
 * smallest whole number of KB that runs the P-256 cases is 17 KB (16 KB
 * fails in the first handshake); the RSA chain (4096-bit root) needs 27 KB
 * (26 KB fails). 28 KB runs everything with a margin. Override with
 * -DSMALL_RAM_BUFFER=... to measure. */
#ifndef SMALL_RAM_BUFFER
#define SMALL_RAM_BUFFER (28u * 1024u)
#endif

static union {
    unsigned char bytes[SMALL_RAM_BUFFER];
    uint64_t align_u64;
    void *align_ptr;
    long double align_ld;
} tls_heap;

/* The allocator's block header: magic1, size, alloc, 4 list pointers,
 * magic2 (memory_buffer_alloc.c; no MBEDTLS_MEMORY_BACKTRACE). */
#define BLOCK_HEADER (4u * sizeof(size_t) + 4u * sizeof(void *))

/* ---- nothing may use the C heap ---------------------------------------- */

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static void heap_used(const char *what)
{
    static const char msg[] = "small-ram: the C heap was used: ";
    ssize_t r = write(2, msg, sizeof msg - 1u);
    r = write(2, what, strlen(what));
    r = write(2, "\n", 1);
    (void)r;
    abort();
}

void *__wrap_malloc(size_t n) { (void)n; heap_used("malloc"); return NULL; }
void *__wrap_calloc(size_t n, size_t m) { (void)n; (void)m; heap_used("calloc"); return NULL; }
void *__wrap_realloc(void *p, size_t n) { (void)p; (void)n; heap_used("realloc"); return NULL; }
void __wrap_free(void *p) { (void)p; heap_used("free"); }

/* ---- certificates and the simulators ------------------------------------- */

/* Two backends: the simulator with the P-256 certificate of make_certs.sh,
 * and one with an RSA chain like a public CA's: a 2048-bit leaf and a
 * 2048-bit intermediate (both sent by the server, ~1.9 KB of Certificate
 * message) under a 4096-bit root (the client's CA). */
typedef struct {
    const char *label;
    peer sim;
    unsigned char ca[4096];
    size_t ca_len;
} backend;

static char dir[64];
static backend ec = {"P-256", {-1, 0}, {0}, 0};
static backend rsa = {"RSA chain", {-1, 0}, {0}, 0};

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static int start_backend(backend *b, const char *ca, const char *cert, const char *key,
                         const char *tag)
{
    char ca_path[128], crt[128], k[128], sub[128];
    const char *extra[] = {"--tls-cert", crt, "--tls-key", k, "--token", "sim-token",
                           "--seed-users", "3", NULL};
    path_in(ca_path, sizeof ca_path, ca);
    b->ca_len = peer_read_file(ca_path, (char *)b->ca, sizeof b->ca);
    if (b->ca_len == 0) {
        fprintf(stderr, "small-ram: cannot read %s\n", ca_path);
        return -1;
    }
    path_in(crt, sizeof crt, cert);
    path_in(k, sizeof k, key);
    path_in(sub, sizeof sub, tag); /* each backend its own port file and log */
    if (mkdir(sub, 0700) != 0 || peer_start_sim(&b->sim, sub, extra) != 0) {
        fprintf(stderr, "small-ram: the simulator did not start (see %s/sim.out)\n", sub);
        return -1;
    }
    return 0;
}

static int group_setup(void **state)
{
    char cmd[256];
    (void)state;
    strcpy(dir, "/tmp/cpuser-small-ram-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "small-ram: mkdtemp failed\n");
        dir[0] = '\0';
        return -1;
    }
    snprintf(cmd, sizeof cmd, "sh tests/tls/make_certs.sh '%s' rsa >/dev/null 2>&1", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "small-ram: tests/tls/make_certs.sh failed\n");
        return -1;
    }
    if (start_backend(&ec, "ca.crt", "server.crt", "server.key", "ec") != 0 ||
        start_backend(&rsa, "rsa-root.crt", "rsa-chain.crt", "rsa-server.key", "rsa") != 0) {
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    char cmd[128];
    (void)state;
    peer_stop(&ec.sim);
    peer_stop(&rsa.sim);
    if (dir[0] != '\0') {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "small-ram: could not remove %s\n", dir);
        }
    }
    return 0;
}

/* ---- a transport under TLS that watches the server's record sizes ------ */

typedef struct {
    const cpuser_transport *inner;
    unsigned char hdr[5];
    size_t hdr_have;
    size_t body_left;
    size_t max_record; /* largest record length field seen from the server */
} record_watch;

static void watch_bytes(record_watch *w, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) { /* bounded by n: each pass consumes at least one byte */
        if (w->body_left > 0u) {
            size_t take = n - i < w->body_left ? n - i : w->body_left;
            w->body_left -= take;
            i += take;
            continue;
        }
        w->hdr[w->hdr_have++] = p[i++];
        if (w->hdr_have == sizeof w->hdr) {
            size_t len = ((size_t)w->hdr[3] << 8) | (size_t)w->hdr[4];
            if (len > w->max_record) {
                w->max_record = len;
            }
            w->body_left = len;
            w->hdr_have = 0;
        }
    }
}

static cpuser_err watch_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    record_watch *w = (record_watch *)ctx;
    w->hdr_have = 0;
    w->body_left = 0;
    return w->inner->connect(w->inner->ctx, host, port, timeout_ms);
}

static cpuser_err watch_send(void *ctx, const void *data, size_t len, size_t *sent, uint32_t timeout_ms)
{
    record_watch *w = (record_watch *)ctx;
    return w->inner->send(w->inner->ctx, data, len, sent, timeout_ms);
}

static cpuser_err watch_recv(void *ctx, void *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    record_watch *w = (record_watch *)ctx;
    cpuser_err err = w->inner->recv(w->inner->ctx, buf, cap, got, timeout_ms);
    if (err == CPUSER_OK) {
        watch_bytes(w, (const unsigned char *)buf, *got);
    }
    return err;
}

static void watch_close(void *ctx)
{
    record_watch *w = (record_watch *)ctx;
    w->inner->close(w->inner->ctx);
}

/* ---- one run ----------------------------------------------------------- */

static const char token[] = "sim-token";

static cpuser_posix_tcp tcp;
static cpuser_transport tcp_tp;
static record_watch watch;
static cpuser_transport watch_tp;
static cpuser_tls tls;
static cpuser_transport tls_tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];

static void per_page_3(void *arg, cpuser_http_request *r)
{
    (void)arg;
    cpuser_http_request_query_int(r, "per_page", 3);
}

/* GET path (with segment for its {}, or NULL for a list page of 3) and
 * check that the 200 body holds expect. */
static void get(const char *path, const char *segment, const char *expect)
{
    cpuser_request req;
    cpuser_view seg = cpuser_view_of(segment != NULL ? segment : "");
    const cpuser_result *last;
    cpuser_err err;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = path;
    if (segment != NULL) {
        req.segments = &seg;
        req.segment_count = 1;
    } else {
        req.query = per_page_3;
    }
    err = cpuser_client_call(&client, &req, NULL);
    last = cpuser_client_last(&client);
    if (err != CPUSER_OK) {
        fail_msg("GET %s %s: %s (status %d, mbedTLS -0x%04x, verify flags 0x%x)", path,
                 segment != NULL ? segment : "", cpuser_strerror(err), last->status,
                 (unsigned)-tls.last_mbedtls_err, (unsigned)tls.verify_flags);
    }
    assert_int_equal(last->status, 200);
    assert_non_null(last->body.ptr);
    {
        /* the body is a view, not NUL-terminated: search it bounded */
        size_t elen = strlen(expect);
        size_t i;
        bool found = false;
        for (i = 0; !found && i + elen <= last->body.len; i++) {
            found = memcmp(last->body.ptr + i, expect, elen) == 0;
        }
        if (!found) {
            fail_msg("GET %s: the body has no \"%s\"", path, expect);
        }
    }
}

/* The stack for one run: mbedTLS's buffer, POSIX, the record watch, TLS
 * (with max_fragment) to backend b, and the client. */
static void open_stack(const backend *b, uint16_t max_fragment)
{
    cpuser_tls_config tcfg;
    cpuser_client_config ccfg;
    cpuser_err err;

    mbedtls_memory_buffer_alloc_init(tls_heap.bytes, sizeof tls_heap.bytes);

    cpuser_posix_tcp_init(&tcp, &tcp_tp);
    cpuser_posix_platform_init(&pf);
    memset(&watch, 0, sizeof watch);
    watch.inner = &tcp_tp;
    watch_tp.ctx = &watch;
    watch_tp.connect = watch_connect;
    watch_tp.send = watch_send;
    watch_tp.recv = watch_recv;
    watch_tp.close = watch_close;

    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca = b->ca;
    tcfg.ca_len = b->ca_len;
    tcfg.server_name = "localhost"; /* mbedTLS 2.28 matches DNS names only */
    tcfg.max_fragment = max_fragment;
    err = cpuser_tls_init(&tls, &tcfg, &watch_tp, &pf, &tls_tp);
    if (err != CPUSER_OK) {
        fail_msg("cpuser_tls_init (max_fragment %u): %s", (unsigned)max_fragment, cpuser_strerror(err));
    }

    memset(&ccfg, 0, sizeof ccfg);
    ccfg.host = "127.0.0.1";
    ccfg.port = b->sim.port;
    ccfg.https = true;
    ccfg.token = token;
    ccfg.token_len = sizeof token - 1u;
    ccfg.connect_timeout_ms = 10000;
    ccfg.io_timeout_ms = 10000;
    ccfg.total_timeout_ms = 20000;
    assert_int_equal(cpuser_client_init(&client, &ccfg, &tls_tp, &pf, work, sizeof work), CPUSER_OK);
}

static void run(const backend *b, uint16_t max_fragment)
{
    size_t init_used, init_blocks, open_used, open_blocks;
    size_t max_used, max_blocks, after_used, after_blocks;
    const char *suite;
    char suite_name[64];

    open_stack(b, max_fragment);
    mbedtls_memory_buffer_alloc_cur_get(&init_used, &init_blocks);

    /* a full handshake, then a second request on the same connection */
    get("/public-api/resources/users/v1.0/{}", "1", "\"user1@example.com\"");
    mbedtls_memory_buffer_alloc_cur_get(&open_used, &open_blocks);
    get("/public-api/resources/users/v1.0", NULL, "\"user3@example.com\"");
    assert_int_equal(tls.handshakes, 1);
    assert_int_equal(tls.full_handshakes, 1);

    /* a reconnect: the saved session is resumed, no certificate */
    cpuser_client_close(&client);
    get("/public-api/resources/users/v1.0/{}", "2", "\"user2@example.com\"");
    assert_int_equal(tls.handshakes, 2);
    assert_int_equal(tls.full_handshakes, 1);

    mbedtls_memory_buffer_alloc_max_get(&max_used, &max_blocks);
    suite = mbedtls_ssl_get_ciphersuite(&tls.ssl);
    snprintf(suite_name, sizeof suite_name, "%s", suite != NULL ? suite : "?");
    cpuser_client_close(&client);
    cpuser_tls_free(&tls);
    mbedtls_memory_buffer_alloc_cur_get(&after_used, &after_blocks);

    printf("small-ram: static buffer %zu bytes, high-water %zu bytes (blocks %zu); %s, max_fragment %u\n",
           sizeof tls_heap.bytes, max_used, max_blocks, b->label, (unsigned)max_fragment);
    printf("small-ram:   with block headers %zu bytes; after init %zu bytes (%zu blocks), "
           "connection open %zu bytes (%zu blocks), after cpuser_tls_free %zu bytes (%zu blocks)\n",
           max_used + max_blocks * BLOCK_HEADER, init_used, init_blocks, open_used, open_blocks,
           after_used, after_blocks);
    printf("small-ram:   %s; largest record from the server %zu bytes%s\n", suite_name,
           watch.max_record,
           max_fragment == 0u ? " (no max fragment length asked)"
           : watch.max_record <= (size_t)max_fragment + 24u ? " (within the max fragment length)"
                                                             : " (ABOVE the max fragment length: not honoured)");
    fflush(stdout);
    mbedtls_memory_buffer_alloc_status(); /* on stderr: the same, with alloc/free counts */
    mbedtls_memory_buffer_alloc_free();

    assert_true(max_used < sizeof tls_heap.bytes);
    assert_true(max_used + max_blocks * BLOCK_HEADER <= sizeof tls_heap.bytes);
    assert_int_equal(after_used, 0);
    assert_int_equal(after_blocks, 0);
}

/* Fragment lengths mbedTLS accepts with these buffers (at most the smaller
 * of MBEDTLS_SSL_IN_CONTENT_LEN and MBEDTLS_SSL_OUT_CONTENT_LEN). */
#define ADVERTISABLE (MBEDTLS_SSL_IN_CONTENT_LEN < MBEDTLS_SSL_OUT_CONTENT_LEN \
                          ? MBEDTLS_SSL_IN_CONTENT_LEN : MBEDTLS_SSL_OUT_CONTENT_LEN)

static void skip_unless_advertisable(uint16_t max_fragment)
{
    if ((unsigned long)max_fragment > (unsigned long)ADVERTISABLE) {
        printf("small-ram: max_fragment %u is above the record buffers (%d): skipped\n",
               (unsigned)max_fragment, ADVERTISABLE);
        skip();
    }
}

static void test_max_fragment_4096(void **state)
{
    (void)state;
    skip_unless_advertisable(4096);
    run(&ec, 4096);
}

static void test_max_fragment_2048(void **state)
{
    (void)state;
    skip_unless_advertisable(2048);
    run(&ec, 2048);
}

static void test_max_fragment_1024(void **state)
{
    (void)state;
    skip_unless_advertisable(1024);
    run(&ec, 1024);
}

/* Without max fragment length negotiation the server sends the ~2.9 KB list
 * page in one record, which only fits 4096-byte (or larger) buffers: with
 * smaller ones that is the failure the negotiation exists to avoid. */
static void test_no_max_fragment(void **state)
{
    (void)state;
    if (MBEDTLS_SSL_IN_CONTENT_LEN < 4096) {
        printf("small-ram: no max_fragment with %d-byte input records: skipped "
               "(the server's 2.9 KB records would not fit)\n", MBEDTLS_SSL_IN_CONTENT_LEN);
        skip();
    }
    run(&ec, 0);
}

/* ECDHE-RSA with an RSA chain under a 4096-bit root: the same requests,
 * with the largest fragment length the buffers allow (the ~1.9 KB
 * Certificate message needs at least 2048, see below). */
static void test_rsa_chain(void **state)
{
    (void)state;
    if (ADVERTISABLE >= 4096) {
        run(&rsa, 4096);
    } else {
        skip_unless_advertisable(2048);
        run(&rsa, 2048);
    }
}

/* The limit of mbedTLS 2.28 the config explains: asked for 1024-byte
 * fragments, the server splits its ~1.9 KB Certificate message over two
 * records, and mbedTLS does not reassemble handshake messages. The
 * handshake fails (MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE) and nothing leaks. */
static void test_rsa_chain_fragmented_certificate(void **state)
{
    size_t after_used, after_blocks;
    cpuser_err err;
    (void)state;
    open_stack(&rsa, 1024);
    err = tls_tp.connect(tls_tp.ctx, "127.0.0.1", rsa.sim.port, 10000);
    printf("small-ram: RSA chain, max_fragment 1024: connect: %s (mbedTLS -0x%04x), "
           "largest record from the server %zu bytes\n",
           cpuser_strerror(err), (unsigned)-tls.last_mbedtls_err, watch.max_record);
    cpuser_tls_free(&tls);
    mbedtls_memory_buffer_alloc_cur_get(&after_used, &after_blocks);
    mbedtls_memory_buffer_alloc_free();
    assert_int_equal(err, CPUSER_ERR_TLS);
    assert_int_equal(tls.last_mbedtls_err, MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE);
    assert_int_equal(after_used, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_fragment_4096),
        cmocka_unit_test(test_max_fragment_2048),
        cmocka_unit_test(test_max_fragment_1024),
        cmocka_unit_test(test_no_max_fragment),
        cmocka_unit_test(test_rsa_chain),
        cmocka_unit_test(test_rsa_chain_fragmented_certificate),
    };
    (void)peer_free_port; /* peer.h helper this test does not need */
    printf("small-ram: %s, record buffers in %d / out %d bytes of content\n",
           MBEDTLS_VERSION_STRING_FULL, MBEDTLS_SSL_IN_CONTENT_LEN, MBEDTLS_SSL_OUT_CONTENT_LEN);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
