/*
 * Shared by the cpuser fuzz harnesses (tests/fuzz/fuzz_*.c, libFuzzer):
 *
 *  - FUZZ_CHECK(): an invariant; a failure prints where and aborts, which
 *    libFuzzer reports as a crash and saves the input;
 *  - fuzz_ctl: the control bytes at the front of an input (split sizes,
 *    buffer sizes, flags), read with defaults once they run out;
 *  - fuzz_net: a scripted in-memory transport and clock. Unlike
 *    tests/unit/fake_net.h its events carry explicit lengths, so response
 *    bytes may hold NUL, and each recv takes its size from a pattern;
 *  - fuzz_check_request(): a strict reader of the bytes the client sent:
 *    request line, header lines each ending in CRLF, no bare CR or LF, no
 *    NUL or other control byte in the head, Content-Length equal to the
 *    body sent, and a JSON body that is valid JSON.
 *
 * Test code: it may use the heap and stdio (the library may not).
 */
#ifndef CPUSER_FUZZ_COMMON_H
#define CPUSER_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuser/client.h"
#include "cpuser/json_reader.h"
#include "cpuser/port.h"
#include "cpuser/view.h"

/* ---- invariants ----------------------------------------------------------- */

#define FUZZ_CHECK(cond)                                   \
    do {                                                   \
        if (!(cond)) {                                     \
            fuzz_fail(#cond, __FILE__, __LINE__);          \
        }                                                  \
    } while (0)

static inline void fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file, line);
    fflush(stderr);
    abort();
}

/* A heap copy of n bytes (at least one byte allocated), so that ASan sees
 * any read past the end of what the library was given. */
static inline char *fuzz_copy(const void *p, size_t n)
{
    char *c = (char *)malloc(n != 0u ? n : 1u);
    FUZZ_CHECK(c != NULL);
    if (n != 0u) {
        memcpy(c, p, n);
    }
    return c;
}

/* True when v lies inside [lo, lo + n) (an empty view anywhere inside or
 * at the end is fine; a NULL view must be empty). */
static inline bool fuzz_view_in(cpuser_view v, const char *lo, size_t n)
{
    if (v.ptr == NULL) {
        return v.len == 0u;
    }
    return v.ptr >= lo && v.ptr <= lo + n && v.len <= (size_t)(lo + n - v.ptr);
}

static inline bool fuzz_view_eq_bytes(cpuser_view v, const char *p, size_t n)
{
    return v.len == n && (n == 0u || memcmp(v.ptr, p, n) == 0);
}

/* ---- control bytes -------------------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t n;
    size_t i;
} fuzz_ctl;

static inline void fuzz_ctl_init(fuzz_ctl *c, const uint8_t *p, size_t n)
{
    c->p = p;
    c->n = n;
    c->i = 0;
}

/* The next control byte, cycling through the table (0 when it is empty). */
static inline uint8_t fuzz_ctl_next(fuzz_ctl *c)
{
    uint8_t b;
    if (c->n == 0u) {
        return 0;
    }
    b = c->p[c->i % c->n];
    c->i++;
    return b;
}

/* A piece size from a control byte: 1..64, times 37 with bit 6 set (so
 * both byte-by-byte splits and large reads occur). Bit 7 is left for the
 * caller's own use. */
static inline size_t fuzz_piece(uint8_t b)
{
    size_t n = (size_t)(b & 0x3fu) + 1u;
    return (b & 0x40u) != 0u ? n * 37u : n;
}

/* ---- scripted transport --------------------------------------------------- */

#define FUZZ_NET_EVENTS 8
#define FUZZ_NET_SENT (64u * 1024u)

typedef struct {
    const char *data[FUZZ_NET_EVENTS]; /* bytes, or NULL for err */
    size_t len[FUZZ_NET_EVENTS];
    cpuser_err err[FUZZ_NET_EVENTS];
    size_t nevents;
    size_t next;
    size_t offset;
    fuzz_ctl sizes;        /* recv sizes (fuzz_piece); empty: all at once */
    int open;
    int connects;
    uint32_t now;
    char sent[FUZZ_NET_SENT];
    size_t sent_len;
    bool sent_overflow;    /* more was sent than `sent` holds */
} fuzz_net;

