/* cpuser_http_response: framing, splits, malformed input, limits, streaming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/config.h"
#include "cpuser/error.h"
#include "cpuser/http_response.h"
#include "cpuser/view.h"

#define BUF_SIZE 16384u

/* ---- a reproducible PRNG (xorshift32) ------------------------------- */

static uint32_t next_random(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* ---- feeding a wire image in pieces --------------------------------- */

/* How many bytes the next read delivers (1..left). */
typedef size_t (*piece_fn)(void *ctx, size_t left);

typedef struct {
    uint32_t seed;
    uint32_t max;
} random_pieces;

static size_t piece_whole(void *ctx, size_t left)
{
    (void)ctx;
    return left;
}

static size_t piece_byte(void *ctx, size_t left)
{
    (void)ctx;
    (void)left;
    return 1;
}

/* *ctx bytes first, then the rest. */
static size_t piece_split(void *ctx, size_t left)
{
    size_t *first = ctx;
    size_t k = *first != 0u ? *first : left;
    *first = 0;
    return k;
}

static size_t piece_random(void *ctx, size_t left)
{
    random_pieces *p = ctx;
    (void)left;
    return 1u + next_random(&p->seed) % p->max;
}

enum { V_CONTENT_TYPE, V_ETAG, V_LOCATION, V_ASYNC, V_RETRY, V_COUNT };

/* Everything a run leaves behind, comparable across runs. */
typedef struct {
    cpuser_err err;        /* first feed error, else what eof() said */
    bool done_before_eof;  /* r.done after the last feed */
    cpuser_http_response r;
    size_t len;            /* *len after the last feed */
    long view_off[V_COUNT]; /* view offsets into buf, -1 when absent */
    size_t view_len[V_COUNT];
    char image[BUF_SIZE];  /* buf[0 .. len) */
} outcome;

static outcome ref_o;
static outcome got_o;

static long offset_in(cpuser_view v, const char *buf)
{
    return v.ptr == NULL ? -1L : (long)(v.ptr - buf);
}

static void snapshot_views(outcome *o, const char *buf)
{
    const cpuser_view v[V_COUNT] = {o->r.content_type, o->r.etag,
                                    o->r.location, o->r.async_operation,
                                    o->r.retry_after};
    int i;
    for (i = 0; i < V_COUNT; i++) {
        o->view_off[i] = offset_in(v[i], buf);
        o->view_len[i] = v[i].len;
    }
}

/* Receive wire[0..n) in pieces, feeding after each, then signal eof. */
static void run(const char *method, const char *wire, size_t n, piece_fn piece,
                void *ctx, outcome *o)
{
    static char buf[BUF_SIZE];
    size_t len = 0;
    size_t sent = 0;
    cpuser_err err = CPUSER_OK;
    assert_true(n <= BUF_SIZE);
    memset(buf, '#', sizeof buf);
    cpuser_http_response_init(&o->r, method);
    while (err == CPUSER_OK && sent < n) {
        size_t k = piece(ctx, n - sent);
        if (k == 0u || k > n - sent) {
            k = n - sent;
        }
        memcpy(buf + len, wire + sent, k);
        len += k;
        sent += k;
        err = cpuser_http_response_feed(&o->r, buf, &len);
    }
    o->done_before_eof = o->r.done;
    if (err == CPUSER_OK) {
        err = cpuser_http_response_eof(&o->r);
    }
    o->err = err;
    o->len = len;
    snapshot_views(o, buf);
    memcpy(o->image, buf, len);
}

static void assert_same(const outcome *a, const outcome *b)
{
    int i;
    assert_int_equal(a->err, b->err);
    assert_int_equal(a->done_before_eof, b->done_before_eof);
    assert_int_equal(a->r.status, b->r.status);
    assert_int_equal(a->r.version_minor, b->r.version_minor);
    assert_int_equal(a->r.head_done, b->r.head_done);
    assert_int_equal(a->r.done, b->r.done);
    assert_int_equal(a->r.keep_alive, b->r.keep_alive);
    assert_int_equal(a->r.chunked, b->r.chunked);
    assert_int_equal(a->r.has_content_length, b->r.has_content_length);
    assert_int_equal(a->r.content_length, b->r.content_length);
    assert_int_equal(a->r.json, b->r.json);
    assert_int_equal(a->r.extra, b->r.extra);
    assert_int_equal(a->r.interim, b->r.interim);
    assert_int_equal(a->r.head_len, b->r.head_len);
    assert_int_equal(a->r.body_start, b->r.body_start);
    assert_int_equal(a->r.body_end, b->r.body_end);
    assert_int_equal(a->r.body_total, b->r.body_total);
    assert_int_equal(a->r.ratelimit_limit, b->r.ratelimit_limit);
    assert_int_equal(a->r.ratelimit_remaining, b->r.ratelimit_remaining);
    assert_int_equal(a->r.ratelimit_reset, b->r.ratelimit_reset);
    for (i = 0; i < V_COUNT; i++) {
        assert_int_equal(a->view_off[i], b->view_off[i]);
        assert_int_equal(a->view_len[i], b->view_len[i]);
    }
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->image, b->image, a->len);
}

/* Feed wire whole, at every split point into two, byte by byte and in
 * random pieces: all must agree. Returns the whole-feed outcome. */
static const outcome *check_all_splits(const char *method, const char *wire,
                                       size_t n)
{
    static const uint32_t maxima[] = {3, 17, 100, 700};
    size_t p;
    uint32_t round;
    run(method, wire, n, piece_whole, NULL, &ref_o);
    for (p = 1; p < n; p++) {
        size_t first = p;
        run(method, wire, n, piece_split, &first, &got_o);
        assert_same(&ref_o, &got_o);
    }
    run(method, wire, n, piece_byte, NULL, &got_o);
    assert_same(&ref_o, &got_o);
    for (round = 0; round < 40u; round++) {
        random_pieces rp;
        rp.seed = 0x9e3779b9u ^ (round * 2654435761u);
        rp.max = maxima[round % 4u];
        run(method, wire, n, piece_random, &rp, &got_o);
        assert_same(&ref_o, &got_o);
    }
    return &ref_o;
}

/* Every proper prefix followed by eof is CPUSER_ERR_CLOSED; for a
 * close-delimited body (close_head != 0) a prefix holding the whole head
 * (close_head bytes) is a complete message with a shorter body. */
static void check_truncations(const char *method, const char *wire, size_t n,
                              size_t close_head)
{
    size_t k;
    for (k = 0; k < n; k++) {
        run(method, wire, k, piece_whole, NULL, &got_o);
        if (close_head != 0u && k >= close_head) {
            assert_int_equal(got_o.err, CPUSER_OK);
            assert_true(got_o.r.done);
            assert_int_equal(got_o.r.body_end - got_o.r.body_start,
                             k - close_head);
            assert_memory_equal(got_o.image + got_o.r.body_start,
                                wire + close_head, k - close_head);
        } else {
            assert_int_equal(got_o.err, CPUSER_ERR_CLOSED);
            assert_false(got_o.r.done);
        }
    }
}

static void assert_body(const outcome *o, const char *body, size_t n)
{
    assert_int_equal(o->r.body_end - o->r.body_start, n);
    assert_memory_equal(o->image + o->r.body_start, body, n);
}

static void assert_view(const outcome *o, int which, const char *text)
{
    if (text == NULL) {
        assert_int_equal(o->view_off[which], -1);
        return;
    }
    assert_true(o->view_off[which] >= 0);
    assert_int_equal(o->view_len[which], strlen(text));
    assert_memory_equal(o->image + o->view_off[which], text, strlen(text));
}

