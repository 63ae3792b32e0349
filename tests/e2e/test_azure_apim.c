/* Azure API Management user delete end to end: the library against
 * tests/sim/azure_apim_sim.py over real loopback sockets, with a 4 KB
 * working buffer and the POSIX platform's clock and sleep. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_client.h"

#include "cpuser/azure_apim.h"
#include "cpuser/tls.h"

#define SIM_SCRIPT "tests/sim/azure_apim_sim.py"
#define SUB "00000000-0000-0000-0000-000000000000"
#define EXAMPLE "5931a75ae4bbd512288c680b"
#define TOKEN "az-e2e-token"

/* Start the simulator with up to six extra arguments (NULL ends them). */
static void start(const char *a1, const char *a2, const char *a3, const char *a4,
                  const char *a5, const char *a6)
{
    const char *extra[] = {"--token", TOKEN, "--seed-users", "3", a1, a2, a3, a4, a5, a6, NULL};
    sc_start_script(SIM_SCRIPT, extra);
}

static void ref_of(cpuser_azure_user_ref *r, const char *user)
{
    r->subscription_id = cpuser_view_of(SUB);
    r->resource_group = cpuser_view_of("rg1");
    r->service_name = cpuser_view_of("apimService1");
    r->user_id = cpuser_view_of(user);
}

static void request_of(cpuser_azure_user_delete *d, const char *user, const char *if_match)
{
    memset(d, 0, sizeof *d);
    ref_of(&d->user, user);
    d->if_match = cpuser_view_of(if_match);
}

static char etag_copy[64];

/* GET the user and keep its ETag (the view dies with the next call). */
static const char *etag_of(const char *user)
{
    cpuser_azure_user_ref r;
    cpuser_view etag;
    ref_of(&r, user);
    assert_int_equal(cpuser_azure_apim_user_get(&client, &r, &etag), CPUSER_OK);
    assert_int_equal(client.last.status, 200);
    assert_true(etag.len > 2u && etag.len < sizeof etag_copy);
    assert_int_equal(etag.ptr[0], '"');
    memcpy(etag_copy, etag.ptr, etag.len);
    etag_copy[etag.len] = '\0';
    return etag_copy;
}

static cpuser_err get_status(const char *user)
{
    cpuser_azure_user_ref r;
    ref_of(&r, user);
    return cpuser_azure_apim_user_get(&client, &r, NULL);
}

/* ---- tests ----------------------------------------------------------------- */

static void invalid_inputs_send_nothing(void **state)
{
    static const char *const bad_subs[] = {"0000", "00000000-0000-0000-0000-00000000000g"};
    static const char *const bad_services[] = {"1apim", "apim-", "ap_im", ""};
    cpuser_azure_user_delete d;
    size_t i;
    (void)state;
    start(NULL, NULL, NULL, NULL, NULL, NULL);
    sc_connect(TOKEN, 10000);
    for (i = 0; i < sizeof bad_subs / sizeof bad_subs[0]; i++) {
        request_of(&d, "user1", "*");
        d.user.subscription_id = cpuser_view_of(bad_subs[i]);
        assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    }
    for (i = 0; i < sizeof bad_services / sizeof bad_services[0]; i++) {
        request_of(&d, "user1", "*");
        d.user.service_name = cpuser_view_of(bad_services[i]);
        assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    }
    request_of(&d, "user1", "");                    /* If-Match is required */
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    request_of(&d, "user1", "\"x\"\r\nX-Injected: 1");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    request_of(&d, "user1\n", "*");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    request_of(&d, "user1", "*");
    d.app_type = 9;
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    request_of(&d, "user1", "*");
    d.user.resource_group = cpuser_view_of("rg/../x");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_BAD_ARGUMENT);
    assert_false(client.last.sent);
    assert_int_equal(sc_logged(NULL), 0); /* nothing reached the simulator */
    assert_int_equal(get_status("user1"), CPUSER_OK);
    assert_int_equal(sc_logged(NULL), 1);
    sc_stop();
}

