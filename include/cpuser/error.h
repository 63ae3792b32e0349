/*
 * cpuser error values: one enum for every layer, and its strerror.
 *
 * Every public function that can fail returns a cpuser_err. CPUSER_OK is 0,
 * every failure is positive, so `if (err)` reads naturally.
 */
#ifndef CPUSER_ERROR_H
#define CPUSER_ERROR_H

typedef enum {
    CPUSER_OK = 0,
    /* Caller input was refused before anything was sent: a NULL pointer, a
     * CR/LF/NUL in a header value or path segment, an out-of-range value. */
    CPUSER_ERR_BAD_ARGUMENT,
    /* A caller buffer is too small. Where a size is known it is reported
     * beside the error (e.g. cpuser_http_request.need, cpuser_result.need). */
    CPUSER_ERR_BUFFER_TOO_SMALL,
    /* The host name did not resolve. */
    CPUSER_ERR_DNS,
    /* No connection could be made (refused, unreachable). */
    CPUSER_ERR_CONNECT,
    /* A connect, read, write or the call's total deadline passed. */
    CPUSER_ERR_TIMEOUT,
    /* The connection failed while in use (reset, send error). */
    CPUSER_ERR_IO,
    /* The peer closed the connection before the response was complete. */
    CPUSER_ERR_CLOSED,
    /* The TLS layer failed (handshake, record, alert). */
    CPUSER_ERR_TLS,
    /* The server's certificate or host name did not verify. */
    CPUSER_ERR_CERTIFICATE,
    /* The server broke HTTP/1.1: bad status line, bad or conflicting framing,
     * header too long or too many, unrequested Content-Encoding. */
    CPUSER_ERR_PROTOCOL,
    /* A JSON body was malformed, had too many tokens, or a value had the
     * wrong type or range (invalid UTF-8, lone surrogate, int64 overflow). */
    CPUSER_ERR_JSON,
    /* HTTP outcomes: the response was well formed, its status says no. */
    CPUSER_ERR_HTTP_BAD_REQUEST,         /* 400 and other 4xx not below */
    CPUSER_ERR_HTTP_UNAUTHORIZED,        /* 401 */
    CPUSER_ERR_HTTP_FORBIDDEN,           /* 403 */
    CPUSER_ERR_HTTP_NOT_FOUND,           /* 404 */
    CPUSER_ERR_HTTP_CONFLICT,            /* 409 */
    CPUSER_ERR_HTTP_PRECONDITION_FAILED, /* 412 */
    CPUSER_ERR_HTTP_UNPROCESSABLE,       /* 422: field errors */
    CPUSER_ERR_HTTP_RATE_LIMITED,        /* 429 */
    CPUSER_ERR_HTTP_SERVER,              /* 5xx */
    CPUSER_ERR_HTTP_UNEXPECTED,          /* 1xx/3xx final status, or a 2xx the
                                            operation does not document */
    /* The request may or may not have taken effect (sent, no answer) and
     * could not be resolved safely. */
    CPUSER_ERR_OUTCOME_UNKNOWN,
    /* A callback of the caller (a sink, a list callback) asked to stop; the
     * call ends there (a list's connection is closed mid-page). Return it
     * from a callback to stop without an error of your own. */
    CPUSER_ERR_STOPPED,
    /* An accepted (202) long-running operation ended in failure: its status
     * said Failed or Canceled (the Azure operation's error is decoded into
     * the last result). */
    CPUSER_ERR_OPERATION_FAILED,
    CPUSER_ERR__COUNT
} cpuser_err;

/* A short, constant English description of err ("timeout", ...). Never NULL,
 * never contains data from the network or the caller. */
const char *cpuser_strerror(cpuser_err err);

/* The error value for a final HTTP status: CPUSER_OK for 2xx, else the
 * matching CPUSER_ERR_HTTP_* value. */
cpuser_err cpuser_err_from_status(int status);

#endif /* CPUSER_ERROR_H */