/* Parse wire whole; return the error of the feed or, if none, of eof. */
static cpuser_err parse_whole(const char *method, const char *wire, size_t n)
{
    run(method, wire, n, piece_whole, NULL, &got_o);
    return got_o.err;
}

/* A named wire image (may hold NUL bytes). */
typedef struct {
    const char *name;
    const char *wire;
    size_t len;
} wire_case;

#define CASE(name, text) {name, text, sizeof text - 1u}

/* ---- real-world responses ------------------------------------------- */

static const char json_user[] =
    "{\"data\":{\"id\":42,\"email\":\"ana@example.com\",\"firstName\":\"Ana\"}}";

static void content_length_json(void **state)
{
    static char wire[1024];
    const outcome *o;
    int n;
    (void)state;
    n = snprintf(wire, sizeof wire,
                 "HTTP/1.1 201 Created\r\n"
                 "Date: Tue, 14 May 2024 10:00:00 GMT\r\n"
                 "Content-Type: application/json; charset=utf-8\r\n"
                 "Content-Length: %u\r\n"
                 "ETag: W/\"5e-abc\"\r\n"
                 "Location: /public-api/resources/users/v1.0/42\r\n"
                 "X-RateLimit-Limit: 60\r\n"
                 "X-RateLimit-Remaining: 58\r\n"
                 "X-RateLimit-Reset: 1715680860\r\n"
                 "\r\n%s",
                 (unsigned)strlen(json_user), json_user);
    assert_true(n > 0 && (size_t)n < sizeof wire);
    o = check_all_splits("POST", wire, (size_t)n);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.status, 201);
    assert_int_equal(o->r.version_minor, 1);
    assert_true(o->r.keep_alive);
    assert_false(o->r.chunked);
    assert_false(o->r.extra);
    assert_true(o->r.has_content_length);
    assert_int_equal(o->r.content_length, strlen(json_user));
    assert_true(o->r.json);
    assert_view(o, V_CONTENT_TYPE, "application/json; charset=utf-8");
    assert_view(o, V_ETAG, "W/\"5e-abc\"");
    assert_view(o, V_LOCATION, "/public-api/resources/users/v1.0/42");
    assert_view(o, V_ASYNC, NULL);
    assert_view(o, V_RETRY, NULL);
    assert_int_equal(o->r.ratelimit_limit, 60);
    assert_int_equal(o->r.ratelimit_remaining, 58);
    assert_int_equal(o->r.ratelimit_reset, 1715680860);
    assert_int_equal(o->r.head_len, (size_t)n - strlen(json_user));
    assert_body(o, json_user, strlen(json_user));
    assert_int_equal(o->len, (size_t)n);
    check_truncations("POST", wire, (size_t)n, 0);
}

static void chunked_one_byte_chunks(void **state)
{
    static char wire[2048];
    static const char head[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: application/json\r\n"
                               "Transfer-Encoding: chunked\r\n"
                               "\r\n";
    size_t n = sizeof head - 1u;
    size_t i;
    const outcome *o;
    (void)state;
    memcpy(wire, head, n);
    for (i = 0; json_user[i] != '\0'; i++) {
        wire[n++] = '1';
        wire[n++] = '\r';
        wire[n++] = '\n';
        wire[n++] = json_user[i];
        wire[n++] = '\r';
        wire[n++] = '\n';
    }
    memcpy(wire + n, "0\r\n\r\n", 5);
    n += 5u;
    o = check_all_splits("GET", wire, n);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.status, 200);
    assert_true(o->r.chunked);
    assert_false(o->r.has_content_length);
    assert_true(o->r.keep_alive);
    assert_true(o->r.json);
    assert_int_equal(o->r.head_len, sizeof head - 1u);
    assert_body(o, json_user, strlen(json_user));
    assert_int_equal(o->r.body_total, strlen(json_user));
    /* all framing is gone: the buffer is head + body */
    assert_int_equal(o->len, o->r.body_end);
    assert_memory_equal(o->image, head, sizeof head - 1u);
    check_truncations("GET", wire, n, 0);
}

static char big_body[4096 + 10];

static size_t build_big_chunked(char *wire, size_t cap)
{
    size_t i;
    int n;
    for (i = 0; i < sizeof big_body; i++) {
        big_body[i] = (char)('a' + (int)(i * 7u % 26u));
    }
    n = snprintf(wire, cap,
                 "HTTP/1.1 200 OK\r\n"
                 "Content-Type: application/vnd.api+json\r\n"
                 "ETag: \"head\"\r\n"
                 "Transfer-Encoding: chunked\r\n"
                 "Trailer: Expires, ETag\r\n"
                 "\r\n"
                 "1000;name=value;flag\r\n");
    assert_true(n > 0);
    memcpy(wire + n, big_body, 4096);
    n += 4096;
    n += snprintf(wire + n, cap - (size_t)n, "\r\n00A ; ext=\"q;uoted\"\r\n");
    memcpy(wire + n, big_body + 4096, 10);
    n += 10;
    n += snprintf(wire + n, cap - (size_t)n,
                  "\r\n0;last\r\n"
                  "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
                  "ETag: \"trailer\"\r\n"
                  "\r\n");
    assert_true((size_t)n < cap);
    return (size_t)n;
}

static void chunked_4k_extensions_trailers(void **state)
{
    static char wire[8192];
    size_t n = build_big_chunked(wire, sizeof wire);
    const outcome *o;
    (void)state;
    o = check_all_splits("GET", wire, n);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.status, 200);
    assert_true(o->r.chunked);
    assert_true(o->r.json);
    assert_true(o->r.keep_alive);
    assert_false(o->r.extra);
    assert_view(o, V_ETAG, "\"head\""); /* trailers are not kept */
    assert_body(o, big_body, sizeof big_body);
    assert_int_equal(o->r.body_total, sizeof big_body);
    assert_int_equal(o->len, o->r.body_end);
    check_truncations("GET", wire, n, 0);
}

static void continue_then_ok(void **state)
{
    static const char wire[] = "HTTP/1.1 100 Continue\r\n"
                               "\r\n"
                               "HTTP/1.1 103 Early Hints\r\n"
                               "Link: </style.css>; rel=preload\r\n"
                               "Content-Length: 99\r\n"
                               "ETag: \"early\"\r\n"
                               "\r\n"
                               "HTTP/1.1 200 OK\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 11\r\n"
                               "\r\n"
                               "{\"ok\":true}";
    static const char final_head[] = "HTTP/1.1 200 OK\r\n"
                                     "Content-Type: application/json\r\n"
                                     "Content-Length: 11\r\n"
                                     "\r\n";
    const outcome *o;
    (void)state;
    o = check_all_splits("PUT", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.status, 200);
    assert_int_equal(o->r.interim, 2);
    assert_int_equal(o->r.content_length, 11);
    assert_view(o, V_ETAG, NULL); /* 1xx fields are not kept */
    assert_view(o, V_CONTENT_TYPE, "application/json");
    /* the 1xx heads were dropped: the final head starts at 0 */
    assert_int_equal(o->r.head_len, sizeof final_head - 1u);
    assert_memory_equal(o->image, final_head, sizeof final_head - 1u);
    assert_body(o, "{\"ok\":true}", 11);
    assert_int_equal(o->len, sizeof final_head - 1u + 11u);
    check_truncations("PUT", wire, sizeof wire - 1u, 0);
}