/* Start a new script (nothing sent, no events, closed). */
static inline void fuzz_net_reset(fuzz_net *f, const uint8_t *sizes, size_t nsizes)
{
    f->nevents = 0;
    f->next = 0;
    f->offset = 0;
    fuzz_ctl_init(&f->sizes, sizes, nsizes);
    f->open = 0;
    f->connects = 0;
    f->sent_len = 0;
    f->sent_overflow = false;
}

static inline void fuzz_net_add(fuzz_net *f, const char *data, size_t len)
{
    FUZZ_CHECK(f->nevents < FUZZ_NET_EVENTS);
    f->data[f->nevents] = data;
    f->len[f->nevents] = len;
    f->err[f->nevents] = CPUSER_OK;
    f->nevents++;
}

static inline void fuzz_net_add_err(fuzz_net *f, cpuser_err err)
{
    FUZZ_CHECK(f->nevents < FUZZ_NET_EVENTS);
    f->data[f->nevents] = NULL;
    f->len[f->nevents] = 0;
    f->err[f->nevents] = err;
    f->nevents++;
}

static inline cpuser_err fuzz_net_connect(void *ctx, const char *host, uint16_t port,
                                          uint32_t timeout_ms)
{
    fuzz_net *f = (fuzz_net *)ctx;
    FUZZ_CHECK(host != NULL && host[0] != '\0');
    FUZZ_CHECK(timeout_ms > 0u);
    (void)port;
    f->connects++;
    f->open = 1;
    return CPUSER_OK;
}

static inline cpuser_err fuzz_net_send(void *ctx, const void *data, size_t len, size_t *sent,
                                       uint32_t timeout_ms)
{
    fuzz_net *f = (fuzz_net *)ctx;
    size_t room = sizeof f->sent - f->sent_len;
    size_t n = len < room ? len : room;
    FUZZ_CHECK(data != NULL && len > 0u && sent != NULL && timeout_ms > 0u);
    if (!f->open) {
        return CPUSER_ERR_IO;
    }
    memcpy(f->sent + f->sent_len, data, n);
    f->sent_len += n;
    if (n < len) {
        f->sent_overflow = true;
    }
    *sent = len;
    return CPUSER_OK;
}

static inline cpuser_err fuzz_net_recv(void *ctx, void *buf, size_t cap, size_t *got,
                                       uint32_t timeout_ms)
{
    fuzz_net *f = (fuzz_net *)ctx;
    size_t left;
    size_t n;
    FUZZ_CHECK(buf != NULL && cap > 0u && got != NULL && timeout_ms > 0u);
    if (!f->open) {
        return CPUSER_ERR_IO;
    }
    if (f->next >= f->nevents) {
        return CPUSER_ERR_CLOSED; /* the script is over: the peer closes */
    }
    if (f->data[f->next] == NULL) {
        return f->err[f->next++];
    }
    left = f->len[f->next] - f->offset;
    n = left < cap ? left : cap;
    if (f->sizes.n != 0u) {
        size_t piece = fuzz_piece(fuzz_ctl_next(&f->sizes));
        n = n < piece ? n : piece;
    }
    if (n == 0u) { /* an empty event: skip it */
        f->next++;
        f->offset = 0;
        return fuzz_net_recv(ctx, buf, cap, got, timeout_ms);
    }
    memcpy(buf, f->data[f->next] + f->offset, n);
    f->offset += n;
    if (f->offset == f->len[f->next]) {
        f->next++;
        f->offset = 0;
    }
    *got = n;
    return CPUSER_OK;
}

static inline void fuzz_net_close(void *ctx)
{
    ((fuzz_net *)ctx)->open = 0;
}

static inline uint32_t fuzz_net_now(void *ctx)
{
    return ((fuzz_net *)ctx)->now;
}

static inline void fuzz_net_sleep(void *ctx, uint32_t ms)
{
    ((fuzz_net *)ctx)->now += ms;
}

static inline cpuser_err fuzz_net_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x5a, len);
    return CPUSER_OK;
}

