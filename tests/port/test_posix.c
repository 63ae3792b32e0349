/* The POSIX port against real servers on the loopback interface.
 *
 * Every server is a thread of this process listening on 127.0.0.1 or ::1 on
 * a kernel-chosen port. Every wait here is bounded (SERVER_WAIT_MS for the
 * servers, explicit counts and deadlines for the client loops), so a broken
 * transport fails a test instead of hanging it. Nothing here touches SIGPIPE:
 * if the transport ever raised it, the default action would kill the run. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpuser/error.h"
#include "cpuser/port.h"
#include "cpuser/posix.h"

/* A second copy of the platform, built without getrandom, to reach the
 * /dev/urandom fallback. Its one public function is renamed so it does not
 * clash with the library's; the real prototype is already declared above. */
#define CPUSER_POSIX_HAVE_GETRANDOM 0
#define cpuser_posix_platform_init urandom_platform_init
#include "../../port/posix/posix_platform.c"
#undef cpuser_posix_platform_init
#undef CPUSER_POSIX_HAVE_GETRANDOM

#define SERVER_WAIT_MS 5000 /* longest any server thread waits for anything */
#define MAX_FILLERS 16      /* connections used to fill a listen backlog */

static uint64_t clock_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* poll one descriptor, EINTR retried, the whole wait at most ms long.
 * Returns the revents, or 0 on timeout or error. */
static short poll_one(int fd, short events, int ms)
{
    uint64_t end = clock_ms() + (uint64_t)ms;
    for (;;) {
        struct pollfd p;
        uint64_t now = clock_ms();
        int n;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        n = poll(&p, 1, now >= end ? 0 : (int)(end - now));
        if (n > 0) {
            return p.revents;
        }
        if (n == 0 || errno != EINTR || now >= end) {
            return 0;
        }
    }
}

/* ---- listeners and server threads --------------------------------------- */

/* A listening socket on addr (an IP literal of family), port chosen by the
 * kernel and stored in *port. rcvbuf > 0 shrinks the receive buffer that
 * accepted connections inherit. Returns the fd, or -1 with errno set. */
static int make_listener(int family, const char *addr, int backlog, int rcvbuf,
                         uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int one = 1;
    int fd;
    int e;

    memset(&ss, 0, sizeof ss);
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, addr, &a->sin_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        len = (socklen_t)sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        len = (socklen_t)sizeof *a;
    }
    fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    if (family == AF_INET6) {
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, (socklen_t)sizeof one);
    }
    if (rcvbuf > 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, (socklen_t)sizeof rcvbuf);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, backlog) != 0) {
        goto fail;
    }
    len = (socklen_t)sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        goto fail;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
fail:
    e = errno;
    (void)close(fd);
    errno = e;
    return -1;
}

typedef enum {
    SERVE_ECHO,     /* send back everything, until the client closes */
    SERVE_HOLD,     /* read and drop everything, never write, until EOF */
    SERVE_NOREAD,   /* never read, never write, until told to stop */
    SERVE_RESET,    /* close at once with SO_LINGER {1,0}: a reset */
    SERVE_HI_CLOSE  /* write "hi", then an orderly close */
} serve_mode;

typedef struct {
    int lfd;
    int stop[2]; /* a byte written to stop[1] ends the server's waiting */
    uint16_t port;
    serve_mode mode;
    pthread_t thread;
    int started;
    /* Results, written by the server thread, read after pthread_join. */
    int accepted;
    int saw_eof;
    size_t echoed;
} server;

/* Wait for fd to report events, or for the stop pipe, at most
 * SERVER_WAIT_MS. Returns 1 when fd is ready, 0 otherwise. */
static int server_wait(server *s, int fd, short events)
{
    uint64_t end = clock_ms() + SERVER_WAIT_MS;
    for (;;) {
        struct pollfd p[2];
        uint64_t now = clock_ms();
        int n;
        if (now >= end) {
            return 0;
        }
        p[0].fd = s->stop[0];
        p[0].events = POLLIN;
        p[0].revents = 0;
        p[1].fd = fd;
        p[1].events = events;
        p[1].revents = 0;
        n = poll(p, fd < 0 ? 1 : 2, (int)(end - now));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || p[0].revents != 0) {
            return 0;
        }
        return p[1].revents != 0;
    }
}

