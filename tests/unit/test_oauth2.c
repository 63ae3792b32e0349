/* OAuth2 client credentials over a scripted transport: the token request's
 * bytes, caching and expiry, the one refresh after a 401, the answers that
 * are refused (and every truncation of one), and the secret's absence from
 * the working buffer afterwards. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/contasimples.h"
#include "cpuser/oauth2.h"
#include "fake_net.h"

static fake_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static cpuser_oauth2 oauth;
static char work[2048];

static const char secret[] = "s3cr3t &=+/ \xc3\xa9";
#define ID "550e8400-e29b-41d4-a716-446655440000"
#define NO_CONTENT "HTTP/1.1 204 No Content\r\n\r\n"
#define UNAUTHORIZED "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"

static char answers[8][512];

/* A 200 token answer with `json` as its body, in answers[slot]. */
static const char *token_answer(int slot, const char *json)
{
    snprintf(answers[slot], sizeof answers[slot],
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
             "Content-Length: %zu\r\n\r\n%s", strlen(json), json);
    return answers[slot];
}

static void setup(const char *scope, uint32_t margin)
{
    cpuser_client_config cfg;
    cpuser_oauth2_config oc;
    memset(&net, 0, sizeof net);
    fake_net_tables(&net, &tp, &pf);
    memset(&oc, 0, sizeof oc);
    oc.host = "auth.example.com";
    oc.port = 8443;
    oc.path = "/oauth2/token";
    oc.client_id = "cpuser client";
    oc.client_id_len = 13;
    oc.client_secret = secret;
    oc.client_secret_len = sizeof secret - 1u;
    oc.scope = scope;
    oc.scope_len = scope != NULL ? strlen(scope) : 0u;
    oc.refresh_margin_ms = margin;
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_OK);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.auth = cpuser_oauth2_auth(&oauth);
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
}

static size_t count(const char *what)
{
    size_t n = 0;
    const char *p = net.sent;
    size_t left = net.sent_len;
    const char *hit;
    while ((hit = memmem(p, left, what, strlen(what))) != NULL) {
        n++;
        left -= (size_t)(hit - p) + 1u;
        p = hit + 1;
    }
    return n;
}

static void token_request_bytes(void **state)
{
    fake_event script[2];
    static const char expect[] =
        "POST /oauth2/token HTTP/1.1\r\n"
        "Host: auth.example.com:8443\r\n"
        "User-Agent: " CPUSER_USER_AGENT "\r\n"
        "Accept: application/json\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 120\r\n"
        "\r\n"
        "grant_type=client_credentials&client_id=cpuser%20client"
        "&client_secret=s3cr3t%20%26%3D%2B%2F%20%C3%A9&scope=users%3Awrite";
    (void)state;
    setup("users:write", 0);
    script[0].data = token_answer(0, "{\"access_token\":\"tok-1\",\"token_type\":\"bearer\",\"expires_in\":3600}");
    script[0].err = CPUSER_OK;
    script[1].data = NO_CONTENT;
    script[1].err = CPUSER_OK;
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_OK);
    assert_true(net.sent_len > sizeof expect - 1u);
    assert_memory_equal(net.sent, expect, sizeof expect - 1u);
    assert_int_equal(count("Authorization: Bearer tok-1\r\n"), 1);
    assert_int_equal(count("Host: api.example.com\r\n"), 1);
    assert_int_equal(net.connects, 2); /* the token endpoint's, then the API's */
    assert_int_equal(oauth.fetches, 1);
    assert_int_equal(oauth.usable_ms, 3600000u - CPUSER_OAUTH2_REFRESH_MARGIN_MS);
    /* the secret is not left in the working buffer */
    assert_null(memmem(work, sizeof work, "s3cr3t", 6));
    assert_int_equal(client.last.attempts, 1);
}

static void token_is_reused_then_refreshed_before_expiry(void **state)
{
    fake_event script[5];
    (void)state;
    setup(NULL, 1000);
    script[0].data = token_answer(0, "{\"access_token\":\"tok-1\",\"expires_in\":\"10\"}");
    script[1].data = NO_CONTENT;
    script[2].data = NO_CONTENT;
    script[3].data = token_answer(1, "{\"access_token\":\"tok-2\",\"expires_in\":10}");
    script[4].data = NO_CONTENT;
    script[0].err = script[1].err = script[2].err = script[3].err = script[4].err = CPUSER_OK;
    net.events = script;
    net.nevents = 5;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_OK);
    net.now += 8999; /* 10 s life, 1 s margin: still usable */
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_OK);
    assert_int_equal(oauth.fetches, 1);
    assert_int_equal(count("Bearer tok-1\r\n"), 2);
    net.now += 1; /* 9 s after the request: within the margin, replaced first */
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_OK);
    assert_int_equal(oauth.fetches, 2);
    assert_int_equal(count("Bearer tok-2\r\n"), 1);
    assert_int_equal(count("client_secret="), 2);
}