static inline void fuzz_net_tables(fuzz_net *f, cpuser_transport *t, cpuser_platform *p)
{
    t->ctx = f;
    t->connect = fuzz_net_connect;
    t->send = fuzz_net_send;
    t->recv = fuzz_net_recv;
    t->close = fuzz_net_close;
    p->ctx = f;
    p->now_ms = fuzz_net_now;
    p->sleep_ms = fuzz_net_sleep;
    p->random = fuzz_net_random;
}

/* A client over f for host api.example.com (https, port 443), one attempt
 * per call (no retry waits), the given working buffer. */
static inline void fuzz_client(cpuser_client *c, fuzz_net *f, cpuser_transport *t,
                               cpuser_platform *p, char *work, size_t cap)
{
    cpuser_client_config cfg;
    fuzz_net_tables(f, t, p);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.token = "fuzz-token";
    cfg.token_len = 10;
    cfg.retry.max_attempts = 1;
    FUZZ_CHECK(cpuser_client_init(c, &cfg, t, p, work, cap) == CPUSER_OK);
}

/* ---- requests as sent ----------------------------------------------------- */

typedef struct {
    cpuser_view method;
    cpuser_view target;
    cpuser_view content_type;
    cpuser_view body;
    bool has_length;
    uint64_t length;
    size_t size;           /* head + body bytes */
} fuzz_request;

static inline bool fuzz_tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != 0u && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Where the head at s[0..n) ends (past its empty line), or 0 when the
 * bytes hold no complete head. */
static inline size_t fuzz_head_end(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i + 4u <= n; i++) {
        if (memcmp(s + i, "\r\n\r\n", 4) == 0) {
            return i + 4u;
        }
    }
    return 0;
}

/* Read the request at the front of s[0..n); aborts on anything malformed.
 * Returns false when the bytes end before the request does. */
static inline bool fuzz_check_request(const char *s, size_t n, fuzz_request *out)
{
    size_t end = fuzz_head_end(s, n);
    size_t i;
    size_t line;
    int hosts = 0;

    memset(out, 0, sizeof *out);
    if (end == 0u) {
        return false;
    }
    /* the head as a whole: no NUL, every CR before an LF, every LF after a CR */
    for (i = 0; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        FUZZ_CHECK(c != 0u);
        if (c == '\r') {
            FUZZ_CHECK(i + 1u < end && s[i + 1u] == '\n');
        }
        if (c == '\n') {
            FUZZ_CHECK(i > 0u && s[i - 1u] == '\r');
        }
    }
    /* request line: method SP target SP HTTP/1.1 CRLF */
    i = 0;
    while (i < end && fuzz_tchar((unsigned char)s[i])) {
        i++;
    }
    FUZZ_CHECK(i > 0u && s[i] == ' ');
    out->method.ptr = s;
    out->method.len = i;
    line = ++i;
    while (i < end && (unsigned char)s[i] > 0x20u && (unsigned char)s[i] < 0x7fu) {
        i++;
    }
    FUZZ_CHECK(i > line && s[line] == '/' && s[i] == ' ');
    out->target.ptr = s + line;
    out->target.len = i - line;
    i++;
    FUZZ_CHECK(end - i >= 10u && memcmp(s + i, "HTTP/1.1\r\n", 10) == 0);
    i += 10u;
    /* header lines: name ":" SP value CRLF, up to the empty line */
    while (i < end - 2u) {
        size_t name = i;
        size_t value;
        cpuser_view nv;
        cpuser_view vv;
        while (fuzz_tchar((unsigned char)s[i])) {
            i++;
        }
        FUZZ_CHECK(i > name && s[i] == ':' && s[i + 1u] == ' ');
        nv.ptr = s + name;
        nv.len = i - name;
        i += 2u;
        value = i;
        while (s[i] != '\r') {
            unsigned char c = (unsigned char)s[i];
            FUZZ_CHECK(c == '\t' || (c >= 0x20u && c != 0x7fu));
            i++;
        }
        vv.ptr = s + value;
        vv.len = i - value;
        i += 2u; /* CRLF, checked above */
        if (cpuser_view_ieq(nv, "Host")) {
            hosts++;
        } else if (cpuser_view_ieq(nv, "Content-Type")) {
            out->content_type = vv;
        } else if (cpuser_view_ieq(nv, "Content-Length")) {
            size_t k;
            FUZZ_CHECK(!out->has_length && vv.len > 0u && vv.len < 20u);
            out->has_length = true;
            for (k = 0; k < vv.len; k++) {
                FUZZ_CHECK(vv.ptr[k] >= '0' && vv.ptr[k] <= '9');
                out->length = out->length * 10u + (uint64_t)(vv.ptr[k] - '0');
            }
        }
    }
    FUZZ_CHECK(i == end - 2u);
    FUZZ_CHECK(hosts == 1);
    if (cpuser_view_eq(out->method, "POST") || cpuser_view_eq(out->method, "PATCH") ||
        cpuser_view_eq(out->method, "PUT")) {
        FUZZ_CHECK(out->has_length);
    }
    if (out->has_length && out->length > (uint64_t)(n - end)) {
        return false;
    }
    out->body.ptr = s + end;
    out->body.len = out->has_length ? (size_t)out->length : 0u;
    out->size = end + out->body.len;
    if (out->body.len != 0u && cpuser_view_ieq(out->content_type, "application/json")) {
        FUZZ_CHECK(cpuser_json_valid(out->body.ptr, out->body.len));
    }
    return true;
}

