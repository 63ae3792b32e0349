/*
 * Fuzz harness 4: the streaming list splitter.
 *
 * Input: LIST_CTL control bytes, then a list body
 *     {"data":[{...},...],"links":{...},"meta":{...}}
 *   ctl[0] bits 0-2  scanner buffer: 16, 32, 64, 128, 256, 512, 1024, 4096
 *          bit 3     the client part gets the body chunked (else
 *                    Content-Length)
 *          bits 4-6  client working buffer: 256, 384, 512, 768, 1024,
 *                    2048, 4096, 8192
 *          bit 7     page pagination (page 1) instead of cursor
 *   ctl[1..7]        piece sizes (fuzz_piece): scanner writes, recv sizes,
 *                    chunk sizes
 *
 * 1. cpuser_list_scanner_write() is fed the body in pieces through a small
 *    buffer, consuming what it says, and once whole; each element is parsed
 *    with cpuser_json_parse() and its strings read. Unless the split run got
 *    stuck (an element larger than its buffer), both runs must deliver the
 *    same elements and members in the same order and end the same way, and
 *    the sink contract must hold (consumed <= len; everything once final).
 * 2. cpuser_users_list() over the scripted transport with the body as a 200:
 *    every user's views in the working buffer; when it succeeds, as many
 *    users as the scanner found elements. A next cursor is sent back
 *    percent-encoded, and the same page answered again is
 *    CPUSER_ERR_PROTOCOL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpuser/ampeco_users.h"
#include "cpuser/list_scanner.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIST_CTL 8u

static cpuser_json doc;

/* ==== 1. the scanner ======================================================== */

typedef struct {
    char *log;       /* 'E' / 'L' / 'M', length (8 bytes), bytes; per event */
    size_t log_len;
    size_t log_cap;
    uint32_t elements;
    char *lo;        /* the buffer being scanned */
    size_t lo_len;
    cpuser_err err;
    bool stuck;
} scan_run;

static void record(scan_run *r, char kind, const char *p, size_t n)
{
    uint64_t n64 = (uint64_t)n;
    FUZZ_CHECK(r->log_len + 9u + n <= r->log_cap);
    r->log[r->log_len++] = kind;
    memcpy(r->log + r->log_len, &n64, sizeof n64);
    r->log_len += sizeof n64;
    memcpy(r->log + r->log_len, p, n);
    r->log_len += n;
}

/* Parse an item in place and read each of its strings, as the decoder does. */
static cpuser_err read_item(scan_run *r, char *json, size_t len)
{
    cpuser_err err;
    int i;
    FUZZ_CHECK(len > 0u);
    FUZZ_CHECK(json >= r->lo && len <= r->lo_len && json + len <= r->lo + r->lo_len);
    err = cpuser_json_parse(&doc, json, len);
    if (err != CPUSER_OK) {
        return err;
    }
    for (i = 0; i < doc.count; i++) {
        cpuser_view v;
        if (cpuser_json_type(&doc, i) == JSMN_STRING &&
            cpuser_json_get_string(&doc, i, &v) == CPUSER_OK) {
            FUZZ_CHECK(fuzz_view_in(v, json, len));
        }
    }
    return CPUSER_OK;
}

static cpuser_err on_element(void *arg, char *json, size_t len)
{
    scan_run *r = (scan_run *)arg;
    record(r, 'E', json, len);
    r->elements++;
    return read_item(r, json, len);
}

static cpuser_err on_member(void *arg, const char *key, char *json, size_t len)
{
    scan_run *r = (scan_run *)arg;
    FUZZ_CHECK(key != NULL && (strcmp(key, "links") == 0 || strcmp(key, "meta") == 0));
    record(r, key[0] == 'l' ? 'L' : 'M', json, len);
    (void)read_item(r, json, len); /* a member that is not JSON is the caller's business */
    return CPUSER_OK;
}

static void scan_init(scan_run *r, cpuser_list_scanner *s, size_t n)
{
    memset(r, 0, sizeof *r);
    r->log_cap = n + 9u * (n + 2u);
    r->log = (char *)malloc(r->log_cap);
    FUZZ_CHECK(r->log != NULL);
    cpuser_list_scanner_init(s, on_element, on_member, r);
}

