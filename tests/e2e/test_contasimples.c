/* Conta Simples delete-user end to end: the library against
 * tests/sim/contasimples_sim.py over real loopback sockets, with a static
 * bearer token and with the OAuth2 client-credentials provider. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_client.h"

#include "cpuser/contasimples.h"
#include "cpuser/oauth2.h"

#define SIM_SCRIPT "tests/sim/contasimples_sim.py"
#define MAIN_ID "00000000-0000-4000-8000-000000000001"
#define USER_ID "550e8400-e29b-41d4-a716-446655440000"
#define FLAKY_ID "6fa459ea-ee8a-4ca4-894e-db77e160355e"
#define STATIC_TOKEN "static-e2e-token"
#define CLIENT_ID "cpuser-e2e"
#define CLIENT_SECRET "e2e-Secret_7Qx9f3a" /* unreserved: the same on the wire */

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
    sc_start_script(SIM_SCRIPT, args);
}

static cpuser_oauth2 oauth;
static char secret_path[128];
static char capture_path[128];
static const char *oauth_args[16];

/* A simulator whose token endpoint knows our client; every request is
 * captured. `more` (may be NULL) adds options. */
static void start_oauth(const char *const *more)
{
    FILE *f;
    size_t n = 0;
    snprintf(secret_path, sizeof secret_path, "%s/secret", sc_dir);
    snprintf(capture_path, sizeof capture_path, "%s/capture.jsonl", sc_dir);
    unlink(capture_path);
    f = fopen(secret_path, "w");
    assert_non_null(f);
    fputs(CLIENT_SECRET "\n", f);
    fclose(f);
    oauth_args[n++] = "--client-id";
    oauth_args[n++] = CLIENT_ID;
    oauth_args[n++] = "--client-secret-file";
    oauth_args[n++] = secret_path;
    oauth_args[n++] = "--capture";
    oauth_args[n++] = capture_path;
    oauth_args[n++] = "--scope";
    oauth_args[n++] = "users:delete";
    while (more != NULL && *more != NULL && n < 15u) {
        oauth_args[n++] = *more++;
    }
    oauth_args[n] = NULL;
    start(oauth_args);
}

/* A client with the OAuth2 provider; the token endpoint is reached as
 * token_host (another host name than the API's 127.0.0.1 when "localhost"). */
static void connect_oauth(const char *token_host, uint32_t margin_ms)
{
    cpuser_client_config cfg;
    cpuser_oauth2_config oc;
    memset(&oc, 0, sizeof oc);
    oc.host = token_host;
    oc.port = sc_sim.port;
    oc.path = "/oauth2/token";
    oc.client_id = CLIENT_ID;
    oc.client_id_len = strlen(CLIENT_ID);
    oc.client_secret = CLIENT_SECRET;
    oc.client_secret_len = strlen(CLIENT_SECRET);
    oc.scope = "users:delete";
    oc.scope_len = 12;
    oc.refresh_margin_ms = margin_ms;
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_OK);
    sc_config(&cfg, NULL, 20000);
    cfg.auth = cpuser_oauth2_auth(&oauth);
    sc_connect_config(&cfg);
}

static cpuser_err del(const char *id)
{
    return cpuser_contasimples_delete_user(&client, cpuser_view_of(id));
}

static void bad_uuid_is_refused_before_sending(void **state)
{
    static const char *const bad[] = {"42", "550e8400-e29b-11d4-a716-446655440000",
                                      "550e8400e29b41d4a716446655440000",
                                      ("../../users/v1/users/" USER_ID), ""};
    size_t i;
    (void)state;
    start(NULL);
    sc_connect(STATIC_TOKEN, 20000);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(del(bad[i]), CPUSER_ERR_BAD_ARGUMENT);
    }
    assert_false(client.connected);
    assert_int_equal(sc_logged(""), 0);
    /* the same client then works */
    assert_int_equal(del(USER_ID), CPUSER_OK);
    assert_int_equal(sc_logged(""), 1);
    sc_stop();
}

