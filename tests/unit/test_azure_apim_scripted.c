/* Azure API Management user delete/get over the scripted transport: exact
 * request bytes out, recorded responses in, the manual clock for polling,
 * and the ErrorResponse decoder with truncated input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api_error.h"
#include "cpuser/azure_apim.h"
#include "fake_net.h"

#define SUB "00000000-0000-0000-0000-000000000000"
#define BASE "/subscriptions/" SUB "/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1"
#define USER BASE "/users/5931a75ae4bbd512288c680b"
#define OP_PATH BASE "/tenant/operationResults/5c730e343244df1b9cb56e85?api-version=2024-05-01"
#define OP_URL "https://management.azure.com" OP_PATH
#define LOC_URL "https://management.azure.com" USER "?api-version=2024-05-01&asyncId=5c73&asyncCode=204"

static fake_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];

#define MAX_EVENTS 130
static char pool[MAX_EVENTS][1024];
static fake_event script[MAX_EVENTS];

static void setup_client(uint32_t total_ms)
{
    cpuser_client_config cfg;
    memset(&net, 0, sizeof net);
    memset(script, 0, sizeof script);
    fake_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "management.azure.com";
    cfg.https = true;
    cfg.token = "T";
    cfg.token_len = 1;
    cfg.total_timeout_ms = total_ms;
    cfg.retry.max_attempts = 1;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    net.events = script;
    net.nevents = 0;
}

/* Append one scripted response: status line, extra header lines (each
 * ending in CRLF, may be ""), body (may be ""). */
static void reply(const char *status, const char *headers, const char *body)
{
    size_t i = net.nevents;
    assert_true(i < MAX_EVENTS);
    if (body[0] != '\0') {
        snprintf(pool[i], sizeof pool[i],
                 "HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\n%sContent-Length: %zu\r\n\r\n%s",
                 status, headers, strlen(body), body);
    } else if (strncmp(status, "204", 3) == 0) {
        snprintf(pool[i], sizeof pool[i], "HTTP/1.1 %s\r\n%s\r\n", status, headers);
    } else {
        snprintf(pool[i], sizeof pool[i], "HTTP/1.1 %s\r\n%sContent-Length: 0\r\n\r\n", status, headers);
    }
    script[i].data = pool[i];
    script[i].err = CPUSER_OK;
    net.nevents = i + 1u;
}

static const char *sent(void)
{
    net.sent[net.sent_len < sizeof net.sent ? net.sent_len : sizeof net.sent - 1u] = '\0';
    return net.sent;
}

/* How many requests went out (request lines in the sent bytes). */
static int requests_sent(const char *method)
{
    int n = 0;
    const char *p = sent();
    size_t ml = strlen(method);
    for (; (p = strstr(p, method)) != NULL; p += ml) {
        if ((p == net.sent || (p[-1] == '\n' && p[-2] == '\r')) && p[ml] == ' ') {
            n++;
        }
    }
    return n;
}

static void sample(cpuser_azure_user_delete *d)
{
    memset(d, 0, sizeof *d);
    d->user.subscription_id = cpuser_view_of(SUB);
    d->user.resource_group = cpuser_view_of("rg1");
    d->user.service_name = cpuser_view_of("apimService1");
    d->user.user_id = cpuser_view_of("5931a75ae4bbd512288c680b");
    d->if_match = cpuser_view_of("*");
}

/* A view that starts before the working buffer and runs into it would be
 * overwritten too (review finding: only its start was checked, and
 * `If-Match: "etaDELETE /subsc` went out). */
static void view_running_into_the_buffer_is_refused(void **state)
{
    static char arena[64 + 4096];
    cpuser_client_config cfg;
    cpuser_azure_user_delete d;
    (void)state;
    setup_client(0);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "management.azure.com";
    cfg.https = true;
    cfg.token = "T";
    cfg.token_len = 1;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, arena + 64, 4096), CPUSER_OK);
    memset(arena + 64, 'a', 4096); /* a valid header value until overwritten */
    memcpy(arena + 60, "\"eta", 4);
    sample(&d);
    d.if_match.ptr = arena + 60; /* 4 bytes before the buffer, 13 inside */
    d.if_match.len = 17;
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.sent_len, 0);
    d.if_match.len = 4; /* wholly before it: fine to check (and refused by nothing here) */
    assert_int_equal(cpuser_azure_apim_user_delete_check(&d), CPUSER_OK);
}