/* Check every request in the transport's sent bytes; returns how many
 * there were. All the bytes must be whole requests unless more was sent
 * than the record holds. */
static inline int fuzz_check_sent(const fuzz_net *f, fuzz_request *reqs, int max)
{
    size_t at = 0;
    int count = 0;
    while (at < f->sent_len) {
        fuzz_request r;
        if (!fuzz_check_request(f->sent + at, f->sent_len - at, &r)) {
            FUZZ_CHECK(f->sent_overflow);
            break;
        }
        if (count < max) {
            reqs[count] = r;
        }
        count++;
        at += r.size;
    }
    return count;
}

/* Percent-decode v into out (cap bytes); false when an escape is broken
 * or out is too small. *n receives the decoded length. */
static inline bool fuzz_percent_decode(cpuser_view v, char *out, size_t cap, size_t *n)
{
    size_t i;
    size_t o = 0;
    for (i = 0; i < v.len; i++) {
        char ch = v.ptr[i];
        if (ch == '%') {
            int hv[2];
            int k;
            if (v.len - i < 3u) {
                return false;
            }
            for (k = 0; k < 2; k++) {
                char h = v.ptr[i + 1u + (size_t)k];
                hv[k] = (h >= '0' && h <= '9') ? h - '0'
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : -1;
                if (hv[k] < 0) {
                    return false;
                }
            }
            ch = (char)(unsigned char)(hv[0] * 16 + hv[1]);
            i += 2u;
        }
        if (o == cap) {
            return false;
        }
        out[o++] = ch;
    }
    *n = o;
    return true;
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* True when s[0..n) is valid UTF-8 (no overlong form, no surrogate,
 * nothing above U+10FFFF). Written here independently of src/utf8.c. */
static inline bool fuzz_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        size_t k;
        if (c < 0x80u) {
            i++;
            continue;
        }
        if (c >= 0xC2u && c <= 0xDFu) {
            len = 2;
            cp = c & 0x1fu;
        } else if (c >= 0xE0u && c <= 0xEFu) {
            len = 3;
            cp = c & 0x0fu;
        } else if (c >= 0xF0u && c <= 0xF4u) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (n - i < len) {
            return false;
        }
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0u) != 0x80u) {
                return false;
            }
            cp = cp << 6 | (uint32_t)(s[i + k] & 0x3fu);
        }
        if ((len == 3u && cp < 0x800u) || (len == 4u && cp < 0x10000u) || cp > 0x10FFFFu ||
            (cp >= 0xD800u && cp <= 0xDFFFu)) {
            return false;
        }
        i += len;
    }
    return true;
}

#endif /* CPUSER_FUZZ_COMMON_H */
