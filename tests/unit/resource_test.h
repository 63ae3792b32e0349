/* Shared set-up for the resource unit tests (user groups, id tags, payment
 * methods, invoice details): a client over the scripted transport of
 * fake_net.h, recorded responses in, the exact request bytes out.
 * Header-only, test use only. */
#ifndef RESOURCE_TEST_H
#define RESOURCE_TEST_H

#include <stdio.h>
#include <string.h>

#include "cpuser/client.h"
#include "fake_net.h"

#define RT_MAX_RESPONSES 4

static fake_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];
static char rt_responses[RT_MAX_RESPONSES][4096];
static fake_event rt_script[RT_MAX_RESPONSES];

/* A fresh client whose next n calls get the given status lines and JSON
 * bodies ("" with 204: no body). */
static void rt_setup(size_t n, const char *const *statuses, const char *const *bodies)
{
    cpuser_client_config cfg;
    size_t i;
    memset(&net, 0, sizeof net);
    fake_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.token = "T";
    cfg.token_len = 1;
    cfg.retry.max_attempts = 1;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    for (i = 0; i < n && i < RT_MAX_RESPONSES; i++) {
        if (strncmp(statuses[i], "204", 3) == 0) {
            snprintf(rt_responses[i], sizeof rt_responses[i], "HTTP/1.1 %s\r\n\r\n", statuses[i]);
        } else {
            snprintf(rt_responses[i], sizeof rt_responses[i],
                     "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     statuses[i], strlen(bodies[i]), bodies[i]);
        }
        rt_script[i].data = rt_responses[i];
        rt_script[i].err = CPUSER_OK;
    }
    net.events = rt_script;
    net.nevents = n;
}

/* One response. */
static void rt_setup1(const char *status, const char *body)
{
    rt_setup(1, &status, &body);
}

/* Everything sent so far, NUL-terminated. */
static const char *rt_sent(void)
{
    net.sent[net.sent_len < sizeof net.sent ? net.sent_len : sizeof net.sent - 1u] = '\0';
    return net.sent;
}

/* The body of the (last) request sent: what follows its blank line. */
static const char *rt_body(void)
{
    const char *p = rt_sent();
    const char *q;
    const char *last = NULL;
    while ((q = strstr(p, "\r\n\r\n")) != NULL) {
        last = q + 4;
        p = q + 4;
    }
    assert_non_null(last);
    return last;
}

/* The request line of the n-th request sent (0-based) starts with `line`. */
static void rt_assert_line(int n, const char *line)
{
    const char *p = rt_sent();
    int i;
    for (i = 0; i < n; i++) {
        p = strstr(p + 1, "\r\n\r\n");
        assert_non_null(p);
        p += 4;
        /* skip a body: the next request starts with an upper-case method */
        while (*p != '\0' && !(p[0] >= 'A' && p[0] <= 'Z' && strchr(p, ' ') != NULL &&
                               (strncmp(p, "GET ", 4) == 0 || strncmp(p, "POST ", 5) == 0 ||
                                strncmp(p, "PATCH ", 6) == 0 || strncmp(p, "DELETE ", 7) == 0))) {
            p++;
        }
    }
    if (strncmp(p, line, strlen(line)) != 0) {
        fail_msg("request %d: want '%s', sent '%.*s'", n, line, (int)strcspn(p, "\r"), p);
    }
}

#endif /* RESOURCE_TEST_H */
