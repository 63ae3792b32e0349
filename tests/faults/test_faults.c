/* Fault injection: the library over the POSIX port against
 * tests/faults/fault_server.py, one cmocka test per server scenario.
 *
 * Each test states the exact error, the attempts the client made
 * (cpuser_client_last()->attempts), what the server counted where it
 * matters (GET /__count/<name>), and a generous bound on the elapsed time
 * (CLOCK_MONOTONIC). The client runs with the 4,096-byte working buffer of a
 * charge point, short timeouts and a retry policy with small waits, so the
 * whole suite takes seconds.
 *
 * Raw scenarios go through cpuser_client_call() to /fault/<name>; the users
 * scenarios use the users API with the scenario's name as the bearer token
 * (the server picks the scenario from it). */
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

#include <sys/time.h>

#include "cpuser/ampeco_users.h"
#include "cpuser/posix.h"

#define IO_MS 300u
#define CONNECT_MS 500u
#define TOTAL_MS 3000u
#define MAX_ATTEMPTS 3u
#define BASE_MS 20u
#define CAP_MS 100u
#define RETRY_AFTER_MAX_MS 2000u

/* The head fault_server.py sends in "body-too-big", before 10,000 bytes. */
#define BIG_HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
#define BIG_BODY 10000u

static char dir[64];
static peer srv;
static unsigned short refused_port; /* nothing listens there */
static char work[4096];
static cpuser_client client;
static long elapsed_ms;

/* ---- a transport and a platform that watch the POSIX ones ---- */

typedef struct {
    cpuser_posix_tcp tcp;
    cpuser_transport inner;
    unsigned connects;
    unsigned failed_connects;
    void (*after_failed_connect)(void); /* run once, after the first failure */
} watched_net;

typedef struct {
    cpuser_platform inner;
    unsigned sleeps;
    uint32_t slept_ms;
} watched_clock;

static watched_net net;
static cpuser_transport net_tp;
static watched_clock clk;
static cpuser_platform clk_pf;

static cpuser_err net_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    watched_net *n = (watched_net *)ctx;
    cpuser_err err = n->inner.connect(n->inner.ctx, host, port, timeout_ms);
    n->connects++;
    if (err != CPUSER_OK) {
        void (*hook)(void) = n->after_failed_connect;
        n->failed_connects++;
        n->after_failed_connect = NULL;
        if (hook != NULL) {
            hook();
        }
    }
    return err;
}

static cpuser_err net_send(void *ctx, const void *data, size_t len, size_t *sent, uint32_t timeout_ms)
{
    watched_net *n = (watched_net *)ctx;
    return n->inner.send(n->inner.ctx, data, len, sent, timeout_ms);
}

static cpuser_err net_recv(void *ctx, void *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    watched_net *n = (watched_net *)ctx;
    return n->inner.recv(n->inner.ctx, buf, cap, got, timeout_ms);
}

static void net_close(void *ctx)
{
    watched_net *n = (watched_net *)ctx;
    n->inner.close(n->inner.ctx);
}

static uint32_t clk_now(void *ctx)
{
    watched_clock *k = (watched_clock *)ctx;
    return k->inner.now_ms(k->inner.ctx);
}

static void clk_sleep(void *ctx, uint32_t ms)
{
    watched_clock *k = (watched_clock *)ctx;
    k->sleeps++;
    k->slept_ms += ms;
    k->inner.sleep_ms(k->inner.ctx, ms);
}

static cpuser_err clk_random(void *ctx, void *buf, size_t len)
{
    watched_clock *k = (watched_clock *)ctx;
    return k->inner.random(k->inner.ctx, buf, len);
}

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A fresh client (and fresh watchers) for server port `port`. */
static void client_open(const char *token, unsigned short port, uint32_t total_ms)
{
    cpuser_client_config cfg;
    memset(&net, 0, sizeof net);
    cpuser_posix_tcp_init(&net.tcp, &net.inner);
    net_tp.ctx = &net;
    net_tp.connect = net_connect;
    net_tp.send = net_send;
    net_tp.recv = net_recv;
    net_tp.close = net_close;
    memset(&clk, 0, sizeof clk);
    cpuser_posix_platform_init(&clk.inner);
    clk_pf.ctx = &clk;
    clk_pf.now_ms = clk_now;
    clk_pf.sleep_ms = clk_sleep;
    clk_pf.random = clk_random;

    memset(&cfg, 0, sizeof cfg);
    cfg.host = "127.0.0.1";
    cfg.port = port;
    cfg.token = token;
    cfg.token_len = strlen(token);
    cfg.connect_timeout_ms = CONNECT_MS;
    cfg.io_timeout_ms = IO_MS;
    cfg.total_timeout_ms = total_ms;
    cfg.retry.max_attempts = (uint8_t)MAX_ATTEMPTS;
    cfg.retry.base_ms = BASE_MS;
    cfg.retry.cap_ms = CAP_MS;
    cfg.retry.retry_after_max_ms = RETRY_AFTER_MAX_MS;
    assert_int_equal(cpuser_client_init(&client, &cfg, &net_tp, &clk_pf, work, sizeof work), CPUSER_OK);
}

