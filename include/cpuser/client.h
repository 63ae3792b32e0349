/*
 * The client: one request/response cycle over a port transport, inside one
 * caller-provided working buffer.
 *
 * The caller owns everything: the cpuser_client struct (its size is known at
 * compile time; put it in static memory), the working buffer, the transport
 * and platform tables. The client builds each request into the working
 * buffer, sends it, receives the response into the same buffer and parses it
 * there. Response views (result.body, header views) point into the buffer
 * and stay valid until the next call on the same client.
 *
 * The connection is kept open between calls when the server allows it
 * (keep-alive). When a reused connection turns out to be closed by the server
 * before any response byte arrives, the client reconnects once and sends the
 * request again (the request never reached a live connection).
 */
#ifndef CPUSER_CLIENT_H
#define CPUSER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuser/config.h"
#include "cpuser/error.h"
#include "cpuser/http_request.h"
#include "cpuser/http_response.h"
#include "cpuser/json_reader.h"
#include "cpuser/port.h"
#include "cpuser/view.h"

/* When and how a call is tried again. Zero fields take the defaults of
 * config.h. A call is retried after a connect failure, a timeout, a reset
 * connection, or a 429, 502, 503 or 504 status, while attempts and the
 * call's total deadline last (a 500 too when retry_500 is set):
 *  - GET, HEAD, PUT, PATCH and DELETE may always be sent again;
 *  - POST only when none of its bytes reached a server (the connection
 *    failed), or when a reused keep-alive connection turned out to be
 *    closed before any response byte;
 *  - never once part of a 2xx body was handed to a sink.
 * The wait before attempt n+1 is the server's Retry-After (seconds or an
 * HTTP date, against the response's Date) or X-RateLimit-Reset when given,
 * refused (no retry) when longer than retry_after_max_ms; else a random
 * time in [0, min(cap_ms, base_ms * 2^(n-1))] (full jitter, from the
 * platform's random source). */
typedef struct {
    uint8_t max_attempts;        /* 1: never retry; 0: CPUSER_RETRY_MAX_ATTEMPTS;
                                    at most CPUSER_MAX_ATTEMPTS */
    uint32_t base_ms;            /* 0: CPUSER_RETRY_BASE_MS */
    uint32_t cap_ms;             /* 0: CPUSER_RETRY_CAP_MS */
    uint32_t retry_after_max_ms; /* 0: CPUSER_RETRY_AFTER_MAX_MS */
    bool retry_500;              /* also retry a 500 (same method rules as 503).
                                    Off by default; Conta Simples documents
                                    "500: retry with exponential backoff",
                                    and its calls turn it on for themselves */
} cpuser_retry_policy;

/* Optional log hook (compiled in only with CPUSER_LOG_LEVEL > 0): `event`
 * is a constant string, `value` a number (a status, a wait, a count). No
 * server text and no secret is ever passed. */
typedef void (*cpuser_log_fn)(void *ctx, int level, const char *event, int64_t value);

struct cpuser_client;

/* An auth provider: the source of each request's bearer token when a
 * static token will not do (OAuth2 client credentials: see oauth2.h).
 * The client asks it before every attempt of a call; when the server
 * answers 401, the client asks once more with refresh set and sends the
 * request again, once per call (a 401 means the request was refused before
 * anything was done, so this is safe for every method; a request body is
 * written again by its callback).
 *
 * token(): make *token / *len the bearer token to send (it must stay valid
 * and unchanged until the call ends). refresh: the last token given was
 * refused, get a new one. It may make its own request on the client with
 * cpuser_client_call_at(). Return CPUSER_OK, or an error that ends the
 * call (the last result then describes the provider's own request). */
typedef struct {
    cpuser_err (*token)(void *ctx, struct cpuser_client *c, bool refresh,
                        const char **token, size_t *len);
    void *ctx;
} cpuser_auth;