static void serve_echo(server *s, int c)
{
    static unsigned char buf[16384]; /* only one echo server runs at a time */
    unsigned rounds;
    for (rounds = 0; rounds < 100000u; rounds++) {
        ssize_t n;
        size_t off = 0;
        if (!server_wait(s, c, POLLIN)) {
            return;
        }
        n = recv(c, buf, sizeof buf, 0);
        if (n == 0) {
            s->saw_eof = 1;
            return;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                continue;
            }
            return;
        }
        while (off < (size_t)n) {
            ssize_t w;
            if (!server_wait(s, c, POLLOUT)) {
                return;
            }
            w = send(c, buf + off, (size_t)n - off, MSG_NOSIGNAL);
            if (w > 0) {
                off += (size_t)w;
                s->echoed += (size_t)w;
            } else if (w < 0 && errno != EINTR && errno != EAGAIN &&
                       errno != EWOULDBLOCK) {
                return;
            }
        }
    }
}

static void serve_hold(server *s, int c)
{
    unsigned char buf[4096];
    unsigned rounds;
    for (rounds = 0; rounds < 100000u; rounds++) {
        ssize_t n;
        if (!server_wait(s, c, POLLIN)) {
            return;
        }
        n = recv(c, buf, sizeof buf, 0);
        if (n == 0) {
            s->saw_eof = 1;
            return;
        }
        if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            return;
        }
    }
}

static void *server_main(void *arg)
{
    server *s = arg;
    int c;
    if (!server_wait(s, s->lfd, POLLIN)) {
        return NULL;
    }
    c = accept(s->lfd, NULL, NULL);
    if (c < 0) {
        return NULL;
    }
    s->accepted = 1;
    if (set_nonblocking(c) != 0) {
        (void)close(c);
        return NULL;
    }
    switch (s->mode) {
    case SERVE_ECHO:
        serve_echo(s, c);
        break;
    case SERVE_HOLD:
        serve_hold(s, c);
        break;
    case SERVE_NOREAD:
        (void)server_wait(s, -1, 0);
        break;
    case SERVE_RESET: {
        struct linger lg;
        lg.l_onoff = 1;
        lg.l_linger = 0;
        (void)setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, (socklen_t)sizeof lg);
        break;
    }
    case SERVE_HI_CLOSE:
        if (server_wait(s, c, POLLOUT)) {
            (void)send(c, "hi", 2, MSG_NOSIGNAL);
        }
        break;
    }
    (void)close(c);
    return NULL;
}

/* Listen on addr (family) and serve one connection in a thread. Returns 0,
 * or -1 with errno set when the listener could not be made. */
static int server_start(server *s, int family, const char *addr, serve_mode mode,
                        int rcvbuf)
{
    memset(s, 0, sizeof *s);
    s->stop[0] = s->stop[1] = -1;
    s->mode = mode;
    s->lfd = make_listener(family, addr, 4, rcvbuf, &s->port);
    if (s->lfd < 0) {
        return -1;
    }
    if (pipe(s->stop) != 0) {
        (void)close(s->lfd);
        s->lfd = -1;
        return -1;
    }
    if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
        (void)close(s->lfd);
        (void)close(s->stop[0]);
        (void)close(s->stop[1]);
        s->lfd = s->stop[0] = s->stop[1] = -1;
        errno = EAGAIN;
        return -1;
    }
    s->started = 1;
    return 0;
}

/* Let the thread finish by itself (it stops at EOF or after
 * SERVER_WAIT_MS), then release everything. */
static void server_join(server *s)
{
    if (!s->started) {
        return;
    }
    (void)pthread_join(s->thread, NULL);
    (void)close(s->lfd);
    (void)close(s->stop[0]);
    (void)close(s->stop[1]);
    s->started = 0;
}

/* Tell the thread to stop waiting, then join it. */
static void server_stop(server *s)
{
    if (!s->started) {
        return;
    }
    (void)write(s->stop[1], "x", 1);
    server_join(s);
}

/* ---- fixture ------------------------------------------------------------ */