/* ---- request bytes ------------------------------------------------------- */

static void delete_with_every_option_exact_bytes(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    setup_client(0);
    reply("204 No Content", "", "");
    sample(&d);
    d.if_match = cpuser_view_of("\"AAAAAAAAAAa=\"");
    d.delete_subscriptions = CPUSER_AZURE_TRUE;
    d.notify = CPUSER_AZURE_FALSE;
    d.app_type = CPUSER_AZURE_APP_DEVELOPER_PORTAL;
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_string_equal(sent(),
                        "DELETE " USER "?deleteSubscriptions=true&notify=false&api-version=2024-05-01"
                        "&appType=developerPortal HTTP/1.1\r\n"
                        "Host: management.azure.com\r\n"
                        "User-Agent: cpuser/0.1\r\n"
                        "Accept: application/json\r\n"
                        "Authorization: Bearer T\r\n"
                        "If-Match: \"AAAAAAAAAAa=\"\r\n\r\n");
    assert_int_equal(op.accepted_status, 204);
    assert_int_equal(op.state, CPUSER_AZURE_OP_NONE);
    assert_int_equal(op.polls, 0);
    assert_int_equal(client.last.err, CPUSER_OK);
}

static void delete_minimal_and_portal_exact_bytes(void **state)
{
    cpuser_azure_user_delete d;
    (void)state;
    setup_client(0);
    reply("200 OK", "", "");
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_OK);
    assert_string_equal(sent(), "DELETE " USER "?api-version=2024-05-01 HTTP/1.1\r\n"
                                "Host: management.azure.com\r\n"
                                "User-Agent: cpuser/0.1\r\n"
                                "Accept: application/json\r\n"
                                "Authorization: Bearer T\r\n"
                                "If-Match: *\r\n\r\n");
    setup_client(0);
    reply("204 No Content", "", "");
    d.notify = CPUSER_AZURE_TRUE;
    d.app_type = CPUSER_AZURE_APP_PORTAL;
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_OK);
    assert_non_null(strstr(sent(), "?notify=true&api-version=2024-05-01&appType=portal HTTP/1.1\r\n"));
}

static void segments_are_percent_encoded(void **state)
{
    cpuser_azure_user_delete d;
    (void)state;
    setup_client(0);
    reply("204 No Content", "", "");
    sample(&d);
    d.user.resource_group = cpuser_view_of("My_RG.(prod)-\xc3\xa9");
    d.user.user_id = cpuser_view_of("a b/c?d%e");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_OK);
    assert_non_null(strstr(sent(), "/resourceGroups/My_RG.%28prod%29-%C3%A9/providers/"));
    assert_non_null(strstr(sent(), "/users/a%20b%2Fc%3Fd%25e?api-version=2024-05-01 HTTP/1.1\r\n"));
}

