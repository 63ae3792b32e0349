/* Exit codes and the error line. */
#include "errors.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/x509.h>

#include "connection.h"
#include "cpuser/tls.h"
#include "output.h"

int err_exit_code(cpuser_err err, bool sent)
{
    switch (err) {
    case CPUSER_OK:
        return 0;
    case CPUSER_ERR_BAD_ARGUMENT:
        return EXIT_USAGE;
    case CPUSER_ERR_BUFFER_TOO_SMALL:
        return sent ? EXIT_RESPONSE : EXIT_USAGE;
    case CPUSER_ERR_DNS:
    case CPUSER_ERR_CONNECT:
    case CPUSER_ERR_TIMEOUT:
    case CPUSER_ERR_IO:
    case CPUSER_ERR_CLOSED:
    case CPUSER_ERR_OUTCOME_UNKNOWN:
    case CPUSER_ERR_STOPPED:
        return EXIT_NETWORK;
    case CPUSER_ERR_TLS:
    case CPUSER_ERR_CERTIFICATE:
        return EXIT_TLS;
    case CPUSER_ERR_HTTP_NOT_FOUND:
        return EXIT_NOT_FOUND;
    case CPUSER_ERR_HTTP_UNPROCESSABLE:
    case CPUSER_ERR_HTTP_BAD_REQUEST:
    case CPUSER_ERR_HTTP_CONFLICT:
    case CPUSER_ERR_HTTP_PRECONDITION_FAILED:
        return EXIT_VALIDATION;
    case CPUSER_ERR_HTTP_UNAUTHORIZED:
    case CPUSER_ERR_HTTP_FORBIDDEN:
        return EXIT_AUTH;
    case CPUSER_ERR_HTTP_RATE_LIMITED:
        return EXIT_RATE_LIMITED;
    case CPUSER_ERR_HTTP_SERVER:
    case CPUSER_ERR_OPERATION_FAILED:
        return EXIT_SERVER;
    case CPUSER_ERR_PROTOCOL:
    case CPUSER_ERR_JSON:
    case CPUSER_ERR_HTTP_UNEXPECTED:
    default:
        return EXIT_RESPONSE;
    }
}

static void certificate_reasons(uint32_t flags)
{
    static const struct {
        uint32_t bit;
        const char *text;
    } reasons[] = {
        {MBEDTLS_X509_BADCERT_NOT_TRUSTED, "not signed by a trusted CA"},
        {MBEDTLS_X509_BADCERT_EXPIRED, "expired"},
        {MBEDTLS_X509_BADCERT_FUTURE, "not valid yet"},
        {MBEDTLS_X509_BADCERT_CN_MISMATCH, "issued for another host name"},
        {MBEDTLS_X509_BADCERT_REVOKED, "revoked"},
        {MBEDTLS_X509_BADCERT_KEY_USAGE, "wrong key usage"},
        {MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "wrong extended key usage"},
        {CPUSER_TLS_PIN_MISMATCH, "server key does not match the pin"},
    };
    size_t i;
    const char *sep = ": ";
    for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        if ((flags & reasons[i].bit) != 0u) {
            out_text(stderr, sep);
            out_text(stderr, reasons[i].text);
            sep = ", ";
        }
    }
}

/* Whether text already says "HTTP <status>" (the strerror of a status
 * with its own error value does). */
static bool names_status(const char *text, int status)
{
    char want[16];
    (void)snprintf(want, sizeof want, "HTTP %d", status);
    return strstr(text, want) != NULL;
}

void err_report(const char *what, cpuser_err err, const cpuser_result *last)
{
    uint8_t i;
    out_text(stderr, "cpuser: ");
    out_text(stderr, what);
    out_text(stderr, ": ");
    out_text(stderr, cpuser_strerror(err));
    if (err == CPUSER_ERR_CERTIFICATE) {
        certificate_reasons(conn_tls_verify_flags());
    }
    if (err == CPUSER_ERR_BAD_ARGUMENT) {
        out_text(stderr, " (refused before sending: a value the request cannot carry)");
    }
    if (last == NULL) {
        out_text(stderr, "\n");
        return;
    }
    if (last->status != 0 && !names_status(cpuser_strerror(err), last->status)) {
        out_text(stderr, " (HTTP ");
        out_i64(stderr, last->status);
        out_text(stderr, ")");
    }
    if (err == CPUSER_ERR_BUFFER_TOO_SMALL) {
        out_text(stderr, " (the ");
        out_u64(stderr, CLI_WORK_SIZE);
        out_text(stderr, "-byte working buffer");
        if (last->need != 0u) {
            out_text(stderr, " would need ");
            out_u64(stderr, last->need);
            out_text(stderr, " bytes");
        }
        out_text(stderr, ")");
    }
    if (last->error_code.len != 0u) { /* Azure ErrorResponse */
        out_text(stderr, ": ");
        out_view(stderr, last->error_code);
    }
    if (last->message.len != 0u) {
        out_text(stderr, ": ");
        out_view(stderr, last->message);
    } else if (last->api_error.len != 0u) {
        out_text(stderr, ": ");
        out_view(stderr, last->api_error); /* e.g. an OAuth2 "invalid_client" */
    }
    if (last->error_target.len != 0u) {
        out_text(stderr, " (target ");
        out_view(stderr, last->error_target);
        out_text(stderr, ")");
    }
    for (i = 0; i < last->field_error_count; i++) {
        out_text(stderr, i == 0u ? " [" : "; ");
        out_view(stderr, last->field_errors[i].field);
        out_text(stderr, ": ");
        out_view(stderr, last->field_errors[i].message);
    }
    if (last->field_errors_truncated) {
        out_text(stderr, "; more field errors not shown");
    }
    if (last->field_error_count != 0u) {
        out_text(stderr, "]");
    }
    if (last->api_request_id.len != 0u) {
        out_text(stderr, " (request id ");
        out_view(stderr, last->api_request_id);
        out_text(stderr, ")");
    }
    if (err == CPUSER_ERR_HTTP_RATE_LIMITED && last->retry_after.len != 0u) {
        out_text(stderr, " (retry after ");
        out_view(stderr, last->retry_after);
        out_text(stderr, " s)");
    }
    out_text(stderr, "\n");
}
