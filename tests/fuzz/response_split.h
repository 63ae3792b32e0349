/*
 * The response parser fed two ways, for fuzz_response.c and fuzz_chunked.c:
 *
 *  - whole: the complete input in a buffer of exactly its size, one feed,
 *    then eof;
 *  - split: like the client does it, appended piece by piece into a buffer
 *    of fixed capacity, fed after every piece, with body bytes dropped by
 *    cpuser_http_response_consume() now and then (and always when the buffer
 *    is full), then eof.
 *
 * Every feed is checked for the parser's layout invariants; when the split
 * run did not get stuck (a head or line longer than its buffer), both runs
 * must agree: the same error, and when it is CPUSER_OK the same status,
 * framing, header values and body bytes.
 *
 * Control bytes (RESPONSE_CTL of them, before the response):
 *   ctl[0] bits 0-2  capacity: 64, 128, 256, 512, 1024, 2048, 4096, 16384
 *          bit 3     the request was HEAD
 *          bits 4-5  consume: 0 only when full, 1 everything after each
 *                    feed, 2 everything when the piece's bit 7 is set,
 *                    3 half of what is there
 *          bit 6     feed a second time with nothing new (must change nothing)
 *   ctl[1..7]        piece sizes (fuzz_piece), used in turn
 */
#ifndef CPUSER_FUZZ_RESPONSE_SPLIT_H
#define CPUSER_FUZZ_RESPONSE_SPLIT_H

#include "cpuser/http_response.h"
#include "fuzz_common.h"

#define RESPONSE_CTL 8u

typedef struct {
    cpuser_err err;
    cpuser_http_response r;
    char *buf;         /* the views in r point into it */
    char *body;        /* every body byte, consumed ones included */
    size_t body_len;
    bool stuck;        /* the split run could not go on: not comparable */
    bool all_fed;      /* every input byte reached the parser */
} response_run;

static void response_run_free(response_run *o)
{
    free(o->buf);
    free(o->body);
}

/* A header view must lie in the final head. */
static void check_head_view(const cpuser_http_response *r, const char *buf, cpuser_view v)
{
    if (r->head_done && v.ptr != NULL) {
        FUZZ_CHECK(fuzz_view_in(v, buf, r->head_len));
    }
}

/* What must hold after every feed that returned OK. */
static void check_layout(const cpuser_http_response *r, const char *buf, size_t len, size_t cap)
{
    FUZZ_CHECK(len <= cap);
    FUZZ_CHECK(r->len == len);
    if (r->done) {
        FUZZ_CHECK(r->head_done);
    }
    if (r->head_done) {
        FUZZ_CHECK(r->status >= 200 && r->status <= 599);
        FUZZ_CHECK(r->body_start == r->head_len);
        FUZZ_CHECK(r->body_start <= r->body_end && r->body_end <= len);
        FUZZ_CHECK(r->body_total >= (uint64_t)(r->body_end - r->body_start));
        if (r->has_content_length && !r->chunked) {
            FUZZ_CHECK(r->body_total <= r->content_length);
        }
        check_head_view(r, buf, r->content_type);
        check_head_view(r, buf, r->etag);
        check_head_view(r, buf, r->location);
        check_head_view(r, buf, r->async_operation);
        check_head_view(r, buf, r->retry_after);
    }
    if (r->done && (r->head_request || r->status == 204 || r->status == 304)) {
        FUZZ_CHECK(r->body_total == 0u);
    }
    if (r->done && r->has_content_length && !r->chunked && !r->head_request &&
        r->status != 204 && r->status != 304) {
        FUZZ_CHECK(r->body_total == r->content_length);
    }
    if (r->extra) {
        FUZZ_CHECK(r->done && !r->keep_alive);
    }
}

/* Feed again with nothing new: nothing may change. */
static void check_idempotent(cpuser_http_response *r, char *buf, size_t *len)
{
    cpuser_http_response before = *r;
    size_t was = *len;
    cpuser_err err = cpuser_http_response_feed(r, buf, len);
    FUZZ_CHECK(err == CPUSER_OK);
    FUZZ_CHECK(*len == was);
    FUZZ_CHECK(r->done == before.done && r->head_done == before.head_done);
    FUZZ_CHECK(r->body_end == before.body_end && r->body_total == before.body_total);
    FUZZ_CHECK(r->extra == before.extra && r->status == before.status);
}

/* Add the first n body bytes to the record, then drop them. */
static void take_body(response_run *o, size_t *len, size_t n)
{
    cpuser_http_response *r = &o->r;
    if (n == 0u) {
        return;
    }
    FUZZ_CHECK(n <= r->body_end - r->body_start);
    memcpy(o->body + o->body_len, o->buf + r->body_start, n);
    o->body_len += n;
    cpuser_http_response_consume(r, o->buf, len, n);
    FUZZ_CHECK(r->err == CPUSER_OK);
    FUZZ_CHECK(r->len == *len);
}

static void response_whole(const uint8_t *in, size_t n, const char *method, response_run *o)
{
    size_t len = n;
    cpuser_view body;
    memset(o, 0, sizeof *o);
    o->buf = fuzz_copy(in, n);
    o->body = (char *)malloc(n + 1u);
    FUZZ_CHECK(o->body != NULL);
    o->all_fed = true;
    cpuser_http_response_init(&o->r, method);
    o->err = cpuser_http_response_feed(&o->r, o->buf, &len);
    if (o->err == CPUSER_OK) {
        check_layout(&o->r, o->buf, len, n);
        o->err = cpuser_http_response_eof(&o->r);
    } else {
        /* sticky */
        FUZZ_CHECK(cpuser_http_response_feed(&o->r, o->buf, &len) == o->err);
    }
    if (o->err == CPUSER_OK) {
        body = cpuser_http_response_body(&o->r, o->buf);
        FUZZ_CHECK(fuzz_view_in(body, o->buf, len));
        memcpy(o->body, body.ptr, body.len);
        o->body_len = body.len;
    }
}