static void get_user_returns_the_etag(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_view etag;
    (void)state;
    setup_client(0);
    reply("200 OK", "ETag: \"AAAAAAAAAAa=\"\r\n",
          "{\"id\":\"/subscriptions/x/users/5931a75ae4bbd512288c680b\",\"name\":\"5931a75ae4bbd512288c680b\","
          "\"properties\":{\"email\":\"a@example.com\",\"state\":\"active\"}}");
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_get(&client, &d.user, &etag), CPUSER_OK);
    assert_true(cpuser_view_eq(etag, "\"AAAAAAAAAAa=\""));
    assert_string_equal(sent(), "GET " USER "?api-version=2024-05-01 HTTP/1.1\r\n"
                                "Host: management.azure.com\r\n"
                                "User-Agent: cpuser/0.1\r\n"
                                "Accept: application/json\r\n"
                                "Authorization: Bearer T\r\n\r\n");
    assert_non_null(strstr(client.last.body.ptr, "a@example.com"));

    /* the ETag view lies in the working buffer, where the delete would be
     * built over it: refused, nothing sent; a copy is fine */
    {
        cpuser_azure_user_delete again = d;
        char copy[32];
        size_t before = net.sent_len;
        again.if_match = etag;
        assert_int_equal(cpuser_azure_apim_user_delete(&client, &again, NULL), CPUSER_ERR_BAD_ARGUMENT);
        assert_int_equal(net.sent_len, before);
        again.if_match = etag;
        again.user.user_id.ptr = work + 10; /* any view into the buffer */
        again.if_match = cpuser_view_of("*");
        assert_int_equal(cpuser_azure_apim_user_get(&client, &again.user, NULL), CPUSER_ERR_BAD_ARGUMENT);
        memcpy(copy, etag.ptr, etag.len);
        again = d;
        again.if_match.ptr = copy;
        again.if_match.len = etag.len;
        reply("204 No Content", "", "");
        assert_int_equal(cpuser_azure_apim_user_delete(&client, &again, NULL), CPUSER_OK);
        assert_non_null(strstr(sent(), "If-Match: \"AAAAAAAAAAa=\"\r\n\r\n"));
    }

    setup_client(0);
    reply("404 Not Found", "",
          "{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"User not found.\"}}");
    assert_int_equal(cpuser_azure_apim_user_get(&client, &d.user, &etag), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_int_equal(etag.len, 0);
    assert_true(cpuser_view_eq(client.last.error_code, "ResourceNotFound"));
    assert_true(cpuser_view_eq(client.last.message, "User not found."));

    setup_client(0);
    reply("204 No Content", "", "");
    assert_int_equal(cpuser_azure_apim_user_get(&client, &d.user, &etag), CPUSER_ERR_HTTP_UNEXPECTED);
}

/* ---- validation ---------------------------------------------------------- */