typedef struct {
    cpuser_posix_tcp tcp;
    cpuser_transport t;
    server srv[2];
    int extra_fd[MAX_FILLERS + 1]; /* listeners and fillers made by a test */
} fixture;

static fixture fx;

static int fx_setup(void **state)
{
    size_t i;
    memset(&fx, 0, sizeof fx);
    cpuser_posix_tcp_init(&fx.tcp, &fx.t);
    for (i = 0; i < sizeof fx.extra_fd / sizeof fx.extra_fd[0]; i++) {
        fx.extra_fd[i] = -1;
    }
    *state = &fx;
    return 0;
}

/* Runs after every test, passed or failed: close the client first so
 * echo/hold servers see EOF, then stop and join the servers. */
static int fx_teardown(void **state)
{
    fixture *f = *state;
    size_t i;
    f->t.close(f->t.ctx);
    for (i = 0; i < 2; i++) {
        server_stop(&f->srv[i]);
    }
    for (i = 0; i < sizeof f->extra_fd / sizeof f->extra_fd[0]; i++) {
        if (f->extra_fd[i] >= 0) {
            (void)close(f->extra_fd[i]);
            f->extra_fd[i] = -1;
        }
    }
    return 0;
}

/* ---- client helpers ----------------------------------------------------- */

static unsigned char big_out[65536];
static unsigned char big_in[65536];

/* Send all of big_out and read it back through an echo server, interleaving
 * sends and receives so neither side's buffers can stall the other. */
static void echo_64k(cpuser_transport *t)
{
    size_t sent = 0;
    size_t got = 0;
    unsigned rounds = 0;
    uint32_t x = 2463534242u;
    uint64_t start = clock_ms();
    size_t i;

    for (i = 0; i < sizeof big_out; i++) { /* xorshift32: no runs, no period 256 */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big_out[i] = (unsigned char)(x >> 24);
    }
    memset(big_in, 0, sizeof big_in);

    while (got < sizeof big_in) {
        cpuser_err err;
        size_t n = 0;
        assert_true(++rounds < 100000u);
        assert_true(clock_ms() - start < 5000u);
        if (sent < sizeof big_out) {
            err = t->send(t->ctx, big_out + sent, sizeof big_out - sent, &n, 100);
            if (err == CPUSER_OK) {
                assert_true(n >= 1 && n <= sizeof big_out - sent);
                sent += n;
            } else {
                assert_int_equal(err, CPUSER_ERR_TIMEOUT);
                assert_int_equal(n, 0);
            }
        }
        if (got < sent) {
            n = 0;
            err = t->recv(t->ctx, big_in + got, sizeof big_in - got, &n,
                          sent == sizeof big_out ? 2000u : 0u);
            if (err == CPUSER_OK) {
                assert_true(n >= 1 && got + n <= sent);
                got += n;
            } else {
                assert_int_equal(err, CPUSER_ERR_TIMEOUT);
                assert_int_equal(n, 0);
            }
        }
    }
    assert_int_equal(sent, sizeof big_out);
    assert_memory_equal(big_in, big_out, sizeof big_out);
}

/* ---- transport tests ---------------------------------------------------- */

static void round_trip_ipv4(void **state)
{
    fixture *f = *state;
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_ECHO, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    assert_true(f->tcp.fd >= 0);
    echo_64k(&f->t);
    f->t.close(f->t.ctx);
    assert_int_equal(f->tcp.fd, -1);
    server_join(&f->srv[0]);
    assert_true(f->srv[0].saw_eof);
    assert_int_equal(f->srv[0].echoed, sizeof big_out);
}

static void round_trip_ipv6(void **state)
{
    fixture *f = *state;
    if (server_start(&f->srv[0], AF_INET6, "::1", SERVE_ECHO, 0) != 0) {
        int e = errno;
        fprintf(stderr,
                "\n*** test_posix: SKIPPING the IPv6 round trip: no IPv6 loopback "
                "on this machine (listening on [::1]:0 failed: %s)\n\n",
                strerror(e));
        skip();
    }
    assert_int_equal(f->t.connect(f->t.ctx, "::1", f->srv[0].port, 2000), CPUSER_OK);
    echo_64k(&f->t);
    f->t.close(f->t.ctx);
    server_join(&f->srv[0]);
    assert_true(f->srv[0].saw_eof);
}