/* ---- talking to the server's control endpoints without the library ---- */

/* GET path with Connection: close over a plain socket; the body (NUL
 * terminated) in out. Returns the status, or -1. */
static int control(const char *path, char *out, size_t cap)
{
    struct sockaddr_in a;
    struct timeval tv;
    char req[256];
    char resp[1024];
    size_t have = 0;
    int status = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    const char *body;
    if (fd < 0) {
        return -1;
    }
    tv.tv_sec = 5;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(srv.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
        close(fd);
        return -1;
    }
    for (;;) {
        ssize_t n = recv(fd, resp + have, sizeof resp - 1u - have, 0);
        if (n <= 0) {
            break;
        }
        have += (size_t)n;
        if (have == sizeof resp - 1u) {
            break;
        }
    }
    close(fd);
    resp[have] = '\0';
    if (sscanf(resp, "HTTP/1.1 %d", &status) != 1) {
        return -1;
    }
    body = strstr(resp, "\r\n\r\n");
    if (out != NULL && cap > 0u) {
        snprintf(out, cap, "%s", body != NULL ? body + 4 : "");
    }
    return status;
}

typedef struct {
    int requests, connections, creates, lists;
} counts;

static counts server_counts(const char *name)
{
    char path[128];
    char body[256];
    counts c;
    memset(&c, 0, sizeof c);
    snprintf(path, sizeof path, "/__count/%s", name);
    if (control(path, body, sizeof body) != 200 ||
        sscanf(body, "requests=%d connections=%d creates=%d lists=%d", &c.requests, &c.connections,
               &c.creates, &c.lists) != 4) {
        fail_msg("%s: cannot read the server's counts", name);
    }
    return c;
}

/* ---- the scenarios' table ---- */

typedef enum {
    RAW_GET,      /* cpuser_client_call GET /fault/<name> */
    RAW_POST,     /* cpuser_client_call POST /fault/<name> with a small JSON body */
    USERS_READ,   /* cpuser_users_read("7"), token <name> */
    USERS_LIST,   /* cpuser_users_list, one page, token <name> */
    CREATE_EXT,   /* cpuser_users_create with externalId, token <name> */
    CREATE_NOEXT, /* cpuser_users_create without externalId, token <name> */
    CUSTOM        /* the scenario's own run() */
} how;

#define ANY (-1) /* a count not checked */

typedef struct scenario scenario;
struct scenario {
    const char *name;          /* the server's scenario, and the test's name */
    how how;
    cpuser_err want;
    uint32_t attempts;
    int requests;              /* requests the server counted, or ANY */
    int creates;               /* users creates (POST) the server counted, or ANY */
    int lists;                 /* users lists (GET) the server counted, or ANY */
    long min_ms;               /* elapsed bounds of the call */
    long max_ms;
    void (*check)(const scenario *s, const cpuser_result *r); /* more checks, or NULL */
    void (*run)(const scenario *s);                            /* with CUSTOM */
};

static cpuser_user user;       /* read or created */
static unsigned listed;        /* users handed to the list callback */

static const char probe[] = "{\"probe\":true}";

static cpuser_err write_probe(void *arg, char *buf, size_t cap, size_t *len)
{
    (void)arg;
    *len = sizeof probe - 1u;
    if (buf == NULL) {
        return CPUSER_OK;
    }
    if (cap < *len) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(buf, probe, *len);
    return CPUSER_OK;
}

static cpuser_err raw_call(const char *method, const char *name)
{
    static char path[128];
    cpuser_request req;
    cpuser_err err;
    long t0;
    memset(&req, 0, sizeof req);
    snprintf(path, sizeof path, "/fault/%s", name);
    req.method = method;
    req.path = path;
    if (strcmp(method, "POST") == 0) {
        req.body = write_probe;
    }
    t0 = mono_ms();
    err = cpuser_client_call(&client, &req, NULL);
    elapsed_ms = mono_ms() - t0;
    return err;
}