static void refused(cpuser_azure_user_delete *d)
{
    setup_client(0);
    reply("204 No Content", "", "");
    assert_int_equal(cpuser_azure_apim_user_delete_check(d), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(client.last.err, CPUSER_ERR_BAD_ARGUMENT);
    assert_false(client.last.sent);
    assert_int_equal(net.connects, 0);
    assert_int_equal(net.sent_len, 0);
}

static void invalid_inputs_are_refused_before_sending(void **state)
{
    static const char *const bad_subs[] = {
        "", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000",
        "00000000x0000-0000-0000-000000000000", "g0000000-0000-0000-0000-000000000000",
        "0000000-00000-0000-0000-000000000000", "{00000000-0000-0000-0000-0000000000}",
    };
    static const char *const bad_services[] = {
        "", "1apim", "-apim", "apim-", "apim_1", "apim.1", "ap im", "\xc3\xa9pim",
        "a123456789012345678901234567890123456789012345678901", /* 51 */
    };
    static const char *const bad_groups[] = {
        "", "rg.", "rg/1", "rg 1", "rg\r\nX: y", "rg#", "rg?",
        "a1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901",
    };
    static const char *const bad_users[] = {
        "", ".", "..", "a\r\nb", "a\nb", "a\tb",
        "a12345678901234567890123456789012345678901234567890123456789012345678901234567890", /* 81 */
    };
    static const char *const bad_if_match[] = {"", "\"a\"\r\nX-Evil: 1", "\"a\"\n", "a\x7f"};
    cpuser_azure_user_delete d;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad_subs / sizeof bad_subs[0]; i++) {
        sample(&d);
        d.user.subscription_id = cpuser_view_of(bad_subs[i]);
        refused(&d);
    }
    for (i = 0; i < sizeof bad_services / sizeof bad_services[0]; i++) {
        sample(&d);
        d.user.service_name = cpuser_view_of(bad_services[i]);
        refused(&d);
    }
    for (i = 0; i < sizeof bad_groups / sizeof bad_groups[0]; i++) {
        sample(&d);
        d.user.resource_group = cpuser_view_of(bad_groups[i]);
        refused(&d);
    }
    for (i = 0; i < sizeof bad_users / sizeof bad_users[0]; i++) {
        sample(&d);
        d.user.user_id = cpuser_view_of(bad_users[i]);
        refused(&d);
    }
    for (i = 0; i < sizeof bad_if_match / sizeof bad_if_match[0]; i++) {
        sample(&d);
        d.if_match = cpuser_view_of(bad_if_match[i]);
        refused(&d);
    }
    sample(&d);
    d.if_match.ptr = NULL;
    d.if_match.len = 0;
    refused(&d);
    sample(&d);
    d.app_type = 3;
    refused(&d);
    sample(&d);
    d.notify = 3;
    refused(&d);
    sample(&d);
    d.delete_subscriptions = 7;
    refused(&d);
    assert_int_equal(cpuser_azure_apim_user_delete_check(NULL), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_azure_apim_user_delete(NULL, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    {
        cpuser_view etag;
        setup_client(0);
        assert_int_equal(cpuser_azure_apim_user_get(&client, NULL, &etag), CPUSER_ERR_BAD_ARGUMENT);
        sample(&d);
        d.user.service_name = cpuser_view_of("1x");
        assert_int_equal(cpuser_azure_apim_user_get(&client, &d.user, &etag), CPUSER_ERR_BAD_ARGUMENT);
        assert_int_equal(net.sent_len, 0);
    }
    /* the edges that are allowed */
    sample(&d);
    d.user.service_name = cpuser_view_of("a");
    assert_int_equal(cpuser_azure_apim_user_delete_check(&d), CPUSER_OK);
    d.user.service_name = cpuser_view_of("a-1-B");
    d.user.subscription_id = cpuser_view_of("ABCDEF01-2345-6789-abcd-ef0123456789");
    d.user.resource_group = cpuser_view_of("a123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890");
    assert_int_equal(cpuser_azure_apim_user_delete_check(&d), CPUSER_ERR_BAD_ARGUMENT); /* 91 */
    d.user.resource_group.len = 90;
    assert_int_equal(cpuser_azure_apim_user_delete_check(&d), CPUSER_OK);
    d.user.service_name = cpuser_view_of("a1234567890123456789012345678901234567890123456789"); /* 50 */
    assert_int_equal(cpuser_azure_apim_user_delete_check(&d), CPUSER_OK);
}

static void app_type_names(void **state)
{
    (void)state;
    assert_int_equal(cpuser_azure_app_type_parse("portal"), CPUSER_AZURE_APP_PORTAL);
    assert_int_equal(cpuser_azure_app_type_parse("developerPortal"), CPUSER_AZURE_APP_DEVELOPER_PORTAL);
    assert_int_equal(cpuser_azure_app_type_parse("Portal"), 0);
    assert_int_equal(cpuser_azure_app_type_parse(NULL), 0);
    assert_string_equal(cpuser_azure_app_type_name(CPUSER_AZURE_APP_DEVELOPER_PORTAL), "developerPortal");
    assert_null(cpuser_azure_app_type_name(0));
    assert_null(cpuser_azure_app_type_name(3));
    assert_string_equal(cpuser_azure_op_state_name(CPUSER_AZURE_OP_CANCELED), "Canceled");
    assert_string_equal(cpuser_strerror(CPUSER_ERR_OPERATION_FAILED),
                        "long-running operation failed or was canceled");
}

/* ---- statuses and ErrorResponse ------------------------------------------- */

static const char error_response[] =
    "{\"error\":{\"code\":\"PreconditionFailed\",\"message\":\"The entity tag \\\"x\\\" does not match.\","
    "\"target\":\"If-Match\",\"details\":[{\"code\":\"ETagMismatch\",\"message\":\"stale\",\"target\":\"etag\","
    "\"details\":[{\"code\":\"inner\",\"message\":\"skipped\"}]},{\"code\":\"NoTarget\",\"message\":\"m2\"},"
    "7,{\"message\":\"m3\",\"target\":null}],\"additionalInfo\":[{\"type\":\"t\",\"info\":{\"a\":[1,2]}}]}}";

static void precondition_failed_decodes_the_error_response(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    const cpuser_result *last;
    (void)state;
    setup_client(0);
    reply("412 Precondition Failed", "", error_response);
    sample(&d);
    d.if_match = cpuser_view_of("\"stale\"");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_HTTP_PRECONDITION_FAILED);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 412);
    assert_int_equal(last->err, CPUSER_ERR_HTTP_PRECONDITION_FAILED);
    assert_int_equal(op.accepted_status, 412);
    assert_int_equal(op.state, CPUSER_AZURE_OP_NONE);
    assert_true(cpuser_view_eq(last->error_code, "PreconditionFailed"));
    assert_true(cpuser_view_eq(last->message, "The entity tag \"x\" does not match."));
    assert_true(cpuser_view_eq(last->error_target, "If-Match"));
    assert_int_equal(last->field_error_count, 3);
    assert_true(cpuser_view_eq(last->field_errors[0].field, "etag"));
    assert_true(cpuser_view_eq(last->field_errors[0].message, "stale"));
    assert_true(cpuser_view_eq(last->field_errors[1].field, "NoTarget")); /* the code stands in */
    assert_true(cpuser_view_eq(last->field_errors[1].message, "m2"));
    assert_int_equal(last->field_errors[2].field.len, 0);
    assert_true(cpuser_view_eq(last->field_errors[2].message, "m3"));
    assert_false(last->field_errors_truncated);
}