static void delete_is_204_then_404(void **state)
{
    const cpuser_result *last;
    (void)state;
    start(NULL);
    sc_connect(STATIC_TOKEN, 20000);
    assert_int_equal(del(USER_ID), CPUSER_OK);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 204);
    assert_int_equal(last->attempts, 1);
    assert_int_equal(sc_logged("DELETE /users/v1/users/" USER_ID " 204"), 1);
    assert_int_equal(del(USER_ID), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_int_equal(last->status, 404);
    assert_int_equal(last->api_code, 404);
    assert_true(cpuser_view_eq(last->api_error, "Not Found"));
    assert_true(cpuser_view_eq(last->message, "The requested resource was not found"));
    /* upper-case hex is a v4 UUID too; unknown here */
    assert_int_equal(del("550E8400-E29B-41D4-A716-446655440001"), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

static void main_user_is_400(void **state)
{
    const cpuser_result *last;
    (void)state;
    start(NULL);
    sc_connect(STATIC_TOKEN, 20000);
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
    sc_stop();
}

static void wrong_token_is_401(void **state)
{
    const cpuser_result *last;
    (void)state;
    start(NULL);
    sc_connect("not-the-token", 20000);
    assert_int_equal(del(USER_ID), CPUSER_ERR_HTTP_UNAUTHORIZED);
    last = cpuser_client_last(&client);
    assert_int_equal(last->attempts, 1); /* a static token is not refreshed */
    assert_int_equal(last->api_code, 401);
    assert_true(cpuser_view_eq(last->message, "Authentication required. Please provide a valid API token"));
    cpuser_client_close(&client);
    sc_connect(NULL, 20000); /* no Authorization header at all */
    assert_int_equal(del(USER_ID), CPUSER_ERR_HTTP_UNAUTHORIZED);
    sc_stop();
}

static void status_500_then_204_after_a_backoff(void **state)
{
    static const char *const extra[] = {"--user", FLAKY_ID, "--fail-500", FLAKY_ID "=1", NULL};
    const cpuser_result *last;
    (void)state;
    start(extra);
    sc_connect(STATIC_TOKEN, 20000);
    assert_int_equal(del(FLAKY_ID), CPUSER_OK);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 204);
    assert_int_equal(last->attempts, 2);
    assert_true(last->wait_ms[0] <= CPUSER_RETRY_BASE_MS); /* full jitter under the first ceiling */
    assert_int_equal(last->waited_ms, last->wait_ms[0]);
    assert_int_equal(sc_logged("DELETE /users/v1/users/" FLAKY_ID " 500"), 1);
    assert_int_equal(sc_logged("DELETE /users/v1/users/" FLAKY_ID " 204"), 1);
    sc_stop();
}

static void status_500_every_time_is_bounded(void **state)
{
    static const char *const extra[] = {"--user", FLAKY_ID, "--fail-500", FLAKY_ID "=9", NULL};
    const cpuser_result *last;
    (void)state;
    start(extra);
    sc_connect(STATIC_TOKEN, 20000);
    assert_int_equal(del(FLAKY_ID), CPUSER_ERR_HTTP_SERVER);
    last = cpuser_client_last(&client);
    assert_int_equal(last->attempts, CPUSER_RETRY_MAX_ATTEMPTS);
    assert_true(last->wait_ms[1] <= 2u * CPUSER_RETRY_BASE_MS); /* the ceiling doubles */
    assert_int_equal(last->waited_ms, last->wait_ms[0] + last->wait_ms[1]);
    assert_int_equal(last->api_code, 500);
    assert_true(cpuser_view_eq(last->api_request_id, "req_0000000003"));
    assert_int_equal(sc_logged(" 500"), (int)CPUSER_RETRY_MAX_ATTEMPTS);
    sc_stop();
}

static void token_is_fetched_once_and_reused(void **state)
{
    static const char *const extra[] = {"--seed-users", "3", NULL};
    char path[128];
    static char text[65536];
    (void)state;
    start_oauth(extra);
    connect_oauth("localhost", 0);
    assert_int_equal(del("00000000-0000-4000-8000-000000000002"), CPUSER_OK);
    assert_int_equal(del("00000000-0000-4000-8000-000000000003"), CPUSER_OK);
    assert_int_equal(del(USER_ID), CPUSER_OK);
    assert_int_equal(del(MAIN_ID), CPUSER_ERR_HTTP_BAD_REQUEST);
    assert_int_equal(oauth.fetches, 1);
    assert_int_equal(sc_logged("POST /oauth2/token 200"), 1);
    assert_int_equal(sc_logged("DELETE"), 4);
    assert_int_equal(sc_logged(" 401"), 0);
    /* the token request went to the token host by its own name */
    snprintf(path, sizeof path, "%s/capture.jsonl", sc_dir);
    assert_true(peer_read_file(path, text, sizeof text) > 0);
    assert_non_null(strstr(text, "[\"Host\", \"localhost:"));
    assert_non_null(strstr(text, "[\"Host\", \"127.0.0.1:"));
    sc_stop();
}

static void token_is_replaced_before_it_expires(void **state)
{
    /* 2 s tokens, refreshed 0.5 s before expiry: usable for 1.5 s */
    static const char *const extra[] = {"--seed-users", "3", "--expires-in", "2", NULL};
    (void)state;
    start_oauth(extra);
    connect_oauth("127.0.0.1", 500);
    assert_int_equal(del("00000000-0000-4000-8000-000000000002"), CPUSER_OK);
    assert_int_equal(oauth.usable_ms, 1500);
    peer_sleep_ms(1600);
    assert_int_equal(del("00000000-0000-4000-8000-000000000003"), CPUSER_OK);
    assert_int_equal(cpuser_client_last(&client)->attempts, 1); /* no 401 on the way */
    assert_int_equal(oauth.fetches, 2);
    assert_int_equal(sc_logged("POST /oauth2/token 200"), 2);
    assert_int_equal(sc_logged(" 401"), 0);
    sc_stop();
}

static void refused_token_is_refreshed_once(void **state)
{
    /* the server stops accepting a token after 1 s although it announced an hour */
    static const char *const extra[] = {"--seed-users", "3", "--token-valid", "1", NULL};
    const cpuser_result *last;
    (void)state;
    start_oauth(extra);
    connect_oauth("127.0.0.1", 0);
    assert_int_equal(del("00000000-0000-4000-8000-000000000002"), CPUSER_OK);
    peer_sleep_ms(1200);
    assert_int_equal(del("00000000-0000-4000-8000-000000000003"), CPUSER_OK);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 204);
    assert_int_equal(last->attempts, 2);
    assert_int_equal(oauth.fetches, 2);
    assert_int_equal(sc_logged("DELETE /users/v1/users/00000000-0000-4000-8000-000000000003 401"), 1);
    assert_int_equal(sc_logged("DELETE /users/v1/users/00000000-0000-4000-8000-000000000003 204"), 1);
    sc_stop();
}

