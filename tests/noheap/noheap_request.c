/* The zero-heap proof. This program is linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup
 * so every call to those from the statically linked cpuser objects (the core
 * and the POSIX port) lands in the wrappers below, which abort. It then runs
 * real requests over a real loopback socket, with keep-alive, a chunked body
 * and a streamed body. If any cpuser code path allocated, the run dies. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "cpuser/client.h"
#include "cpuser/posix.h"

static void heap_used(const char *what)
{
    static const char msg[] = "noheap: cpuser called the heap: ";
    ssize_t r = write(2, msg, sizeof msg - 1u);
    r = write(2, what, strlen(what));
    r = write(2, "\n", 1);
    (void)r;
    abort();
}

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);

void *__wrap_malloc(size_t n) { (void)n; heap_used("malloc"); return NULL; }
void *__wrap_calloc(size_t n, size_t m) { (void)n; (void)m; heap_used("calloc"); return NULL; }
void *__wrap_realloc(void *p, size_t n) { (void)p; (void)n; heap_used("realloc"); return NULL; }
void __wrap_free(void *p) { (void)p; heap_used("free"); }
char *__wrap_strdup(const char *s) { (void)s; heap_used("strdup"); return NULL; }

/* ---- a tiny HTTP server thread: answers REQUESTS requests on one
 * connection, then closes ---- */

#define REQUESTS 3
static int listen_fd = -1;
static uint16_t listen_port;

static const char *const answers[REQUESTS] = {
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
    "{\"data\":{\"id\":1,\"ok\":true}}",
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    "9\r\n{\"data\":{\r\n12\r\n\"id\":2,\"ok\":false}\r\n1\r\n}\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n"
    "Connection: close\r\n\r\n{\"data\":{\"id\":3,\"ok\":true}}",
};

static void *serve(void *arg)
{
    char req[4096];
    int fd;
    int i;
    (void)arg;
    fd = accept(listen_fd, NULL, NULL);
    if (fd < 0) {
        return NULL;
    }
    for (i = 0; i < REQUESTS; i++) {
        size_t have = 0;
        while (have < sizeof req - 1u) {
            ssize_t n = recv(fd, req + have, sizeof req - 1u - have, 0);
            if (n <= 0) {
                close(fd);
                return NULL;
            }
            have += (size_t)n;
            req[have] = '\0';
            if (strstr(req, "\r\n\r\n") != NULL) {
                break;
            }
        }
        if (send(fd, answers[i], strlen(answers[i]), MSG_NOSIGNAL) < 0) {
            break;
        }
    }
    close(fd);
    return NULL;
}

static void start_server(pthread_t *th)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int one = 1;
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(listen_fd >= 0);
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(listen_fd, 4), 0);
    assert_int_equal(getsockname(listen_fd, (struct sockaddr *)&a, &alen), 0);
    listen_port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(th, NULL, serve, NULL), 0);
}

/* a streaming sink that copies into a static buffer */
static char streamed[256];
static size_t streamed_len;

static cpuser_err keep(void *arg, char *data, size_t len, bool final, size_t *consumed)
{
    (void)arg;
    (void)final;
    if (len > sizeof streamed - streamed_len) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(streamed + streamed_len, data, len);
    streamed_len += len;
    *consumed = len;
    return CPUSER_OK;
}

static cpuser_client client;
static char work[1024];

static void requests_over_posix_without_heap(void **state)
{
    pthread_t th;
    cpuser_posix_tcp tcp;
    cpuser_transport tp;
    cpuser_platform pf;
    cpuser_client_config cfg;
    cpuser_request req;
    cpuser_sink sink;
    cpuser_view id = cpuser_view_of("1");
    (void)state;

    start_server(&th);
    cpuser_posix_tcp_init(&tcp, &tp);
    cpuser_posix_platform_init(&pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "127.0.0.1";
    cfg.port = listen_port;
    cfg.token = "t0ken";
    cfg.token_len = 5;
    cfg.total_timeout_ms = 5000;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);

    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/public-api/resources/users/v1.0/{}";
    req.segments = &id;
    req.segment_count = 1;
    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_true(cpuser_view_eq(client.last.body, "{\"data\":{\"id\":1,\"ok\":true}}"));
    assert_true(client.connected);

    assert_int_equal(cpuser_client_call(&client, &req, NULL), CPUSER_OK);
    assert_true(cpuser_view_eq(client.last.body, "{\"data\":{\"id\":2,\"ok\":false}}"));
    assert_int_equal(client.last.attempts, 1); /* same connection */

    sink.write = keep;
    sink.arg = NULL;
    assert_int_equal(cpuser_client_call(&client, &req, &sink), CPUSER_OK);
    assert_int_equal(streamed_len, 27);
    assert_memory_equal(streamed, "{\"data\":{\"id\":3,\"ok\":true}}", 27);
    assert_false(client.connected);

    cpuser_client_close(&client);
    pthread_join(th, NULL);
    close(listen_fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests_over_posix_without_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
