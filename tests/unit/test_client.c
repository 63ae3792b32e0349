/* The client cycle over a scripted transport: request bytes, keep-alive,
 * stale connections, buffer limits, streaming, deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/client.h"
#include "fake_net.h"

static fake_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[2048];

static const char token[] = "1|s3cr3t";

static bool retries_allowed;

static void setup_client(size_t cap)
{
    cpuser_client_config cfg;
    memset(&net, 0, sizeof net);
    fake_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.token = token;
    cfg.token_len = sizeof token - 1u;
    cfg.retry.max_attempts = retries_allowed ? 0 : 1; /* the cycle tests: one attempt */
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, cap), CPUSER_OK);
}

/* A client over the scripted transport that will play script[0..n). */
static void script_client(const fake_event *script, size_t n)
{
    setup_client(sizeof work);
    net.events = script;
    net.nevents = n;
}

static cpuser_view user_id;

static cpuser_request get_user(void)
{
    cpuser_request req;
    memset(&req, 0, sizeof req);
    user_id = cpuser_view_of("42");
    req.method = "GET";
    req.path = "/public-api/resources/users/v1.0/{}";
    req.segments = &user_id;
    req.segment_count = 1;
    return req;
}

#define OK_JSON "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n" \
                "X-RateLimit-Limit: 60\r\nX-RateLimit-Remaining: 59\r\n\r\n{\"data\":{}}\r\n"

static void get_round_trip(void **state)
{
    static const fake_event script[] = {{OK_JSON, CPUSER_OK}};
    static const char expect[] =
        "GET /public-api/resources/users/v1.0/42 HTTP/1.1\r\n"
        "Host: api.example.com\r\n"
        "User-Agent: " CPUSER_USER_AGENT "\r\n"
        "Accept: application/json\r\n"
        "Authorization: Bearer 1|s3cr3t\r\n"
        "\r\n";
    cpuser_request req = get_user();
    const cpuser_result *last;
    (void)state;
    script_client(script, 1);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(net.sent_len, strlen(expect));
    assert_memory_equal(net.sent, expect, net.sent_len);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 200);
    assert_int_equal(last->attempts, 1);
    assert_true(last->json);
    assert_true(cpuser_view_eq(last->body, "{\"data\":{}}\r\n"));
    assert_int_equal(last->ratelimit_limit, 60);
    assert_int_equal(last->ratelimit_remaining, 59);
    assert_int_equal(last->ratelimit_reset, -1);
    assert_true(client.connected);
}

static void http_errors_map_and_keep_the_body(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 404 Not Found\r\nContent-Length: 24\r\n\r\n{\"message\":\"Not found.\"}", CPUSER_OK},
        {"HTTP/1.1 422 Unprocessable Content\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
        {"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    script_client(script, 3);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_true(cpuser_view_eq(client.last.body, "{\"message\":\"Not found.\"}"));
    assert_int_equal(client.last.err, CPUSER_ERR_HTTP_NOT_FOUND);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_UNPROCESSABLE);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(client.last.status, 503);
    assert_true(cpuser_view_eq(client.last.retry_after, "7"));
    assert_int_equal(net.connects, 1); /* one kept-alive connection for all three */
}

static void error_bodies_are_decoded(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 422 Unprocessable Content\r\nContent-Type: application/json\r\nContent-Length: 168\r\n\r\n"
         "{\"message\":\"The email field is required. (and 1 more error)\",\"errors\":{\"e\\u006dail\":"
         "[\"The email field is required.\"],\"password\":[\"Too short.\",\"Needs a digit \\u00e9.\"]}}",
         CPUSER_OK},
        {"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 26\r\n\r\n"
         "<html>{\"message\":1}</html>", CPUSER_OK},
        {"HTTP/1.1 404 Not Found\r\nContent-Length: 40\r\n\r\n"
         "{\"error\":{\"code\":\"x\",\"message\":\"Gone.\"}}", CPUSER_OK},
    };
    cpuser_request req = get_user();
    const cpuser_result *last;
    (void)state;
    script_client(script, 3);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_UNPROCESSABLE);
    last = cpuser_client_last(&client);
    assert_true(cpuser_view_eq(last->message, "The email field is required. (and 1 more error)"));
    assert_int_equal(last->field_error_count, 3);
    assert_true(cpuser_view_eq(last->field_errors[0].field, "email"));
    assert_true(cpuser_view_eq(last->field_errors[0].message, "The email field is required."));
    assert_true(cpuser_view_eq(last->field_errors[1].field, "password"));
    assert_true(cpuser_view_eq(last->field_errors[2].field, "password"));
    assert_true(cpuser_view_eq(last->field_errors[2].message, "Needs a digit \xc3\xa9."));
    assert_false(last->field_errors_truncated);
    /* an HTML page from a proxy: the HTTP error stays, no message, no JSON error */
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(last->message.len, 0);
    assert_int_equal(last->field_error_count, 0);
    /* Azure-style {"error":{"message":...}} */
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_true(cpuser_view_eq(last->message, "Gone."));
}

