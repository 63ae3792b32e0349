/* HTTP/1.1 request builder: request line, escaped path and query, headers. */
#include "cpuser/http_request.h"

#include <string.h>

/* START: no target yet; PATH: path pieces (more may follow, or a query);
 * QUERY: query parameters; TARGET: a whole target (nothing may be added);
 * HEADERS; ENDED. A range of stages is what a call accepts. */
enum { STAGE_START, STAGE_PATH, STAGE_QUERY, STAGE_TARGET, STAGE_HEADERS, STAGE_ENDED };

static const char hex_digits[] = "0123456789ABCDEF";

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 9110 tchar */
static bool is_tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token(const char *s)
{
    if (s == NULL || *s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (!is_tchar((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

/* A header value may hold visible ASCII, SP, HTAB and bytes >= 0x80; never
 * CR, LF, NUL or another control character. */
static bool is_field_value(const char *s, size_t n)
{
    size_t i;
    if (s == NULL && n != 0u) {
        return false;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20u && c != '\t') || c == 0x7fu) {
            return false;
        }
    }
    return true;
}

/* Percent-encode s[0..n): unreserved bytes (and '[' ']' when brackets) go
 * as they are. CR, LF and NUL are refused rather than encoded: they never
 * belong in an identifier and usually mean an injection attempt. */
static void put_encoded(cpuser_buffer *b, const char *s, size_t n, bool brackets)
{
    size_t i;
    if (s == NULL && n != 0u) {
        cpuser_buffer_fail(b, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n' || c == '\0') {
            cpuser_buffer_fail(b, CPUSER_ERR_BAD_ARGUMENT);
            return;
        }
        if (is_unreserved(c) || (brackets && (c == '[' || c == ']'))) {
            cpuser_buffer_putc(b, (char)c);
        } else {
            char esc[3];
            esc[0] = '%';
            esc[1] = hex_digits[c >> 4];
            esc[2] = hex_digits[c & 0x0fu];
            cpuser_buffer_put(b, esc, 3);
        }
    }
}

static bool at_stage(cpuser_http_request *r, uint8_t lo, uint8_t hi)
{
    if (r->stage < lo || r->stage > hi) {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return false;
    }
    return r->out.err == CPUSER_OK;
}

void cpuser_http_request_begin(cpuser_http_request *r, char *buf, size_t cap,
                               const char *method)
{
    cpuser_buffer_init(&r->out, buf, cap);
    r->stage = STAGE_START;
    r->has_query = false;
    if (!is_token(method)) {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    cpuser_buffer_puts(&r->out, method);
    cpuser_buffer_putc(&r->out, ' ');
}

void cpuser_http_request_path(cpuser_http_request *r, const char *tmpl,
                              const cpuser_view *segs, size_t n)
{
    size_t used = 0;
    const char *p;
    if (!at_stage(r, STAGE_START, STAGE_PATH)) {
        return;
    }
    r->stage = STAGE_PATH;
    if (tmpl == NULL || tmpl[0] != '/' || (n != 0u && segs == NULL)) {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    for (p = tmpl; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '{' && p[1] == '}') {
            if (used == n || segs[used].len == 0u ||
                cpuser_view_eq(segs[used], ".") || cpuser_view_eq(segs[used], "..")) {
                cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
                return;
            }
            put_encoded(&r->out, segs[used].ptr, segs[used].len, false);
            used++;
            p++;
        } else if (c <= 0x20u || c >= 0x7fu || c == '?' || c == '#') {
            cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
            return;
        } else {
            cpuser_buffer_putc(&r->out, (char)c);
        }
    }
    if (used != n) {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
    }
}

void cpuser_http_request_target(cpuser_http_request *r, const char *target, size_t n)
{
    size_t i;
    if (!at_stage(r, STAGE_START, STAGE_START)) {
        return;
    }
    if (target == NULL || n == 0u || target[0] != '/') {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20u || c >= 0x7fu || c == '#') {
            cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
            return;
        }
    }
    cpuser_buffer_put(&r->out, target, n);
    r->stage = STAGE_TARGET; /* nothing may be added to it */
    r->has_query = true;
}

void cpuser_http_request_query(cpuser_http_request *r, const char *name,
                               const char *value, size_t n)
{
    if (!at_stage(r, STAGE_PATH, STAGE_QUERY)) {
        return;
    }
    if (name == NULL || name[0] == '\0') {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    cpuser_buffer_putc(&r->out, r->has_query ? '&' : '?');
    r->has_query = true;
    r->stage = STAGE_QUERY;
    put_encoded(&r->out, name, strlen(name), true);
    cpuser_buffer_putc(&r->out, '=');
    put_encoded(&r->out, value, n, false);
}

void cpuser_http_request_query_str(cpuser_http_request *r, const char *name,
                                   const char *value)
{
    cpuser_http_request_query(r, name, value, value != NULL ? strlen(value) : 0u);
}

void cpuser_http_request_query_int(cpuser_http_request *r, const char *name,
                                   int64_t value)
{
    char digits[21];
    cpuser_buffer tmp;
    cpuser_buffer_init(&tmp, digits, sizeof digits);
    cpuser_buffer_put_i64(&tmp, value);
    cpuser_http_request_query(r, name, digits, tmp.len);
}

/* The first header ends the request line. */
static bool start_headers(cpuser_http_request *r)
{
    if (!at_stage(r, STAGE_PATH, STAGE_HEADERS)) {
        return false;
    }
    if (r->stage != STAGE_HEADERS) {
        cpuser_buffer_puts(&r->out, " HTTP/1.1\r\n");
        r->stage = STAGE_HEADERS;
    }
    return true;
}

void cpuser_http_request_header(cpuser_http_request *r, const char *name,
                                const char *value, size_t n)
{
    if (!start_headers(r)) {
        return;
    }
    if (!is_token(name) || !is_field_value(value, n)) {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    cpuser_buffer_puts(&r->out, name);
    cpuser_buffer_put(&r->out, ": ", 2);
    cpuser_buffer_put(&r->out, value, n);
    cpuser_buffer_put(&r->out, "\r\n", 2);
}

static bool is_host_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == ':';
}

void cpuser_http_request_host(cpuser_http_request *r, const char *host,
                              uint16_t port, bool https)
{
    const char *p;
    bool ipv6 = false;
    if (!start_headers(r)) {
        return;
    }
    if (host == NULL || host[0] == '\0') {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    for (p = host; *p != '\0'; p++) {
        if (!is_host_char((unsigned char)*p)) {
            cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
            return;
        }
        ipv6 = ipv6 || *p == ':';
    }
    cpuser_buffer_puts(&r->out, "Host: ");
    if (ipv6) {
        cpuser_buffer_putc(&r->out, '[');
    }
    cpuser_buffer_puts(&r->out, host);
    if (ipv6) {
        cpuser_buffer_putc(&r->out, ']');
    }
    if (port != (https ? 443u : 80u)) {
        cpuser_buffer_putc(&r->out, ':');
        cpuser_buffer_put_u64(&r->out, port);
    }
    cpuser_buffer_put(&r->out, "\r\n", 2);
}

void cpuser_http_request_bearer(cpuser_http_request *r, const char *token,
                                size_t n)
{
    size_t i;
    if (!start_headers(r)) {
        return;
    }
    if (token == NULL || n == 0u) {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    /* A token is visible ASCII only: no space, no control character. */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)token[i];
        if (c <= 0x20u || c >= 0x7fu) {
            cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
            return;
        }
    }
    cpuser_buffer_puts(&r->out, "Authorization: Bearer ");
    cpuser_buffer_put(&r->out, token, n);
    cpuser_buffer_put(&r->out, "\r\n", 2);
}

void cpuser_http_request_content_length(cpuser_http_request *r, size_t n)
{
    if (!start_headers(r)) {
        return;
    }
    cpuser_buffer_puts(&r->out, "Content-Length: ");
    cpuser_buffer_put_u64(&r->out, (uint64_t)n);
    cpuser_buffer_put(&r->out, "\r\n", 2);
}

cpuser_err cpuser_http_request_end(cpuser_http_request *r, size_t *len)
{
    cpuser_err err;
    if (start_headers(r)) {
        cpuser_buffer_put(&r->out, "\r\n", 2);
        r->stage = STAGE_ENDED;
    }
    err = cpuser_buffer_status(&r->out);
    if (len != NULL) {
        *len = r->out.len;
    }
    return err;
}