static cpuser_err count_user(void *arg, const cpuser_user *u)
{
    (void)arg;
    (void)u;
    listed++;
    return CPUSER_OK;
}

static cpuser_err users_call(const scenario *s)
{
    cpuser_user_fields f;
    cpuser_page page;
    cpuser_err err = CPUSER_ERR_BAD_ARGUMENT;
    long t0 = mono_ms();
    memset(&user, 0, sizeof user);
    listed = 0;
    switch (s->how) {
    case USERS_READ:
        err = cpuser_users_read(&client, cpuser_view_of("7"), NULL, &user);
        break;
    case USERS_LIST:
        cpuser_page_init(&page, 0);
        err = cpuser_users_list(&client, NULL, &page, count_user, NULL);
        break;
    case CREATE_EXT:
    case CREATE_NOEXT:
        memset(&f, 0, sizeof f);
        cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, "kiosk7@example.com");
        cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "s3cret-pw");
        cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "Kiosk");
        if (s->how == CREATE_EXT) {
            cpuser_user_fields_set(&f, CPUSER_USER_EXTERNAL_ID, "kiosk-7");
        }
        err = cpuser_users_create(&client, &f, &user);
        break;
    default:
        fail_msg("%s: not a users scenario", s->name);
    }
    elapsed_ms = mono_ms() - t0;
    return err;
}

/* The checks every scenario makes: error, attempts, time, server counts. */
static void expect(const scenario *s, cpuser_err err)
{
    const cpuser_result *r = cpuser_client_last(&client);
    if (err != s->want) {
        fail_msg("%s: got %s (%d), want %s (%d) [status %d, attempts %u, %ld ms]", s->name,
                 cpuser_strerror(err), (int)err, cpuser_strerror(s->want), (int)s->want, r->status,
                 (unsigned)r->attempts, elapsed_ms);
    }
    /* a users function may turn the client call's result into its own
     * (JSON, outcome unknown): last.err is the client call's */
    if ((s->how == RAW_GET || s->how == RAW_POST) && r->err != err) {
        fail_msg("%s: last.err is %s, the call returned %s", s->name, cpuser_strerror(r->err),
                 cpuser_strerror(err));
    }
    if (r->attempts != s->attempts) {
        fail_msg("%s: %u attempts, want %u", s->name, (unsigned)r->attempts, (unsigned)s->attempts);
    }
    if (elapsed_ms < s->min_ms || elapsed_ms > s->max_ms) {
        fail_msg("%s: took %ld ms, want %ld..%ld ms", s->name, elapsed_ms, s->min_ms, s->max_ms);
    }
    if (s->requests != ANY || s->creates != ANY || s->lists != ANY) {
        counts c = server_counts(s->name);
        if (s->requests != ANY && c.requests != s->requests) {
            fail_msg("%s: the server counted %d requests, want %d", s->name, c.requests, s->requests);
        }
        if (s->creates != ANY && c.creates != s->creates) {
            fail_msg("%s: the server counted %d creates, want %d", s->name, c.creates, s->creates);
        }
        if (s->lists != ANY && c.lists != s->lists) {
            fail_msg("%s: the server counted %d lists, want %d", s->name, c.lists, s->lists);
        }
    }
}

static void run_scenario(void **state)
{
    const scenario *s = (const scenario *)*state;
    cpuser_err err;
    if (s->how == CUSTOM) {
        s->run(s);
        return;
    }
    if (s->how == RAW_GET || s->how == RAW_POST) {
        client_open("fault-token", srv.port, TOTAL_MS);
        err = raw_call(s->how == RAW_GET ? "GET" : "POST", s->name);
    } else {
        client_open(s->name, srv.port, TOTAL_MS);
        err = users_call(s);
    }
    expect(s, err);
    if (s->check != NULL) {
        s->check(s, cpuser_client_last(&client));
    }
    cpuser_client_close(&client);
}

/* ---- extra checks ---- */

static void view_is(const scenario *s, const char *what, cpuser_view v, const char *want)
{
    if (!cpuser_view_eq(v, want)) {
        fail_msg("%s: %s is \"%.*s\", want \"%s\"", s->name, what, (int)v.len,
                 v.ptr != NULL ? v.ptr : "", want);
    }
}

static void ok_json(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, 200);
    view_is(s, "body", r->body, "{\"ok\":true}");
}