static void other_statuses(void **state)
{
    cpuser_azure_user_delete d;
    (void)state;
    sample(&d);
    setup_client(0);
    reply("201 Created", "", "");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_HTTP_UNEXPECTED);
    assert_int_equal(client.last.err, CPUSER_ERR_HTTP_UNEXPECTED);
    setup_client(0);
    reply("404 Not Found", "", "{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"gone\"}}");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_true(cpuser_view_eq(client.last.error_code, "ResourceNotFound"));
    setup_client(0);
    reply("401 Unauthorized", "", "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"bad\"}}");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_HTTP_UNAUTHORIZED);
    assert_true(cpuser_view_eq(client.last.error_code, "InvalidAuthenticationToken"));
    setup_client(0); /* an HTML page from a proxy: no message, still the HTTP error */
    snprintf(pool[0], sizeof pool[0], "HTTP/1.1 412 Precondition Failed\r\nContent-Type: text/html\r\n"
                                      "Content-Length: 13\r\n\r\n<html>x</html");
    script[0].data = pool[0];
    net.nevents = 1;
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_HTTP_PRECONDITION_FAILED);
    assert_int_equal(client.last.message.len, 0);
    assert_int_equal(client.last.error_code.len, 0);
}

static void many_details_are_truncated(void **state)
{
    static char body[2048];
    cpuser_result r;
    cpuser_json doc;
    size_t n = 0;
    int i;
    (void)state;
    n += (size_t)snprintf(body + n, sizeof body - n, "{\"error\":{\"code\":\"C\",\"details\":[");
    for (i = 0; i < 12; i++) {
        n += (size_t)snprintf(body + n, sizeof body - n, "%s{\"target\":\"f%d\",\"message\":\"m%d\"}",
                              i ? "," : "", i, i);
    }
    n += (size_t)snprintf(body + n, sizeof body - n, "]}}");
    memset(&r, 0, sizeof r);
    cpuser_api_error_decode(&doc, body, n, &r);
    assert_int_equal(r.field_error_count, CPUSER_MAX_FIELD_ERRORS);
    assert_true(r.field_errors_truncated);
    assert_true(cpuser_view_eq(r.field_errors[7].field, "f7"));
    assert_true(cpuser_view_eq(r.error_code, "C"));
}

/* Every prefix of an ErrorResponse and of an operation status: no crash, no
 * read past the end, nothing decoded from a cut body (run under ASan). */
static void truncated_bodies_decode_to_nothing(void **state)
{
    static const char status_body[] =
        "{\"id\":\"x\",\"status\":\"Failed\",\"error\":{\"code\":\"E\",\"message\":\"m\"}}";
    static char copy[sizeof error_response];
    cpuser_json doc;
    cpuser_result r;
    size_t n;
    (void)state;
    for (n = 0; n < sizeof error_response - 1u; n++) {
        memcpy(copy, error_response, n); /* exactly n bytes: ASan sees any overrun */
        memset(&r, 0, sizeof r);
        {
            char *cut = n != 0u ? copy : NULL;
            cpuser_api_error_decode(&doc, cut, n, &r);
        }
        assert_int_equal(r.message.len, 0);
        assert_int_equal(r.error_code.len, 0);
        assert_int_equal(r.field_error_count, 0);
    }
    memcpy(copy, error_response, sizeof error_response);
    memset(&r, 0, sizeof r);
    cpuser_api_error_decode(&doc, copy, sizeof error_response - 1u, &r);
    assert_int_equal(r.field_error_count, 3);
    for (n = 0; n < sizeof status_body - 1u; n++) {
        assert_int_equal(cpuser_api_top_string(status_body, n, "status").len, 0);
    }
    assert_true(cpuser_view_eq(cpuser_api_top_string(status_body, sizeof status_body - 1u, "status"),
                               "Failed"));
    assert_int_equal(cpuser_api_top_string("{\"status\":1}", 12, "status").len, 0);
    assert_int_equal(cpuser_api_top_string("[\"status\"]", 10, "status").len, 0);
    assert_int_equal(cpuser_api_top_string(NULL, 0, "status").len, 0);
}

