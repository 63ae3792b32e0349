/*
 * HTTP/1.1 response parser: incremental, in place, no I/O.
 *
 * The caller receives bytes into one buffer and calls
 * cpuser_http_response_feed() after every read with the number of valid
 * bytes; the parser resumes where it stopped, so any split of the input
 * across reads gives the same result. Everything happens inside that buffer:
 *
 *   buf: [ head (status line + headers) | body (de-chunked) | unparsed tail ]
 *        0                      head_len  body_start    body_end         *len
 *
 * Chunked bodies are de-chunked in place: chunk data is moved down over the
 * chunk-size lines, so the body is always contiguous at buf[body_start ..
 * body_end). After each feed, *len is updated to the number of valid bytes
 * (the body end plus any unparsed tail), which the caller continues to
 * append after. Views into the head (etag, location, ...) stay valid as long
 * as the caller leaves the head bytes alone.
 *
 * A streaming consumer may take body bytes as they arrive and drop them with
 * cpuser_http_response_consume(), which moves the rest down to body_start;
 * so a body of any length passes through a fixed buffer.
 *
 * Interim 1xx responses (but 101) are parsed and dropped, up to
 * CPUSER_HTTP_MAX_INTERIM of them. Framing follows RFC 9112 section 6:
 * no body for HEAD, 1xx, 204 and 304; else chunked, else Content-Length,
 * else the body runs to connection close (then call
 * cpuser_http_response_eof()).
 *
 * Errors (sticky: once returned, every later call returns the same):
 *  - CPUSER_ERR_PROTOCOL: malformed status line; header line longer than
 *    CPUSER_HTTP_MAX_LINE or more than CPUSER_HTTP_MAX_HEADERS; a header name
 *    with white space or a non-token byte; obsolete line folding; an invalid
 *    Content-Length or two differing ones; Content-Length with
 *    Transfer-Encoding; a transfer coding other than "chunked"; a bad chunk
 *    size (empty, non-hex, overflowing) or a missing CRLF after chunk data;
 *    a Content-Encoding other than identity; a 101 response; too many 1xx;
 *    Transfer-Encoding in an HTTP/1.0 response (RFC 9112 6.1); a control
 *    byte other than HTAB (NUL, CR alone, DEL...) in a header value or the
 *    reason phrase. HTTP/1.2+ minor versions are read as 1.1 (RFC 9112 2.3).
 *
 * Views (body, etag, ...) are plain pointers into buf: any feed() may move
 * body bytes (de-chunking, 1xx removal), so take them after the last feed.
 * Bytes after a complete message stay in buf past body_end (r->extra).
 *  - CPUSER_ERR_CLOSED: from cpuser_http_response_eof() when the message was
 *    not complete (a Content-Length or chunked body, or a head, cut short).
 *  - CPUSER_ERR_BAD_ARGUMENT: NULL arguments, *len smaller than at the
 *    previous call.
 */
#ifndef CPUSER_HTTP_RESPONSE_H
#define CPUSER_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuser/error.h"
#include "cpuser/view.h"

typedef struct {
    /* ---- results (read after the head is parsed) ---- */
    int status;              /* final status code, 0 until known */
    uint8_t version_minor;   /* 1 for HTTP/1.1, 0 for HTTP/1.0 */
    bool head_done;          /* the final response head is parsed */
    bool done;               /* the whole message is parsed */
    bool keep_alive;         /* the connection may carry another request
                                (valid when done; false with extra bytes) */
    bool chunked;            /* Transfer-Encoding: chunked */
    bool has_content_length;
    uint64_t content_length; /* when has_content_length */
    bool json;               /* Content-Type is application/json or +json */
    bool extra;              /* bytes followed the complete message */
    uint32_t interim;        /* 1xx responses skipped */
    size_t head_len;         /* bytes of the final head */
    size_t body_start;       /* == head_len */
    size_t body_end;         /* body bytes are buf[body_start..body_end) */
    uint64_t body_total;     /* body bytes seen, including consumed ones */
    cpuser_view content_type;
    cpuser_view etag;
    cpuser_view location;
    cpuser_view async_operation; /* Azure-AsyncOperation */
    cpuser_view retry_after;     /* raw value: seconds or an HTTP-date */
    cpuser_view date;            /* Date: the server's clock, for HTTP-dates */
    int64_t ratelimit_limit;     /* X-RateLimit-Limit, -1 when absent */
    int64_t ratelimit_remaining; /* X-RateLimit-Remaining, -1 when absent */
    int64_t ratelimit_reset;     /* X-RateLimit-Reset, -1 when absent */

    /* ---- parser state (internal) ---- */
    uint8_t state;
    bool head_request;
    bool conn_close;
    bool conn_keep_alive;
    cpuser_err err;
    size_t pos;              /* next unparsed byte */
    size_t len;              /* *len as left by the previous call */
    size_t line_start;       /* start of the line being parsed */
    uint32_t headers;        /* header fields in this head */
    uint64_t chunk_left;     /* bytes left in the current chunk */
} cpuser_http_response;

/* Prepare for a response to a request whose method was `method`
 * (a HEAD response has no body). */
void cpuser_http_response_init(cpuser_http_response *r, const char *method);

/* Parse what is new in buf[0..*len). On return *len is the number of valid
 * bytes (it shrinks when chunk framing or a 1xx head was removed). Returns
 * CPUSER_OK when the bytes were consumed without error: check r->done. */
cpuser_err cpuser_http_response_feed(cpuser_http_response *r, char *buf,
                                     size_t *len);

/* The peer closed the connection. Completes a close-delimited body; any
 * other incomplete message is CPUSER_ERR_CLOSED. */
cpuser_err cpuser_http_response_eof(cpuser_http_response *r);

/* Drop the first n body bytes (n <= body_end - body_start): the remaining
 * body and unparsed tail move down to body_start and *len shrinks by n. */
void cpuser_http_response_consume(cpuser_http_response *r, char *buf,
                                  size_t *len, size_t n);

/* The body parsed so far, as a view into buf. */
cpuser_view cpuser_http_response_body(const cpuser_http_response *r,
                                      const char *buf);

#endif /* CPUSER_HTTP_RESPONSE_H */