/* {"ok":true,"n":N}: the answer to the server's request number N */
static void ok_n(const scenario *s, const cpuser_result *r, int n)
{
    char want[32];
    assert_int_equal(r->status, 200);
    snprintf(want, sizeof want, "{\"ok\":true,\"n\":%d}", n);
    view_is(s, "body", r->body, want);
}

static void ok_2(const scenario *s, const cpuser_result *r)
{
    ok_n(s, r, 2);
    assert_true(r->sent);
}

static void sent_nothing_back(const scenario *s, const cpuser_result *r)
{
    (void)s;
    assert_true(r->sent);
    assert_int_equal(r->status, 0);
}

static void need_head_plus_body(const scenario *s, const cpuser_result *r)
{
    (void)s;
    assert_int_equal(r->status, 200);
    assert_int_equal(r->need, sizeof BIG_HEAD - 1u + BIG_BODY);
}

static void need_unknown(const scenario *s, const cpuser_result *r)
{
    (void)s;
    assert_int_equal(r->need, 0);
}

static void waited_about_1s(const scenario *s, const cpuser_result *r)
{
    ok_n(s, r, 2);
    if (r->wait_ms[0] < 900u || r->wait_ms[0] > 1100u) {
        fail_msg("%s: waited %u ms before attempt 2, want about 1000", s->name, (unsigned)r->wait_ms[0]);
    }
    assert_int_equal(r->waited_ms, r->wait_ms[0]);
    assert_int_equal(clk.slept_ms, r->waited_ms);
}

static void waited_jitter_once(const scenario *s, const cpuser_result *r)
{
    ok_n(s, r, 2);
    if (r->wait_ms[0] > BASE_MS) {
        fail_msg("%s: waited %u ms, full jitter allows 0..%u", s->name, (unsigned)r->wait_ms[0], BASE_MS);
    }
    assert_int_equal(r->waited_ms, r->wait_ms[0]);
}

static void rate_limited_three_times(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, 429);
    view_is(s, "message", r->message, "Too Many Attempts.");
    if (r->wait_ms[0] > BASE_MS || r->wait_ms[1] > 2u * BASE_MS) {
        fail_msg("%s: waits %u and %u ms, full jitter allows 0..%u and 0..%u", s->name,
                 (unsigned)r->wait_ms[0], (unsigned)r->wait_ms[1], BASE_MS, 2u * BASE_MS);
    }
    assert_int_equal(r->waited_ms, r->wait_ms[0] + r->wait_ms[1]);
    assert_int_equal(clk.slept_ms, r->waited_ms);
}

static void not_waited(const scenario *s, const cpuser_result *r)
{
    (void)s;
    assert_int_equal(r->waited_ms, 0);
    assert_int_equal(clk.sleeps, 0);
}

static void retry_after_refused(const scenario *s, const cpuser_result *r)
{
    not_waited(s, r);
    assert_int_equal(r->status, 429);
    view_is(s, "retry_after", r->retry_after, "3600");
}

static void post_not_resent(const scenario *s, const cpuser_result *r)
{
    not_waited(s, r);
    assert_true(r->sent);
}

static void html_error(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, strcmp(s->name, "s404-html") == 0 ? 404 : 502);
    assert_false(r->json);
    assert_int_equal(r->message.len, 0);
    assert_int_equal(r->field_error_count, 0);
}

static void message_server_error(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, 500);
    assert_true(r->json);
    view_is(s, "message", r->message, "Server Error");
}

static void message_unauthenticated(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, 401);
    view_is(s, "message", r->message, "Unauthenticated.");
}

static void field_errors_truncated(const scenario *s, const cpuser_result *r)
{
    unsigned i;
    assert_int_equal(r->status, 422);
    view_is(s, "message", r->message, "The given data was invalid.");
    if (r->field_error_count != CPUSER_MAX_FIELD_ERRORS || !r->field_errors_truncated) {
        fail_msg("%s: %u field errors (truncated: %d), want %u and truncated", s->name,
                 (unsigned)r->field_error_count, (int)r->field_errors_truncated,
                 (unsigned)CPUSER_MAX_FIELD_ERRORS);
    }
    for (i = 0; i < CPUSER_MAX_FIELD_ERRORS; i++) {
        char field[32];
        char msg[64];
        snprintf(field, sizeof field, "field%u", i);
        snprintf(msg, sizeof msg, "The field%u is invalid.", i);
        view_is(s, "field", r->field_errors[i].field, field);
        view_is(s, "field message", r->field_errors[i].message, msg);
    }
}