typedef struct {
    const char *host;    /* NUL-terminated; copied (at most CPUSER_MAX_HOST-1) */
    uint16_t port;       /* 0: the scheme's default */
    bool https;          /* the transport is TLS (Host header default port) */
    /* Bearer token, caller-owned, not copied: it must outlive the client.
     * It is written only into the request buffer, never logged. NULL: no
     * Authorization header. */
    const char *token;
    size_t token_len;
    uint32_t connect_timeout_ms; /* 0: CPUSER_CONNECT_TIMEOUT_MS */
    uint32_t io_timeout_ms;      /* each send/recv; 0: CPUSER_IO_TIMEOUT_MS */
    uint32_t total_timeout_ms;   /* the whole call, retries and waits included;
                                    0: CPUSER_TOTAL_TIMEOUT_MS */
    cpuser_retry_policy retry;
    uint64_t max_body;           /* largest response body accepted, streamed
                                    ones included (0: no limit beyond the
                                    buffer for buffered bodies); more is
                                    CPUSER_ERR_BUFFER_TOO_SMALL */
    cpuser_log_fn log;           /* may be NULL; see CPUSER_LOG_LEVEL */
    void *log_ctx;
    /* Auth provider, caller-owned, must outlive the client; NULL: the
     * static token above. With a provider, token is not used. */
    const cpuser_auth *auth;
} cpuser_client_config;

/* What to send. Everything is caller-owned and only read during the call. */
typedef struct {
    const char *method;          /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *path;            /* template, see cpuser_http_request_path();
                                    or, with path_is_target, a whole target */
    bool path_is_target;         /* path is a literal path+query from a server
                                    URL (cpuser_http_request_target()) */
    const cpuser_view *segments; /* values for the template's {} */
    size_t segment_count;
    /* Optional: add query parameters (cpuser_http_request_query*). */
    void (*query)(void *arg, cpuser_http_request *r);
    /* Optional: write the body into buf[0..cap) and set *len. Called twice
     * per attempt: first with buf == NULL, cap == 0 to learn the length
     * (Content-Length), then to write; both calls must produce the same
     * bytes. Return CPUSER_ERR_BUFFER_TOO_SMALL only from the writing call. */
    cpuser_err (*body)(void *arg, char *buf, size_t cap, size_t *len);
    const char *content_type;    /* with body; NULL: application/json */
    cpuser_view if_match;        /* If-Match value; empty: none */
    void *arg;                   /* passed to query and body */
} cpuser_request;

/* Optional consumer of a 2xx response body as it arrives, for bodies larger
 * than the working buffer (listing, export). Error (non-2xx) bodies are never
 * streamed: they are buffered for cpuser_result.body. */
typedef struct {
    /* Offered the body bytes not consumed yet, each time more arrived. Set
     * *consumed to the number of bytes taken from the front (0..len); the
     * rest is offered again with more appended. Once the body is complete,
     * final is true and the sink is called until it has consumed everything
     * (a final call that takes nothing from a non-empty rest, or a
     * *consumed > len, is CPUSER_ERR_BAD_ARGUMENT); an empty body gets one
     * final call with len 0. The data is writable (in-place decoding).
     * Return anything but CPUSER_OK to end the call with that error (the
     * connection is closed). If the working buffer is full and nothing is
     * consumed, the call fails with CPUSER_ERR_BUFFER_TOO_SMALL. */
    cpuser_err (*write)(void *arg, char *data, size_t len, bool final,
                        size_t *consumed);
    void *arg;
} cpuser_sink;

/* One field error of a 422 body: the field and one of its messages. */
typedef struct {
    cpuser_view field;
    cpuser_view message;
} cpuser_field_error;