static void localhost_resolves(void **state)
{
    fixture *f = *state;
    char buf[8];
    size_t n = 0;
    size_t got = 0;
    unsigned rounds;
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_ECHO, 0), 0);
    /* If "localhost" also names ::1 (and that comes first), the refused ::1
     * attempt must fall through to 127.0.0.1 within the same call. */
    assert_int_equal(f->t.connect(f->t.ctx, "localhost", f->srv[0].port, 2000), CPUSER_OK);
    assert_int_equal(f->t.send(f->t.ctx, "ping", 4, &n, 1000), CPUSER_OK);
    assert_int_equal(n, 4); /* 4 bytes into an empty socket buffer */
    for (rounds = 0; rounds < 4 && got < 4; rounds++) {
        assert_int_equal(f->t.recv(f->t.ctx, buf + got, 4 - got, &n, 2000), CPUSER_OK);
        got += n;
    }
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "ping", 4);
}

static void socket_options(void **state)
{
    fixture *f = *state;
    int v = 0;
    socklen_t len = (socklen_t)sizeof v;
    int fl;
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_HOLD, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    fl = fcntl(f->tcp.fd, F_GETFD);
    assert_true(fl != -1 && (fl & FD_CLOEXEC) != 0);
    fl = fcntl(f->tcp.fd, F_GETFL);
    assert_true(fl != -1 && (fl & O_NONBLOCK) != 0);
    assert_int_equal(getsockopt(f->tcp.fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
    assert_true(v != 0);
}

static void connection_refused(void **state)
{
    fixture *f = *state;
    uint16_t port;
    uint64_t start;
    cpuser_err err;
    /* Learn a free port: listen on it, then let it go. */
    int fd = make_listener(AF_INET, "127.0.0.1", 1, 0, &port);
    assert_true(fd >= 0);
    (void)close(fd);
    start = clock_ms();
    err = f->t.connect(f->t.ctx, "127.0.0.1", port, 2000);
    assert_int_equal(err, CPUSER_ERR_CONNECT);
    assert_true(clock_ms() - start < 1000u);
    assert_int_equal(f->tcp.fd, -1);
}

static void connect_timeout(void **state)
{
    fixture *f = *state;
    uint16_t port;
    uint64_t start;
    uint64_t elapsed;
    cpuser_err err;
    int full = 0;
    int i;
    int lfd = make_listener(AF_INET, "127.0.0.1", 0, 0, &port);
    struct sockaddr_in sa;

    assert_true(lfd >= 0);
    f->extra_fd[0] = lfd;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    /* Nobody accepts: connect fillers until one stays pending, which shows
     * the backlog is full and further SYNs are being dropped. */
    for (i = 0; i < MAX_FILLERS && !full; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        f->extra_fd[1 + i] = fd;
        assert_int_equal(set_nonblocking(fd), 0);
        if (connect(fd, (struct sockaddr *)&sa, (socklen_t)sizeof sa) != 0) {
            assert_true(errno == EINPROGRESS || errno == EINTR);
            full = (poll_one(fd, POLLOUT, 100) & POLLOUT) == 0;
        }
    }
    if (!full) {
        fail_msg("could not fill the listen backlog of 127.0.0.1:%u: all %d "
                 "filler connections were accepted by the kernel, so no connect "
                 "can be made to time out here",
                 (unsigned)port, MAX_FILLERS);
    }

    start = clock_ms();
    err = f->t.connect(f->t.ctx, "127.0.0.1", port, 300);
    elapsed = clock_ms() - start;
    assert_int_equal(err, CPUSER_ERR_TIMEOUT);
    assert_true(elapsed >= 250u);
    assert_true(elapsed < 3000u);
    assert_int_equal(f->tcp.fd, -1);
}

static void dns_failure(void **state)
{
    fixture *f = *state;
    /* .invalid never resolves (RFC 6761); with no network the resolver may
     * answer EAI_AGAIN instead of EAI_NONAME, which is still a DNS error. */
    assert_int_equal(f->t.connect(f->t.ctx, "nonexistent.invalid", 80, 2000),
                     CPUSER_ERR_DNS);
    assert_int_equal(f->tcp.fd, -1);
}

static void recv_timeout(void **state)
{
    fixture *f = *state;
    char buf[16];
    size_t n = 99;
    uint64_t start;
    uint64_t elapsed;
    cpuser_err err;
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_HOLD, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    start = clock_ms();
    err = f->t.recv(f->t.ctx, buf, sizeof buf, &n, 200);
    elapsed = clock_ms() - start;
    assert_int_equal(err, CPUSER_ERR_TIMEOUT);
    assert_int_equal(n, 0);
    assert_true(elapsed >= 190u);
    assert_true(elapsed < 3000u);
}

static void send_timeout_when_peer_does_not_read(void **state)
{
    fixture *f = *state;
    static unsigned char chunk[16384];
    int small = 4096;
    size_t total = 0;
    size_t n = 0;
    unsigned i;
    uint64_t start = 0;
    uint64_t elapsed = 0;
    cpuser_err err = CPUSER_OK;

    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_NOREAD, 4096), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    assert_int_equal(setsockopt(f->tcp.fd, SOL_SOCKET, SO_SNDBUF, &small,
                                (socklen_t)sizeof small), 0);
    memset(chunk, 'z', sizeof chunk);
    /* Bounded: at most 4096 chunks (64 MB) before the buffers must be full. */
    for (i = 0; i < 4096u && err == CPUSER_OK; i++) {
        start = clock_ms();
        err = f->t.send(f->t.ctx, chunk, sizeof chunk, &n, 100);
        elapsed = clock_ms() - start;
        if (err == CPUSER_OK) {
            assert_true(n >= 1 && n <= sizeof chunk);
            total += n;
        }
    }
    assert_int_equal(err, CPUSER_ERR_TIMEOUT);
    assert_int_equal(n, 0);
    assert_true(total > 0);
    assert_true(elapsed >= 90u);
    assert_true(elapsed < 3000u);
}

static void peer_reset(void **state)
{
    fixture *f = *state;
    struct sigaction sa;
    sigset_t blocked;
    char buf[16];
    size_t n = 0;
    int i;
    cpuser_err err;

    /* Only meaningful if a SIGPIPE would really kill us. */
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_DFL);
    assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &blocked), 0);
    assert_int_equal(sigismember(&blocked, SIGPIPE), 0);

    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_RESET, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    server_join(&f->srv[0]); /* the reset has been sent */
    assert_true(f->srv[0].accepted);

    assert_int_equal(f->t.recv(f->t.ctx, buf, sizeof buf, &n, 2000), CPUSER_ERR_IO);
    assert_int_equal(n, 0);
    /* Writing to the dead connection: an error, and above all no SIGPIPE. */
    for (i = 0; i < 3; i++) {
        err = f->t.send(f->t.ctx, "more", 4, &n, 1000);
        assert_true(err == CPUSER_ERR_IO || err == CPUSER_ERR_CLOSED);
        assert_int_equal(n, 0);
    }
}

