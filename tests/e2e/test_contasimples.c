/* Conta Simples delete-user end to end: the library against
 * tests/sim/contasimples_sim.py over real loopback sockets, with a static
 * bearer token and with the OAuth2 client-credentials provider. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "peer.h"

#include "cpuser/contasimples.h"
#include "cpuser/posix.h"

#define SIM_SCRIPT "tests/sim/contasimples_sim.py"
#define MAIN_ID "00000000-0000-4000-8000-000000000001"
#define USER_ID "550e8400-e29b-41d4-a716-446655440000"
#define FLAKY_ID "6fa459ea-ee8a-4ca4-894e-db77e160355e"
#define STATIC_TOKEN "static-e2e-token"

static char dir[64];
static peer sim;
static cpuser_posix_tcp tcp;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];

static void start(const char *const *extra)
{
    const char *args[24];
    size_t n = 0;
    args[n++] = "--token";
    args[n++] = STATIC_TOKEN;
    args[n++] = "--user";
    args[n++] = USER_ID;
    while (extra != NULL && *extra != NULL && n < 23u) {
        args[n++] = *extra++;
    }
    args[n] = NULL;
    if (peer_start_script(&sim, SIM_SCRIPT, dir, args) != 0) {
        fail_msg("simulator did not start, see %s/sim.out", dir);
    }
}

static void connect_client(const char *token)
{
    cpuser_client_config cfg;
    cpuser_posix_tcp_init(&tcp, &tp);
    cpuser_posix_platform_init(&pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "127.0.0.1";
    cfg.port = sim.port;
    cfg.token = token;
    cfg.token_len = token != NULL ? strlen(token) : 0u;
    cfg.total_timeout_ms = 20000;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
}

static void stop(void)
{
    cpuser_client_close(&client);
    peer_stop(&sim);
}

/* Lines of the simulator's request log that contain `what` (all: ""). */
static int logged(const char *what)
{
    static char text[65536];
    char path[128];
    int n = 0;
    const char *line;
    snprintf(path, sizeof path, "%s/requests.log", dir);
    if (peer_read_file(path, text, sizeof text) == 0) {
        return 0;
    }
    for (line = text; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        char one[512];
        if (len < sizeof one) {
            memcpy(one, line, len);
            one[len] = '\0';
            n += strstr(one, what) != NULL;
        }
        line += len + (end != NULL ? 1u : 0u);
    }
    return n;
}

static cpuser_err del(const char *id)
{
    return cpuser_contasimples_delete_user(&client, cpuser_view_of(id));
}

static void bad_uuid_is_refused_before_sending(void **state)
{
    static const char *const bad[] = {"42", "550e8400-e29b-11d4-a716-446655440000",
                                      "550e8400e29b41d4a716446655440000",
                                      "../../users/v1/users/" USER_ID, ""};
    size_t i;
    (void)state;
    start(NULL);
    connect_client(STATIC_TOKEN);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(del(bad[i]), CPUSER_ERR_BAD_ARGUMENT);
    }
    assert_false(client.connected);
    assert_int_equal(logged(""), 0);
    /* the same client then works */
    assert_int_equal(del(USER_ID), CPUSER_OK);
    assert_int_equal(logged(""), 1);
    stop();
}

static void delete_is_204_then_404(void **state)
{
    const cpuser_result *last;
    (void)state;
    start(NULL);
    connect_client(STATIC_TOKEN);
    assert_int_equal(del(USER_ID), CPUSER_OK);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 204);
    assert_int_equal(last->attempts, 1);
    assert_int_equal(logged("DELETE /users/v1/users/" USER_ID " 204"), 1);
    assert_int_equal(del(USER_ID), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_int_equal(last->status, 404);
    assert_int_equal(last->api_code, 404);
    assert_true(cpuser_view_eq(last->api_error, "Not Found"));
    assert_true(cpuser_view_eq(last->message, "The requested resource was not found"));
    /* upper-case hex is a v4 UUID too; unknown here */
    assert_int_equal(del("550E8400-E29B-41D4-A716-446655440001"), CPUSER_ERR_HTTP_NOT_FOUND);
    stop();
}