static void connection_close_means_reconnect(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    script_client(script, 2);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_false(client.connected);
    assert_int_equal(net.closes, 1);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(net.connects, 2);
}

static void close_delimited_body(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\n\r\n{\"a\":1}", CPUSER_OK},
        {NULL, CPUSER_ERR_CLOSED},
    };
    cpuser_request req = get_user();
    (void)state;
    script_client(script, 2);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_true(cpuser_view_eq(client.last.body, "{\"a\":1}"));
    assert_false(client.connected);
}

static void stale_keep_alive_connection_is_replaced_once(void **state)
{
    static const fake_event script[] = {
        {OK_JSON, CPUSER_OK},
        {NULL, CPUSER_ERR_CLOSED},   /* the server closed the idle connection */
        {OK_JSON, CPUSER_OK},
    };
    cpuser_request req = get_user();
    size_t first_len;
    (void)state;
    script_client(script, 3);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    first_len = net.sent_len;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.attempts, 2);
    assert_int_equal(net.connects, 2);
    assert_int_equal(net.sent_len, 3 * first_len); /* sent, then sent again */
}

static void fresh_connection_closed_is_an_error_not_a_retry(void **state)
{
    static const fake_event script[] = {
        {NULL, CPUSER_ERR_CLOSED},
        {OK_JSON, CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    script_client(script, 2);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_CLOSED);
    assert_int_equal(client.last.attempts, 1);
    assert_int_equal(net.connects, 1);
    assert_false(client.connected);
}

static void truncated_response_is_closed_error(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"a\":", CPUSER_OK},
        {NULL, CPUSER_ERR_CLOSED},
    };
    cpuser_request req = get_user();
    (void)state;
    script_client(script, 2);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_CLOSED);
    assert_int_equal(client.last.status, 200);
    assert_false(client.connected);
}

static void body_larger_than_buffer_reports_need_and_closes(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{\"a\":", CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    setup_client(512);
    net.events = script;
    net.nevents = 1;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(client.last.need, strlen("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n") + 5000);
    assert_false(client.connected);
    assert_int_equal(net.closes, 1);
}

static void protocol_error_closes(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    script_client(script, 1);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_PROTOCOL);
    assert_false(client.connected);
}

/* ---- streaming ---- */

typedef struct {
    char got[8192];
    size_t len;
    int finals;
    int calls;
    bool last_final;      /* the last call had final set */
    bool data_after_final; /* a non-final call came after a final one */
    size_t take_at_most;
} collector;

static cpuser_err collect(void *arg, char *data, size_t len, bool final, size_t *consumed)
{
    collector *k = (collector *)arg;
    size_t n = len;
    k->calls++;
    if (k->take_at_most != 0u && n > k->take_at_most) {
        n = k->take_at_most;
    }
    assert_true(k->len + n <= sizeof k->got);
    memcpy(k->got + k->len, data, n);
    k->len += n;
    if (final) {
        k->finals++;
    } else if (k->finals > 0) {
        k->data_after_final = true;
    }
    k->last_final = final;
    *consumed = n;
    return CPUSER_OK;
}

static char big_response[12000];
static char big_body[6000];