/* One sink call with the contract's checks; *len shrinks by what it took. */
static cpuser_err scan_write(scan_run *r, cpuser_list_scanner *s, char *buf, size_t *len, bool final)
{
    size_t consumed = (size_t)-1;
    cpuser_err err;
    r->lo = buf;
    r->lo_len = *len;
    err = cpuser_list_scanner_write(s, buf, *len, final, &consumed);
    if (err != CPUSER_OK) {
        return err;
    }
    FUZZ_CHECK(consumed <= *len);
    if (final) {
        FUZZ_CHECK(consumed == *len); /* a final call must take everything */
    }
    memmove(buf, buf + consumed, *len - consumed);
    *len -= consumed;
    return CPUSER_OK;
}

static void scan_whole(const uint8_t *body, size_t n, scan_run *r)
{
    cpuser_list_scanner s;
    char *buf = fuzz_copy(body, n);
    size_t len = n;
    scan_init(r, &s, n);
    r->err = scan_write(r, &s, buf, &len, true);
    free(buf);
}

static void scan_split(const uint8_t ctl[LIST_CTL], const uint8_t *body, size_t n, scan_run *r)
{
    static const size_t caps[8] = {16, 32, 64, 128, 256, 512, 1024, 4096};
    size_t cap = caps[ctl[0] & 7u];
    cpuser_list_scanner s;
    fuzz_ctl pieces;
    char *buf = (char *)malloc(cap);
    size_t len = 0;
    size_t off = 0;
    FUZZ_CHECK(buf != NULL);
    scan_init(r, &s, n);
    fuzz_ctl_init(&pieces, ctl + 1, LIST_CTL - 1u);
    for (;;) {
        size_t k = fuzz_piece(fuzz_ctl_next(&pieces));
        bool final;
        if (off < n && len == cap) {
            r->stuck = true; /* an item larger than the buffer */
            break;
        }
        if (k > cap - len) {
            k = cap - len;
        }
        if (k > n - off) {
            k = n - off;
        }
        memcpy(buf + len, body + off, k);
        len += k;
        off += k;
        final = off == n;
        r->err = scan_write(r, &s, buf, &len, final);
        if (r->err != CPUSER_OK || final) {
            break;
        }
    }
    free(buf);
}

static void check_scanner(const uint8_t ctl[LIST_CTL], const uint8_t *body, size_t n,
                          scan_run *whole)
{
    scan_run split;
    scan_whole(body, n, whole);
    scan_split(ctl, body, n, &split);
    if (!split.stuck) {
        FUZZ_CHECK(split.err == whole->err);
        FUZZ_CHECK(split.elements == whole->elements);
        FUZZ_CHECK(split.log_len == whole->log_len);
        FUZZ_CHECK(split.log_len == 0u || memcmp(split.log, whole->log, split.log_len) == 0);
    }
    free(split.log);
}

/* ==== 2. through the client ================================================= */

static fuzz_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[8192];

typedef struct {
    const char *buf;
    size_t cap;
    uint32_t users;
} user_count;

static cpuser_err on_user(void *arg, const cpuser_user *u)
{
    user_count *c = (user_count *)arg;
    const cpuser_view *v[] = {&u->id, &u->email, &u->first_name, &u->last_name, &u->country,
                              &u->external_id, &u->partner_invites, &u->bank.iban,
                              &u->external_app_data};
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        FUZZ_CHECK(fuzz_view_in(*v[i], c->buf, c->cap));
    }
    FUZZ_CHECK(u->user_group_ids.count <= CPUSER_MAX_LIST_INTS);
    c->users++;
    return CPUSER_OK;
}

/* The 200 response around body, chunked in the control's piece sizes or
 * with a Content-Length. */
static char *make_list_response(const uint8_t ctl[LIST_CTL], const uint8_t *body, size_t n,
                                size_t *len)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
    char *r = (char *)malloc(sizeof head + 64u + n * 12u);
    size_t o = sizeof head - 1u;
    FUZZ_CHECK(r != NULL);
    memcpy(r, head, o);
    if ((ctl[0] & 0x08u) != 0u) {
        fuzz_ctl sizes;
        size_t off = 0;
        fuzz_ctl_init(&sizes, ctl + 1, LIST_CTL - 1u);
        o += (size_t)sprintf(r + o, "Transfer-Encoding: chunked\r\n\r\n");
        while (off < n) {
            size_t k = fuzz_piece(fuzz_ctl_next(&sizes));
            if (k > n - off) {
                k = n - off;
            }
            o += (size_t)sprintf(r + o, "%zx\r\n", k);
            memcpy(r + o, body + off, k);
            o += k;
            off += k;
            memcpy(r + o, "\r\n", 2);
            o += 2u;
        }
        memcpy(r + o, "0\r\n\r\n", 5);
        o += 5u;
    } else {
        o += (size_t)sprintf(r + o, "Content-Length: %zu\r\n\r\n", n);
        memcpy(r + o, body, n);
        o += n;
    }
    *len = o;
    return r;
}