static void orderly_close(void **state)
{
    fixture *f = *state;
    char buf[16];
    size_t n = 0;
    size_t got = 0;
    unsigned rounds;
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_HI_CLOSE, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    for (rounds = 0; rounds < 4 && got < 2; rounds++) {
        assert_int_equal(f->t.recv(f->t.ctx, buf + got, sizeof buf - got, &n, 2000),
                         CPUSER_OK);
        got += n;
    }
    assert_int_equal(got, 2);
    assert_memory_equal(buf, "hi", 2);
    assert_int_equal(f->t.recv(f->t.ctx, buf, sizeof buf, &n, 2000), CPUSER_ERR_CLOSED);
    assert_int_equal(n, 0);
    assert_int_equal(f->t.recv(f->t.ctx, buf, sizeof buf, &n, 2000), CPUSER_ERR_CLOSED);
}

static void connect_while_open_closes_the_old_socket(void **state)
{
    fixture *f = *state;
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_HOLD, 0), 0);
    assert_int_equal(server_start(&f->srv[1], AF_INET, "127.0.0.1", SERVE_HOLD, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[1].port, 2000), CPUSER_OK);
    /* Server 0 now sees EOF at once; had the old socket leaked, it would
     * wait SERVER_WAIT_MS and report no EOF. */
    server_join(&f->srv[0]);
    assert_true(f->srv[0].accepted);
    assert_true(f->srv[0].saw_eof);
    f->t.close(f->t.ctx);
    server_join(&f->srv[1]);
    assert_true(f->srv[1].saw_eof);
}

