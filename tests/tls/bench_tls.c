/* make bench-tls: what TLS costs with Debian's default mbedTLS build.
 *
 * Linked statically against Debian's libmbedtls.a, libmbedx509.a and
 * libmbedcrypto.a with -Wl,--wrap=calloc,--wrap=free, so every allocation
 * mbedTLS makes lands in the counting wrappers below (the size is kept in a
 * small header in front of each block; nothing else is allocated here).
 * Against the simulator over TLS (certificates made at run time), through
 * cpuser_client over the TLS transport over a byte-counting transport over
 * POSIX, it measures:
 *   - the heap of one connection: held after cpuser_tls_init, the peak
 *     during a handshake + one request, the allocations it took, what stays
 *     while the connection is open, and what is left after cpuser_tls_free;
 *   - handshakes for 100 requests with keep-alive, and for 100 requests
 *     with cpuser_client_close() after each (full vs resumed);
 *   - bytes on the wire in each direction during connect() for a full and
 *     for a resumed handshake.
 * One line per figure on stdout, and the same figures as JSON in the file
 * named by argv[1] (default build/bench-tls.json). The figures are printed,
 * not judged: the program fails only when a request fails. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"
#include "tap.h"

#include "cpuser/client.h"
#include "cpuser/posix.h"
#include "cpuser/tls.h"

#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

/* ---- counting calloc/free -------------------------------------------------- */

void *__real_calloc(size_t n, size_t m);
void __real_free(void *p);
void *__wrap_calloc(size_t n, size_t m);
void __wrap_free(void *p);

/* Room in front of each block for its size, keeping the block as aligned as
 * calloc's own result. */
typedef union {
    size_t size;
    long double ld;
    void *ptr;
    uint64_t u64;
} block_header;

static struct {
    size_t cur;    /* bytes held now */
    size_t peak;   /* most bytes held at once since the last reset */
    size_t allocs; /* calloc calls that succeeded */
    size_t frees;
} heap;

void *__wrap_calloc(size_t n, size_t m)
{
    unsigned char *p;
    block_header h;
    if (m != 0u && n > (SIZE_MAX - sizeof h) / m) {
        return NULL;
    }
    h.size = n * m;
    p = (unsigned char *)__real_calloc(1, h.size + sizeof h);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, &h, sizeof h);
    heap.cur += h.size;
    if (heap.cur > heap.peak) {
        heap.peak = heap.cur;
    }
    heap.allocs++;
    return p + sizeof h;
}

void __wrap_free(void *ptr)
{
    unsigned char *p;
    block_header h;
    if (ptr == NULL) {
        return;
    }
    p = (unsigned char *)ptr - sizeof h;
    memcpy(&h, p, sizeof h);
    heap.cur -= h.size;
    heap.frees++;
    __real_free(p);
}

/* ---- figures: printed and collected for the JSON file ----------------------- */

#define MAX_FIGURES 40
static struct {
    const char *name;
    char value[64];
    bool text;
} figures[MAX_FIGURES];
static size_t figure_count;

static void figure(const char *name, unsigned long long value, const char *unit)
{
    if (figure_count < MAX_FIGURES) {
        figures[figure_count].name = name;
        snprintf(figures[figure_count].value, sizeof figures[figure_count].value, "%llu", value);
        figures[figure_count].text = false;
        figure_count++;
    }
    printf("bench-tls: %-40s %llu%s%s\n", name, value, unit[0] != '\0' ? " " : "", unit);
}

static void figure_text(const char *name, const char *value)
{
    if (figure_count < MAX_FIGURES) {
        figures[figure_count].name = name;
        snprintf(figures[figure_count].value, sizeof figures[figure_count].value, "%s", value);
        figures[figure_count].text = true;
        figure_count++;
    }
    printf("bench-tls: %-40s %s\n", name, value);
}