/* The value of the cursor query parameter of the request target. */
static bool sent_cursor(cpuser_view target, char *out, size_t cap, size_t *n)
{
    size_t i;
    for (i = 0; i + 8u <= target.len; i++) {
        if ((target.ptr[i] == '?' || target.ptr[i] == '&') &&
            memcmp(target.ptr + i + 1u, "cursor=", 7) == 0) {
            cpuser_view v;
            size_t end = i + 8u;
            while (end < target.len && target.ptr[end] != '&') {
                end++;
            }
            v.ptr = target.ptr + i + 8u;
            v.len = end - (i + 8u);
            return fuzz_percent_decode(v, out, cap, n);
        }
    }
    return false;
}

static void check_client(const uint8_t ctl[LIST_CTL], const uint8_t *body, size_t n,
                         const scan_run *whole)
{
    static const size_t caps[8] = {256, 384, 512, 768, 1024, 2048, 4096, 8192};
    size_t cap = caps[(ctl[0] >> 4) & 7u];
    size_t resp_len;
    char *resp = make_list_response(ctl, body, n, &resp_len);
    cpuser_user_filter filter;
    cpuser_page page;
    user_count count;
    fuzz_request req[2];
    cpuser_err err;

    memset(&filter, 0, sizeof filter);
    filter.email = cpuser_view_of("a@b.example");
    filter.app_data_key = cpuser_view_of("k.x");
    filter.app_data_value = cpuser_view_of("v w");
    cpuser_page_init(&page, 25);
    if ((ctl[0] & 0x80u) != 0u) {
        page.page = 1;
    }
    count.buf = work;
    count.cap = cap;
    count.users = 0;
    fuzz_net_reset(&net, ctl + 1, LIST_CTL - 1u);
    fuzz_net_add(&net, resp, resp_len);
    fuzz_client(&client, &net, &tp, &pf, work, cap);
    err = cpuser_users_list(&client, &filter, &page, on_user, &count);
    FUZZ_CHECK(fuzz_check_sent(&net, req, 2) == 1);
    FUZZ_CHECK(cpuser_view_eq(req[0].method, "GET"));
    FUZZ_CHECK(req[0].target.len > 33u &&
               memcmp(req[0].target.ptr, "/public-api/resources/users/v1.0?", 33) == 0);
    if (err != CPUSER_OK) {
        free(resp);
        return;
    }
    FUZZ_CHECK(count.users == page.count);
    FUZZ_CHECK(whole->err == CPUSER_OK);
    FUZZ_CHECK(whole->elements == page.count);
    FUZZ_CHECK(memchr(page.cursor, '\0', sizeof page.cursor) != NULL);

    if (page.page == 0u && page.more) {
        /* ask for the next page on the same connection; the server answers
         * with this page again, whose next cursor is the one just sent */
        char cursor[CPUSER_CURSOR_MAX];
        char got[CPUSER_CURSOR_MAX];
        size_t got_len = 0;
        int sent;
        memcpy(cursor, page.cursor, sizeof cursor);
        net.nevents = 0;
        net.next = 0;
        net.offset = 0;
        net.sent_len = 0;
        fuzz_net_add(&net, resp, resp_len);
        count.users = 0;
        err = cpuser_users_list(&client, &filter, &page, on_user, &count);
        sent = fuzz_check_sent(&net, req, 2);
        if (strchr(cursor, '\r') != NULL || strchr(cursor, '\n') != NULL) {
            FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT && sent == 0);
        } else if (err == CPUSER_ERR_BUFFER_TOO_SMALL && sent == 0) {
            /* the encoded cursor made the request too big for the buffer */
            FUZZ_CHECK(cpuser_client_last(&client)->need > cap);
        } else {
            FUZZ_CHECK(err == CPUSER_ERR_PROTOCOL);
            FUZZ_CHECK(sent == 1);
            FUZZ_CHECK(sent_cursor(req[0].target, got, sizeof got, &got_len));
            FUZZ_CHECK(got_len == strlen(cursor) && memcmp(got, cursor, got_len) == 0);
        }
    }
    free(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scan_run whole;
    if (size < LIST_CTL) {
        return 0;
    }
    check_scanner(data, data + LIST_CTL, size - LIST_CTL, &whole);
    check_client(data, data + LIST_CTL, size - LIST_CTL, &whole);
    free(whole.log);
    return 0;
}