static void etag_delete_is_204_and_then_gone(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    start(NULL, NULL, NULL, NULL, NULL, NULL);
    sc_connect(TOKEN, 10000);
    request_of(&d, EXAMPLE, etag_of(EXAMPLE));
    d.delete_subscriptions = CPUSER_AZURE_TRUE;
    d.notify = CPUSER_AZURE_FALSE;
    d.app_type = CPUSER_AZURE_APP_DEVELOPER_PORTAL;
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_int_equal(client.last.status, 204);
    assert_int_equal(op.accepted_status, 204);
    assert_int_equal(op.polls, 0);
    assert_int_equal(op.state, CPUSER_AZURE_OP_NONE);
    assert_int_equal(sc_logged("DELETE /subscriptions/" SUB "/resourceGroups/rg1/providers/Microsoft.ApiManagement/"
                            "service/apimService1/users/" EXAMPLE "?deleteSubscriptions=true&notify=false"
                            "&api-version=2024-05-01&appType=developerPortal 204"),
                     1);
    assert_int_equal(get_status(EXAMPLE), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_true(cpuser_view_eq(client.last.error_code, "ResourceNotFound"));
    /* already deleted: 204 again (ARM's idempotent delete) */
    request_of(&d, EXAMPLE, "*");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_int_equal(client.last.status, 204);
    sc_stop();
}

static void delete_answering_200_is_done(void **state)
{
    cpuser_azure_user_delete d;
    (void)state;
    start("--sync-status", "200", NULL, NULL, NULL, NULL);
    sc_connect(TOKEN, 10000);
    request_of(&d, "user2", "*");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_OK);
    assert_int_equal(client.last.status, 200);
    assert_int_equal(get_status("user2"), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

static void stale_etag_is_412_with_the_error_response(void **state)
{
    cpuser_azure_user_delete d;
    const cpuser_result *last;
    (void)state;
    start(NULL, NULL, NULL, NULL, NULL, NULL);
    sc_connect(TOKEN, 10000);
    request_of(&d, "user1", "\"AAAAAAAAAAA=\"");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_HTTP_PRECONDITION_FAILED);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 412);
    assert_true(cpuser_view_eq(last->error_code, "PreconditionFailed"));
    assert_true(cpuser_view_eq(last->error_target, "If-Match"));
    assert_true(last->message.len > 10u);
    assert_int_equal(last->field_error_count, 1);
    assert_true(cpuser_view_eq(last->field_errors[0].field, "If-Match"));
    assert_non_null(memchr(last->field_errors[0].message.ptr, '"', last->field_errors[0].message.len));
    assert_int_equal(get_status("user1"), CPUSER_OK); /* still there */
    /* the current ETag works */
    request_of(&d, "user1", etag_of("user1"));
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_OK);
    sc_stop();
}

static void wrong_token_is_401_decoded(void **state)
{
    cpuser_azure_user_delete d;
    (void)state;
    start(NULL, NULL, NULL, NULL, NULL, NULL);
    sc_connect("not-the-token", 10000);
    request_of(&d, "user1", "*");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, NULL), CPUSER_ERR_HTTP_UNAUTHORIZED);
    assert_true(cpuser_view_eq(client.last.error_code, "InvalidAuthenticationToken"));
    assert_true(cpuser_view_eq(client.last.message, "The access token is invalid."));
    sc_stop();
}

static void accepted_is_polled_to_success(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    start("--polls", "3", "--retry-after", "0", NULL, NULL);
    sc_connect(TOKEN, 20000);
    request_of(&d, EXAMPLE, etag_of(EXAMPLE));
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_int_equal(op.accepted_status, 202);
    assert_int_equal(op.state, CPUSER_AZURE_OP_SUCCEEDED);
    assert_int_equal(op.polls, 3);
    assert_false(op.via_location);
    assert_int_equal(sc_logged("/tenant/operationResults/"), 3);
    assert_int_equal(sc_logged(" 202"), 1);
    assert_int_equal(get_status(EXAMPLE), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

static void accepted_waits_retry_after(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    uint32_t t0;
    uint32_t spent;
    (void)state;
    start("--polls", "2", "--retry-after", "1", NULL, NULL);
    sc_connect(TOKEN, 20000);
    request_of(&d, "user3", "*");
    t0 = sc_pf.now_ms(sc_pf.ctx);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    spent = sc_pf.now_ms(sc_pf.ctx) - t0;
    assert_int_equal(op.polls, 2);
    assert_int_equal(op.waited_ms, 2000);
    assert_true(spent >= 2000u && spent < 10000u);
    sc_stop();
}

static void accepted_then_failed(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    start("--polls", "2", "--operation-result", "failed", NULL, NULL);
    sc_connect(TOKEN, 20000);
    request_of(&d, "user1", "*");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_OPERATION_FAILED);
    assert_int_equal(op.state, CPUSER_AZURE_OP_FAILED);
    assert_int_equal(op.polls, 2);
    assert_int_equal(client.last.err, CPUSER_ERR_OPERATION_FAILED);
    assert_true(cpuser_view_eq(client.last.error_code, "UserDeleteFailed"));
    assert_true(cpuser_view_eq(client.last.error_target, "deleteSubscriptions"));
    assert_int_equal(client.last.field_error_count, 1);
    assert_true(cpuser_view_eq(client.last.field_errors[0].field, "subscriptions/sid-1"));
    assert_int_equal(get_status("user1"), CPUSER_OK); /* the failed delete left it */
    sc_stop();

    start("--polls", "1", "--operation-result", "canceled", NULL, NULL);
    sc_connect(TOKEN, 20000);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_OPERATION_FAILED);
    assert_int_equal(op.state, CPUSER_AZURE_OP_CANCELED);
    assert_true(cpuser_view_eq(client.last.error_code, "OperationCanceled"));
    sc_stop();
}