static void no_content(void **state)
{
    static const char wire[] = "HTTP/1.1 204 No Content\r\n"
                               "Date: Tue, 14 May 2024 10:00:00 GMT\r\n"
                               "X-RateLimit-Remaining: 10\r\n"
                               "\r\n";
    const outcome *o;
    (void)state;
    o = check_all_splits("DELETE", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.status, 204);
    assert_true(o->r.keep_alive);
    assert_false(o->r.json);
    assert_int_equal(o->r.ratelimit_remaining, 10);
    assert_int_equal(o->r.ratelimit_limit, -1);
    assert_body(o, "", 0);
    assert_int_equal(o->r.head_len, sizeof wire - 1u);
    check_truncations("DELETE", wire, sizeof wire - 1u, 0);
}

static void not_modified(void **state)
{
    static const char wire[] = "HTTP/1.1 304 Not Modified\r\n"
                               "ETag: \"v2\"\r\n"
                               "Content-Length: 120\r\n"
                               "\r\n";
    const outcome *o;
    (void)state;
    o = check_all_splits("GET", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.status, 304);
    assert_true(o->r.keep_alive);
    assert_int_equal(o->r.content_length, 120);
    assert_view(o, V_ETAG, "\"v2\"");
    assert_body(o, "", 0);
    check_truncations("GET", wire, sizeof wire - 1u, 0);
}

