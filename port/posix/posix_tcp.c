/*
 * The POSIX TCP transport: BSD sockets, every wait bounded by poll().
 *
 * The socket stays non-blocking for its whole life; each call first waits
 * with poll() for the direction it needs, for at most what is left of its own
 * timeout on CLOCK_MONOTONIC (recomputed after every EINTR), then does one
 * non-blocking send or recv. SIGPIPE is suppressed per call (MSG_NOSIGNAL) or
 * per socket (SO_NOSIGPIPE), never with a process-wide signal disposition.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): feature-test macro */
#endif

#include "cpuser/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if defined(MSG_NOSIGNAL)
#define SEND_FLAGS MSG_NOSIGNAL
#elif defined(SO_NOSIGPIPE)
#define SEND_FLAGS 0 /* the socket carries SO_NOSIGPIPE instead */
#else
#error "cpuser posix port: neither MSG_NOSIGNAL nor SO_NOSIGPIPE: send could raise SIGPIPE"
#endif

/* ---- time --------------------------------------------------------------- */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Milliseconds left until deadline, as a poll() timeout (0 once passed). */
static int ms_left(uint64_t deadline)
{
    uint64_t now = mono_ms();
    uint64_t left;
    if (now >= deadline) {
        return 0;
    }
    left = deadline - now;
    return left > (uint64_t)INT_MAX ? INT_MAX : (int)left;
}

/* Wait until fd reports one of `events` (or an error/hangup) or the deadline
 * passes. Returns 1 when poll reported something (in *revents), 0 on timeout,
 * -1 when poll itself failed (errno set). */
static int wait_for(int fd, short events, uint64_t deadline, short *revents)
{
    for (;;) {
        struct pollfd p;
        int left = ms_left(deadline);
        int n;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        n = poll(&p, 1, left);
        if (n > 0) {
            *revents = p.revents;
            return 1;
        }
        if (n == 0) {
            if (left == 0 || mono_ms() >= deadline) {
                return 0;
            }
            continue; /* woke early, or a wait longer than INT_MAX ms */
        }
        if (errno != EINTR) {
            return -1;
        }
        if (left == 0) {
            return 0; /* interrupted with no time left: that is a timeout */
        }
        /* EINTR: go round, waiting only for what is left */
    }
}

static int would_block(int e)
{
#if EAGAIN == EWOULDBLOCK
    return e == EAGAIN;
#else
    return e == EAGAIN || e == EWOULDBLOCK;
#endif
}

/* ---- connect ------------------------------------------------------------ */

/* "0".."65535" without stdio. */
static void format_port(uint16_t port, char out[6])
{
    char rev[5];
    unsigned v = port;
    size_t n = 0;
    size_t i = 0;
    do {
        rev[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (n > 0) {
        out[i++] = rev[--n];
    }
    out[i] = '\0';
}

/* A connect failure as an error value: the kernel giving up on its own SYN
 * retries is a timeout, anything else means no connection can be made. */
static cpuser_err connect_error(int e)
{
    return e == ETIMEDOUT ? CPUSER_ERR_TIMEOUT : CPUSER_ERR_CONNECT;
}

/* A non-blocking, close-on-exec stream socket, or -1. */
static int open_socket(int family, int type, int protocol)
{
    int fd;
    int fl;
#if defined(SOCK_CLOEXEC) && defined(SOCK_NONBLOCK)
    fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
    if (fd >= 0 || errno != EINVAL) {
        return fd;
    }
    /* EINVAL: a kernel older than the flags; set them the portable way. */
#endif
    fd = socket(family, type, protocol);
    if (fd < 0) {
        return -1;
    }
    fl = fcntl(fd, F_GETFL);
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 || fl == -1 ||
        fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
        (void)close(fd);
        return -1;
    }
    return fd;
}

/* Options on a connected socket. Failures here are not fatal: the connection
 * works without them (only slower, for TCP_NODELAY). */
static void tune_socket(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, (socklen_t)sizeof one);
#if defined(SO_NOSIGPIPE)
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, (socklen_t)sizeof one);
#endif
}

/* Connect to one address before deadline. On CPUSER_OK, *out is the socket. */
static cpuser_err connect_one(const struct addrinfo *ai, uint64_t deadline,
                              int *out)
{
    int fd = open_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        return CPUSER_ERR_CONNECT; /* e.g. no IPv6 in this kernel */
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        int e = errno;
        short revents = 0;
        int w;
        int soerr = 0;
        socklen_t soerr_len = (socklen_t)sizeof soerr;
        struct sockaddr_storage peer;
        socklen_t peer_len = (socklen_t)sizeof peer;

        /* EINTR: the connection goes on in the background, as EINPROGRESS. */
        if (e != EINPROGRESS && e != EINTR) {
            (void)close(fd);
            return connect_error(e);
        }
        w = wait_for(fd, POLLOUT, deadline, &revents);
        if (w <= 0) {
            (void)close(fd);
            return w == 0 ? CPUSER_ERR_TIMEOUT : CPUSER_ERR_CONNECT;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &soerr_len) != 0) {
            soerr = errno;
        }
        if (soerr == 0 &&
            getpeername(fd, (struct sockaddr *)&peer, &peer_len) != 0) {
            soerr = errno; /* ENOTCONN: woken, but not connected */
        }
        if (soerr != 0) {
            (void)close(fd);
            return connect_error(soerr);
        }
    }
    tune_socket(fd);
    *out = fd;
    return CPUSER_OK;
}

