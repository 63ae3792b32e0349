/* cpuser_strerror and the HTTP status to error mapping. */
#include "cpuser/error.h"

static const char *const messages[CPUSER_ERR__COUNT] = {
    [CPUSER_OK] = "ok",
    [CPUSER_ERR_BAD_ARGUMENT] = "bad argument",
    [CPUSER_ERR_BUFFER_TOO_SMALL] = "buffer too small",
    [CPUSER_ERR_DNS] = "host name did not resolve",
    [CPUSER_ERR_CONNECT] = "connection failed",
    [CPUSER_ERR_TIMEOUT] = "timeout",
    [CPUSER_ERR_IO] = "connection error",
    [CPUSER_ERR_CLOSED] = "connection closed by peer",
    [CPUSER_ERR_TLS] = "TLS failure",
    [CPUSER_ERR_CERTIFICATE] = "certificate verification failed",
    [CPUSER_ERR_PROTOCOL] = "malformed HTTP response",
    [CPUSER_ERR_JSON] = "malformed JSON",
    [CPUSER_ERR_HTTP_BAD_REQUEST] = "bad request (HTTP 4xx)",
    [CPUSER_ERR_HTTP_UNAUTHORIZED] = "unauthorized (HTTP 401)",
    [CPUSER_ERR_HTTP_FORBIDDEN] = "forbidden (HTTP 403)",
    [CPUSER_ERR_HTTP_NOT_FOUND] = "not found (HTTP 404)",
    [CPUSER_ERR_HTTP_CONFLICT] = "conflict (HTTP 409)",
    [CPUSER_ERR_HTTP_PRECONDITION_FAILED] = "precondition failed (HTTP 412)",
    [CPUSER_ERR_HTTP_UNPROCESSABLE] = "validation failed (HTTP 422)",
    [CPUSER_ERR_HTTP_RATE_LIMITED] = "rate limited (HTTP 429)",
    [CPUSER_ERR_HTTP_SERVER] = "server error (HTTP 5xx)",
    [CPUSER_ERR_HTTP_UNEXPECTED] = "unexpected HTTP status",
    [CPUSER_ERR_OUTCOME_UNKNOWN] = "outcome unknown",
    [CPUSER_ERR_STOPPED] = "stopped by the caller",
    [CPUSER_ERR_OPERATION_FAILED] = "long-running operation failed or was canceled",
};

const char *cpuser_strerror(cpuser_err err)
{
    if ((unsigned)err >= (unsigned)CPUSER_ERR__COUNT || messages[err] == 0) {
        return "unknown error";
    }
    return messages[err];
}

cpuser_err cpuser_err_from_status(int status)
{
    if (status >= 200 && status <= 299) {
        return CPUSER_OK;
    }
    switch (status) {
    case 401: return CPUSER_ERR_HTTP_UNAUTHORIZED;
    case 403: return CPUSER_ERR_HTTP_FORBIDDEN;
    case 404: return CPUSER_ERR_HTTP_NOT_FOUND;
    case 409: return CPUSER_ERR_HTTP_CONFLICT;
    case 412: return CPUSER_ERR_HTTP_PRECONDITION_FAILED;
    case 422: return CPUSER_ERR_HTTP_UNPROCESSABLE;
    case 429: return CPUSER_ERR_HTTP_RATE_LIMITED;
    default: break;
    }
    if (status >= 400 && status <= 499) {
        return CPUSER_ERR_HTTP_BAD_REQUEST;
    }
    if (status >= 500 && status <= 599) {
        return CPUSER_ERR_HTTP_SERVER;
    }
    return CPUSER_ERR_HTTP_UNEXPECTED;
}