static void head_response(void **state)
{
    static const char wire[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 1234\r\n"
                               "\r\n";
    const outcome *o;
    (void)state;
    o = check_all_splits("HEAD", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.status, 200);
    assert_true(o->r.has_content_length);
    assert_int_equal(o->r.content_length, 1234);
    assert_true(o->r.keep_alive);
    assert_body(o, "", 0);
    check_truncations("HEAD", wire, sizeof wire - 1u, 0);
    /* the same bytes answering a GET wait for 1234 body bytes */
    assert_int_equal(parse_whole("GET", wire, sizeof wire - 1u),
                     CPUSER_ERR_CLOSED);
}

static void close_delimited(void **state)
{
    static const char head[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "Connection: close\r\n"
                               "\r\n";
    static const char wire[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "Connection: close\r\n"
                               "\r\n"
                               "hello, world\r\nbye\n";
    const outcome *o;
    (void)state;
    o = check_all_splits("GET", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_false(o->done_before_eof); /* only eof ends it */
    assert_true(o->r.done);
    assert_int_equal(o->r.status, 200);
    assert_false(o->r.keep_alive);
    assert_false(o->r.json);
    assert_false(o->r.has_content_length);
    assert_body(o, "hello, world\r\nbye\n", 18);
    assert_int_equal(o->r.body_total, 18);
    check_truncations("GET", wire, sizeof wire - 1u, sizeof head - 1u);
}

/* A body running to close never leaves the connection reusable. */
static void close_delimited_is_never_kept(void **state)
{
    static const wire_case cases[] = {
        CASE("HTTP/1.1", "HTTP/1.1 200 OK\r\n\r\nabc"),
        CASE("HTTP/1.1 keep-alive",
             "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nabc"),
        CASE("HTTP/1.0 keep-alive",
             "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nabc"),
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse_whole("GET", cases[i].wire, cases[i].len), CPUSER_OK);
        assert_false(got_o.done_before_eof);
        assert_true(got_o.r.done);
        assert_body(&got_o, "abc", 3);
        if (got_o.r.keep_alive) {
            fail_msg("%s", cases[i].name);
        }
    }
}

static void http10_keep_alive(void **state)
{
    static const char wire[] = "HTTP/1.0 200 OK\r\n"
                               "Connection: Keep-Alive\r\n"
                               "Content-Length: 5\r\n"
                               "\r\n"
                               "hello";
    const outcome *o;
    (void)state;
    o = check_all_splits("GET", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_int_equal(o->r.version_minor, 0);
    assert_true(o->r.keep_alive);
    assert_body(o, "hello", 5);
    check_truncations("GET", wire, sizeof wire - 1u, 0);
}

static void http10_bare_lf_close(void **state)
{
    static const char wire[] = "HTTP/1.0 200 OK\n"
                               "Server: old\n"
                               "\n"
                               "body bytes";
    const outcome *o;
    (void)state;
    o = check_all_splits("GET", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_false(o->done_before_eof);
    assert_int_equal(o->r.version_minor, 0);
    assert_false(o->r.keep_alive);
    assert_int_equal(o->r.head_len, 29);
    assert_body(o, "body bytes", 10);
    check_truncations("GET", wire, sizeof wire - 1u, 29);
}

/* ---- accepted edge cases -------------------------------------------- */

/* Parse a string literal whole. */
#define PARSE(method, text) parse_whole(method, text, sizeof text - 1u)

static void status_lines(void **state)
{
    (void)state;
    assert_int_equal(PARSE("GET", "HTTP/1.1 204 \r\n\r\n"), CPUSER_OK);
    assert_int_equal(got_o.r.status, 204);
    assert_true(got_o.done_before_eof);
    assert_int_equal(PARSE("GET", "HTTP/1.1 204\r\n\r\n"), CPUSER_OK);
    assert_int_equal(got_o.r.status, 204);
    assert_true(got_o.done_before_eof);
    assert_int_equal(PARSE("GET", "HTTP/1.1 599 \xff\t!\r\n\r\n"), CPUSER_OK);
    assert_int_equal(got_o.r.status, 599);
    assert_int_equal(PARSE("GET", "HTTP/1.1 100\r\n\r\nHTTP/1.1 200 \r\n"
                                  "Content-Length: 0\r\n\r\n"),
                     CPUSER_OK);
    assert_int_equal(got_o.r.status, 200);
    assert_int_equal(got_o.r.interim, 1);
    /* a later minor version is read as HTTP/1.1 */
    assert_int_equal(PARSE("GET", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n"),
                     CPUSER_OK);
    assert_int_equal(got_o.r.version_minor, 2);
    assert_true(got_o.r.keep_alive);
}

static void bare_lf_chunked(void **state)
{
    static const char wire[] = "HTTP/1.1 200 OK\n"
                               "Transfer-Encoding: CHUNKED\n"
                               "\n"
                               "5\nhello\n"
                               "000A\r\n0123456789\n"
                               "b\t;x=y\nABCDEFGHIJK\r\n"
                               "0\n"
                               "\n";
    const outcome *o;
    (void)state;
    o = check_all_splits("GET", wire, sizeof wire - 1u);
    assert_int_equal(o->err, CPUSER_OK);
    assert_true(o->done_before_eof);
    assert_body(o, "hello0123456789ABCDEFGHIJK", 26);
}

static void content_length_lists(void **state)
{
    static const wire_case ok[] = {
        CASE("list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5 ,5\r\n\r\nhello"),
        CASE("twice", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                      "content-length:5\r\n\r\nhello"),
        CASE("zeros", "HTTP/1.1 200 OK\r\nCONTENT-LENGTH: \t005 \r\n\r\nhello"),
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (parse_whole("GET", ok[i].wire, ok[i].len) != CPUSER_OK) {
            fail_msg("case %s", ok[i].name);
        }
        assert_true(got_o.done_before_eof);
        assert_int_equal(got_o.r.content_length, 5);
        assert_body(&got_o, "hello", 5);
    }
    assert_int_equal(PARSE("GET", "HTTP/1.1 200 OK\r\nContent-Length: "
                                  "18446744073709551615\r\n\r\n"),
                     CPUSER_ERR_CLOSED);
    assert_true(got_o.r.head_done);
    assert_int_equal(got_o.r.content_length, UINT64_MAX);
}

static void content_types(void **state)
{
    static const struct {
        const char *value;
        bool json;
    } cases[] = {
        {"application/json", true},
        {"Application/JSON;charset=UTF-8", true},
        {"application/json ; charset=utf-8", true},
        {"application/problem+json", true},
        {"application/vnd.api+JSON; ext=x", true},
        {"application/jsonx", false},
        {"application/json-seq", false},
        {"application/octet-stream", false},
        {"application/+json", false},
        {"text/json", false},
        {"text/html; x=application/json", false},
        {"", false},
    };
    char wire[256];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = snprintf(wire, sizeof wire,
                         "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
                         "Content-Length: 0\r\n\r\n",
                         cases[i].value);
        assert_int_equal(parse_whole("GET", wire, (size_t)n), CPUSER_OK);
        if (got_o.r.json != cases[i].json) {
            fail_msg("Content-Type: %s", cases[i].value);
        }
        assert_view(&got_o, V_CONTENT_TYPE, cases[i].value);
    }
}

static void rate_limits(void **state)
{
    static const struct {
        const char *value;
        int64_t want;
    } cases[] = {
        {"0", 0},
        {"60", 60},
        {" 007 ", 7},
        {"9223372036854775807", INT64_MAX},
        {"9223372036854775808", -1},
        {"99999999999999999999", -1},
        {"-5", -1},
        {"+5", -1},
        {"1.5", -1},
        {"1e3", -1},
        {"abc", -1},
        {"", -1},
        {"5, 6", -1},
    };
    char wire[256];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = snprintf(wire, sizeof wire,
                         "HTTP/1.1 429 Too Many Requests\r\n"
                         "X-RateLimit-Limit: %s\r\n"
                         "x-ratelimit-remaining: %s\r\n"
                         "X-RATELIMIT-RESET: %s\r\n"
                         "Retry-After: 30\r\n"
                         "Content-Length: 0\r\n\r\n",
                         cases[i].value, cases[i].value, cases[i].value);
        assert_int_equal(parse_whole("GET", wire, (size_t)n), CPUSER_OK);
        if (got_o.r.ratelimit_limit != cases[i].want ||
            got_o.r.ratelimit_remaining != cases[i].want ||
            got_o.r.ratelimit_reset != cases[i].want) {
            fail_msg("X-RateLimit: '%s'", cases[i].value);
        }
        assert_view(&got_o, V_RETRY, "30");
    }
}

static void connection_options(void **state)
{
    static const struct {
        const char *version;
        const char *connection; /* NULL: no Connection field */
        bool keep_alive;
    } cases[] = {
        {"1.1", NULL, true},
        {"1.1", "keep-alive", true},
        {"1.1", "close", false},
        {"1.1", "Upgrade, CLOSE", false},
        {"1.1", " keep-alive , close ", false},
        {"1.1", ",,close,", false},
        {"1.1", "closed", true},
        {"1.0", NULL, false},
        {"1.0", "Keep-Alive", true},
        {"1.0", "foo,keep-alive", true},
        {"1.0", "keep-alive, close", false},
        {"1.0", "keep-alive-ish", false},
    };
    char wire[256];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = snprintf(wire, sizeof wire, "HTTP/%s 200 OK\r\n%s%s%s"
                                            "Content-Length: 2\r\n\r\nok",
                         cases[i].version,
                         cases[i].connection != NULL ? "Connection: " : "",
                         cases[i].connection != NULL ? cases[i].connection : "",
                         cases[i].connection != NULL ? "\r\n" : "");
        assert_int_equal(parse_whole("GET", wire, (size_t)n), CPUSER_OK);
        assert_true(got_o.done_before_eof);
        if (got_o.r.keep_alive != cases[i].keep_alive) {
            fail_msg("HTTP/%s Connection: %s", cases[i].version,
                     cases[i].connection != NULL ? cases[i].connection : "-");
        }
    }
}

static void identity_and_odd_fields(void **state)
{
    static const char wire[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Encoding: Identity\r\n"
                               "X-Empty:\r\n"
                               "X-Obs-Text: caf\xc3\xa9\r\n"
                               "~!#$%&'*+-.^_`|09az: token name\r\n"
                               "Content-Length: 0\r\n"
                               "\r\n";
    (void)state;
    assert_int_equal(parse_whole("GET", wire, sizeof wire - 1u), CPUSER_OK);
    assert_true(got_o.done_before_eof);
}

/* ---- views ---------------------------------------------------------- */

static void assert_points_at(cpuser_view v, const char *buf, size_t off,
                             const char *text)
{
    assert_ptr_equal(v.ptr, buf + off);
    assert_int_equal(v.len, strlen(text));
    assert_memory_equal(v.ptr, text, v.len);
}

static void views_point_into_the_head(void **state)
{
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
    static const char head[] =
        "HTTP/1.1 202 Accepted\r\n"
        "ETag:  \"33a64df5\" \t\r\n"
        "Location: https://example.com/users/7?x=1\r\n"
        "Azure-AsyncOperation: https://example.com/operations/9\r\n"
        "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
        "Content-Type: application/problem+json\r\n"
        "Content-Length: 2\r\n"
        "\r\n"
        "{}";
    char buf[512];
    size_t len;
    size_t skip;
    cpuser_http_response r;
    (void)state;
    for (skip = 0; skip <= sizeof interim - 1u; skip += sizeof interim - 1u) {
        /* once plain, once behind a 100 Continue that gets dropped */
        memcpy(buf, interim, skip);
        memcpy(buf + skip, head, sizeof head - 1u);
        len = skip + sizeof head - 1u;
        cpuser_http_response_init(&r, "DELETE");
        assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
        assert_true(r.done);
        assert_int_equal(len, sizeof head - 1u);
        assert_points_at(r.etag, buf, (size_t)(strstr(head, "\"33a") - head),
                         "\"33a64df5\"");
        assert_points_at(r.location, buf, (size_t)(strstr(head, "https://example.com/u") - head),
                         "https://example.com/users/7?x=1");
        assert_points_at(r.async_operation, buf,
                         (size_t)(strstr(head, "https://example.com/o") - head),
                         "https://example.com/operations/9");
        assert_points_at(r.retry_after, buf, (size_t)(strstr(head, "Wed,") - head),
                         "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_points_at(r.content_type, buf,
                         (size_t)(strstr(head, "application/") - head),
                         "application/problem+json");
        assert_points_at(cpuser_http_response_body(&r, buf), buf,
                         sizeof head - 3u, "{}");
    }
}

static void interim_shrinks_len(void **state)
{
    static const char wire[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2";
    char buf[64];
    size_t len = sizeof wire - 1u;
    cpuser_http_response r;
    (void)state;
    memcpy(buf, wire, len);
    cpuser_http_response_init(&r, "POST");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_int_equal(len, 10);
    assert_memory_equal(buf, "HTTP/1.1 2", 10);
    assert_int_equal(r.interim, 1);
    assert_int_equal(r.status, 0);
    assert_false(r.head_done);
    memcpy(buf + len, "04 \r\n\r\n", 7);
    len += 7u;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_int_equal(r.status, 204);
    assert_true(r.done);
    assert_int_equal(len, 17);
}

/* ---- malformed ------------------------------------------------------ */

#define OK_HEAD "HTTP/1.1 200 OK\r\n"
#define CHUNKED_HEAD OK_HEAD "Transfer-Encoding: chunked\r\n\r\n"

static const wire_case malformed[] = {
    /* status line */
    CASE("status 99", "HTTP/1.1 99 Low\r\n\r\n"),
    CASE("status 000", "HTTP/1.1 000 Zero\r\n\r\n"),
    CASE("status 099", "HTTP/1.1 099 Low\r\n\r\n"),
    CASE("status 600", "HTTP/1.1 600 High\r\n\r\n"),
    CASE("status 2000", "HTTP/1.1 2000 OK\r\n\r\n"),
    CASE("status 20", "HTTP/1.1 20 OK\r\n\r\n"),
    CASE("status 2a0", "HTTP/1.1 2a0 OK\r\n\r\n"),
    CASE("status no SP", "HTTP/1.1 200OK\r\n\r\n"),
    CASE("status two SP", "HTTP/1.1  200 OK\r\n\r\n"),
    CASE("status leading SP", " HTTP/1.1 200 OK\r\n\r\n"),
    CASE("status HTAB", "HTTP/1.1\t200 OK\r\n\r\n"),
    CASE("version 2", "HTTP/2 200 OK\r\n\r\n"),
    CASE("version 2.0", "HTTP/2.0 200 OK\r\n\r\n"),
    CASE("version 1.x", "HTTP/1.x 200 OK\r\n\r\n"),
    CASE("version lower case", "http/1.1 200 OK\r\n\r\n"),
    CASE("version only", "HTTP/1.1\r\n\r\n"),
    CASE("not http", "ICY 200 OK\r\n\r\n"),
    CASE("empty first line", "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    CASE("bare CR in reason", "HTTP/1.1 200 O\rK\r\n\r\n"),
    CASE("CR CR LF", "HTTP/1.1 200 OK\r\r\n\r\n"),
    CASE("control in reason", "HTTP/1.1 200 O\x01K\r\n\r\n"),
    CASE("NUL in reason", "HTTP/1.1 200 O\0K\r\n\r\n"),
    CASE("101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\n\r\n"),
    CASE("101 after 100", "HTTP/1.1 100 Continue\r\n\r\n"
                          "HTTP/1.1 101 Switching Protocols\r\n\r\n"),
    /* header fields */
    CASE("space before colon", OK_HEAD "Content-Length : 0\r\n\r\n"),
    CASE("tab before colon", OK_HEAD "Content-Length\t: 0\r\n\r\n"),
    CASE("obs-fold SP", OK_HEAD "X-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n"),
    CASE("obs-fold HTAB", OK_HEAD "X-A: 1\r\n\tfolded\r\nContent-Length: 0\r\n\r\n"),
    CASE("leading SP first field", OK_HEAD " Content-Length: 0\r\n\r\n"),
    CASE("no colon", OK_HEAD "NoColon\r\nContent-Length: 0\r\n\r\n"),
    CASE("empty name", OK_HEAD ": value\r\nContent-Length: 0\r\n\r\n"),
    CASE("name with parens", OK_HEAD "Bad(Name): x\r\nContent-Length: 0\r\n\r\n"),
    CASE("name with slash", OK_HEAD "Bad/Name: x\r\nContent-Length: 0\r\n\r\n"),
    CASE("name with 8-bit", OK_HEAD "B\xe4" "d: x\r\nContent-Length: 0\r\n\r\n"),
    CASE("bare CR in value", OK_HEAD "X-A: a\rb\r\nContent-Length: 0\r\n\r\n"),
    CASE("bare CR ends value", OK_HEAD "X-A: ab\r\rContent-Length: 0\r\n\r\n"),
    CASE("NUL in value", OK_HEAD "X-A: a\0b\r\nContent-Length: 0\r\n\r\n"),
    CASE("DEL in value", OK_HEAD "X-A: a\x7f\r\nContent-Length: 0\r\n\r\n"),
    CASE("bad field in 1xx", "HTTP/1.1 100 Continue\r\nBad Name: x\r\n\r\n"
                             OK_HEAD "Content-Length: 0\r\n\r\n"),
    CASE("obs-fold in 1xx", "HTTP/1.1 103 Early Hints\r\nLink: a\r\n b\r\n\r\n"
                            OK_HEAD "Content-Length: 0\r\n\r\n"),
    /* Content-Length */
    CASE("CL -1", OK_HEAD "Content-Length: -1\r\n\r\n"),
    CASE("CL 0x10", OK_HEAD "Content-Length: 0x10\r\n\r\n0123456789abcdef"),
    CASE("CL empty", OK_HEAD "Content-Length:\r\n\r\n"),
    CASE("CL blank", OK_HEAD "Content-Length:   \r\n\r\n"),
    CASE("CL +5", OK_HEAD "Content-Length: +5\r\n\r\nhello"),
    CASE("CL 5.0", OK_HEAD "Content-Length: 5.0\r\n\r\nhello"),
    CASE("CL 1e3", OK_HEAD "Content-Length: 1e3\r\n\r\n"),
    CASE("CL 5 5", OK_HEAD "Content-Length: 5 5\r\n\r\nhello"),
    CASE("CL list differs", OK_HEAD "Content-Length: 5, 6\r\n\r\nhello"),
    CASE("CL list trailing comma", OK_HEAD "Content-Length: 5,\r\n\r\nhello"),
    CASE("CL list leading comma", OK_HEAD "Content-Length: ,5\r\n\r\nhello"),
    CASE("CL fields differ", OK_HEAD "Content-Length: 5\r\nContent-Length: 6\r\n"
                                     "\r\nhello"),
    CASE("CL overflow", OK_HEAD "Content-Length: 18446744073709551616\r\n\r\n"),
    CASE("CL huge", OK_HEAD "Content-Length: 999999999999999999999999\r\n\r\n"),
    /* Transfer-Encoding */
    CASE("TE gzip, chunked", OK_HEAD "Transfer-Encoding: gzip, chunked\r\n\r\n"
                                     "0\r\n\r\n"),
    CASE("TE gzip", OK_HEAD "Transfer-Encoding: gzip\r\n\r\n"),
    CASE("TE identity", OK_HEAD "Transfer-Encoding: identity\r\n\r\n"),
    CASE("TE empty", OK_HEAD "Transfer-Encoding:\r\n\r\n"),
    CASE("TE chunked, chunked", OK_HEAD "Transfer-Encoding: chunked, chunked\r\n"
                                        "\r\n0\r\n\r\n"),
    CASE("TE twice", OK_HEAD "Transfer-Encoding: chunked\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    CASE("TE chunked;x", OK_HEAD "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n"),
    CASE("TE and CL", OK_HEAD "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"
                              "\r\n0\r\n\r\n"),
    CASE("CL and TE", OK_HEAD "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                              "\r\n0\r\n\r\n"),
    CASE("TE in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n"
                           "\r\n0\r\n\r\n"),
    CASE("TE and CL on 204", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n"),
    /* Content-Encoding */
    CASE("CE gzip", OK_HEAD "Content-Encoding: gzip\r\nContent-Length: 0\r\n\r\n"),
    CASE("CE br", OK_HEAD "Content-Encoding: br\r\nContent-Length: 0\r\n\r\n"),
    CASE("CE list", OK_HEAD "Content-Encoding: identity, gzip\r\n"
                            "Content-Length: 0\r\n\r\n"),
    CASE("CE empty", OK_HEAD "Content-Encoding:\r\nContent-Length: 0\r\n\r\n"),
    /* chunk framing */
    CASE("chunk size zz", CHUNKED_HEAD "zz\r\n"),
    CASE("chunk size empty", CHUNKED_HEAD "\r\nhello\r\n0\r\n\r\n"),
    CASE("chunk size -1", CHUNKED_HEAD "-1\r\n"),
    CASE("chunk size 0x5", CHUNKED_HEAD "0x5\r\nhello\r\n0\r\n\r\n"),
    CASE("chunk size leading SP", CHUNKED_HEAD " 5\r\nhello\r\n0\r\n\r\n"),
    CASE("chunk size junk", CHUNKED_HEAD "5 x\r\nhello\r\n0\r\n\r\n"),
    CASE("chunk size 5g", CHUNKED_HEAD "5g\r\nhello\r\n0\r\n\r\n"),
    CASE("chunk ext only", CHUNKED_HEAD ";x\r\nhello\r\n0\r\n\r\n"),
    CASE("chunk size overflow", CHUNKED_HEAD "10000000000000000\r\n"),
    CASE("chunk size overflow zeros", CHUNKED_HEAD "0010000000000000000\r\n"),
    CASE("chunk total overflow", CHUNKED_HEAD "1\r\na\r\nFFFFFFFFFFFFFFFF\r\n"),
    CASE("chunk data too long", CHUNKED_HEAD "5\r\nhelloX\r\n0\r\n\r\n"),
    CASE("chunk data no CRLF", CHUNKED_HEAD "5\r\nhello0\r\n\r\n"),
    CASE("chunk data bare CR", CHUNKED_HEAD "5\r\nhello\r0\r\n\r\n"),
    CASE("chunk size bare CR", CHUNKED_HEAD "5\rhello\r\n0\r\n\r\n"),
    CASE("trailer obs-fold", CHUNKED_HEAD "0\r\nX-A: 1\r\n folded\r\n\r\n"),
    CASE("trailer bad name", CHUNKED_HEAD "0\r\nBad Name: x\r\n\r\n"),
    CASE("trailer no colon", CHUNKED_HEAD "0\r\nNoColon\r\n\r\n"),
};

static void malformed_is_protocol_error(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        const wire_case *c = &malformed[i];
        run("GET", c->wire, c->len, piece_whole, NULL, &got_o);
        if (got_o.err != CPUSER_ERR_PROTOCOL) {
            fail_msg("whole: %s: got %s", c->name, cpuser_strerror(got_o.err));
        }
        run("GET", c->wire, c->len, piece_byte, NULL, &got_o);
        if (got_o.err != CPUSER_ERR_PROTOCOL) {
            fail_msg("bytewise: %s: got %s", c->name, cpuser_strerror(got_o.err));
        }
    }
}

/* The error shows as soon as the bad byte arrives, not only at the LF. */
static void errors_show_early(void **state)
{
    static const wire_case early[] = {
        CASE("chunk data too long", CHUNKED_HEAD "5\r\nhelloX"),
        CASE("bare CR", OK_HEAD "X-A: a\rb"),
        CASE("bare CR after data", CHUNKED_HEAD "5\r\nhello\rX"),
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof early / sizeof early[0]; i++) {
        char buf[256];
        size_t len = early[i].len;
        size_t n;
        cpuser_err err = CPUSER_OK;
        cpuser_http_response r;
        memcpy(buf, early[i].wire, len);
        cpuser_http_response_init(&r, "GET");
        if (cpuser_http_response_feed(&r, buf, &len) != CPUSER_ERR_PROTOCOL) {
            fail_msg("whole: %s", early[i].name);
        }
        /* byte by byte: the CR arrives alone, the bad byte in the next feed */
        cpuser_http_response_init(&r, "GET");
        for (n = 0, len = 0; n < early[i].len && err == CPUSER_OK; n++) {
            buf[len++] = early[i].wire[n];
            err = cpuser_http_response_feed(&r, buf, &len);
        }
        if (err != CPUSER_ERR_PROTOCOL) {
            fail_msg("bytewise: %s", early[i].name);
        }
    }
}

/* ---- limits --------------------------------------------------------- */

/* A line of exactly `total` bytes including its terminator `eol`. */
static size_t put_line(char *out, const char *start, size_t total,
                       const char *eol)
{
    size_t ns = strlen(start);
    size_t ne = strlen(eol);
    assert_true(total >= ns + ne);
    memcpy(out, start, ns);
    memset(out + ns, 'x', total - ns - ne);
    memcpy(out + total - ne, eol, ne);
    return total;
}

static void header_line_length(void **state)
{
    static char wire[4 * CPUSER_HTTP_MAX_LINE];
    static const char *const eols[] = {"\r\n", "\n"};
    size_t e;
    (void)state;
    for (e = 0; e < 2u; e++) {
        size_t extra;
        for (extra = 0; extra <= 1u; extra++) {
            size_t n = 0;
            cpuser_err want = extra == 0u ? CPUSER_OK : CPUSER_ERR_PROTOCOL;
            memcpy(wire, OK_HEAD, sizeof OK_HEAD - 1u);
            n += sizeof OK_HEAD - 1u;
            n += put_line(wire + n, "X-Pad: ", CPUSER_HTTP_MAX_LINE + extra,
                          eols[e]);
            memcpy(wire + n, "Content-Length: 0\r\n\r\n", 21);
            n += 21u;
            assert_int_equal(parse_whole("GET", wire, n), want);
            run("GET", wire, n, piece_byte, NULL, &got_o);
            assert_int_equal(got_o.err, want);
        }
    }
}

static void status_and_chunk_line_length(void **state)
{
    static char wire[4 * CPUSER_HTTP_MAX_LINE];
    size_t extra;
    (void)state;
    for (extra = 0; extra <= 1u; extra++) {
        cpuser_err want = extra == 0u ? CPUSER_OK : CPUSER_ERR_PROTOCOL;
        size_t n = put_line(wire, "HTTP/1.1 200 ", CPUSER_HTTP_MAX_LINE + extra,
                            "\r\n");
        memcpy(wire + n, "Content-Length: 0\r\n\r\n", 21);
        n += 21u;
        assert_int_equal(parse_whole("GET", wire, n), want);

        n = sizeof CHUNKED_HEAD - 1u;
        memcpy(wire, CHUNKED_HEAD, n);
        n += put_line(wire + n, "5;", CPUSER_HTTP_MAX_LINE + extra, "\r\n");
        memcpy(wire + n, "hello\r\n0\r\n\r\n", 12);
        n += 12u;
        assert_int_equal(parse_whole("GET", wire, n), want);
        if (want == CPUSER_OK) {
            assert_body(&got_o, "hello", 5);
        }
    }
}

/* A line is refused once CPUSER_HTTP_MAX_LINE bytes came without an LF. */
static void long_line_fails_before_it_ends(void **state)
{
    static char buf[2 * CPUSER_HTTP_MAX_LINE];
    size_t len;
    cpuser_http_response r;
    (void)state;
    memcpy(buf, "HTTP/1.1 200 ", 13);
    memset(buf + 13, 'x', sizeof buf - 13u);

    len = CPUSER_HTTP_MAX_LINE - 1u;
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    len++;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len),
                     CPUSER_ERR_PROTOCOL);

    /* a CR as the last allowed byte leaves no room for the LF */
    buf[CPUSER_HTTP_MAX_LINE - 1u] = '\r';
    len = CPUSER_HTTP_MAX_LINE;
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len),
                     CPUSER_ERR_PROTOCOL);
    /* one byte earlier it fits */
    buf[CPUSER_HTTP_MAX_LINE - 2u] = '\r';
    buf[CPUSER_HTTP_MAX_LINE - 1u] = '\n';
    cpuser_http_response_init(&r, "GET");
    len = CPUSER_HTTP_MAX_LINE - 1u;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    len++;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_int_equal(r.status, 200);
}

static size_t put_fields(char *out, unsigned count)
{
    size_t n = 0;
    unsigned i;
    for (i = 0; i < count; i++) {
        n += (size_t)sprintf(out + n, "X-Field-%u: %u\r\n", i, i);
    }
    return n;
}

static void header_count(void **state)
{
    static char wire[8192];
    unsigned extra;
    (void)state;
    for (extra = 0; extra <= 1u; extra++) {
        cpuser_err want = extra == 0u ? CPUSER_OK : CPUSER_ERR_PROTOCOL;
        size_t n = (size_t)sprintf(wire, OK_HEAD "Content-Length: 2\r\n");
        n += put_fields(wire + n, CPUSER_HTTP_MAX_HEADERS - 1u + extra);
        n += (size_t)sprintf(wire + n, "\r\nok");
        assert_int_equal(parse_whole("GET", wire, n), want);

        /* trailers count against the same limit */
        n = (size_t)sprintf(wire, CHUNKED_HEAD "2\r\nok\r\n0\r\n");
        n += put_fields(wire + n, CPUSER_HTTP_MAX_HEADERS - 1u + extra);
        n += (size_t)sprintf(wire + n, "\r\n");
        assert_int_equal(parse_whole("GET", wire, n), want);
    }
}

static size_t put_interim(char *out, unsigned count, unsigned fields)
{
    size_t n = 0;
    unsigned i;
    for (i = 0; i < count; i++) {
        static const unsigned codes[] = {100, 102, 103, 199};
        n += (size_t)sprintf(out + n, "HTTP/1.1 %u Interim\r\n", codes[i % 4u]);
        n += put_fields(out + n, fields);
        n += (size_t)sprintf(out + n, "\r\n");
    }
    return n;
}

static void interim_storm(void **state)
{
    static char wire[BUF_SIZE];
    unsigned extra;
    (void)state;
    for (extra = 0; extra <= 1u; extra++) {
        size_t n = put_interim(wire, CPUSER_HTTP_MAX_INTERIM + extra, 2);
        n += (size_t)sprintf(wire + n, OK_HEAD "Content-Length: 2\r\n\r\nok");
        if (extra == 0u) {
            const outcome *o = check_all_splits("GET", wire, n);
            assert_int_equal(o->err, CPUSER_OK);
            assert_int_equal(o->r.interim, CPUSER_HTTP_MAX_INTERIM);
            assert_body(o, "ok", 2);
            /* each 1xx head may hold the full number of fields */
            n = put_interim(wire, CPUSER_HTTP_MAX_INTERIM, CPUSER_HTTP_MAX_HEADERS);
            n += (size_t)sprintf(wire + n, OK_HEAD "Content-Length: 2\r\n\r\nok");
            assert_int_equal(parse_whole("GET", wire, n), CPUSER_OK);
            assert_int_equal(got_o.r.interim, CPUSER_HTTP_MAX_INTERIM);
        } else {
            assert_int_equal(parse_whole("GET", wire, n), CPUSER_ERR_PROTOCOL);
            run("GET", wire, n, piece_byte, NULL, &got_o);
            assert_int_equal(got_o.err, CPUSER_ERR_PROTOCOL);
        }
    }
}

/* ---- extra bytes ---------------------------------------------------- */

static void extra_bytes_after_message(void **state)
{
    static const char cl[] = OK_HEAD "Content-Length: 2\r\n\r\nokHTTP/1.1 200";
    static const char chunked[] = CHUNKED_HEAD "2\r\nok\r\n0\r\n\r\nXYZ";
    static const char nobody[] = "HTTP/1.1 204 No Content\r\n\r\n\r\n";
    (void)state;
    assert_int_equal(parse_whole("GET", cl, sizeof cl - 1u), CPUSER_OK);
    assert_true(got_o.done_before_eof);
    assert_true(got_o.r.extra);
    assert_false(got_o.r.keep_alive);
    assert_body(&got_o, "ok", 2);

    assert_int_equal(parse_whole("GET", chunked, sizeof chunked - 1u), CPUSER_OK);
    assert_true(got_o.r.extra);
    assert_false(got_o.r.keep_alive);
    assert_body(&got_o, "ok", 2);
    /* the extra bytes stay, right after the body */
    assert_int_equal(got_o.len, got_o.r.body_end + 3u);
    assert_memory_equal(got_o.image + got_o.r.body_end, "XYZ", 3);

    assert_int_equal(parse_whole("GET", nobody, sizeof nobody - 1u), CPUSER_OK);
    assert_true(got_o.r.extra);
    assert_false(got_o.r.keep_alive);
}

static void extra_bytes_in_a_later_feed(void **state)
{
    static const char wire[] = OK_HEAD "Content-Length: 2\r\n\r\nok";
    char buf[128];
    size_t len = sizeof wire - 1u;
    cpuser_http_response r;
    (void)state;
    memcpy(buf, wire, len);
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_true(r.done);
    assert_true(r.keep_alive);
    assert_false(r.extra);
    /* the same bytes again: nothing new */
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_false(r.extra);
    assert_int_equal(cpuser_http_response_eof(&r), CPUSER_OK);
    buf[len++] = 'x';
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_true(r.extra);
    assert_false(r.keep_alive);
    assert_int_equal(len, sizeof wire);
    assert_int_equal(r.body_end - r.body_start, 2);
}

/* ---- streaming with consume() --------------------------------------- */

static char stream_body[10240];
static char stream_wire[16384];
static char stream_out[10240];

/* A 10 KB body in chunks of random sizes (some above the 512-byte buffer),
 * some with extensions, and a trailer. */
static size_t build_stream(void)
{
    uint32_t seed = 12345u;
    size_t sent = 0;
    size_t n;
    size_t i;
    for (i = 0; i < sizeof stream_body; i++) {
        stream_body[i] = (char)(next_random(&seed) & 0xffu);
    }
    n = (size_t)sprintf(stream_wire, CHUNKED_HEAD);
    while (sent < sizeof stream_body) {
        size_t k = 1u + next_random(&seed) % 900u;
        if (k > sizeof stream_body - sent) {
            k = sizeof stream_body - sent;
        }
        n += (size_t)sprintf(stream_wire + n, "%zX%s\r\n", k,
                             k % 3u == 0u ? ";ext=\"some extension text\"" : "");
        memcpy(stream_wire + n, stream_body + sent, k);
        n += k;
        sent += k;
        stream_wire[n++] = '\r';
        stream_wire[n++] = '\n';
    }
    n += (size_t)sprintf(stream_wire + n, "0\r\nX-Digest: abc\r\n\r\n");
    assert_true(n <= sizeof stream_wire);
    return n;
}

/* Receive wire through a 512-byte buffer: feed what fits, then consume
 * `part` of the body bytes there (0: all of them), until done. */
static size_t stream(const char *wire, size_t n, unsigned part,
                     cpuser_http_response *r)
{
    char buf[512];
    size_t len = 0;
    size_t sent = 0;
    size_t got = 0;
    unsigned rounds = 0;
    uint32_t seed = 777u + part;
    cpuser_http_response_init(r, "GET");
    while (!r->done) {
        size_t k = sizeof buf - len;
        cpuser_view body;
        size_t take;
        if (k > n - sent) {
            k = n - sent;
        }
        if (part != 0u && k > 1u) {
            k = 1u + next_random(&seed) % k; /* short reads too */
        }
        assert_true(sent < n);
        memcpy(buf + len, wire + sent, k);
        len += k;
        sent += k;
        assert_int_equal(cpuser_http_response_feed(r, buf, &len), CPUSER_OK);
        body = cpuser_http_response_body(r, buf);
        take = body.len;
        if (part != 0u && len < sizeof buf) {
            take = body.len / part; /* leave some in the buffer */
        }
        assert_true(got + take <= sizeof stream_out);
        memcpy(stream_out + got, body.ptr, take);
        got += take;
        cpuser_http_response_consume(r, buf, &len, take);
        assert_int_equal(r->err, CPUSER_OK);
        assert_true(len <= sizeof buf);
        assert_true(++rounds < 100000u);
    }
    {
        cpuser_view rest = cpuser_http_response_body(r, buf);
        assert_true(got + rest.len <= sizeof stream_out);
        memcpy(stream_out + got, rest.ptr, rest.len);
        got += rest.len;
    }
    assert_int_equal(sent, n);
    return got;
}

static void consume_chunked_stream(void **state)
{
    size_t n = build_stream();
    unsigned part;
    cpuser_http_response r;
    (void)state;
    for (part = 0; part <= 3u; part++) {
        memset(stream_out, 0, sizeof stream_out);
        assert_int_equal(stream(stream_wire, n, part, &r), sizeof stream_body);
        assert_memory_equal(stream_out, stream_body, sizeof stream_body);
        assert_int_equal(r.body_total, sizeof stream_body);
        assert_true(r.keep_alive);
        assert_false(r.extra);
    }
}

static void consume_content_length_stream(void **state)
{
    size_t n;
    unsigned part;
    cpuser_http_response r;
    uint32_t seed = 99u;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof stream_body; i++) {
        stream_body[i] = (char)(next_random(&seed) & 0xffu);
    }
    n = (size_t)sprintf(stream_wire, OK_HEAD "Content-Length: %zu\r\n\r\n",
                        sizeof stream_body);
    memcpy(stream_wire + n, stream_body, sizeof stream_body);
    n += sizeof stream_body;
    for (part = 0; part <= 2u; part++) {
        assert_int_equal(stream(stream_wire, n, part, &r), sizeof stream_body);
        assert_memory_equal(stream_out, stream_body, sizeof stream_body);
        assert_int_equal(r.body_total, sizeof stream_body);
    }
}

static void consume_keeps_the_tail(void **state)
{
    static const char wire[] = CHUNKED_HEAD "5\r\nhello\r\n3\r\nabc\r\n0\r";
    char buf[128];
    size_t len = sizeof wire - 1u;
    size_t head = sizeof CHUNKED_HEAD - 1u;
    cpuser_http_response r;
    (void)state;
    memcpy(buf, wire, len);
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_int_equal(len, head + 8u + 2u); /* head, body, "0\r" */
    assert_memory_equal(buf + head, "helloabc0\r", 10);
    cpuser_http_response_consume(&r, buf, &len, 6);
    assert_int_equal(len, head + 4u);
    assert_memory_equal(buf + head, "bc0\r", 4);
    assert_int_equal(r.body_end, head + 2u);
    memcpy(buf + len, "\n\r\n", 3);
    len += 3u;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_true(r.done);
    assert_int_equal(len, head + 2u);
    assert_memory_equal(buf + head, "bc", 2);
    assert_int_equal(r.body_total, 8);
}

/* ---- errors stick --------------------------------------------------- */

static void sticky_errors(void **state)
{
    static const char bad[] = "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n";
    static const char good[] = OK_HEAD "Content-Length: 2\r\n\r\nok";
    char buf[128];
    size_t len;
    cpuser_http_response r;
    (void)state;

    /* protocol error */
    memcpy(buf, bad, sizeof bad - 1u);
    len = sizeof bad - 1u;
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_PROTOCOL);
    memcpy(buf, good, sizeof good - 1u);
    len = sizeof good - 1u;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_PROTOCOL);
    assert_false(r.done);
    assert_int_equal(cpuser_http_response_eof(&r), CPUSER_ERR_PROTOCOL);
    cpuser_http_response_consume(&r, buf, &len, 0);
    assert_int_equal(len, sizeof good - 1u);
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_PROTOCOL);

    /* closed early */
    memcpy(buf, good, sizeof good - 1u);
    len = 10;
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_int_equal(cpuser_http_response_eof(&r), CPUSER_ERR_CLOSED);
    len = sizeof good - 1u;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_CLOSED);
    assert_int_equal(cpuser_http_response_eof(&r), CPUSER_ERR_CLOSED);
    assert_false(r.done);

    /* *len went backwards */
    memcpy(buf, good, sizeof good - 1u);
    len = 20;
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    len = 19;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_BAD_ARGUMENT);
    len = sizeof good - 1u;
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_http_response_eof(&r), CPUSER_ERR_BAD_ARGUMENT);

    /* consuming more body than there is */
    len = sizeof good - 1u;
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_OK);
    assert_true(r.done);
    cpuser_http_response_consume(&r, buf, &len, 3);
    assert_int_equal(len, sizeof good - 1u);
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_BAD_ARGUMENT);

    /* NULL arguments */
    assert_int_equal(cpuser_http_response_feed(NULL, buf, &len), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_http_response_eof(NULL), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_http_response_init(&r, NULL);
    assert_int_equal(cpuser_http_response_feed(&r, NULL, &len), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_http_response_feed(&r, buf, &len), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_http_response_init(&r, NULL);
    assert_int_equal(cpuser_http_response_feed(&r, buf, NULL), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_http_response_init(NULL, "GET");
    cpuser_http_response_consume(NULL, buf, &len, 1);
    assert_null(cpuser_http_response_body(NULL, buf).ptr);
}

static void init_defaults(void **state)
{
    cpuser_http_response r;
    (void)state;
    memset(&r, 0xa5, sizeof r);
    cpuser_http_response_init(&r, "GET");
    assert_int_equal(r.status, 0);
    assert_false(r.head_done);
    assert_false(r.done);
    assert_int_equal(r.ratelimit_limit, -1);
    assert_int_equal(r.ratelimit_remaining, -1);
    assert_int_equal(r.ratelimit_reset, -1);
    assert_null(r.etag.ptr);
    assert_null(r.content_type.ptr);
    assert_int_equal(r.err, CPUSER_OK);
    assert_int_equal(cpuser_http_response_eof(&r), CPUSER_ERR_CLOSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_length_json),
        cmocka_unit_test(chunked_one_byte_chunks),
        cmocka_unit_test(chunked_4k_extensions_trailers),
        cmocka_unit_test(continue_then_ok),
        cmocka_unit_test(no_content),
        cmocka_unit_test(not_modified),
        cmocka_unit_test(head_response),
        cmocka_unit_test(close_delimited),
        cmocka_unit_test(close_delimited_is_never_kept),
        cmocka_unit_test(http10_keep_alive),
        cmocka_unit_test(http10_bare_lf_close),
        cmocka_unit_test(status_lines),
        cmocka_unit_test(bare_lf_chunked),
        cmocka_unit_test(content_length_lists),
        cmocka_unit_test(content_types),
        cmocka_unit_test(rate_limits),
        cmocka_unit_test(connection_options),
        cmocka_unit_test(identity_and_odd_fields),
        cmocka_unit_test(views_point_into_the_head),
        cmocka_unit_test(interim_shrinks_len),
        cmocka_unit_test(malformed_is_protocol_error),
        cmocka_unit_test(errors_show_early),
        cmocka_unit_test(header_line_length),
        cmocka_unit_test(status_and_chunk_line_length),
        cmocka_unit_test(long_line_fails_before_it_ends),
        cmocka_unit_test(header_count),
        cmocka_unit_test(interim_storm),
        cmocka_unit_test(extra_bytes_after_message),
        cmocka_unit_test(extra_bytes_in_a_later_feed),
        cmocka_unit_test(consume_chunked_stream),
        cmocka_unit_test(consume_content_length_stream),
        cmocka_unit_test(consume_keeps_the_tail),
        cmocka_unit_test(sticky_errors),
        cmocka_unit_test(init_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
