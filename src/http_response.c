/*
 * HTTP/1.1 response parser (RFC 9112); the contract is in
 * include/cpuser/http_response.h.
 *
 * One state machine walks the caller's buffer. Line states (status line,
 * header fields, chunk-size line, the CRLF after chunk data, trailer fields)
 * wait for a whole line; data states take body bytes as they arrive.
 *
 * Positions, all offsets into buf:
 *   line_start  where the unparsed input starts (the line being read)
 *   pos         how far that input has been scanned
 *   body_end    where the next body byte goes
 * Once the head is parsed, buf[body_end .. line_start) holds nothing but
 * framing that has been parsed already (chunk-size lines, CRLFs). compact()
 * squeezes it out before feed() returns, so the caller always sees
 * [head | body | unparsed tail].
 */
#include "cpuser/http_response.h"
#include "chars.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpuser/config.h"

enum {
    ST_STATUS,     /* status line */
    ST_INTERIM,    /* header fields of a 1xx response: checked, not kept */
    ST_HEADER,     /* header fields of the final response */
    ST_LENGTH,     /* body framed by Content-Length */
    ST_CLOSE,      /* body running to connection close */
    ST_CHUNK_SIZE, /* chunk-size line */
    ST_CHUNK_DATA, /* chunk data */
    ST_CHUNK_END,  /* the CRLF after chunk data */
    ST_TRAILER,    /* trailer fields up to the final empty line */
    ST_DONE
};

enum { LINE_WAIT, LINE_READY, LINE_BAD };

/* ---- characters and views ------------------------------------------- */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* HTAB, SP, VCHAR and obs-text: what a field value or reason may hold. */
static bool is_text(char c)
{
    unsigned char u = (unsigned char)c;
    return u == '\t' || (u >= 0x20u && u != 0x7fu);
}