static void main_user_is_400(void **state)
{
    const cpuser_result *last;
    (void)state;
    start(NULL);
    connect_client(STATIC_TOKEN);
    assert_int_equal(del(MAIN_ID), CPUSER_ERR_HTTP_BAD_REQUEST);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 400);
    assert_int_equal(last->attempts, 1); /* a 400 is not retried */
    assert_true(cpuser_view_eq(last->api_error, "Bad Request"));
    assert_int_equal(last->api_code, 400);
    assert_true(cpuser_view_eq(last->message, "The user has the MAIN role and cannot be removed"));
    assert_int_equal(last->field_error_count, 1);
    assert_true(cpuser_view_eq(last->field_errors[0].field, "userId"));
    assert_true(cpuser_view_eq(last->field_errors[0].message, "the MAIN user cannot be deleted"));
    stop();
}

static void wrong_token_is_401(void **state)
{
    const cpuser_result *last;
    (void)state;
    start(NULL);
    connect_client("not-the-token");
    assert_int_equal(del(USER_ID), CPUSER_ERR_HTTP_UNAUTHORIZED);
    last = cpuser_client_last(&client);
    assert_int_equal(last->attempts, 1); /* a static token is not refreshed */
    assert_int_equal(last->api_code, 401);
    assert_true(cpuser_view_eq(last->message, "Authentication required. Please provide a valid API token"));
    cpuser_client_close(&client);
    connect_client(NULL); /* no Authorization header at all */
    assert_int_equal(del(USER_ID), CPUSER_ERR_HTTP_UNAUTHORIZED);
    stop();
}

static void status_500_then_204_after_a_backoff(void **state)
{
    static const char *const extra[] = {"--user", FLAKY_ID, "--fail-500", FLAKY_ID "=1", NULL};
    const cpuser_result *last;
    (void)state;
    start(extra);
    connect_client(STATIC_TOKEN);
    assert_int_equal(del(FLAKY_ID), CPUSER_OK);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 204);
    assert_int_equal(last->attempts, 2);
    assert_true(last->wait_ms[0] <= CPUSER_RETRY_BASE_MS); /* full jitter under the first ceiling */
    assert_int_equal(last->waited_ms, last->wait_ms[0]);
    assert_int_equal(logged("DELETE /users/v1/users/" FLAKY_ID " 500"), 1);
    assert_int_equal(logged("DELETE /users/v1/users/" FLAKY_ID " 204"), 1);
    stop();
}

static void status_500_every_time_is_bounded(void **state)
{
    static const char *const extra[] = {"--user", FLAKY_ID, "--fail-500", FLAKY_ID "=9", NULL};
    const cpuser_result *last;
    (void)state;
    start(extra);
    connect_client(STATIC_TOKEN);
    assert_int_equal(del(FLAKY_ID), CPUSER_ERR_HTTP_SERVER);
    last = cpuser_client_last(&client);
    assert_int_equal(last->attempts, CPUSER_RETRY_MAX_ATTEMPTS);
    assert_true(last->wait_ms[1] <= 2u * CPUSER_RETRY_BASE_MS); /* the ceiling doubles */
    assert_int_equal(last->waited_ms, last->wait_ms[0] + last->wait_ms[1]);
    assert_int_equal(last->api_code, 500);
    assert_true(cpuser_view_eq(last->api_request_id, "req_0000000003"));
    assert_int_equal(logged(" 500"), (int)CPUSER_RETRY_MAX_ATTEMPTS);
    stop();
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cpuser-cs-e2e-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    peer_stop(&sim);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_uuid_is_refused_before_sending),
        cmocka_unit_test(delete_is_204_then_404),
        cmocka_unit_test(main_user_is_400),
        cmocka_unit_test(wrong_token_is_401),
        cmocka_unit_test(status_500_then_204_after_a_backoff),
        cmocka_unit_test(status_500_every_time_is_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
