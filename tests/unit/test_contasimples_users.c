/* Conta Simples users over a scripted transport: v4 UUID checks, the
 * delete request's bytes, the 204 / 400 / 500-then-204 outcomes, and the
 * error-body decoder on every truncation of a body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api_error.h"
#include "cpuser/contasimples.h"
#include "fake_net.h"

static fake_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[2048];

#define ID "550e8400-e29b-41d4-a716-446655440000"

static void setup_client(void)
{
    cpuser_client_config cfg;
    memset(&net, 0, sizeof net);
    fake_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = CPUSER_CONTASIMPLES_SANDBOX_HOST;
    cfg.https = true;
    cfg.token = "YOUR_API_TOKEN";
    cfg.token_len = 14;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
}

static void uuid_v4_validation(void **state)
{
    static const char *const good[] = {
        ID,
        "550E8400-E29B-41D4-A716-446655440000",
        "00000000-0000-4000-8000-000000000000",
        "ffffffff-ffff-4fff-bfff-ffffffffffff",
        "12345678-9abc-4def-9abc-123456789abc",
    };
    static const char *const bad[] = {
        "",
        "550e8400-e29b-11d4-a716-446655440000",  /* version 1 */
        "550e8400-e29b-51d4-a716-446655440000",  /* version 5 */
        "550e8400-e29b-41d4-c716-446655440000",  /* variant c */
        "550e8400-e29b-41d4-7716-446655440000",  /* variant 7 */
        "00000000-0000-0000-0000-000000000000",  /* nil */
        "550e8400e29b41d4a716446655440000",      /* no dashes */
        "{550e8400-e29b-41d4-a716-446655440000}",
        "550e8400-e29b-41d4-a716-44665544000",   /* short */
        "550e8400-e29b-41d4-a716-4466554400000", /* long */
        "550e8400-e29b-41d4-a716-44665544000g",
        "550e8400_e29b-41d4-a716-446655440000",
        " 50e8400-e29b-41d4-a716-446655440000",
        "550e8400-e29b-41d4-a716-44665544000/",
        "../../../../../../../../../../admin/",
        "1",
    };
    size_t i;
    cpuser_view nul = {"550e8400-e29b-41d4-a716-44665544000\0", 36};
    cpuser_view none = {NULL, 36};
    (void)state;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(cpuser_uuid_v4_valid(cpuser_view_of(good[i])));
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (cpuser_uuid_v4_valid(cpuser_view_of(bad[i]))) {
            fail_msg("accepted %s", bad[i]);
        }
    }
    assert_false(cpuser_uuid_v4_valid(nul));
    assert_false(cpuser_uuid_v4_valid(none));
}

static void delete_sends_the_documented_request(void **state)
{
    static const fake_event script[] = {{"HTTP/1.1 204 No Content\r\n\r\n", CPUSER_OK}};
    static const char expect[] =
        "DELETE /users/v1/users/" ID " HTTP/1.1\r\n"
        "Host: api-sandbox.contasimples.com\r\n"
        "User-Agent: " CPUSER_USER_AGENT "\r\n"
        "Accept: application/json\r\n"
        "Authorization: Bearer YOUR_API_TOKEN\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 0\r\n"
        "\r\n";
    (void)state;
    setup_client();
    net.events = script;
    net.nevents = 1;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_OK);
    assert_int_equal(net.sent_len, sizeof expect - 1u);
    assert_memory_equal(net.sent, expect, sizeof expect - 1u);
    assert_int_equal(client.last.status, 204);
    assert_int_equal(client.last.attempts, 1);
}

static void bad_ids_send_nothing(void **state)
{
    (void)state;
    setup_client();
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of("42")),
                     CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(
                         "550e8400-e29b-11d4-a716-446655440000")), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_contasimples_delete_user(NULL, cpuser_view_of(ID)),
                     CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.connects, 0);
    assert_int_equal(net.sent_len, 0);
}

static void other_2xx_is_unexpected(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK}};
    (void)state;
    setup_client();
    net.events = script;
    net.nevents = 1;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)),
                     CPUSER_ERR_HTTP_UNEXPECTED);
    assert_int_equal(client.last.err, CPUSER_ERR_HTTP_UNEXPECTED);
    assert_int_equal(client.last.status, 200);
}