static void redirect_not_followed(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, 302);
    view_is(s, "location", r->location, "/fault/elsewhere");
}

static void user_7(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, 200);
    view_is(s, "id", user.id, "7");
    view_is(s, "email", user.email, "user7@example.com");
    view_is(s, "firstName", user.first_name, "Ana");
    view_is(s, "externalId", user.external_id, "ext-7");
    assert_int_equal(user.status, CPUSER_USER_ENABLED);
    assert_int_equal(user.sessions_allowed, CPUSER_SESSIONS_SINGLE);
}

static void last_email_wins(const scenario *s, const cpuser_result *r)
{
    (void)r;
    view_is(s, "email", user.email, "second@example.com");
}

static void listed_2(const scenario *s, const cpuser_result *r)
{
    (void)r;
    if (listed != 2u) {
        fail_msg("%s: %u users reached the callback, want 2", s->name, listed);
    }
}

static void created_once(const scenario *s, const cpuser_result *r)
{
    (void)r;
    assert_true(user.id.len > 0u);
    view_is(s, "email", user.email, "kiosk7@example.com");
    view_is(s, "firstName", user.first_name, "Kiosk");
    view_is(s, "externalId", user.external_id, "kiosk-7");
}

static void created_with_201(const scenario *s, const cpuser_result *r)
{
    assert_int_equal(r->status, 201);
    created_once(s, r);
}

/* ---- scenarios with a run of their own ---- */

/* Nothing listens: connect fails at once, and a GET is tried again. */
static void run_refused(const scenario *s)
{
    cpuser_err err;
    client_open("fault-token", refused_port, TOTAL_MS);
    err = raw_call("GET", s->name);
    expect(s, err);
    assert_false(client.last.sent);
    assert_int_equal(net.connects, MAX_ATTEMPTS);
    assert_int_equal(net.failed_connects, MAX_ATTEMPTS);
    assert_int_equal(client.last.status, 0);
}

static unsigned short late_port;

static void listen_late(void)
{
    char path[64];
    snprintf(path, sizeof path, "/__listen/%u", (unsigned)late_port);
    if (control(path, NULL, 0) != 200) {
        fail_msg("the server could not listen on port %u", (unsigned)late_port);
    }
}

/* The first connect is refused (nothing listens yet); then the server
 * listens there: a POST whose bytes never left may be sent again. */
static void run_post_refused_then_ok(const scenario *s)
{
    cpuser_err err;
    late_port = peer_free_port();
    assert_true(late_port != 0u);
    client_open("fault-token", late_port, TOTAL_MS);
    net.after_failed_connect = listen_late;
    err = raw_call("POST", s->name);
    expect(s, err);
    assert_int_equal(net.failed_connects, 1);
    assert_int_equal(net.connects, 2);
    assert_int_equal(client.last.status, 201);
    assert_true(client.last.sent);
}

/* Two calls on one client: the first leaves a keep-alive connection that
 * the server then closes (FIN or RST); the second must notice before any
 * response byte and send once more on a new connection. */
static void keepalive_run(const scenario *s, const char *second_method, long pause_ms)
{
    cpuser_err err;
    counts c;
    client_open("fault-token", srv.port, TOTAL_MS);
    assert_int_equal(raw_call("GET", s->name), CPUSER_OK);
    assert_int_equal(client.last.attempts, 1);
    assert_true(client.connected);
    peer_sleep_ms(pause_ms); /* the server's FIN or RST arrives */
    err = raw_call(second_method, s->name);
    expect(s, err);
    ok_n(s, &client.last, 2);
    assert_int_equal(net.connects, 2);
    c = server_counts(s->name);
    assert_int_equal(c.connections, 2);
    cpuser_client_close(&client);
}

static void run_keepalive_closed(const scenario *s)
{
    keepalive_run(s, "GET", 100);
}

static void run_keepalive_reset(const scenario *s)
{
    keepalive_run(s, "GET", 300);
}

static void run_keepalive_closed_post(const scenario *s)
{
    keepalive_run(s, "POST", 100);
}

/* A response that cannot leave the connection reusable (a close-delimited
 * HTTP/1.0 body, bytes after the body): the next call opens a new one. */