static void streaming_body_through_a_small_buffer(void **state)
{
    fake_event script[1];
    cpuser_request req = get_user();
    collector k;
    cpuser_sink sink;
    size_t i;
    size_t off;
    (void)state;
    for (i = 0; i < sizeof big_body - 1u; i++) {
        big_body[i] = (char)('a' + (int)(i % 26u));
    }
    big_body[sizeof big_body - 1u] = '\0';
    /* chunked in 1000-byte chunks */
    off = (size_t)snprintf(big_response, sizeof big_response,
                           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (i = 0; i < sizeof big_body - 1u; i += 1000u) {
        size_t n = sizeof big_body - 1u - i < 1000u ? sizeof big_body - 1u - i : 1000u;
        off += (size_t)snprintf(big_response + off, sizeof big_response - off, "%zx\r\n%.*s\r\n",
                                n, (int)n, big_body + i);
    }
    off += (size_t)snprintf(big_response + off, sizeof big_response - off, "0\r\n\r\n");
    assert_true(off < sizeof big_response);
    script[0].data = big_response;
    script[0].err = CPUSER_OK;
    memset(&k, 0, sizeof k);
    k.take_at_most = 100; /* a slow consumer leaves bytes behind each time */
    sink.write = collect;
    sink.arg = &k;
    setup_client(512);
    net.events = script;
    net.nevents = 1;
    net.max_recv = 300;
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_OK);
    assert_int_equal(k.len, sizeof big_body - 1u);
    assert_memory_equal(k.got, big_body, k.len);
    /* the slow consumer left bytes at the end: final calls until it took all */
    assert_true(k.finals >= 1);
    assert_true(k.last_final);
    assert_false(k.data_after_final);
    assert_int_equal(client.last.body.len, 0);
    assert_true(client.connected);
}

static cpuser_err refuse(void *arg, char *data, size_t len, bool final, size_t *consumed)
{
    (void)arg;
    (void)data;
    (void)len;
    (void)final;
    *consumed = 0;
    return CPUSER_OK;
}

static void sink_that_never_consumes_fills_the_buffer(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n", CPUSER_OK},
        {NULL, CPUSER_ERR_TIMEOUT},
    };
    cpuser_request req = get_user();
    cpuser_sink sink;
    fake_event more[3];
    (void)state;
    memset(big_body, 'x', sizeof big_body);
    big_body[4000] = '\0';
    more[0] = script[0];
    more[1].data = big_body;
    more[1].err = CPUSER_OK;
    more[2] = script[1];
    sink.write = refuse;
    sink.arg = NULL;
    setup_client(512);
    net.events = more;
    net.nevents = 3;
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_false(client.connected);
}

static void error_bodies_are_never_streamed(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 401 Unauthorized\r\nContent-Length: 30\r\n\r\n{\"message\":\"Unauthenticated.\"}", CPUSER_OK},
    };
    cpuser_request req = get_user();
    collector k;
    cpuser_sink sink;
    (void)state;
    memset(&k, 0, sizeof k);
    sink.write = collect;
    sink.arg = &k;
    script_client(script, 1);
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_ERR_HTTP_UNAUTHORIZED);
    assert_int_equal(k.calls, 0);
    assert_true(cpuser_view_eq(client.last.body, "{\"message\":\"Unauthenticated.\"}"));
}

/* ---- request bodies ---- */

static cpuser_err body_abc(void *arg, char *buf, size_t cap, size_t *len)
{
    (void)arg;
    *len = 7;
    if (buf == NULL) {
        return CPUSER_OK;
    }
    if (cap < 7u) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(buf, "{\"a\":1}", 7);
    return CPUSER_OK;
}

static void post_with_body_and_partial_sends(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
    };
    static const char expect[] =
        "POST /public-api/resources/users/v1.0 HTTP/1.1\r\n"
        "Host: api.example.com\r\n"
        "User-Agent: " CPUSER_USER_AGENT "\r\n"
        "Accept: application/json\r\n"
        "Authorization: Bearer 1|s3cr3t\r\n"
        "If-Match: *\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 7\r\n"
        "\r\n{\"a\":1}";
    cpuser_request req;
    (void)state;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/public-api/resources/users/v1.0";
    req.body = body_abc;
    req.if_match = cpuser_view_of("*");
    script_client(script, 1);
    net.max_send = 5;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.status, 201);
    assert_int_equal(net.sent_len, strlen(expect));
    assert_memory_equal(net.sent, expect, net.sent_len);
}

static void post_without_body_sends_content_length_zero(void **state)
{
    static const fake_event script[] = {{"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", CPUSER_OK}};
    cpuser_request req;
    (void)state;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/x";
    script_client(script, 1);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_non_null(strstr(net.sent, "Content-Length: 0\r\n\r\n"));
}

static void bad_input_sends_nothing_and_connects_nowhere(void **state)
{
    cpuser_request req = get_user();
    (void)state;
    setup_client(sizeof work);
    req.if_match = cpuser_view_of("x\r\nX-Evil: 1");
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_BAD_ARGUMENT);
    req = get_user();
    user_id = cpuser_view_of("..");
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.connects, 0);
    assert_int_equal(net.sent_len, 0);
}