/* The outcome of the last call; readable after every call, failed or not. */
typedef struct {
    cpuser_err err;         /* what the call returned */
    int status;             /* final HTTP status; 0 when none was received */
    uint32_t attempts;      /* requests tried for this call (1 + retries) */
    uint32_t wait_ms[CPUSER_MAX_ATTEMPTS]; /* the wait before attempt i+2 */
    uint32_t waited_ms;     /* all waits of this call together */
    bool sent;              /* request bytes were handed to the transport in
                               this call: the server may have seen them.
                               false: refused before sending (bad argument,
                               request too big) or no connection */
    size_t need;            /* with CPUSER_ERR_BUFFER_TOO_SMALL: bytes the
                               working buffer would need (0: unknown) */
    cpuser_view body;       /* the buffered body (empty when streamed); for
                               a non-2xx JSON body, its strings are unescaped
                               in place by the error decoding below */
    bool json;              /* body is declared JSON */
    cpuser_view etag;       /* response headers, views into the buffer */
    cpuser_view location;
    cpuser_view async_operation;
    cpuser_view retry_after;
    cpuser_view date;       /* the response's Date header */
    int64_t ratelimit_limit;     /* -1 when absent */
    int64_t ratelimit_remaining; /* -1 when absent */
    int64_t ratelimit_reset;     /* -1 when absent */
    /* From a non-2xx JSON body (views into the buffer; empty when the body
     * was not JSON, e.g. a proxy's HTML page): the API's "message", and for
     * 422 the "errors" object flattened to field/message pairs in order. */
    cpuser_view message;
    cpuser_field_error field_errors[CPUSER_MAX_FIELD_ERRORS];
    uint8_t field_error_count;
    bool field_errors_truncated; /* more pairs than CPUSER_MAX_FIELD_ERRORS */
    /* From an Azure ErrorResponse {"error": {"code", "message", "target",
     * "details": [...]}} (views into the buffer, empty when absent): the
     * error's code and target; its message is `message` above, and each
     * of details[] is one field error (field: the detail's target, or its
     * code when it has none; message: its message). */
    cpuser_view error_code;
    cpuser_view error_target;
    /* From a non-2xx JSON body of the shape {"error": "Bad Request",
     * "message": ..., "code": 400, "details": [{"field", "message"}],
     * "requestId": ...} (Conta Simples): the "error" title, the "code"
     * (-1 when absent or not an integer) and the "requestId" (views into
     * the buffer; empty when absent). Its "details" go to field_errors. */
    cpuser_view api_error;
    int64_t api_code;
    cpuser_view api_request_id;
} cpuser_result;

typedef struct cpuser_client {
    cpuser_client_config cfg;
    char host[CPUSER_MAX_HOST];
    const cpuser_transport *transport;
    const cpuser_platform *platform;
    char *buf;               /* the working buffer */
    size_t cap;
    bool connected;
    cpuser_http_response resp;
    cpuser_json json;        /* token storage for the decoders above */
    cpuser_result last;
    const char *bearer;      /* the token of the call in progress */
    size_t bearer_len;
} cpuser_client;

/* Set up c with its working buffer buf[0..cap). Nothing is connected yet.
 * Errors: CPUSER_ERR_BAD_ARGUMENT (NULL, empty host, host too long or with
 * bytes that are not allowed in a host name, token with CR/LF/NUL),
 * CPUSER_ERR_BUFFER_TOO_SMALL (cap under 256 bytes). */
cpuser_err cpuser_client_init(cpuser_client *c, const cpuser_client_config *cfg,
                              const cpuser_transport *transport,
                              const cpuser_platform *platform, char *buf,
                              size_t cap);

/* Perform one call: build `req` into the working buffer, send it (opening or
 * reusing the connection), receive and parse the response. With a sink, a
 * 2xx body is streamed to it; without, the whole body must fit in the
 * working buffer after the head (else CPUSER_ERR_BUFFER_TOO_SMALL with
 * last.need from Content-Length, and the connection is closed).
 *
 * Returns CPUSER_OK for a 2xx status, the CPUSER_ERR_HTTP_* value for other
 * statuses (the body is then in last.body), or the transport, protocol,
 * buffer or argument error. cpuser_client_last() tells the details. */
cpuser_err cpuser_client_call(cpuser_client *c, const cpuser_request *req,
                              const cpuser_sink *sink);

/* Perform one call on another host through the client's own transport and
 * working buffer: what an auth provider uses for its token request (the
 * token endpoint is often not the API's host). The kept connection is
 * closed first; the request goes to host:port (0: the scheme's default)
 * without an Authorization header and without the auth provider; its
 * connection is closed after. The scheme is the client's: its transport is
 * TLS or not (with TLS, the certificate is verified for `host`). host is
 * caller-owned, NUL-terminated, only read during the call. The outcome is
 * in the last result as after cpuser_client_call(), whose errors it
 * returns; CPUSER_ERR_BAD_ARGUMENT for a NULL or malformed host. */
cpuser_err cpuser_client_call_at(cpuser_client *c, const char *host, uint16_t port,
                                 const cpuser_request *req, const cpuser_sink *sink);

/* The result of the last call on c. */
const cpuser_result *cpuser_client_last(const cpuser_client *c);

/* Close the connection (if open). The client stays usable. */
void cpuser_client_close(cpuser_client *c);

#endif /* CPUSER_CLIENT_H */
