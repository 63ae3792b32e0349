/* The log hook, built with CPUSER_LOG_LEVEL=3 (the library's default is 0:
 * compiled out). Events are constant strings and numbers; the token and
 * anything the server says never reach the hook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/client.h"
#include "fake_net.h"

static char logged[4096];
static size_t logged_len;
static int events;

static void capture(void *ctx, int level, const char *event, int64_t value)
{
    int n;
    (void)ctx;
    n = snprintf(logged + logged_len, sizeof logged - logged_len, "%d %s %lld\n", level, event,
                 (long long)value);
    if (n > 0 && (size_t)n < sizeof logged - logged_len) {
        logged_len += (size_t)n;
    }
    events++;
}

static void log_has_events_but_no_secrets(void **state)
{
    static const fake_event script[] = {
        {"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 25\r\n\r\n{\"message\":\"SERVER-TEXT\"}", CPUSER_OK},
        {"HTTP/1.1 200 OK\r\nContent-Length: 23\r\n\r\n{\"data\":{\"x\":\"SECRET\"}}", CPUSER_OK},
    };
    static const char token[] = "tok-SECRET-7f3a";
    static fake_net net;
    static cpuser_transport tp;
    static cpuser_platform pf;
    static cpuser_client client;
    static char work[1024];
    cpuser_client_config cfg;
    cpuser_request req;
    cpuser_view id = cpuser_view_of("1");
    (void)state;
    fake_net_tables(&net, &tp, &pf);
    net.events = script;
    net.nevents = 2;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "api.example.com";
    cfg.token = token;
    cfg.token_len = sizeof token - 1u;
    cfg.log = capture;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/u/{}";
    req.segments = &id;
    req.segment_count = 1;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_true(events >= 4);
    assert_non_null(strstr(logged, "connect"));
    assert_non_null(strstr(logged, "status 503"));
    assert_non_null(strstr(logged, "retry wait ms"));
    assert_non_null(strstr(logged, "status 200"));
    assert_null(strstr(logged, "SECRET"));
    assert_null(strstr(logged, "SERVER-TEXT"));
    assert_null(strstr(logged, "api.example.com"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(log_has_events_but_no_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