static void request_too_big_reports_need(void **state)
{
    static char long_id[600];
    cpuser_request req = get_user();
    (void)state;
    memset(long_id, 'a', sizeof long_id - 1u);
    user_id = cpuser_view_of(long_id);
    setup_client(512);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_true(client.last.need > 600);
    assert_int_equal(net.connects, 0);
}

static void total_deadline_bounds_a_dripping_server(void **state)
{
    /* one byte per recv, each recv costs 1 s on the clock: a 10 s total
     * deadline ends the call long before the 200-byte head is done */
    static const fake_event script[] = {{OK_JSON, CPUSER_OK}};
    cpuser_request req = get_user();
    cpuser_client_config cfg;
    (void)state;
    setup_client(sizeof work);
    cfg = client.cfg;
    cfg.total_timeout_ms = 10000;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    net.events = script;
    net.nevents = 1;
    net.max_recv = 1;
    net.tick = 1000;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_TIMEOUT);
    assert_true(net.recvs <= 11);
    assert_false(client.connected);
}

/* ---- retries (the default policy: 3 attempts, 250 ms base, 8 s cap) ---- */

static void setup_retrying(size_t cap)
{
    retries_allowed = true;
    setup_client(cap);
    retries_allowed = false;
}

static void get_503_then_200_backs_off_with_full_jitter(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {OK_JSON, CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.attempts, 2);
    /* full jitter over [0, 250]: the fake random is 0x42424242 */
    assert_int_equal(client.last.wait_ms[0], 0x42424242u % 251u);
    assert_int_equal(client.last.waited_ms, client.last.wait_ms[0]);
    assert_int_equal(net.now, client.last.waited_ms); /* it really slept */
    assert_int_equal(net.connects, 1);                /* keep-alive survived the 503 */
}

static void attempts_are_bounded_and_backoff_grows(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\n<html>", CPUSER_OK},
        {"HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {OK_JSON, CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 4;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(client.last.status, 503);
    assert_int_equal(client.last.attempts, 3);
    assert_int_equal(client.last.wait_ms[0], 0x42424242u % 251u);
    assert_int_equal(client.last.wait_ms[1], 0x42424242u % 501u);
}

static void retry_after_seconds_date_and_ratelimit_reset(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {OK_JSON, CPUSER_OK},
        {"HTTP/1.1 429 Too Many Requests\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
         "Retry-After: Sun, 06 Nov 1994 08:49:41 GMT\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {OK_JSON, CPUSER_OK},
        {"HTTP/1.1 429 Too Many Requests\r\nDate: Mon, 23 Nov 2026 18:00:00 GMT\r\n"
         "X-RateLimit-Reset: 1795456803\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {OK_JSON, CPUSER_OK},
        {"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 7;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.wait_ms[0], 2000);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.wait_ms[0], 4000); /* 08:49:41 - 08:49:37 */
    /* X-RateLimit-Reset as a Unix time (Laravel): 1795456803 is 18:00:03 */
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.wait_ms[0], 3000);
    /* an hour is over the 30 s ceiling: the 429 comes back at once */
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_RATE_LIMITED);
    assert_int_equal(client.last.attempts, 1);
    assert_int_equal(client.last.waited_ms, 0);
}

static void get_is_retried_after_a_reset_or_timeout(void **state)
{
    static const fake_event script[] = {
        {NULL, CPUSER_ERR_IO},
        {NULL, CPUSER_ERR_TIMEOUT},
        {OK_JSON, CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 3;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.attempts, 3);
    assert_int_equal(net.connects, 3);
}

static cpuser_err body_7(void *arg, char *buf, size_t cap, size_t *len)
{
    (void)arg;
    *len = 7;
    if (buf != NULL && cap >= 7u) {
        memcpy(buf, "{\"a\":1}", 7);
    }
    return CPUSER_OK;
}

static void post_is_never_sent_twice_once_it_went_out(void **state)
{
    static const fake_event script[] = {
        {NULL, CPUSER_ERR_TIMEOUT},
        {"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
    };
    cpuser_request req;
    (void)state;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/x";
    req.body = body_7;
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_TIMEOUT);
    assert_int_equal(client.last.attempts, 1);
    assert_true(client.last.sent);
    assert_int_equal(client.last.status, 0);
    /* a 503 to a POST is not retried either: the server got the request */
    net.next = 1;
    {
        static const fake_event s503[] = {
            {"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
            {"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
        };
        setup_retrying(sizeof work);
        net.events = s503;
        net.nevents = 2;
        assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
        assert_int_equal(client.last.attempts, 1);
    }
}

static void post_is_retried_when_the_connection_failed(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
    };
    cpuser_request req;
    (void)state;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/x";
    req.body = body_7;
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 1;
    net.connect_err = CPUSER_ERR_CONNECT;
    net.connect_failures = 2;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_int_equal(client.last.attempts, 3);
    assert_int_equal(net.connects, 3);
    assert_int_equal(client.last.status, 201);
    /* DNS failures are not retried */
    setup_retrying(sizeof work);
    net.connect_err = CPUSER_ERR_DNS;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_DNS);
    assert_int_equal(client.last.attempts, 1);
    assert_false(client.last.sent);
}

static void no_retry_once_the_sink_saw_body_bytes(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"data\":[", CPUSER_OK},
        {NULL, CPUSER_ERR_IO},
        {OK_JSON, CPUSER_OK},
    };
    cpuser_request req = get_user();
    collector k;
    cpuser_sink sink;
    (void)state;
    memset(&k, 0, sizeof k);
    sink.write = collect;
    sink.arg = &k;
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 3;
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_ERR_IO);
    assert_int_equal(client.last.attempts, 1);
    assert_int_equal(k.len, 9);
}