static void refused_token_is_refreshed_once(void **state)
{
    fake_event script[7];
    size_t i;
    (void)state;
    setup(NULL, 0);
    script[0].data = token_answer(0, "{\"access_token\":\"tok-1\",\"expires_in\":3600}");
    script[1].data = UNAUTHORIZED;
    script[2].data = token_answer(1, "{\"access_token\":\"tok-2\",\"expires_in\":3600}");
    script[3].data = NO_CONTENT;
    /* a second call whose fresh token is refused too: one refresh only */
    script[4].data = UNAUTHORIZED;
    script[5].data = token_answer(2, "{\"access_token\":\"tok-3\",\"expires_in\":3600}");
    script[6].data = UNAUTHORIZED;
    for (i = 0; i < 7; i++) {
        script[i].err = CPUSER_OK;
    }
    net.events = script;
    net.nevents = 7;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_OK);
    assert_int_equal(client.last.attempts, 2);
    assert_int_equal(client.last.waited_ms, 0);
    assert_int_equal(oauth.fetches, 2);
    assert_int_equal(count("Bearer tok-1\r\n"), 1);
    assert_int_equal(count("Bearer tok-2\r\n"), 1);
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)),
                     CPUSER_ERR_HTTP_UNAUTHORIZED);
    assert_int_equal(oauth.fetches, 3);
    assert_int_equal(count("Bearer tok-3\r\n"), 1);
    assert_int_equal(client.last.attempts, 2);
}

static void token_endpoint_refusal_ends_the_call(void **state)
{
    static const char refusal[] =
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n"
        "{\"error\":\"invalid_client\"}";
    fake_event script[1];
    (void)state;
    setup(NULL, 0);
    script[0].data = refusal;
    script[0].err = CPUSER_OK;
    net.events = script;
    net.nevents = 1;
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)),
                     CPUSER_ERR_HTTP_UNAUTHORIZED);
    assert_int_equal(client.last.status, 401);
    assert_true(cpuser_view_eq(client.last.api_error, "invalid_client")); /* kept, not wiped */
    assert_int_equal(count("DELETE"), 0); /* the API request was never sent */
    assert_int_equal(oauth.token_len, 0);
    assert_null(memmem(work, sizeof work, "s3cr3t", 6));
}

static void bad_answers_cache_nothing(void **state)
{
    static const char *const bad[] = {
        "{}",
        "[]",
        "{\"access_token\":\"\"}",
        "{\"access_token\":42}",
        "{\"access_token\":\"t\",\"token_type\":\"mac\"}",
        "{\"access_token\":\"t\",\"expires_in\":-1}",
        "{\"access_token\":\"t\",\"expires_in\":1.5}",
        "{\"access_token\":\"t\",\"expires_in\":\"12a\"}",
        "{\"access_token\":\"t\",\"expires_in\":\"\"}",
        "{\"access_token\":\"a b\"}",
        "{\"access_token\":\"a\\r\\nX-Injected: 1\"}",
        "{\"access_token\":\"\\u00e9\"}",
        "not json",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fake_event script[1];
        setup(NULL, 0);
        script[0].data = token_answer(0, bad[i]);
        script[0].err = CPUSER_OK;
        net.events = script;
        net.nevents = 1;
        if (cpuser_oauth2_fetch(&oauth, &client) != CPUSER_ERR_JSON) {
            fail_msg("accepted %s", bad[i]);
        }
        assert_int_equal(oauth.token_len, 0);
    }
}