static void run_then_new_connection(const scenario *s)
{
    cpuser_err err;
    counts c;
    client_open("fault-token", srv.port, TOTAL_MS);
    err = raw_call("GET", s->name);
    expect(s, err);
    ok_json(s, &client.last);
    assert_false(client.connected);
    assert_int_equal(raw_call("GET", s->name), CPUSER_OK);
    ok_json(s, &client.last);
    assert_int_equal(client.last.attempts, 1);
    c = server_counts(s->name);
    assert_int_equal(c.requests, 2);
    assert_int_equal(c.connections, 2);
    cpuser_client_close(&client);
}

/* Retry-After: 2 is under the policy's ceiling but past the call's 1 s
 * deadline: the 429 comes back at once instead of a wait that cannot end
 * in time. */
static void run_rl_past_deadline(const scenario *s)
{
    cpuser_err err;
    client_open("fault-token", srv.port, 1000);
    err = raw_call("GET", s->name);
    expect(s, err);
    assert_int_equal(client.last.status, 429);
    view_is(s, "retry_after", client.last.retry_after, "2");
    assert_int_equal(clk.sleeps, 0);
}

/* ---- the table ---- */

#define T(name, how, want, attempts, requests, max_ms, check) \
    {name, how, want, attempts, requests, ANY, ANY, 0, max_ms, check, NULL}
#define TMIN(name, how, want, attempts, requests, min_ms, max_ms, check) \
    {name, how, want, attempts, requests, ANY, ANY, min_ms, max_ms, check, NULL}
/* creates: what the server counted; attempts: of the library's last call */
#define TC(name, how, want, attempts, creates, lists, max_ms, check) \
    {name, how, want, attempts, ANY, creates, lists, 0, max_ms, check, NULL}
#define TRUN(name, want, attempts, requests, min_ms, max_ms, run) \
    {name, CUSTOM, want, attempts, requests, ANY, ANY, min_ms, max_ms, NULL, run}