static void closed_transport_fails_cleanly(void **state)
{
    fixture *f = *state;
    char buf[4];
    size_t n = 99;
    /* Never connected. */
    assert_int_equal(f->tcp.fd, -1);
    assert_int_equal(f->t.send(f->t.ctx, "x", 1, &n, 10), CPUSER_ERR_IO);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(f->t.recv(f->t.ctx, buf, sizeof buf, &n, 10), CPUSER_ERR_IO);
    assert_int_equal(n, 0);
    f->t.close(f->t.ctx);
    f->t.close(f->t.ctx);
    assert_int_equal(f->tcp.fd, -1);

    /* Connected, then closed twice. */
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_HOLD, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    f->t.close(f->t.ctx);
    f->t.close(f->t.ctx);
    assert_int_equal(f->tcp.fd, -1);
    assert_int_equal(f->t.send(f->t.ctx, "x", 1, &n, 10), CPUSER_ERR_IO);
    assert_int_equal(f->t.recv(f->t.ctx, buf, sizeof buf, &n, 10), CPUSER_ERR_IO);
    server_join(&f->srv[0]);
    assert_true(f->srv[0].saw_eof);

    /* A failed connect leaves it closed, too. */
    assert_int_equal(f->t.connect(f->t.ctx, "nonexistent.invalid", 80, 500), CPUSER_ERR_DNS);
    assert_int_equal(f->t.send(f->t.ctx, "x", 1, &n, 10), CPUSER_ERR_IO);
}

/* ---- signals: EINTR must shorten nothing and extend nothing ------------- */

static volatile sig_atomic_t usr1_count;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

typedef struct {
    pthread_t target;
    int stop[2];
} signaller;

/* SIGUSR1 to the target every 10 ms, at most 100 times, until stopped. */
static void *signaller_main(void *arg)
{
    signaller *s = arg;
    int i;
    for (i = 0; i < 100; i++) {
        if (poll_one(s->stop[0], POLLIN, 10) != 0) {
            break;
        }
        (void)pthread_kill(s->target, SIGUSR1);
    }
    return NULL;
}

typedef struct {
    struct sigaction old;
    signaller sig;
    pthread_t thread;
} interrupter;

/* Install a SIGUSR1 handler without SA_RESTART (so blocking calls really
 * fail with EINTR) and start pestering the calling thread. */
static void interrupter_start(interrupter *in)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = 0;
    assert_int_equal(sigemptyset(&sa.sa_mask), 0);
    assert_int_equal(sigaction(SIGUSR1, &sa, &in->old), 0);
    usr1_count = 0;
    in->sig.target = pthread_self();
    assert_int_equal(pipe(in->sig.stop), 0);
    assert_int_equal(pthread_create(&in->thread, NULL, signaller_main, &in->sig), 0);
}

/* Stop and join the signaller. A SIGUSR1 it sent is delivered to us before
 * pthread_join returns to user code, so the old disposition is safe back. */
static void interrupter_stop(interrupter *in)
{
    (void)write(in->sig.stop[1], "x", 1);
    (void)pthread_join(in->thread, NULL);
    (void)close(in->sig.stop[0]);
    (void)close(in->sig.stop[1]);
    (void)sigaction(SIGUSR1, &in->old, NULL);
}