static void polling_is_bounded_by_the_deadline(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    uint32_t t0;
    uint32_t spent;
    (void)state;
    start("--polls", "1000", "--retry-after", "1", NULL, NULL);
    sc_connect(TOKEN, 2500);
    request_of(&d, "user1", "*");
    t0 = sc_pf.now_ms(sc_pf.ctx);
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_TIMEOUT);
    spent = sc_pf.now_ms(sc_pf.ctx) - t0;
    /* polls at about 1 s and 2 s; a third wait would pass 2.5 s (on a
     * loaded machine the second may already not fit: the scripted-clock
     * unit test pins the exact count) */
    assert_true(op.polls >= 1u && op.polls <= 2u);
    assert_int_equal(op.state, CPUSER_AZURE_OP_IN_PROGRESS);
    assert_true(spent < 2500u);
    assert_int_equal(sc_logged("/tenant/operationResults/"), (int)op.polls);
    assert_int_equal(client.cfg.total_timeout_ms, 2500);
    sc_stop();
}

static void location_is_polled_when_it_is_the_only_url(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    start("--polls", "2", "--async-headers", "location", NULL, NULL);
    sc_connect(TOKEN, 20000);
    request_of(&d, "user2", "*");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_true(op.via_location);
    assert_int_equal(op.polls, 2);
    assert_int_equal(sc_logged("asyncId="), 2);
    assert_int_equal(get_status("user2"), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

static void cross_origin_operation_is_refused(void **state)
{
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    (void)state;
    start("--polls", "1", "--operation-host", "evil.example.com", NULL, NULL);
    sc_connect(TOKEN, 20000);
    request_of(&d, "user1", "*");
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_ERR_HTTP_UNEXPECTED);
    assert_int_equal(op.accepted_status, 202);
    assert_int_equal(op.polls, 0);
    assert_int_equal(sc_logged(NULL), 1); /* the DELETE only */
    assert_true(client.last.async_operation.len > 30u);
    assert_int_equal(memcmp(client.last.async_operation.ptr, "http://evil.example.com/", 24), 0);
    sc_stop();
}

/* Over TLS (mbedTLS, certificates from tests/tls/make_certs.sh): the same
 * origin is https://localhost:PORT, so the 202's operation URL is followed
 * with the token only on that origin. */
static void accepted_over_tls_is_polled(void **state)
{
    static cpuser_tls tls;
    static unsigned char ca[4096];
    static cpuser_transport tls_tp;
    char cmd[256], cert[128], key[128], ca_path[128];
    const char *extra[] = {"--token", TOKEN, "--polls", "2", "--tls-cert", cert, "--tls-key", key, NULL};
    cpuser_tls_config tcfg;
    cpuser_client_config cfg;
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    size_t n;
    (void)state;
    snprintf(cmd, sizeof cmd, "sh tests/tls/make_certs.sh %s/certs > /dev/null 2>&1", sc_dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cert, sizeof cert, "%s/certs/server.crt", sc_dir);
    snprintf(key, sizeof key, "%s/certs/server.key", sc_dir);
    snprintf(ca_path, sizeof ca_path, "%s/certs/ca.crt", sc_dir);
    n = peer_read_file(ca_path, (char *)ca, sizeof ca);
    assert_true(n > 1u);
    sc_start_script(SIM_SCRIPT, extra);
    sc_transport();
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca = ca;
    tcfg.ca_len = n; /* the NUL included, as mbedTLS wants for PEM */
    assert_int_equal(cpuser_tls_init(&tls, &tcfg, &sc_tp, &sc_pf, &tls_tp), CPUSER_OK);
    sc_config(&cfg, TOKEN, 20000);
    cfg.host = "localhost";
    cfg.https = true;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tls_tp, &sc_pf, work, sizeof work), CPUSER_OK);
    request_of(&d, EXAMPLE, etag_of(EXAMPLE));
    assert_int_equal(cpuser_azure_apim_user_delete(&client, &d, &op), CPUSER_OK);
    assert_int_equal(op.accepted_status, 202);
    assert_int_equal(op.polls, 2);
    assert_int_equal(op.state, CPUSER_AZURE_OP_SUCCEEDED);
    assert_int_equal(sc_logged("/tenant/operationResults/"), 2);
    assert_int_equal(get_status(EXAMPLE), CPUSER_ERR_HTTP_NOT_FOUND);
    cpuser_client_close(&client);
    cpuser_tls_free(&tls);
    peer_stop(&sc_sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_inputs_send_nothing),
        cmocka_unit_test(etag_delete_is_204_and_then_gone),
        cmocka_unit_test(delete_answering_200_is_done),
        cmocka_unit_test(stale_etag_is_412_with_the_error_response),
        cmocka_unit_test(wrong_token_is_401_decoded),
        cmocka_unit_test(accepted_is_polled_to_success),
        cmocka_unit_test(accepted_waits_retry_after),
        cmocka_unit_test(accepted_then_failed),
        cmocka_unit_test(polling_is_bounded_by_the_deadline),
        cmocka_unit_test(location_is_polled_when_it_is_the_only_url),
        cmocka_unit_test(cross_origin_operation_is_refused),
        cmocka_unit_test(accepted_over_tls_is_polled),
    };
    return cmocka_run_group_tests(tests, sc_setup, sc_teardown);
}