static void cut_response_is_closed(void **state)
{
    cpuser_azure_user_delete d;
    (void)state;
    setup_client(0);
    snprintf(pool[0], sizeof pool[0], "HTTP/1.1 412 Precondition Failed\r\nContent-Type: application/json\r\n"
                                      "Content-Length: 200\r\n\r\n{\"error\":{\"code\":\"Pre");
    script[0].data = pool[0];
    script[1].err = CPUSER_ERR_CLOSED;
    net.nevents = 2;
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_CLOSED);
    assert_int_equal(client.last.error_code.len, 0);
}

/* ---- 202 and polling -------------------------------------------------------- */

static const char in_progress[] = "{\"id\":\"op\",\"name\":\"op\",\"status\":\"InProgress\"}";

static void accepted_is_polled_to_success(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    const char *first_poll;
    (void)state;
    setup_client(60000);
    reply("202 Accepted", "Location: " LOC_URL "\r\nAzure-AsyncOperation: " OP_URL "\r\nRetry-After: 1\r\n", "");
    reply("200 OK", "Retry-After: 2\r\n", in_progress);
    reply("200 OK", "Retry-After: 2\r\n", in_progress);
    reply("200 OK", "", "{\"id\":\"op\",\"status\":\"Succeeded\",\"startTime\":\"2024-01-01T00:00:00Z\"}");
    sample(&d);
    d.if_match = cpuser_view_of("\"e1\"");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_int_equal(op.accepted_status, 202);
    assert_int_equal(op.state, CPUSER_AZURE_OP_SUCCEEDED);
    assert_int_equal(op.polls, 3);
    assert_false(op.via_location);
    assert_int_equal(op.waited_ms, 1000 + 2000 + 2000);
    assert_int_equal(net.now, 5000);
    assert_int_equal(requests_sent("DELETE"), 1);
    assert_int_equal(requests_sent("GET"), 3);
    first_poll = strstr(sent(), "GET ");
    assert_non_null(first_poll);
    assert_memory_equal(first_poll, "GET " OP_PATH " HTTP/1.1\r\nHost: management.azure.com\r\n"
                                    "User-Agent: cpuser/0.1\r\nAccept: application/json\r\n"
                                    "Authorization: Bearer T\r\n\r\n",
                        strlen("GET " OP_PATH " HTTP/1.1\r\nHost: management.azure.com\r\n"
                               "User-Agent: cpuser/0.1\r\nAccept: application/json\r\n"
                               "Authorization: Bearer T\r\n\r\n"));
    assert_int_equal(client.last.status, 200);
    assert_int_equal(client.last.err, CPUSER_OK);
}

static void no_retry_after_uses_the_default_interval(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    setup_client(60000);
    reply("202 Accepted", "Azure-AsyncOperation: " OP_URL "\r\n", "");
    reply("200 OK", "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n", in_progress);
    reply("200 OK", "Retry-After: 99999\r\n", in_progress);
    reply("200 OK", "", "{\"status\":\"succeeded\"}"); /* case is not significant */
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_int_equal(op.polls, 3);
    /* default, default (an HTTP-date), the 30 s ceiling */
    assert_int_equal(op.waited_ms, CPUSER_POLL_INTERVAL_MS * 2u + CPUSER_POLL_MAX_INTERVAL_MS);
}