static void long_token_is_buffer_too_small(void **state)
{
    static char json[CPUSER_OAUTH2_TOKEN_MAX + 64];
    static char response[CPUSER_OAUTH2_TOKEN_MAX + 256];
    static char big_work[8192];
    fake_event script[1];
    size_t n;
    (void)state;
    setup(NULL, 0);
    assert_int_equal(cpuser_client_init(&client, &client.cfg, &tp, &pf, big_work, sizeof big_work),
                     CPUSER_OK);
    n = (size_t)snprintf(json, sizeof json, "{\"access_token\":\"");
    memset(json + n, 'A', CPUSER_OAUTH2_TOKEN_MAX);
    memcpy(json + n + CPUSER_OAUTH2_TOKEN_MAX, "\"}", 3);
    snprintf(response, sizeof response, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(json), json);
    script[0].data = response;
    script[0].err = CPUSER_OK;
    net.events = script;
    net.nevents = 1;
    assert_int_equal(cpuser_oauth2_fetch(&oauth, &client), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(oauth.token_len, 0);
}

/* Every truncation of a good answer (Content-Length matching the cut): an
 * error, never a token, never a read past the bytes (ASan). */
static void truncated_answers(void **state)
{
    static const char good[] = "{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":3600}";
    char cut[sizeof good];
    size_t n;
    (void)state;
    for (n = 0; n < sizeof good - 1u; n++) {
        fake_event script[1];
        memcpy(cut, good, n);
        cut[n] = '\0';
        setup(NULL, 0);
        script[0].data = token_answer(0, cut);
        script[0].err = CPUSER_OK;
        net.events = script;
        net.nevents = 1;
        assert_int_not_equal(cpuser_oauth2_fetch(&oauth, &client), CPUSER_OK);
        assert_int_equal(oauth.token_len, 0);
    }
    setup(NULL, 0);
    {
        fake_event script[1];
        script[0].data = token_answer(0, good);
        script[0].err = CPUSER_OK;
        net.events = script;
        net.nevents = 1;
        assert_int_equal(cpuser_oauth2_fetch(&oauth, &client), CPUSER_OK);
        assert_int_equal(oauth.token_len, 5);
    }
}

static void default_lifetime_and_short_lifetimes(void **state)
{
    fake_event script[2];
    (void)state;
    setup(NULL, 0);
    script[0].data = token_answer(0, "{\"access_token\":\"t\"}");
    script[1].data = token_answer(1, "{\"access_token\":\"t\",\"expires_in\":30}");
    script[0].err = script[1].err = CPUSER_OK;
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_oauth2_fetch(&oauth, &client), CPUSER_OK);
    assert_int_equal(oauth.usable_ms, CPUSER_OAUTH2_DEFAULT_LIFETIME_S * 1000u - CPUSER_OAUTH2_REFRESH_MARGIN_MS);
    /* 30 s is under twice the 60 s margin: used for half its life */
    assert_int_equal(cpuser_oauth2_fetch(&oauth, &client), CPUSER_OK);
    assert_int_equal(oauth.usable_ms, 15000u);
}

static void init_checks(void **state)
{
    cpuser_oauth2_config oc;
    (void)state;
    memset(&oc, 0, sizeof oc);
    oc.host = "auth.example.com";
    oc.path = "/token";
    oc.client_id = "id";
    oc.client_id_len = 2;
    oc.client_secret = "x";
    oc.client_secret_len = 1;
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_OK);
    assert_int_equal(oauth.cfg.refresh_margin_ms, CPUSER_OAUTH2_REFRESH_MARGIN_MS);
    assert_ptr_equal(cpuser_oauth2_auth(&oauth), &oauth.auth);
    assert_int_equal(cpuser_oauth2_init(NULL, &oc), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_oauth2_init(&oauth, NULL), CPUSER_ERR_BAD_ARGUMENT);
    oc.path = "token";
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_ERR_BAD_ARGUMENT);
    oc.path = "/to ken";
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_ERR_BAD_ARGUMENT);
    oc.path = "/token\r\nX: y";
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_ERR_BAD_ARGUMENT);
    oc.path = "/token";
    oc.client_secret_len = 0;
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_ERR_BAD_ARGUMENT);
    oc.client_secret_len = 1;
    oc.client_id = NULL;
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_ERR_BAD_ARGUMENT);
    oc.client_id = "id";
    oc.scope_len = 3;
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_ERR_BAD_ARGUMENT);
    oc.scope_len = 0;
    oc.host = "";
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_ERR_BAD_ARGUMENT);
    /* a host the client refuses is refused at the call, before sending */
    oc.host = "bad host";
    assert_int_equal(cpuser_oauth2_init(&oauth, &oc), CPUSER_OK);
    setup(NULL, 0);
    oauth.cfg.host = "bad host";
    assert_int_equal(cpuser_contasimples_delete_user(&client, cpuser_view_of(ID)), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.sent_len, 0);
    cpuser_oauth2_forget(&oauth);
    assert_int_equal(oauth.token_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_request_bytes),
        cmocka_unit_test(token_is_reused_then_refreshed_before_expiry),
        cmocka_unit_test(refused_token_is_refreshed_once),
        cmocka_unit_test(token_endpoint_refusal_ends_the_call),
        cmocka_unit_test(bad_answers_cache_nothing),
        cmocka_unit_test(long_token_is_buffer_too_small),
        cmocka_unit_test(truncated_answers),
        cmocka_unit_test(default_lifetime_and_short_lifetimes),
        cmocka_unit_test(init_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