static void waits_never_outlast_the_total_deadline(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 20\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {OK_JSON, CPUSER_OK},
    };
    cpuser_request req = get_user();
    cpuser_client_config cfg;
    (void)state;
    setup_retrying(sizeof work);
    cfg = client.cfg;
    cfg.total_timeout_ms = 10000; /* 20 s asked, 10 s left: give up now */
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_RATE_LIMITED);
    assert_int_equal(client.last.attempts, 1);
    assert_true(net.now < 10000);
}

static void max_body_bounds_streamed_bodies(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", CPUSER_OK},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n"
         "0123456789012345678901234567890123456789012345678901234567890123\r\n", CPUSER_OK},
    };
    cpuser_request req = get_user();
    cpuser_client_config cfg;
    collector k;
    cpuser_sink sink;
    (void)state;
    memset(&k, 0, sizeof k);
    sink.write = collect;
    sink.arg = &k;
    setup_client(sizeof work);
    cfg = client.cfg;
    cfg.max_body = 50;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(client.last.need, strlen("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n") + 100u);
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_false(client.connected);
}

static void init_rejects_bad_config(void **state)
{
    cpuser_client_config cfg;
    (void)state;
    memset(&net, 0, sizeof net);
    fake_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_ERR_BAD_ARGUMENT);
    cfg.host = "evil.com\r\nX: y";
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_ERR_BAD_ARGUMENT);
    cfg.host = "ok.example";
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, 100), CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, NULL, sizeof work), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    assert_int_equal(client.cfg.port, 80);
    assert_int_equal(client.cfg.total_timeout_ms, CPUSER_TOTAL_TIMEOUT_MS);
}

static void status_500_is_retried_only_when_the_policy_says(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {OK_JSON, CPUSER_OK},
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
    };
    cpuser_request req = get_user();
    (void)state;
    /* the default policy: a 500 comes back at once (AMPECO behaviour) */
    setup_retrying(sizeof work);
    net.events = script;
    net.nevents = 6;
    assert_false(client.cfg.retry.retry_500);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(client.last.attempts, 1);
    assert_int_equal(client.last.waited_ms, 0);
    /* retry_500: tried again after a full-jitter wait, then 200 */
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    client.cfg.retry.retry_500 = true;
    net.next = 2;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(client.last.attempts, 3); /* bounded by max_attempts */
    assert_int_equal(client.last.wait_ms[0], 0x42424242u % 251u);
    assert_int_equal(client.last.wait_ms[1], 0x42424242u % 501u); /* exponential ceiling */
    assert_int_equal(client.last.waited_ms, client.last.wait_ms[0] + client.last.wait_ms[1]);
}

static void status_500_to_a_post_is_never_retried(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", CPUSER_OK},
        {"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", CPUSER_OK},
    };
    cpuser_request req;
    (void)state;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/x";
    req.body = body_7;
    setup_retrying(sizeof work);
    client.cfg.retry.retry_500 = true;
    net.events = script;
    net.nevents = 2;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(client.last.attempts, 1);
}

/* The first of a duplicated string member wins, for every error shape
 * (review finding: no test held this rule). */