static const scenario scenarios[] = {
    /* timing: the per-read timeout and the call's deadline */
    TMIN("slow-headers", RAW_GET, CPUSER_ERR_TIMEOUT, 1, 1, (long)TOTAL_MS - 100, 2L * TOTAL_MS, NULL),
    TMIN("slow-body", RAW_GET, CPUSER_ERR_TIMEOUT, 1, 1, (long)TOTAL_MS - 100, 2L * TOTAL_MS, NULL),
    TMIN("slow-body-ok", RAW_GET, CPUSER_OK, 1, 1, 500, 1500, ok_json),
    TMIN("stall-after-headers", RAW_GET, CPUSER_ERR_TIMEOUT, 3, 3, 3L * IO_MS, 2000, NULL),
    TMIN("stall-then-ok", RAW_GET, CPUSER_OK, 2, 2, IO_MS, 1000, ok_2),
    TMIN("post-timeout", RAW_POST, CPUSER_ERR_TIMEOUT, 1, 1, IO_MS, 1000, post_not_resent),
    /* connections that fail */
    T("reset-mid-headers", RAW_GET, CPUSER_ERR_IO, 3, 3, 1500, NULL),
    T("reset-mid-body", RAW_GET, CPUSER_ERR_IO, 3, 3, 1500, NULL),
    T("post-reset-mid-body", RAW_POST, CPUSER_ERR_IO, 1, 1, 1000, post_not_resent),
    T("reset-then-ok", RAW_GET, CPUSER_OK, 2, 2, 1000, ok_2),
    T("close-before-response", RAW_GET, CPUSER_ERR_CLOSED, 3, 3, 1000, sent_nothing_back),
    T("close-then-ok", RAW_GET, CPUSER_OK, 2, 2, 1000, ok_2),
    T("post-close-before-response", RAW_POST, CPUSER_ERR_CLOSED, 1, 1, 1000, post_not_resent),
    TRUN("refused", CPUSER_ERR_CONNECT, 3, ANY, 0, 1000, run_refused),
    TRUN("post-refused-then-ok", CPUSER_OK, 2, 1, 0, 1000, run_post_refused_then_ok),
    TRUN("keepalive-closed", CPUSER_OK, 2, 2, 0, 1000, run_keepalive_closed),
    TRUN("keepalive-reset", CPUSER_OK, 2, 2, 0, 1000, run_keepalive_reset),
    TRUN("keepalive-closed-post", CPUSER_OK, 2, 2, 0, 1000, run_keepalive_closed_post),
    /* the response head */
    T("garbage-status", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    TRUN("http10", CPUSER_OK, 1, 1, 0, 1000, run_then_new_connection),
    T("http2-status", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("huge-header-line", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("too-many-headers", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("head-too-big", RAW_GET, CPUSER_ERR_BUFFER_TOO_SMALL, 1, 1, 1000, need_unknown),
    T("status-101", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("obs-fold", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("nul-in-header", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("gzip", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("redirect", RAW_GET, CPUSER_ERR_HTTP_UNEXPECTED, 1, 1, 1000, redirect_not_followed),
    T("interim-storm", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("interim-few", RAW_GET, CPUSER_OK, 1, 1, 1000, ok_json),
    T("interim-then-close", RAW_GET, CPUSER_ERR_CLOSED, 3, 3, 1000, NULL),
    /* framing */
    T("dup-equal-content-length", RAW_GET, CPUSER_OK, 1, 1, 1000, ok_json),
    T("conflicting-content-length", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("content-length-and-chunked", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("content-length-negative", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("content-length-hex", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("content-length-overflow", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("bad-chunk-size", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("chunk-size-overflow", RAW_GET, CPUSER_ERR_PROTOCOL, 1, 1, 1000, NULL),
    T("chunked-ok", RAW_GET, CPUSER_OK, 1, 1, 1000, ok_json),
    T("missing-final-chunk", RAW_GET, CPUSER_ERR_CLOSED, 3, 3, 1000, NULL),
    T("truncated-body", RAW_GET, CPUSER_ERR_CLOSED, 3, 3, 1000, NULL),
    TRUN("extra-after-body", CPUSER_OK, 1, 1, 0, 1000, run_then_new_connection),
    T("body-too-big", RAW_GET, CPUSER_ERR_BUFFER_TOO_SMALL, 1, 1, 1000, need_head_plus_body),
    /* statuses, retries and waits */
    TMIN("rl-retry-after-secs", RAW_GET, CPUSER_OK, 2, 2, 900, 2000, waited_about_1s),
    TMIN("rl-retry-after-date", RAW_GET, CPUSER_OK, 2, 2, 900, 2000, waited_about_1s),
    TMIN("rl-reset-then-ok", RAW_GET, CPUSER_OK, 2, 2, 900, 2000, waited_about_1s),
    T("rl-no-headers", RAW_GET, CPUSER_OK, 2, 2, 1000, waited_jitter_once),
    T("rl-retry-after-garbage", RAW_GET, CPUSER_OK, 2, 2, 1000, waited_jitter_once),
    T("rl-always", RAW_GET, CPUSER_ERR_HTTP_RATE_LIMITED, 3, 3, 1000, rate_limited_three_times),
    T("rl-retry-after-too-long", RAW_GET, CPUSER_ERR_HTTP_RATE_LIMITED, 1, 1, 1000, retry_after_refused),
    TRUN("rl-past-deadline", CPUSER_ERR_HTTP_RATE_LIMITED, 1, 1, 0, 800, run_rl_past_deadline),
    T("post-429", RAW_POST, CPUSER_ERR_HTTP_RATE_LIMITED, 1, 1, 1000, post_not_resent),
    T("post-503", RAW_POST, CPUSER_ERR_HTTP_SERVER, 1, 1, 1000, post_not_resent),
    T("s503-then-ok", RAW_GET, CPUSER_OK, 2, 2, 1000, ok_2),
    T("s502-html-then-ok", RAW_GET, CPUSER_OK, 2, 2, 1000, ok_2),
    T("s504-then-ok", RAW_GET, CPUSER_OK, 2, 2, 1000, ok_2),
    T("s502-html-always", RAW_GET, CPUSER_ERR_HTTP_SERVER, 3, 3, 1000, html_error),
    T("s500-json", RAW_GET, CPUSER_ERR_HTTP_SERVER, 1, 1, 1000, message_server_error),
    T("s401-json", RAW_GET, CPUSER_ERR_HTTP_UNAUTHORIZED, 1, 1, 1000, message_unauthenticated),
    T("s404-html", RAW_GET, CPUSER_ERR_HTTP_NOT_FOUND, 1, 1, 1000, html_error),
    T("s422-eleven", RAW_GET, CPUSER_ERR_HTTP_UNPROCESSABLE, 1, 1, 1000, field_errors_truncated),
    T("s422-many", RAW_GET, CPUSER_ERR_HTTP_UNPROCESSABLE, 1, 1, 1000, field_errors_truncated),
    /* users: JSON documents */
    T("user-ok", USERS_READ, CPUSER_OK, 1, 1, 1000, user_7),
    T("user-unknown-fields", USERS_READ, CPUSER_OK, 1, 1, 1000, user_7),
    T("user-deep-json", USERS_READ, CPUSER_ERR_JSON, 1, 1, 1000, NULL),
    T("user-invalid-utf8", USERS_READ, CPUSER_ERR_JSON, 1, 1, 1000, NULL),
    T("user-lone-surrogate", USERS_READ, CPUSER_ERR_JSON, 1, 1, 1000, NULL),
    T("user-huge-number", USERS_READ, CPUSER_ERR_JSON, 1, 1, 1000, NULL),
    T("user-huge-int", USERS_READ, CPUSER_ERR_JSON, 1, 1, 1000, NULL),
    T("user-duplicate-keys", USERS_READ, CPUSER_OK, 1, 1, 1000, last_email_wins),
    T("user-wrong-shape", USERS_READ, CPUSER_ERR_JSON, 1, 1, 1000, NULL),
    T("user-truncated-json", USERS_READ, CPUSER_ERR_JSON, 1, 1, 1000, NULL),
    T("list-deep-member", USERS_LIST, CPUSER_OK, 1, 1, 1000, listed_2),
    /* a page half delivered to the callback is never fetched again */
    T("list-reset-mid-page", USERS_LIST, CPUSER_ERR_IO, 1, 1, 1000, listed_2),
    TMIN("list-stall-mid-page", USERS_LIST, CPUSER_ERR_TIMEOUT, 1, 1, IO_MS, 1000, listed_2),
    /* users: create exactly once */
    TC("create-ok", CREATE_EXT, CPUSER_OK, 1, 1, 0, 1000, created_with_201),
    TC("create-drop-ext", CREATE_EXT, CPUSER_OK, 1, 1, 1, 1000, created_once),
    TC("create-drop-noext", CREATE_NOEXT, CPUSER_ERR_OUTCOME_UNKNOWN, 1, 1, 0, 1000, sent_nothing_back),
    TC("create-reset-ext", CREATE_EXT, CPUSER_OK, 1, 1, 1, 1000, created_once),
    TC("create-reset-noext", CREATE_NOEXT, CPUSER_ERR_OUTCOME_UNKNOWN, 1, 1, 0, 1000, sent_nothing_back),
    TC("create-stall-ext", CREATE_EXT, CPUSER_OK, 1, 1, 1, 1500, created_once),
    TC("create-stall-noext", CREATE_NOEXT, CPUSER_ERR_OUTCOME_UNKNOWN, 1, 1, 0, 1500, sent_nothing_back),
    /* the 201 head arrived (the user exists), half its body did not */
    TC("create-truncated-ext", CREATE_EXT, CPUSER_OK, 1, 1, 1, 1000, created_once),
    TC("create-truncated-noext", CREATE_NOEXT, CPUSER_ERR_OUTCOME_UNKNOWN, 1, 1, 0, 1000, NULL),
    TC("create-503", CREATE_EXT, CPUSER_ERR_HTTP_SERVER, 1, 1, 0, 1000, NULL),
};

#define SCENARIO_COUNT (sizeof scenarios / sizeof scenarios[0])

/* ---- the server, started once for the group ---- */

static int group_setup(void **state)
{
    static char port_file[128], log_file[128], out_file[128];
    char *argv[] = {(char *)"python3", (char *)"tests/faults/fault_server.py", (char *)"--port",
                    (char *)"0", (char *)"--port-file", port_file, (char *)"--log", log_file, NULL};
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cpuser-faults-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    snprintf(log_file, sizeof log_file, "%s/requests.log", dir);
    snprintf(out_file, sizeof out_file, "%s/server.out", dir);
    if (peer_start(&srv, argv, port_file, 0, out_file) != 0) {
        fprintf(stderr, "fault_server.py did not start (see %s)\n", out_file);
        return -1;
    }
    refused_port = peer_free_port();
    return refused_port != 0u ? 0 : -1;
}

static int group_teardown(void **state)
{
    char cmd[128];
    (void)state;
    cpuser_client_close(&client);
    peer_stop(&srv);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    static struct CMUnitTest tests[SCENARIO_COUNT];
    size_t i;
    for (i = 0; i < SCENARIO_COUNT; i++) {
        tests[i].name = scenarios[i].name;
        tests[i].test_func = run_scenario;
        tests[i].setup_func = NULL;
        tests[i].teardown_func = NULL;
        tests[i].initial_state = (void *)(uintptr_t)&scenarios[i];
    }
    return _cmocka_run_group_tests("faults", tests, SCENARIO_COUNT, group_setup, group_teardown);
}