static int write_json(const char *path)
{
    FILE *f = fopen(path, "w");
    size_t i;
    if (f == NULL) {
        return -1;
    }
    fprintf(f, "{\n");
    for (i = 0; i < figure_count; i++) {
        const char *sep = i + 1u < figure_count ? "," : "";
        if (figures[i].text) { /* values are our own: no quotes or backslashes */
            fprintf(f, "  \"%s\": \"%s\"%s\n", figures[i].name, figures[i].value, sep);
        } else {
            fprintf(f, "  \"%s\": %s%s\n", figures[i].name, figures[i].value, sep);
        }
    }
    fprintf(f, "}\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- certificates and the simulator ------------------------------------------ */

static char dir[64];
static peer sim;
static unsigned char ca_pem[4096];
static size_t ca_len;

static int start(void)
{
    char cmd[256], ca[128], crt[128], key[128];
    const char *extra[] = {"--tls-cert", crt, "--tls-key", key, "--token", "sim-token",
                           "--seed-users", "3", NULL};
    strcpy(dir, "/tmp/cpuser-bench-tls-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "bench-tls: mkdtemp failed\n");
        dir[0] = '\0';
        return -1;
    }
    snprintf(cmd, sizeof cmd, "sh tests/tls/make_certs.sh '%s' >/dev/null 2>&1", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench-tls: tests/tls/make_certs.sh failed\n");
        return -1;
    }
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    ca_len = peer_read_file(ca, (char *)ca_pem, sizeof ca_pem);
    if (ca_len == 0) {
        fprintf(stderr, "bench-tls: cannot read %s\n", ca);
        return -1;
    }
    snprintf(crt, sizeof crt, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    if (peer_start_sim(&sim, dir, extra) != 0) {
        fprintf(stderr, "bench-tls: the simulator did not start (see %s/sim.out)\n", dir);
        return -1;
    }
    return 0;
}

static void stop(void)
{
    char cmd[128];
    peer_stop(&sim);
    if (dir[0] != '\0') {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench-tls: could not remove %s\n", dir);
        }
    }
}

/* ---- the stack: client / TLS / counter / POSIX ---------------------------------- */

static const char token[] = "sim-token";

static cpuser_posix_tcp tcp;
static cpuser_transport tcp_tp;
static tap wire; /* counts the bytes under TLS */
static cpuser_transport wire_tp;
static cpuser_tls tls;
static cpuser_transport tls_tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];

static int open_stack(void)
{
    cpuser_tls_config tcfg;
    cpuser_client_config ccfg;
    cpuser_err err;
    cpuser_posix_tcp_init(&tcp, &tcp_tp);
    cpuser_posix_platform_init(&pf);
    memset(&wire, 0, sizeof wire);
    tap_init(&wire, &tcp_tp, &wire_tp);
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca = ca_pem;
    tcfg.ca_len = ca_len;
    tcfg.server_name = "localhost"; /* mbedTLS 2.28 matches DNS names only */
    err = cpuser_tls_init(&tls, &tcfg, &wire_tp, &pf, &tls_tp);
    if (err != CPUSER_OK) {
        fprintf(stderr, "bench-tls: cpuser_tls_init: %s\n", cpuser_strerror(err));
        return -1;
    }
    memset(&ccfg, 0, sizeof ccfg);
    ccfg.host = "127.0.0.1";
    ccfg.port = sim.port;
    ccfg.https = true;
    ccfg.token = token;
    ccfg.token_len = sizeof token - 1u;
    ccfg.connect_timeout_ms = 10000;
    ccfg.io_timeout_ms = 10000;
    ccfg.total_timeout_ms = 20000;
    err = cpuser_client_init(&client, &ccfg, &tls_tp, &pf, work, sizeof work);
    if (err != CPUSER_OK) {
        fprintf(stderr, "bench-tls: cpuser_client_init: %s\n", cpuser_strerror(err));
        cpuser_tls_free(&tls);
        return -1;
    }
    return 0;
}

static void close_stack(void)
{
    cpuser_client_close(&client);
    cpuser_tls_free(&tls);
}

/* GET the seeded user 1 or 2 and check its email is in the body. */
static int get_user(unsigned i)
{
    static const char *const ids[] = {"1", "2"};
    static const char *const emails[] = {"\"user1@example.com\"", "\"user2@example.com\""};
    cpuser_request req;
    cpuser_view id = cpuser_view_of(ids[i % 2u]);
    const cpuser_result *last;
    const char *expect = emails[i % 2u];
    size_t elen = strlen(expect);
    size_t k;
    cpuser_err err;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/public-api/resources/users/v1.0/{}";
    req.segments = &id;
    req.segment_count = 1;
    err = cpuser_client_call(&client, &req, NULL);
    last = cpuser_client_last(&client);
    if (err != CPUSER_OK || last->status != 200) {
        fprintf(stderr, "bench-tls: GET user %s: %s (status %d, mbedTLS -0x%04x)\n", ids[i % 2u],
                cpuser_strerror(err), last->status, (unsigned)-tls.last_mbedtls_err);
        return -1;
    }
    for (k = 0; k + elen <= last->body.len; k++) {
        if (memcmp(last->body.ptr + k, expect, elen) == 0) {
            return 0;
        }
    }
    fprintf(stderr, "bench-tls: GET user %s: no %s in the body\n", ids[i % 2u], expect);
    return -1;
}

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

#define REQUESTS 100u

/* ---- the measurements ------------------------------------------------------------- */

/* Heap of one connection: handshake + one request. */
static int measure_heap(void)
{
    size_t allocs_before;
    size_t after_init;
    size_t open_bytes;
    const char *suite;
    char suite_name[64];
    heap.peak = heap.cur;
    heap.allocs = 0;
    if (open_stack() != 0) {
        return -1;
    }
    after_init = heap.cur;
    figure("heap_after_tls_init_bytes", after_init, "bytes");
    figure("heap_tls_init_allocations", heap.allocs, "");
    allocs_before = heap.allocs;
    heap.peak = heap.cur;
    if (get_user(0) != 0) {
        close_stack();
        return -1;
    }
    open_bytes = heap.cur;
    suite = mbedtls_ssl_get_ciphersuite(&tls.ssl);
    snprintf(suite_name, sizeof suite_name, "%s", suite != NULL ? suite : "?");
    figure_text("ciphersuite", suite_name);
    figure("heap_connection_peak_bytes", heap.peak, "bytes (handshake + 1 request, incl. init)");
    figure("heap_connection_peak_above_init_bytes", heap.peak - after_init, "bytes");
    figure("heap_connection_allocations", heap.allocs - allocs_before, "(calloc calls)");
    figure("heap_connection_open_bytes", open_bytes, "bytes (held between requests)");
    close_stack();
    figure("heap_after_tls_free_bytes", heap.cur, "bytes");
    return 0;
}

/* REQUESTS requests, with keep-alive or with a close after each. */
static int measure_handshakes(bool keep_alive)
{
    unsigned i;
    unsigned long long t0;
    if (open_stack() != 0) {
        return -1;
    }
    t0 = now_ms();
    for (i = 0; i < REQUESTS; i++) {
        if (get_user(i) != 0) {
            close_stack();
            return -1;
        }
        if (!keep_alive) {
            cpuser_client_close(&client);
        }
    }
    if (keep_alive) {
        figure("keepalive_requests", REQUESTS, "");
        figure("keepalive_handshakes", tls.handshakes, "");
        figure("keepalive_full_handshakes", tls.full_handshakes, "");
        figure("keepalive_elapsed_ms", now_ms() - t0, "ms");
    } else {
        figure("reconnect_requests", REQUESTS, "");
        figure("reconnect_handshakes", tls.handshakes, "");
        figure("reconnect_full_handshakes", tls.full_handshakes, "");
        figure("reconnect_resumed_handshakes", tls.handshakes - tls.full_handshakes, "");
        figure("reconnect_elapsed_ms", now_ms() - t0, "ms");
    }
    close_stack();
    return 0;
}

/* Bytes under TLS during connect(): a full handshake, then a resumed one. */
static int measure_wire(void)
{
    unsigned round;
    if (open_stack() != 0) {
        return -1;
    }
    for (round = 0; round < 2u; round++) {
        uint32_t full_before = tls.full_handshakes;
        cpuser_err err;
        wire.sent = 0;
        wire.received = 0;
        err = tls_tp.connect(tls_tp.ctx, "127.0.0.1", sim.port, 10000);
        if (err != CPUSER_OK) {
            fprintf(stderr, "bench-tls: connect: %s\n", cpuser_strerror(err));
            close_stack();
            return -1;
        }
        if ((tls.full_handshakes != full_before) != (round == 0u)) {
            fprintf(stderr, "bench-tls: handshake %u was %s, expected %s\n", round + 1u,
                    round == 0u ? "resumed" : "full", round == 0u ? "full" : "resumed");
            close_stack();
            return -1;
        }
        if (round == 0u) {
            figure("wire_full_handshake_sent_bytes", wire.sent, "bytes");
            figure("wire_full_handshake_received_bytes", wire.received, "bytes");
        } else {
            figure("wire_resumed_handshake_sent_bytes", wire.sent, "bytes");
            figure("wire_resumed_handshake_received_bytes", wire.received, "bytes");
        }
        tls_tp.close(tls_tp.ctx);
    }
    close_stack();
    return 0;
}

int main(int argc, char **argv)
{
    const char *json = argc > 1 ? argv[1] : "build/bench-tls.json";
    int rc = 0;
    (void)peer_free_port; /* peer.h helper not needed here */
    if (start() != 0) {
        stop();
        return 1;
    }
    printf("bench-tls: %s (Debian's build: record buffers in %d / out %d bytes of content), "
           "the simulator on Python's ssl\n",
           MBEDTLS_VERSION_STRING_FULL, MBEDTLS_SSL_IN_CONTENT_LEN, MBEDTLS_SSL_OUT_CONTENT_LEN);
    figure_text("mbedtls_version", MBEDTLS_VERSION_STRING);
    figure("mbedtls_in_content_len", MBEDTLS_SSL_IN_CONTENT_LEN, "bytes");
    figure("mbedtls_out_content_len", MBEDTLS_SSL_OUT_CONTENT_LEN, "bytes");
    if (measure_heap() != 0 || measure_handshakes(true) != 0 ||
        measure_handshakes(false) != 0 || measure_wire() != 0) {
        rc = 1;
    }
    stop();
    if (write_json(json) != 0) {
        fprintf(stderr, "bench-tls: cannot write %s\n", json);
        rc = 1;
    } else {
        printf("bench-tls: figures written to %s\n", json);
    }
    return rc;
}