static void duplicated_error_members_first_wins(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 104\r\n\r\n"
         "{\"message\":\"first\",\"error\":\"E1\",\"requestId\":\"r1\",\"message\":\"second\","
         "\"error\":\"E2\",\"requestId\":\"r2\",\"x\":0}",
         CPUSER_OK},
    };
    cpuser_request req = get_user();
    const cpuser_result *last;
    (void)state;
    script_client(script, 1);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_BAD_REQUEST);
    last = cpuser_client_last(&client);
    assert_true(cpuser_view_eq(last->message, "first"));
    assert_true(cpuser_view_eq(last->api_error, "E1"));
    assert_true(cpuser_view_eq(last->api_request_id, "r1"));
}

static void contasimples_error_body_is_decoded(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 243\r\n\r\n"
         "{\"error\": \"Bad Request\", \"message\": \"The request contains invalid parameters\", "
         "\"code\": 400, \"details\": [{\"field\": \"email\", \"message\": \"Invalid email format\"}, "
         "{\"field\": \"user\\u0049d\", \"message\": \"MAIN\"}, 7, {\"field\": 1}], \"requestId\": \"req_9\"}",
         CPUSER_OK},
        {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 56\r\n\r\n"
         "{\"error\":\"Internal Server Error\",\"code\":\"x\",\"message\":1}", CPUSER_OK},
    };
    cpuser_request req = get_user();
    const cpuser_result *last;
    (void)state;
    script_client(script, 2);
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_BAD_REQUEST);
    last = cpuser_client_last(&client);
    assert_true(cpuser_view_eq(last->api_error, "Bad Request"));
    assert_true(cpuser_view_eq(last->message, "The request contains invalid parameters"));
    assert_int_equal(last->api_code, 400);
    assert_true(cpuser_view_eq(last->api_request_id, "req_9"));
    assert_int_equal(last->field_error_count, 2); /* elements with neither a name nor a message are skipped */
    assert_true(cpuser_view_eq(last->field_errors[0].field, "email"));
    assert_true(cpuser_view_eq(last->field_errors[0].message, "Invalid email format"));
    assert_true(cpuser_view_eq(last->field_errors[1].field, "userId"));
    /* wrong types leave the fields empty; code -1 */
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_ERR_HTTP_SERVER);
    assert_true(cpuser_view_eq(last->api_error, "Internal Server Error"));
    assert_int_equal(last->api_code, -1);
    assert_int_equal(last->message.len, 0);
    assert_int_equal(last->api_request_id.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_round_trip),
        cmocka_unit_test(http_errors_map_and_keep_the_body),
        cmocka_unit_test(error_bodies_are_decoded),
        cmocka_unit_test(connection_close_means_reconnect),
        cmocka_unit_test(close_delimited_body),
        cmocka_unit_test(stale_keep_alive_connection_is_replaced_once),
        cmocka_unit_test(fresh_connection_closed_is_an_error_not_a_retry),
        cmocka_unit_test(truncated_response_is_closed_error),
        cmocka_unit_test(body_larger_than_buffer_reports_need_and_closes),
        cmocka_unit_test(protocol_error_closes),
        cmocka_unit_test(streaming_body_through_a_small_buffer),
        cmocka_unit_test(sink_that_never_consumes_fills_the_buffer),
        cmocka_unit_test(error_bodies_are_never_streamed),
        cmocka_unit_test(post_with_body_and_partial_sends),
        cmocka_unit_test(post_without_body_sends_content_length_zero),
        cmocka_unit_test(bad_input_sends_nothing_and_connects_nowhere),
        cmocka_unit_test(request_too_big_reports_need),
        cmocka_unit_test(total_deadline_bounds_a_dripping_server),
        cmocka_unit_test(get_503_then_200_backs_off_with_full_jitter),
        cmocka_unit_test(attempts_are_bounded_and_backoff_grows),
        cmocka_unit_test(retry_after_seconds_date_and_ratelimit_reset),
        cmocka_unit_test(get_is_retried_after_a_reset_or_timeout),
        cmocka_unit_test(post_is_never_sent_twice_once_it_went_out),
        cmocka_unit_test(post_is_retried_when_the_connection_failed),
        cmocka_unit_test(no_retry_once_the_sink_saw_body_bytes),
        cmocka_unit_test(waits_never_outlast_the_total_deadline),
        cmocka_unit_test(max_body_bounds_streamed_bodies),
        cmocka_unit_test(init_rejects_bad_config),
        cmocka_unit_test(status_500_is_retried_only_when_the_policy_says),
        cmocka_unit_test(status_500_to_a_post_is_never_retried),
        cmocka_unit_test(duplicated_error_members_first_wins),
        cmocka_unit_test(contasimples_error_body_is_decoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