static void accepted_then_failed(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    setup_client(60000);
    reply("202 Accepted", "Azure-AsyncOperation: " OP_URL "\r\nRetry-After: 0\r\n", "");
    reply("200 OK", "Retry-After: 0\r\n", in_progress);
    reply("200 OK", "",
          "{\"id\":\"op\",\"status\":\"Failed\",\"error\":{\"code\":\"UserDeleteFailed\","
          "\"message\":\"Subscriptions \\u00e9 could not be removed.\",\"target\":\"subscriptions\","
          "\"details\":[{\"code\":\"Sub\",\"target\":\"sid-1\",\"message\":\"active\"}]}}");
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_OPERATION_FAILED);
    assert_int_equal(op.state, CPUSER_AZURE_OP_FAILED);
    assert_int_equal(op.polls, 2);
    assert_int_equal(op.waited_ms, 0);
    assert_int_equal(client.last.err, CPUSER_ERR_OPERATION_FAILED);
    assert_true(cpuser_view_eq(client.last.error_code, "UserDeleteFailed"));
    assert_true(cpuser_view_eq(client.last.message, "Subscriptions \xc3\xa9 could not be removed."));
    assert_true(cpuser_view_eq(client.last.error_target, "subscriptions"));
    assert_int_equal(client.last.field_error_count, 1);
    assert_true(cpuser_view_eq(client.last.field_errors[0].field, "sid-1"));

    setup_client(60000);
    reply("202 Accepted", "Azure-AsyncOperation: " OP_URL "\r\nRetry-After: 0\r\n", "");
    reply("200 OK", "", "{\"status\":\"Canceled\"}");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_OPERATION_FAILED);
    assert_int_equal(op.state, CPUSER_AZURE_OP_CANCELED);
    assert_int_equal(op.polls, 1);
}

static void polling_is_bounded_by_the_deadline(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    int i;
    (void)state;
    setup_client(5000);
    reply("202 Accepted", "Azure-AsyncOperation: " OP_URL "\r\nRetry-After: 2\r\n", "");
    for (i = 0; i < 10; i++) {
        reply("200 OK", "Retry-After: 2\r\n", in_progress);
    }
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_TIMEOUT);
    /* t=0 DELETE; sleep to 2000, poll 1; sleep to 4000, poll 2; a third
     * wait of 2000 would end at 6000 > 5000: stop */
    assert_int_equal(op.polls, 2);
    assert_int_equal(op.state, CPUSER_AZURE_OP_IN_PROGRESS);
    assert_int_equal(net.now, 4000);
    assert_int_equal(client.last.err, CPUSER_ERR_TIMEOUT);
    assert_int_equal(client.cfg.total_timeout_ms, 5000); /* restored after the polls */

    /* a poll that hangs gets only what is left of the call's deadline */
    setup_client(5000);
    reply("202 Accepted", "Azure-AsyncOperation: " OP_URL "\r\nRetry-After: 3\r\n", "");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_TIMEOUT);
    assert_int_equal(op.polls, 1);
    assert_true(net.now <= 5000u + 100u);
    assert_int_equal(client.cfg.total_timeout_ms, 5000);
}

/* A send that counts the GET requests and keeps only the latest request
 * (the recording buffer would fill up over 120 polls). */
static int gets_sent;
static cpuser_err counting_send(void *ctx, const void *data, size_t len, size_t *sent_n, uint32_t t)
{
    if (len >= 4u && memcmp(data, "GET ", 4) == 0) {
        gets_sent++;
    }
    net.sent_len = 0;
    return fake_send(ctx, data, len, sent_n, t);
}

static void polling_is_bounded_in_count(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    unsigned i;
    (void)state;
    setup_client(0xffffffffu);
    tp.send = counting_send;
    gets_sent = 0;
    reply("202 Accepted", "Azure-AsyncOperation: " OP_URL "\r\nRetry-After: 0\r\n", "");
    for (i = 0; i < CPUSER_POLL_MAX_COUNT + 2u && i + 1u < MAX_EVENTS; i++) {
        reply("200 OK", "Retry-After: 0\r\n", in_progress);
    }
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_TIMEOUT);
    assert_int_equal(op.polls, CPUSER_POLL_MAX_COUNT);
    assert_int_equal(gets_sent, (int)CPUSER_POLL_MAX_COUNT);
}