#define E500 "{\"error\":\"Internal Server Error\",\"message\":\"An unexpected error occurred on the server\"," \
             "\"code\":500,\"requestId\":\"req_1234567890\"}"

static void status_500_is_retried_with_backoff_then_204(void **state)
{
    static char first[512];
    static fake_event script[] = {{first, CPUSER_OK}, {"HTTP/1.1 204 No Content\r\n\r\n", CPUSER_OK}};
    (void)state;
    snprintf(first, sizeof first,
             "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s", strlen(E500), E500);
    setup_client();
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_OK);
    assert_int_equal(client.last.attempts, 2);
    assert_int_equal(client.last.wait_ms[0], 0x42424242u % 251u); /* full jitter, base 250 */
    assert_int_equal(net.now, client.last.waited_ms);
    /* the knob was for this call only */
    assert_false(client.cfg.retry.retry_500);
}

static void status_500_every_time_ends_with_the_request_id(void **state)
{
    static char r500[512];
    static fake_event script[] = {{r500, CPUSER_OK}, {r500, CPUSER_OK}, {r500, CPUSER_OK}, {r500, CPUSER_OK}};
    (void)state;
    snprintf(r500, sizeof r500,
             "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s", strlen(E500), E500);
    setup_client();
    net.events = script;
    net.nevents = 4;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(client.last.attempts, CPUSER_RETRY_MAX_ATTEMPTS);
    assert_true(cpuser_view_eq(client.last.api_request_id, "req_1234567890"));
    assert_int_equal(client.last.api_code, 500);
    assert_true(cpuser_view_eq(client.last.message, "An unexpected error occurred on the server"));
}

#define E400 "{\"error\":\"Bad Request\",\"message\":\"The user has the MAIN role and cannot be removed\"," \
             "\"code\":400,\"details\":[{\"field\":\"userId\",\"message\":\"the MAIN user cannot be deleted\"}]," \
             "\"requestId\":\"req_7\"}"

static void main_user_400_is_decoded_and_not_retried(void **state)
{
    static char r400[512];
    static fake_event script[] = {{r400, CPUSER_OK}, {r400, CPUSER_OK}};
    (void)state;
    snprintf(r400, sizeof r400,
             "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s", strlen(E400), E400);
    setup_client();
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)),
                     CPUSER_ERR_HTTP_BAD_REQUEST);
    assert_int_equal(client.last.attempts, 1);
    assert_true(cpuser_view_eq(client.last.api_error, "Bad Request"));
    assert_int_equal(client.last.api_code, 400);
    assert_int_equal(client.last.field_error_count, 1);
    assert_true(cpuser_view_eq(client.last.field_errors[0].field, "userId"));
    assert_true(cpuser_view_eq(client.last.field_errors[0].message, "the MAIN user cannot be deleted"));
}

/* Every prefix of an error body: never a crash, nothing read past the
 * prefix (ASan), and no field decoded from a body that is not whole JSON. */
static void decoder_on_truncated_bodies(void **state)
{
    static const char body[] = E400;
    static char copy[sizeof body];
    size_t n;
    (void)state;
    for (n = 0; n < sizeof body - 1u; n++) {
        cpuser_result r;
        char *exact;
        memset(&r, 0, sizeof r);
        r.api_code = -1;
        memcpy(copy, body, sizeof body);
        /* the prefix at the end of the buffer: a read past it is a real overflow */
        exact = copy + (sizeof body - 1u - n);
        memmove(exact, copy, n);
        cpuser_api_error_decode(&client.json, exact, n, &r);
        assert_int_equal(r.field_error_count, 0);
        assert_int_equal(r.api_error.len, 0);
        assert_int_equal(r.api_code, -1);
        assert_int_equal(r.api_request_id.len, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uuid_v4_validation),
        cmocka_unit_test(delete_sends_the_documented_request),
        cmocka_unit_test(bad_ids_send_nothing),
        cmocka_unit_test(other_2xx_is_unexpected),
        cmocka_unit_test(status_500_is_retried_with_backoff_then_204),
        cmocka_unit_test(status_500_every_time_ends_with_the_request_id),
        cmocka_unit_test(main_user_400_is_decoded_and_not_retried),
        cmocka_unit_test(decoder_on_truncated_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