static void wrong_secret_fails_at_the_token_endpoint(void **state)
{
    const cpuser_result *last;
    (void)state;
    start_oauth(NULL);
    connect_oauth("127.0.0.1", 0);
    oauth.cfg.client_secret = "not-the-secret";
    oauth.cfg.client_secret_len = 14;
    assert_int_equal(del(USER_ID), CPUSER_ERR_HTTP_UNAUTHORIZED);
    last = cpuser_client_last(&client);
    assert_true(cpuser_view_eq(last->api_error, "invalid_client"));
    assert_int_equal(sc_logged("POST /oauth2/token 401"), 1);
    assert_int_equal(sc_logged("DELETE"), 0);
    assert_int_equal(oauth.token_len, 0);
    sc_stop();
}

static const char *find(const char *text, size_t len, const char *what)
{
    return memmem(text, len, what, strlen(what));
}

/* Each captured request that holds the secret must be a token request with
 * the secret in its body, once; and it is nowhere in the simulator's
 * output, its request log, or our working buffer. */
static void secret_only_in_the_token_request_body(void **state)
{
    static const char *const extra[] = {"--seed-users", "3", "--token-valid", "1",
                                        "--fail-500", "00000000-0000-4000-8000-000000000003", NULL};
    static char text[65536];
    char path[128];
    const char *line;
    int token_requests = 0;
    (void)state;
    start_oauth(extra);
    connect_oauth("127.0.0.1", 0);
    assert_int_equal(del("00000000-0000-4000-8000-000000000002"), CPUSER_OK);
    peer_sleep_ms(1200);
    assert_int_equal(del("00000000-0000-4000-8000-000000000003"), CPUSER_OK); /* 401, 500, 204 */
    assert_int_equal(del(MAIN_ID), CPUSER_ERR_HTTP_BAD_REQUEST);
    assert_null(memmem(work, sizeof work, CLIENT_SECRET, strlen(CLIENT_SECRET)));
    sc_stop();
    assert_true(peer_read_file(capture_path, text, sizeof text) > 0);
    for (line = text; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        const char *hit = memmem(line, len, CLIENT_SECRET, strlen(CLIENT_SECRET));
        const char *body = find(line, len, "\"body\": \"");
        bool token_request = find(line, len, "\"path\": \"/oauth2/token\"") != NULL;
        token_requests += token_request;
        if (token_request) {
            assert_non_null(hit);
            assert_non_null(body);
            assert_true(hit > body);
            hit += strlen(CLIENT_SECRET);
            assert_null(memmem(hit, len - (size_t)(hit - line), CLIENT_SECRET, strlen(CLIENT_SECRET)));
        } else {
            assert_null(hit);
        }
        line += len + (end != NULL ? 1u : 0u);
    }
    assert_int_equal(token_requests, 2);
    snprintf(path, sizeof path, "%s/requests.log", sc_dir);
    assert_true(peer_read_file(path, text, sizeof text) > 0);
    assert_null(strstr(text, CLIENT_SECRET));
    snprintf(path, sizeof path, "%s/sim.out", sc_dir);
    assert_true(peer_read_file(path, text, sizeof text) > 0);
    assert_null(strstr(text, CLIENT_SECRET));
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
        cmocka_unit_test(token_is_fetched_once_and_reused),
        cmocka_unit_test(token_is_replaced_before_it_expires),
        cmocka_unit_test(refused_token_is_refreshed_once),
        cmocka_unit_test(wrong_secret_fails_at_the_token_endpoint),
        cmocka_unit_test(secret_only_in_the_token_request_body),
    };
    return cmocka_run_group_tests(tests, sc_setup, sc_teardown);
}