static void tcp_close(void *vctx)
{
    cpuser_posix_tcp *ctx = vctx;
    if (ctx == NULL || ctx->fd < 0) {
        return;
    }
    /* No retry on EINTR: the descriptor is released either way on Linux,
     * and retrying could close a descriptor another thread just got. */
    (void)close(ctx->fd);
    ctx->fd = -1;
}

static cpuser_err tcp_connect(void *vctx, const char *host, uint16_t port,
                              uint32_t timeout_ms)
{
    cpuser_posix_tcp *ctx = vctx;
    struct addrinfo hints;
    struct addrinfo *list = NULL;
    const struct addrinfo *ai;
    char service[6];
    uint64_t deadline;
    cpuser_err err = CPUSER_ERR_CONNECT;

    if (ctx == NULL || host == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    tcp_close(ctx);
    deadline = mono_ms() + timeout_ms;

    format_port(port, service);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    /* getaddrinfo cannot be bounded by the timeout; any failure of it
     * (EAI_NONAME, EAI_AGAIN, EAI_FAIL, EAI_SYSTEM...) means the name did
     * not resolve. */
    if (getaddrinfo(host, service, &hints, &list) != 0 || list == NULL) {
        return CPUSER_ERR_DNS;
    }

    for (ai = list; ai != NULL; ai = ai->ai_next) {
        int fd = -1;
        err = connect_one(ai, deadline, &fd);
        if (err == CPUSER_OK) {
            ctx->fd = fd;
            break;
        }
        if (err == CPUSER_ERR_TIMEOUT) {
            break; /* the whole budget is spent */
        }
    }
    freeaddrinfo(list);
    return err;
}

/* ---- send / recv -------------------------------------------------------- */

static cpuser_err tcp_send(void *vctx, const void *data, size_t len,
                           size_t *sent, uint32_t timeout_ms)
{
    cpuser_posix_tcp *ctx = vctx;
    uint64_t deadline;

    if (sent != NULL) {
        *sent = 0;
    }
    if (ctx == NULL || sent == NULL || data == NULL || len == 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (ctx->fd < 0) {
        return CPUSER_ERR_IO;
    }
    if (len > (size_t)SSIZE_MAX) {
        len = (size_t)SSIZE_MAX; /* the rest goes in a later call */
    }
    deadline = mono_ms() + timeout_ms;
    for (;;) {
        short revents = 0;
        ssize_t n;
        int w = wait_for(ctx->fd, POLLOUT, deadline, &revents);
        if (w == 0) {
            return CPUSER_ERR_TIMEOUT;
        }
        if (w < 0 || (revents & POLLNVAL) != 0) {
            return CPUSER_ERR_IO;
        }
        /* Ready, or an error/hangup that send will now report. */
        n = send(ctx->fd, data, len, SEND_FLAGS);
        if (n > 0) {
            *sent = (size_t)n;
            return CPUSER_OK;
        }
        if (n < 0 && (errno == EINTR || would_block(errno))) {
            continue; /* wait again, for what is left */
        }
        return CPUSER_ERR_IO; /* EPIPE, ECONNRESET, ... */
    }
}

static cpuser_err tcp_recv(void *vctx, void *buf, size_t cap, size_t *got,
                           uint32_t timeout_ms)
{
    cpuser_posix_tcp *ctx = vctx;
    uint64_t deadline;

    if (got != NULL) {
        *got = 0;
    }
    if (ctx == NULL || got == NULL || buf == NULL || cap == 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (ctx->fd < 0) {
        return CPUSER_ERR_IO;
    }
    if (cap > (size_t)SSIZE_MAX) {
        cap = (size_t)SSIZE_MAX;
    }
    deadline = mono_ms() + timeout_ms;
    for (;;) {
        short revents = 0;
        ssize_t n;
        int w = wait_for(ctx->fd, POLLIN, deadline, &revents);
        if (w == 0) {
            return CPUSER_ERR_TIMEOUT;
        }
        if (w < 0 || (revents & POLLNVAL) != 0) {
            return CPUSER_ERR_IO;
        }
        n = recv(ctx->fd, buf, cap, 0);
        if (n > 0) {
            *got = (size_t)n;
            return CPUSER_OK;
        }
        if (n == 0) {
            return CPUSER_ERR_CLOSED;
        }
        if (errno == EINTR || would_block(errno)) {
            continue;
        }
        return CPUSER_ERR_IO; /* ECONNRESET, ETIMEDOUT (keepalive), ... */
    }
}

void cpuser_posix_tcp_init(cpuser_posix_tcp *ctx, cpuser_transport *t)
{
    if (ctx != NULL) {
        ctx->fd = -1;
    }
    if (t != NULL) {
        t->ctx = ctx;
        t->connect = tcp_connect;
        t->send = tcp_send;
        t->recv = tcp_recv;
        t->close = tcp_close;
    }
}