static void location_is_polled_without_async_operation(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    setup_client(60000);
    reply("202 Accepted", "Location: " LOC_URL "\r\nRetry-After: 1\r\n", "");
    reply("202 Accepted", "Location: " LOC_URL "\r\nRetry-After: 1\r\n", "");
    reply("204 No Content", "", "");
    sample(&d);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_true(op.via_location);
    assert_int_equal(op.polls, 2);
    assert_int_equal(op.state, CPUSER_AZURE_OP_SUCCEEDED);
    assert_non_null(strstr(sent(), "GET " USER "?api-version=2024-05-01&asyncId=5c73&asyncCode=204 HTTP/1.1\r\n"));

    setup_client(60000);
    reply("202 Accepted", "Location: " LOC_URL "\r\nRetry-After: 0\r\n", "");
    reply("500 Internal Server Error", "", "{\"error\":{\"code\":\"InternalError\",\"message\":\"boom\"}}");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_HTTP_SERVER);
    assert_true(cpuser_view_eq(client.last.error_code, "InternalError"));
    assert_int_equal(op.state, CPUSER_AZURE_OP_IN_PROGRESS);
}

static void cross_origin_operation_is_not_followed(void **state)
{
    static const char *const urls[] = {
        "https://evil.example.com" OP_PATH,
        "http://management.azure.com" OP_PATH,              /* scheme */
        "https://management.azure.com:8443" OP_PATH,        /* port */
        "https://management.azure.com.evil.com" OP_PATH,
        "https://management.azure.com@evil.com" OP_PATH,
        OP_PATH,                                            /* relative */
        "https://management.azure.com",                     /* no path */
    };
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    char headers[1024];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        setup_client(60000);
        snprintf(headers, sizeof headers, "Azure-AsyncOperation: %s\r\nRetry-After: 0\r\n", urls[i]);
        reply("202 Accepted", headers, "");
        reply("200 OK", "", "{\"status\":\"Succeeded\"}");
        sample(&d);
        assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_HTTP_UNEXPECTED);
        assert_int_equal(op.polls, 0);
        assert_int_equal(requests_sent("GET"), 0);
        assert_true(cpuser_view_eq(client.last.async_operation, urls[i])); /* for the caller */
    }
    /* same origin with the explicit default port is fine */
    setup_client(60000);
    reply("202 Accepted", "Azure-AsyncOperation: https://MANAGEMENT.azure.com:443" OP_PATH "\r\nRetry-After: 0\r\n", "");
    reply("200 OK", "", "{\"status\":\"Succeeded\"}");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_int_equal(op.polls, 1);
}

static void accepted_without_a_url_or_status(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    static char long_url[800];
    char headers[1024];
    (void)state;
    sample(&d);
    setup_client(60000);
    reply("202 Accepted", "", "");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_HTTP_UNEXPECTED);
    assert_int_equal(op.accepted_status, 202);

    setup_client(60000);
    reply("202 Accepted", "Azure-AsyncOperation: " OP_URL "\r\nRetry-After: 0\r\n", "");
    reply("200 OK", "", "{\"id\":\"op\"}");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_JSON);
    assert_int_equal(op.polls, 1);

    setup_client(60000);
    memset(long_url, 'a', sizeof long_url - 1u);
    memcpy(long_url, "https://management.azure.com/", 29);
    long_url[CPUSER_OPERATION_URL_MAX + 29] = '\0';
    snprintf(headers, sizeof headers, "Azure-AsyncOperation: %s\r\n", long_url);
    reply("202 Accepted", headers, "");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(requests_sent("GET"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(view_running_into_the_buffer_is_refused),
        cmocka_unit_test(delete_with_every_option_exact_bytes),
        cmocka_unit_test(delete_minimal_and_portal_exact_bytes),
        cmocka_unit_test(segments_are_percent_encoded),
        cmocka_unit_test(get_user_returns_the_etag),
        cmocka_unit_test(invalid_inputs_are_refused_before_sending),
        cmocka_unit_test(app_type_names),
        cmocka_unit_test(precondition_failed_decodes_the_error_response),
        cmocka_unit_test(other_statuses),
        cmocka_unit_test(many_details_are_truncated),
        cmocka_unit_test(truncated_bodies_decode_to_nothing),
        cmocka_unit_test(cut_response_is_closed),
        cmocka_unit_test(accepted_is_polled_to_success),
        cmocka_unit_test(no_retry_after_uses_the_default_interval),
        cmocka_unit_test(accepted_then_failed),
        cmocka_unit_test(polling_is_bounded_by_the_deadline),
        cmocka_unit_test(polling_is_bounded_in_count),
        cmocka_unit_test(location_is_polled_without_async_operation),
        cmocka_unit_test(cross_origin_operation_is_not_followed),
        cmocka_unit_test(accepted_without_a_url_or_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
