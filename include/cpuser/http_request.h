/*
 * HTTP/1.1 request builder: writes a request head into a caller buffer.
 *
 * Pure functions: no I/O, no clock, no heap. Calls go in wire order:
 *
 *     cpuser_http_request r;
 *     cpuser_http_request_begin(&r, buf, cap, "GET");
 *     cpuser_http_request_path(&r, "/public-api/resources/users/v1.0/{}", &id, 1);
 *     cpuser_http_request_query(&r, "filter[email]", email, elen);
 *     cpuser_http_request_host(&r, "api.example.com", 443, true);
 *     cpuser_http_request_bearer(&r, token, tlen);
 *     cpuser_http_request_header(&r, "Accept", "application/json", 16);
 *     err = cpuser_http_request_end(&r, &len);    // ends the head with CRLF
 *
 * Errors are sticky (later calls do nothing) and returned by
 * cpuser_http_request_end():
 *  - CPUSER_ERR_BAD_ARGUMENT: CR, LF or NUL (or another control character
 *    but HTAB) in a header value, token or path segment; an empty, "." or ".."
 *    path segment; a header name that is not an RFC 9110 token; a template
 *    whose {} count differs from the segments given; calls out of order.
 *  - CPUSER_ERR_BUFFER_TOO_SMALL: the head did not fit; r.out.len (and the
 *    len out of _end) is then the size needed.
 * Nothing built with an error may be sent.
 */
#ifndef CPUSER_HTTP_REQUEST_H
#define CPUSER_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuser/buffer.h"
#include "cpuser/error.h"
#include "cpuser/view.h"

typedef struct {
    cpuser_buffer out;
    uint8_t stage;   /* internal: which part of the head is being written */
    bool has_query;  /* a '?' has been written */
} cpuser_http_request;

/* Start a request for `method` (an upper-case token such as "GET") into
 * buf[0..cap). */
void cpuser_http_request_begin(cpuser_http_request *r, char *buf, size_t cap,
                               const char *method);

/* Append path text from `tmpl`, a NUL-terminated template written by the
 * program (not escaped, must start with '/'), where each "{}" is replaced by
 * the next of the `n` segments, percent-encoded: every byte but A-Z a-z 0-9
 * - . _ ~ becomes %XX. May be called more than once before the query. */
void cpuser_http_request_path(cpuser_http_request *r, const char *tmpl,
                              const cpuser_view *segs, size_t n);

/* Append a request target given whole (path and optional query, as a
 * server wrote it in a URL): it must start with '/' and hold only visible
 * ASCII (no space, no control, no byte >= 0x80, no '#'); it is written as it
 * is, with no encoding. Use instead of _path and _query. */
void cpuser_http_request_target(cpuser_http_request *r, const char *target, size_t n);

/* Append one query parameter name=value (the first one after '?', the next
 * ones after '&'). The name is written by the program: unreserved bytes and
 * '[' ']' go as they are (deepObject names such as "filter[email]" and
 * "include[]"), anything else is percent-encoded. The value is
 * percent-encoded like a path segment. */
void cpuser_http_request_query(cpuser_http_request *r, const char *name,
                               const char *value, size_t n);

/* Like cpuser_http_request_query() for a NUL-terminated value. */
void cpuser_http_request_query_str(cpuser_http_request *r, const char *name,
                                   const char *value);

/* Like cpuser_http_request_query() for an integer value. */
void cpuser_http_request_query_int(cpuser_http_request *r, const char *name,
                                   int64_t value);

/* One header field "name: value". The first header call ends the request
 * line (" HTTP/1.1"). */
void cpuser_http_request_header(cpuser_http_request *r, const char *name,
                                const char *value, size_t n);

/* Host header: the port is written only when it is not the scheme's default
 * (80 for http, 443 for https); an IPv6 literal gets brackets. */
void cpuser_http_request_host(cpuser_http_request *r, const char *host,
                              uint16_t port, bool https);

/* "Authorization: Bearer <token>". The token is checked like any header value
 * and is never echoed anywhere but the buffer. */
void cpuser_http_request_bearer(cpuser_http_request *r, const char *token,
                                size_t n);

/* "Content-Length: <n>". */
void cpuser_http_request_content_length(cpuser_http_request *r, size_t n);

/* End the head with an empty line. *len (may be NULL) receives the head's
 * length, or the size needed with CPUSER_ERR_BUFFER_TOO_SMALL. */
cpuser_err cpuser_http_request_end(cpuser_http_request *r, size_t *len);

#endif /* CPUSER_HTTP_REQUEST_H */