static void recv_timeout_under_signals(void **state)
{
    fixture *f = *state;
    interrupter in;
    char buf[16];
    size_t n = 0;
    uint64_t start;
    uint64_t elapsed;
    cpuser_err err;
    assert_int_equal(server_start(&f->srv[0], AF_INET, "127.0.0.1", SERVE_HOLD, 0), 0);
    assert_int_equal(f->t.connect(f->t.ctx, "127.0.0.1", f->srv[0].port, 2000), CPUSER_OK);
    interrupter_start(&in);
    start = clock_ms();
    err = f->t.recv(f->t.ctx, buf, sizeof buf, &n, 300);
    elapsed = clock_ms() - start;
    interrupter_stop(&in);
    assert_true(usr1_count >= 5); /* poll really was interrupted, often */
    assert_int_equal(err, CPUSER_ERR_TIMEOUT);
    /* Not cut short by EINTR; and not restarted with the full 300 ms after
     * each signal (that would end ~300 ms after the last of up to 1 s of
     * signals). */
    assert_true(elapsed >= 290u);
    assert_true(elapsed < 800u);
}

/* ---- platform ----------------------------------------------------------- */

static void platform_clock_and_sleep(void **state)
{
    cpuser_platform p;
    uint32_t a;
    uint32_t b;
    uint32_t c;
    (void)state;
    cpuser_posix_platform_init(&p);
    assert_null(p.ctx);
    a = p.now_ms(p.ctx);
    p.sleep_ms(p.ctx, 20);
    b = p.now_ms(p.ctx);
    assert_true((uint32_t)(b - a) >= 20u);
    assert_true((uint32_t)(b - a) < 2000u);
    p.sleep_ms(p.ctx, 0);
    c = p.now_ms(p.ctx);
    assert_true((uint32_t)(c - b) < 1000u); /* did not go backwards (wrap) */
}

static void platform_sleep_under_signals(void **state)
{
    cpuser_platform p;
    interrupter in;
    uint64_t start;
    uint64_t elapsed;
    (void)state;
    cpuser_posix_platform_init(&p);
    interrupter_start(&in);
    start = clock_ms();
    p.sleep_ms(p.ctx, 200);
    elapsed = clock_ms() - start;
    interrupter_stop(&in);
    assert_true(usr1_count >= 5);
    assert_true(elapsed >= 199u);
    assert_true(elapsed < 800u);
}

static void check_random(const cpuser_platform *p)
{
    unsigned char a[64];
    unsigned char b[64];
    unsigned char big[4096];
    size_t i;
    int nonzero = 0;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    assert_int_equal(p->random(p->ctx, a, sizeof a), CPUSER_OK);
    assert_int_equal(p->random(p->ctx, b, sizeof b), CPUSER_OK);
    for (i = 0; i < sizeof a; i++) {
        nonzero |= a[i] != 0;
    }
    assert_true(nonzero);
    assert_true(memcmp(a, b, sizeof a) != 0);
    assert_int_equal(p->random(p->ctx, a, 0), CPUSER_OK);
    /* A larger request, filled to its very end. */
    memset(big, 0, sizeof big);
    assert_int_equal(p->random(p->ctx, big, sizeof big), CPUSER_OK);
    nonzero = 0;
    for (i = sizeof big - 16; i < sizeof big; i++) {
        nonzero |= big[i] != 0;
    }
    assert_true(nonzero);
}

static void random_fills_and_differs(void **state)
{
    cpuser_platform p;
    (void)state;
    cpuser_posix_platform_init(&p);
    check_random(&p);
}

static void random_urandom_fallback(void **state)
{
    cpuser_platform p;
    (void)state;
    urandom_platform_init(&p);
    check_random(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip_ipv4, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(round_trip_ipv6, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(localhost_resolves, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(socket_options, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(connection_refused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(connect_timeout, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(dns_failure, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(recv_timeout, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(send_timeout_when_peer_does_not_read, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(peer_reset, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(orderly_close, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(connect_while_open_closes_the_old_socket, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(closed_transport_fails_cleanly, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(recv_timeout_under_signals, fx_setup, fx_teardown),
        cmocka_unit_test(platform_clock_and_sleep),
        cmocka_unit_test(platform_sleep_under_signals),
        cmocka_unit_test(random_fills_and_differs),
        cmocka_unit_test(random_urandom_fallback),
    };
    /* A watchdog for the whole run: a transport that blocks forever (say, in
     * a blocking connect) gets the run killed by SIGALRM instead of hanging. */
    (void)alarm(30);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