/* A byte of a token (RFC 9110 section 5.6.2). */
static bool is_tchar(char c)
{
    if (cpuser_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static cpuser_view make_view(const char *p, size_t n)
{
    cpuser_view v;
    v.ptr = p;
    v.len = n;
    return v;
}

/* v without leading and trailing SP / HTAB. */
static cpuser_view trim(cpuser_view v)
{
    while (v.len > 0u && is_ows(v.ptr[0])) {
        v.ptr++;
        v.len--;
    }
    while (v.len > 0u && is_ows(v.ptr[v.len - 1u])) {
        v.len--;
    }
    return v;
}

/* Split the next comma-separated element (trimmed) off *rest. False when
 * the list is used up; rest->ptr == NULL marks that. */
static bool list_next(cpuser_view *rest, cpuser_view *elem)
{
    const char *comma;
    size_t n;
    if (rest->ptr == NULL) {
        return false;
    }
    comma = memchr(rest->ptr, ',', rest->len);
    n = comma != NULL ? (size_t)(comma - rest->ptr) : rest->len;
    *elem = trim(make_view(rest->ptr, n));
    if (comma != NULL) {
        rest->ptr = comma + 1;
        rest->len -= n + 1u;
    } else {
        rest->ptr = NULL;
        rest->len = 0;
    }
    return true;
}

/* 1*DIGIT into *out; false when empty, not all digits, or past UINT64_MAX. */
static bool parse_decimal(cpuser_view v, uint64_t *out)
{
    uint64_t x = 0;
    size_t i;
    if (v.len == 0u) {
        return false;
    }
    for (i = 0; i < v.len; i++) {
        uint64_t d;
        if (!cpuser_is_digit(v.ptr[i])) {
            return false;
        }
        d = (uint64_t)(v.ptr[i] - '0');
        if (x > (UINT64_MAX - d) / 10u) {
            return false;
        }
        x = x * 10u + d;
    }
    *out = x;
    return true;
}

/* ---- results -------------------------------------------------------- */

static cpuser_err fail(cpuser_http_response *r, cpuser_err err)
{
    if (r->err == CPUSER_OK) {
        r->err = err;
    }
    return r->err;
}

static void mark_extra(cpuser_http_response *r)
{
    r->extra = true;
    r->keep_alive = false;
}

/* The message is complete. Called before the state changes, so a
 * close-delimited body is still recognisable. */
static void finish(cpuser_http_response *r)
{
    bool persistent;
    if (r->version_minor >= 1u) {
        persistent = !r->conn_close;
    } else {
        persistent = r->conn_keep_alive && !r->conn_close;
    }
    r->keep_alive = persistent && r->state != ST_CLOSE;
    r->state = ST_DONE;
    r->done = true;
}

/* ---- header fields -------------------------------------------------- */

/* The view result a field is kept in, or NULL. */
static cpuser_view *view_field(cpuser_http_response *r, cpuser_view name)
{
    if (cpuser_view_ieq(name, "content-type")) {
        return &r->content_type;
    }
    if (cpuser_view_ieq(name, "etag")) {
        return &r->etag;
    }
    if (cpuser_view_ieq(name, "location")) {
        return &r->location;
    }
    if (cpuser_view_ieq(name, "azure-asyncoperation")) {
        return &r->async_operation;
    }
    if (cpuser_view_ieq(name, "retry-after")) {
        return &r->retry_after;
    }
    if (cpuser_view_ieq(name, "Date")) {
        return &r->date;
    }
    return NULL;
}

/* The rate-limit result a field is kept in, or NULL. */
static int64_t *ratelimit_field(cpuser_http_response *r, cpuser_view name)
{
    if (cpuser_view_ieq(name, "x-ratelimit-limit")) {
        return &r->ratelimit_limit;
    }
    if (cpuser_view_ieq(name, "x-ratelimit-remaining")) {
        return &r->ratelimit_remaining;
    }
    if (cpuser_view_ieq(name, "x-ratelimit-reset")) {
        return &r->ratelimit_reset;
    }
    return NULL;
}

/* A plain non-negative integer that fits int64, else -1. */
static int64_t ratelimit_value(cpuser_view v)
{
    uint64_t x;
    if (!parse_decimal(v, &x) || x > (uint64_t)INT64_MAX) {
        return -1;
    }
    return (int64_t)x;
}

/* application/json or application/<anything>+json, parameters ignored. */
static bool is_json(cpuser_view content_type)
{
    static const char prefix[] = "application/";
    static const char suffix[] = "+json";
    const size_t np = sizeof prefix - 1u;
    const size_t ns = sizeof suffix - 1u;
    cpuser_view t = content_type;
    const char *semi = memchr(t.ptr, ';', t.len);
    if (semi != NULL) {
        t.len = (size_t)(semi - t.ptr);
    }
    t = trim(t);
    if (cpuser_view_ieq(t, "application/json")) {
        return true;
    }
    return t.len > np + ns && cpuser_view_ieq(make_view(t.ptr, np), prefix) &&
           cpuser_view_ieq(make_view(t.ptr + t.len - ns, ns), suffix);
}

/* Content-Length: a list of equal decimal values, equal to any earlier one. */
static void on_content_length(cpuser_http_response *r, cpuser_view value)
{
    cpuser_view rest = value;
    cpuser_view elem;
    while (list_next(&rest, &elem)) {
        uint64_t n;
        if (!parse_decimal(elem, &n) ||
            (r->has_content_length && n != r->content_length)) {
            fail(r, CPUSER_ERR_PROTOCOL);
            return;
        }
        r->has_content_length = true;
        r->content_length = n;
    }
}

/* Transfer-Encoding: exactly one "chunked" in the whole head, and not in
 * an HTTP/1.0 response, whose framing RFC 9112 section 6.1 calls faulty. */
static void on_transfer_encoding(cpuser_http_response *r, cpuser_view value)
{
    if (r->chunked || r->version_minor == 0u ||
        !cpuser_view_ieq(value, "chunked")) {
        fail(r, CPUSER_ERR_PROTOCOL);
        return;
    }
    r->chunked = true;
}

/* Connection: a list of options; only close and keep-alive matter. */
static void on_connection(cpuser_http_response *r, cpuser_view value)
{
    cpuser_view rest = value;
    cpuser_view elem;
    while (list_next(&rest, &elem)) {
        if (cpuser_view_ieq(elem, "close")) {
            r->conn_close = true;
        } else if (cpuser_view_ieq(elem, "keep-alive")) {
            r->conn_keep_alive = true;
        }
    }
}

/* Record a field of the final head. */
static void keep_field(cpuser_http_response *r, cpuser_view name,
                       cpuser_view value)
{
    cpuser_view *view = view_field(r, name);
    int64_t *limit = ratelimit_field(r, name);
    if (view != NULL) {
        *view = value;
        if (view == &r->content_type) {
            r->json = is_json(value);
        }
    } else if (limit != NULL) {
        *limit = ratelimit_value(value);
    } else if (cpuser_view_ieq(name, "content-length")) {
        on_content_length(r, value);
    } else if (cpuser_view_ieq(name, "transfer-encoding")) {
        on_transfer_encoding(r, value);
    } else if (cpuser_view_ieq(name, "connection")) {
        on_connection(r, value);
    } else if (cpuser_view_ieq(name, "content-encoding")) {
        if (!cpuser_view_ieq(value, "identity")) {
            fail(r, CPUSER_ERR_PROTOCOL);
        }
    }
}

/* name ":" OWS value OWS. The name is a token, so a line starting with
 * white space (obs-fold) or with white space before the colon is refused. */
static bool split_field(cpuser_view line, cpuser_view *name,
                        cpuser_view *value)
{
    size_t i = 0;
    size_t j;
    while (i < line.len && is_tchar(line.ptr[i])) {
        i++;
    }
    if (i == 0u || i == line.len || line.ptr[i] != ':') {
        return false;
    }
    *name = make_view(line.ptr, i);
    *value = trim(make_view(line.ptr + i + 1u, line.len - i - 1u));
    for (j = 0; j < value->len; j++) {
        if (!is_text(value->ptr[j])) {
            return false;
        }
    }
    return true;
}

/* ---- line handlers -------------------------------------------------- */

/* "HTTP/1." DIGIT SP 3DIGIT [SP reason]. A minor version above 1 is read
 * as 1.1 (RFC 9112 section 2.3); version_minor keeps the digit. */
static void on_status_line(cpuser_http_response *r, cpuser_view line)
{
    const char *s = line.ptr;
    size_t i;
    int code;
    if (line.len < 12u || memcmp(s, "HTTP/1.", 7) != 0 ||
        !cpuser_is_digit(s[7]) || s[8] != ' ' || !cpuser_is_digit(s[9]) ||
        !cpuser_is_digit(s[10]) || !cpuser_is_digit(s[11]) ||
        (line.len > 12u && s[12] != ' ')) {
        fail(r, CPUSER_ERR_PROTOCOL);
        return;
    }
    for (i = 13; i < line.len; i++) {
        if (!is_text(s[i])) {
            fail(r, CPUSER_ERR_PROTOCOL);
            return;
        }
    }
    code = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (code < 100 || code == 101 || code > 599) {
        fail(r, CPUSER_ERR_PROTOCOL);
        return;
    }
    r->headers = 0;
    if (code < 200) {
        if (r->interim >= CPUSER_HTTP_MAX_INTERIM) {
            fail(r, CPUSER_ERR_PROTOCOL);
            return;
        }
        r->state = ST_INTERIM;
        return;
    }
    r->status = code;
    r->version_minor = (uint8_t)(s[7] - '0');
    r->state = ST_HEADER;
}

/* A 1xx head is complete: drop its bytes so the next head starts at 0. */
static void drop_interim(cpuser_http_response *r, char *buf, size_t *len)
{
    size_t rest = *len - r->pos;
    memmove(buf, buf + r->pos, rest);
    *len = rest;
    r->pos = 0;
    r->interim++;
    r->state = ST_STATUS;
}

/* The final head is complete: choose the framing (RFC 9112 section 6.3). */
static void end_of_head(cpuser_http_response *r)
{
    if (r->chunked && r->has_content_length) {
        fail(r, CPUSER_ERR_PROTOCOL);
        return;
    }
    r->head_done = true;
    r->head_len = r->pos;
    r->body_start = r->pos;
    r->body_end = r->pos;
    if (r->head_request || r->status == 204 || r->status == 304) {
        finish(r);
    } else if (r->chunked) {
        r->state = ST_CHUNK_SIZE;
    } else if (r->has_content_length) {
        if (r->content_length == 0u) {
            finish(r);
        } else {
            r->state = ST_LENGTH;
        }
    } else {
        r->state = ST_CLOSE;
    }
}

/* A header or trailer field line, or the empty line that ends them. */
static void on_field_line(cpuser_http_response *r, char *buf, size_t *len,
                          cpuser_view line)
{
    cpuser_view name;
    cpuser_view value;
    if (line.len == 0u) {
        if (r->state == ST_INTERIM) {
            drop_interim(r, buf, len);
        } else if (r->state == ST_HEADER) {
            end_of_head(r);
        } else {
            finish(r); /* end of the trailer section */
        }
        return;
    }
    if (r->headers >= CPUSER_HTTP_MAX_HEADERS ||
        !split_field(line, &name, &value)) {
        fail(r, CPUSER_ERR_PROTOCOL);
        return;
    }
    r->headers++;
    if (r->state == ST_HEADER) {
        keep_field(r, name, value);
    }
}

/* chunk-size [BWS ";" extensions]; the extensions are ignored. */
static void on_chunk_size(cpuser_http_response *r, cpuser_view line)
{
    uint64_t size = 0;
    size_t i = 0;
    int d;
    while (i < line.len && (d = cpuser_hex_digit(line.ptr[i])) >= 0) {
        if (size > (UINT64_MAX >> 4)) {
            fail(r, CPUSER_ERR_PROTOCOL);
            return;
        }
        size = (size << 4) | (uint64_t)d;
        i++;
    }
    while (i > 0u && i < line.len && is_ows(line.ptr[i])) {
        i++;
    }
    if (i == 0u || (i < line.len && line.ptr[i] != ';') ||
        size > UINT64_MAX - r->body_total) {
        fail(r, CPUSER_ERR_PROTOCOL);
        return;
    }
    if (size == 0u) {
        r->state = ST_TRAILER;
    } else {
        r->chunk_left = size;
        r->state = ST_CHUNK_DATA;
    }
}

/* ---- steps ---------------------------------------------------------- */

/* Look for the LF ending the line at line_start, resuming at pos. On
 * LINE_READY, *end is where the line's content ends (before CRLF or LF) and
 * pos is past the LF. A CR must be followed by LF; a line may hold at most
 * CPUSER_HTTP_MAX_LINE bytes with its terminator, so once that many bytes
 * arrived without an LF the line is refused. */
static int scan_line(cpuser_http_response *r, const char *buf, size_t len,
                     size_t *end)
{
    size_t i;
    for (i = r->pos; i < len; i++) {
        if (buf[i] == '\n') {
            bool cr = i > r->line_start && buf[i - 1u] == '\r';
            *end = cr ? i - 1u : i;
            r->pos = i + 1u;
            return LINE_READY;
        }
        if (i - r->line_start + 1u >= CPUSER_HTTP_MAX_LINE) {
            return LINE_BAD; /* no room left for the LF */
        }
        if (buf[i] == '\r') {
            if (i + 1u == len) {
                break; /* see the byte after the CR next time */
            }
            if (buf[i + 1u] != '\n') {
                return LINE_BAD;
            }
        }
    }
    r->pos = i;
    return LINE_WAIT;
}

/* Parse one line if a whole one is there. True when it was parsed. */
static bool take_line(cpuser_http_response *r, char *buf, size_t *len)
{
    size_t end = 0;
    cpuser_view line;
    int found;
    if (r->state == ST_CHUNK_END && r->pos < *len && buf[r->pos] != '\r' &&
        buf[r->pos] != '\n') {
        fail(r, CPUSER_ERR_PROTOCOL); /* chunk data longer than its size */
        return false;
    }
    found = scan_line(r, buf, *len, &end);
    if (found == LINE_BAD) {
        fail(r, CPUSER_ERR_PROTOCOL);
        return false;
    }
    if (found == LINE_WAIT) {
        return false;
    }
    line = make_view(buf + r->line_start, end - r->line_start);
    switch (r->state) {
    case ST_STATUS:
        on_status_line(r, line);
        break;
    case ST_CHUNK_SIZE:
        on_chunk_size(r, line);
        break;
    case ST_CHUNK_END:
        if (line.len != 0u) {
            fail(r, CPUSER_ERR_PROTOCOL);
        }
        r->state = ST_CHUNK_SIZE;
        break;
    default:
        on_field_line(r, buf, len, line);
        break;
    }
    r->line_start = r->pos;
    return r->err == CPUSER_OK;
}

/* Bytes available at pos, at most `limit`. */
static size_t available(const cpuser_http_response *r, size_t len,
                        uint64_t limit)
{
    size_t avail = len - r->pos;
    return limit < (uint64_t)avail ? (size_t)limit : avail;
}

/* Content-Length body: the bytes are already in place. */
static bool take_length(cpuser_http_response *r, size_t len)
{
    size_t n = available(r, len, r->content_length - r->body_total);
    if (n == 0u) {
        return false;
    }
    r->pos += n;
    r->line_start = r->pos;
    r->body_end = r->pos;
    r->body_total += n;
    if (r->body_total == r->content_length) {
        finish(r);
    }
    return true;
}

/* Close-delimited body: take everything; eof() ends it. */
static bool take_close(cpuser_http_response *r, size_t len)
{
    size_t n = len - r->pos;
    r->pos = len;
    r->line_start = len;
    r->body_end = len;
    r->body_total += n;
    return false;
}

/* Chunk data: move it down to body_end, over the framing before it. */
static bool take_chunk(cpuser_http_response *r, char *buf, size_t len)
{
    size_t n = available(r, len, r->chunk_left);
    if (n == 0u) {
        return false;
    }
    if (r->body_end != r->pos) {
        memmove(buf + r->body_end, buf + r->pos, n);
    }
    r->pos += n;
    r->line_start = r->pos;
    r->body_end += n;
    r->body_total += n;
    r->chunk_left -= n;
    if (r->chunk_left == 0u) {
        r->state = ST_CHUNK_END;
    }
    return true;
}

static bool step(cpuser_http_response *r, char *buf, size_t *len)
{
    switch (r->state) {
    case ST_LENGTH:
        return take_length(r, *len);
    case ST_CLOSE:
        return take_close(r, *len);
    case ST_CHUNK_DATA:
        return take_chunk(r, buf, *len);
    default:
        return take_line(r, buf, len);
    }
}

/* Squeeze parsed framing out from between the body and the unparsed tail. */
static void compact(cpuser_http_response *r, char *buf, size_t *len)
{
    size_t gap;
    if (!r->head_done || r->line_start <= r->body_end) {
        return;
    }
    gap = r->line_start - r->body_end;
    memmove(buf + r->body_end, buf + r->line_start, *len - r->line_start);
    *len -= gap;
    r->pos -= gap;
    r->line_start -= gap;
}

/* ---- public --------------------------------------------------------- */

void cpuser_http_response_init(cpuser_http_response *r, const char *method)
{
    if (r == NULL) {
        return;
    }
    memset(r, 0, sizeof *r);
    r->content_type = make_view(NULL, 0);
    r->etag = make_view(NULL, 0);
    r->location = make_view(NULL, 0);
    r->async_operation = make_view(NULL, 0);
    r->retry_after = make_view(NULL, 0);
    r->date = make_view(NULL, 0);
    r->ratelimit_limit = -1;
    r->ratelimit_remaining = -1;
    r->ratelimit_reset = -1;
    r->head_request = method != NULL && strcmp(method, "HEAD") == 0;
    r->state = ST_STATUS;
    r->err = CPUSER_OK;
}

cpuser_err cpuser_http_response_feed(cpuser_http_response *r, char *buf,
                                     size_t *len)
{
    if (r == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (r->err != CPUSER_OK) {
        return r->err;
    }
    if (buf == NULL || len == NULL || *len < r->len) {
        return fail(r, CPUSER_ERR_BAD_ARGUMENT);
    }
    if (r->state == ST_DONE) {
        if (*len > r->len) {
            mark_extra(r);
        }
        r->len = *len;
        return CPUSER_OK;
    }
    while (r->state != ST_DONE && step(r, buf, len)) {
    }
    if (r->err != CPUSER_OK) {
        return r->err;
    }
    compact(r, buf, len);
    if (r->state == ST_DONE && r->line_start < *len) {
        mark_extra(r);
    }
    r->len = *len;
    return CPUSER_OK;
}

cpuser_err cpuser_http_response_eof(cpuser_http_response *r)
{
    if (r == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (r->err != CPUSER_OK) {
        return r->err;
    }
    if (r->state == ST_CLOSE) {
        finish(r);
    }
    if (r->state != ST_DONE) {
        return fail(r, CPUSER_ERR_CLOSED);
    }
    return CPUSER_OK;
}

void cpuser_http_response_consume(cpuser_http_response *r, char *buf,
                                  size_t *len, size_t n)
{
    if (r == NULL || r->err != CPUSER_OK) {
        return;
    }
    if (buf == NULL || len == NULL || *len < r->len ||
        n > r->body_end - r->body_start) {
        fail(r, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    if (n == 0u) {
        return;
    }
    memmove(buf + r->body_start, buf + r->body_start + n,
            *len - r->body_start - n);
    *len -= n;
    r->len -= n;
    r->body_end -= n;
    r->pos -= n;
    r->line_start -= n;
}

cpuser_view cpuser_http_response_body(const cpuser_http_response *r,
                                      const char *buf)
{
    if (r == NULL || buf == NULL) {
        return make_view(NULL, 0);
    }
    return make_view(buf + r->body_start, r->body_end - r->body_start);
}