static void response_split(const uint8_t ctl[RESPONSE_CTL], const uint8_t *in, size_t n,
                           const char *method, response_run *o)
{
    static const size_t caps[8] = {64, 128, 256, 512, 1024, 2048, 4096, 16384};
    size_t cap = caps[ctl[0] & 7u];
    unsigned mode = (ctl[0] >> 4) & 3u;
    bool again = (ctl[0] & 0x40u) != 0u;
    fuzz_ctl pieces;
    size_t off = 0;
    size_t len = 0;

    memset(o, 0, sizeof *o);
    o->buf = (char *)malloc(cap);
    o->body = (char *)malloc(n + 1u);
    FUZZ_CHECK(o->buf != NULL && o->body != NULL);
    fuzz_ctl_init(&pieces, ctl + 1, RESPONSE_CTL - 1u);
    cpuser_http_response_init(&o->r, method);

    while (off < n) {
        cpuser_http_response *r = &o->r;
        uint8_t b = fuzz_ctl_next(&pieces);
        size_t k = fuzz_piece(b);
        if (len == cap) {
            /* full: a streaming client drops the body it has; with none,
             * the head (or a framing line) does not fit */
            if (r->head_done && r->body_end > r->body_start) {
                take_body(o, &len, r->body_end - r->body_start);
                continue;
            }
            o->stuck = !r->done;
            break;
        }
        if (k > cap - len) {
            k = cap - len;
        }
        if (k > n - off) {
            k = n - off;
        }
        memcpy(o->buf + len, in + off, k);
        len += k;
        off += k;
        o->err = cpuser_http_response_feed(r, o->buf, &len);
        if (o->err != CPUSER_OK) {
            FUZZ_CHECK(cpuser_http_response_feed(r, o->buf, &len) == o->err);
            break;
        }
        check_layout(r, o->buf, len, cap);
        if (again) {
            check_idempotent(r, o->buf, &len);
        }
        if (r->head_done) {
            size_t avail = r->body_end - r->body_start;
            if (mode == 1u || (mode == 2u && (b & 0x80u) != 0u)) {
                take_body(o, &len, avail);
            } else if (mode == 3u) {
                take_body(o, &len, avail / 2u);
            }
            check_layout(r, o->buf, len, cap);
        }
    }
    o->all_fed = off == n;
    if (o->err == CPUSER_OK && !o->stuck) {
        o->err = cpuser_http_response_eof(&o->r);
    }
    if (o->err == CPUSER_OK) {
        take_body(o, &len, o->r.body_end - o->r.body_start);
    }
}

static bool same_view(cpuser_view a, cpuser_view b)
{
    if (a.ptr == NULL || b.ptr == NULL) {
        return a.ptr == b.ptr && a.len == b.len;
    }
    return fuzz_view_eq_bytes(a, b.ptr, b.len);
}

/* Both runs of one input must agree. */
static void response_compare(const response_run *w, const response_run *s)
{
    const cpuser_http_response *a = &w->r;
    const cpuser_http_response *b = &s->r;
    if (s->stuck) {
        return;
    }
    FUZZ_CHECK(w->err == s->err);
    if (w->err != CPUSER_OK) {
        return;
    }
    FUZZ_CHECK(a->done && b->done);
    FUZZ_CHECK(a->status == b->status);
    FUZZ_CHECK(a->version_minor == b->version_minor);
    FUZZ_CHECK(a->chunked == b->chunked);
    FUZZ_CHECK(a->has_content_length == b->has_content_length);
    FUZZ_CHECK(a->content_length == b->content_length);
    FUZZ_CHECK(a->json == b->json);
    FUZZ_CHECK(a->interim == b->interim);
    FUZZ_CHECK(a->head_len == b->head_len);
    FUZZ_CHECK(a->body_total == b->body_total);
    FUZZ_CHECK(a->ratelimit_limit == b->ratelimit_limit);
    FUZZ_CHECK(a->ratelimit_remaining == b->ratelimit_remaining);
    FUZZ_CHECK(a->ratelimit_reset == b->ratelimit_reset);
    FUZZ_CHECK(same_view(a->content_type, b->content_type));
    FUZZ_CHECK(same_view(a->etag, b->etag));
    FUZZ_CHECK(same_view(a->location, b->location));
    FUZZ_CHECK(same_view(a->async_operation, b->async_operation));
    FUZZ_CHECK(same_view(a->retry_after, b->retry_after));
    FUZZ_CHECK(w->body_len == s->body_len);
    FUZZ_CHECK(w->body_len == 0u || memcmp(w->body, s->body, w->body_len) == 0);
    FUZZ_CHECK((uint64_t)w->body_len == a->body_total);
    if (s->all_fed) {
        FUZZ_CHECK(a->extra == b->extra);
        FUZZ_CHECK(a->keep_alive == b->keep_alive);
    }
}

/* The whole check for one response with its control bytes. */
static void response_check(const uint8_t ctl[RESPONSE_CTL], const uint8_t *resp, size_t n,
                           response_run *whole_out)
{
    const char *method = (ctl[0] & 0x08u) != 0u ? "HEAD" : "GET";
    response_run split;
    response_whole(resp, n, method, whole_out);
    response_split(ctl, resp, n, method, &split);
    response_compare(whole_out, &split);
    response_run_free(&split);
}

#endif /* CPUSER_FUZZ_RESPONSE_SPLIT_H */
