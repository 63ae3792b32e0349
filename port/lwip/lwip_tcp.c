/*
 * The lwIP TCP transport: lwIP's sockets API (NO_SYS=0), every wait bounded.
 *
 * Time is lwIP's own millisecond clock (sys_now), read as unsigned
 * differences so that it may wrap. Each call waits for at most what is left
 * of its own timeout:
 *  - POLL / SELECT (the default when lwIP has them): the socket stays
 *    non-blocking for its whole life; each send or recv first waits with
 *    lwip_poll (or lwip_select) for the direction it needs, then does one
 *    non-blocking lwip_send / lwip_recv;
 *  - SOCKOPT (neither poll nor select in lwIP): the socket is blocking once
 *    connected; recv sets SO_RCVTIMEO to the time left before it blocks.
 *    send does not trust SO_SNDTIMEO: lwIP checks it only from the TCP poll
 *    timer (about once a second in 2.1: a 300 ms timeout measured 1001 ms),
 *    so send goes with MSG_DONTWAIT and, while the send buffer is full,
 *    sleeps briefly and tries again until its time is up. The non-blocking
 *    connect is watched by asking lwIP again, with short sleeps in between
 *    (EALREADY while it runs, EISCONN once it is up).
 * lwIP reports a shortage of pbufs or segments as ENOMEM / ENOBUFS (ERR_MEM,
 * ERR_BUF): that is back-pressure, not a broken connection, so the call
 * sleeps a little (sys_msleep, 1 ms doubling to 32 ms) and tries again
 * until its time is up.
 *
 * Errors are read from errno, which lwIP sets through lwip/errno.h (its own
 * errno with LWIP_PROVIDE_ERRNO, else the C library's).
 */
#include "cpuser/lwip.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/def.h"
#include "lwip/errno.h"
#include "lwip/ip_addr.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

#if NO_SYS || !LWIP_SOCKET || !LWIP_TCP
#error "cpuser lwIP port: needs NO_SYS 0, LWIP_SOCKET 1 and LWIP_TCP 1 (a NO_SYS=1 board needs a raw-API transport: port/lwip/README.md)"
#endif

/* The wait method: forced by the build, or the first lwIP offers. */
#ifndef CPUSER_LWIP_WAIT
#if defined(LWIP_SOCKET_POLL) && LWIP_SOCKET_POLL
#define CPUSER_LWIP_WAIT CPUSER_LWIP_WAIT_POLL
#elif defined(LWIP_SOCKET_SELECT) && LWIP_SOCKET_SELECT
#define CPUSER_LWIP_WAIT CPUSER_LWIP_WAIT_SELECT
#else
#define CPUSER_LWIP_WAIT CPUSER_LWIP_WAIT_SOCKOPT
#endif
#endif

#if CPUSER_LWIP_WAIT == CPUSER_LWIP_WAIT_POLL
#if !defined(LWIP_SOCKET_POLL) || !LWIP_SOCKET_POLL
#error "cpuser lwIP port: CPUSER_LWIP_WAIT_POLL needs LWIP_SOCKET_POLL 1"
#endif
#elif CPUSER_LWIP_WAIT == CPUSER_LWIP_WAIT_SELECT
#if !defined(LWIP_SOCKET_SELECT) || !LWIP_SOCKET_SELECT
#error "cpuser lwIP port: CPUSER_LWIP_WAIT_SELECT needs LWIP_SOCKET_SELECT 1"
#endif
#elif CPUSER_LWIP_WAIT == CPUSER_LWIP_WAIT_SOCKOPT
#if !LWIP_SO_RCVTIMEO
#error "cpuser lwIP port: without LWIP_SOCKET_POLL or LWIP_SOCKET_SELECT it needs LWIP_SO_RCVTIMEO 1"
#endif
#else
#error "cpuser lwIP port: CPUSER_LWIP_WAIT must be CPUSER_LWIP_WAIT_POLL, _SELECT or _SOCKOPT"
#endif

/* Sleeps before trying again: while lwIP is short of memory, after a wait
 * that said "ready" but was not, and (SOCKOPT) between checks of a connect
 * in progress or of a full send buffer. */
#define BACKOFF_FIRST_MS 1u
#define BACKOFF_MAX_MS 32u

/* ---- time --------------------------------------------------------------- */

/* Milliseconds left of timeout_ms since start (0 once spent). */
static uint32_t ms_left(uint32_t start, uint32_t timeout_ms)
{
    uint32_t spent = (uint32_t)(sys_now() - start);
    return spent >= timeout_ms ? 0u : timeout_ms - spent;
}

/* Sleep min(*step, left) and double *step up to BACKOFF_MAX_MS. */
static void back_off(uint32_t *step, uint32_t left)
{
    uint32_t ms = *step < left ? *step : left;
    if (ms > 0u) {
        sys_msleep(ms);
    }
    if (*step < BACKOFF_MAX_MS) {
        *step *= 2u;
    }
}

/* ---- errno classes ------------------------------------------------------ */

static int would_block(int e)
{
#if EAGAIN == EWOULDBLOCK
    return e == EAGAIN;
#else
    return e == EAGAIN || e == EWOULDBLOCK;
#endif
}

/* ERR_MEM / ERR_BUF: lwIP ran out of pbufs, segments or messages. */
static int short_of_memory(int e)
{
    return e == ENOMEM || e == ENOBUFS;
}

/* A failed connect as an error value: a stack that gave up on its own
 * timer is a timeout; anything else (lwIP reports a refusal as
 * ECONNRESET, its own SYN give-up as ECONNABORTED, no route as
 * EHOSTUNREACH) means no connection can be made. */
static cpuser_err connect_error(int e)
{
    return e == ETIMEDOUT ? CPUSER_ERR_TIMEOUT : CPUSER_ERR_CONNECT;
}

/* The socket's pending error (SO_ERROR), or errno when that cannot be read. */
static int pending_error(int fd)
{
    int soerr = 0;
    socklen_t len = (socklen_t)sizeof soerr;
    if (lwip_getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) {
        return errno != 0 ? errno : EIO;
    }
    return soerr;
}

/* ---- waiting ------------------------------------------------------------ */

#if CPUSER_LWIP_WAIT != CPUSER_LWIP_WAIT_SOCKOPT

enum { WAIT_READ, WAIT_WRITE };

/* Wait until fd is ready for dir, has an error pending (the next call on it
 * reports which), or the time is up. 1: ready or error; 0: timeout; -1: the
 * wait itself failed (errno set). A wait with no time left still looks once. */
static int wait_ready(int fd, int dir, uint32_t start, uint32_t timeout_ms)
{
    for (;;) {
        uint32_t left = ms_left(start, timeout_ms);
        int n;
#if CPUSER_LWIP_WAIT == CPUSER_LWIP_WAIT_POLL
        struct pollfd p;
        p.fd = fd;
        p.events = (short)(dir == WAIT_WRITE ? POLLOUT : POLLIN);
        p.revents = 0;
        n = lwip_poll(&p, 1, left > (uint32_t)INT_MAX ? INT_MAX : (int)left);
        if (n > 0) {
            return (p.revents & POLLNVAL) != 0 ? -1 : 1;
        }
#else
        fd_set ready;
        fd_set failed;
        struct timeval tv;
        FD_ZERO(&ready);
        FD_ZERO(&failed);
        FD_SET(fd, &ready);
        FD_SET(fd, &failed);
        tv.tv_sec = (long)(left / 1000u);
        tv.tv_usec = (long)((left % 1000u) * 1000u);
        n = lwip_select(fd + 1, dir == WAIT_READ ? &ready : NULL,
                        dir == WAIT_WRITE ? &ready : NULL, &failed, &tv);
        if (n > 0) {
            return 1;
        }
#endif
        if (n == 0) {
            if (left == 0u || ms_left(start, timeout_ms) == 0u) {
                return 0;
            }
            continue; /* woke early: wait for what is left */
        }
        if (errno != EINTR) {
            return -1;
        }
        if (left == 0u) {
            return 0;
        }
    }
}

#else /* CPUSER_LWIP_WAIT_SOCKOPT */

/* Set SO_RCVTIMEO to ms (> 0: lwIP takes 0 as "forever"). */
static int set_recv_timeout(int fd, uint32_t ms)
{
#if LWIP_SO_SNDRCVTIMEO_NONSTANDARD
    int v = ms > (uint32_t)INT_MAX ? INT_MAX : (int)ms;
#else
    struct timeval v;
    memset(&v, 0, sizeof v);
    v.tv_sec = (long)(ms / 1000u);
    v.tv_usec = (long)((ms % 1000u) * 1000u);
#endif
    return lwip_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &v, (socklen_t)sizeof v);
}

#endif

/* ---- connect ------------------------------------------------------------ */

/* Wait, within the timeout, for the non-blocking connect of fd to finish. */
static cpuser_err finish_connect(cpuser_lwip_tcp *ctx, int fd,
                                 const struct sockaddr *sa, socklen_t sa_len,
                                 uint32_t start, uint32_t timeout_ms)
{
#if CPUSER_LWIP_WAIT != CPUSER_LWIP_WAIT_SOCKOPT
    int soerr;
    struct sockaddr_storage peer;
    socklen_t peer_len = (socklen_t)sizeof peer;
    int w = wait_ready(fd, WAIT_WRITE, start, timeout_ms);
    (void)sa;
    (void)sa_len;
    if (w <= 0) {
        ctx->last_errno = w == 0 ? ETIMEDOUT : errno;
        return w == 0 ? CPUSER_ERR_TIMEOUT : CPUSER_ERR_CONNECT;
    }
    /* lwIP makes a connecting socket writable when the connection is up or
     * has failed; a failure leaves its reason in SO_ERROR, and (should that
     * have been read already) no peer. */
    soerr = pending_error(fd);
    if (soerr == 0 && lwip_getpeername(fd, (struct sockaddr *)&peer, &peer_len) != 0) {
        soerr = errno != 0 ? errno : ENOTCONN;
    }
    if (soerr != 0) {
        ctx->last_errno = soerr;
        return connect_error(soerr);
    }
    return CPUSER_OK;
#else
    uint32_t step = BACKOFF_FIRST_MS;
    for (;;) {
        uint32_t left = ms_left(start, timeout_ms);
        int e;
        if (left == 0u) {
            ctx->last_errno = ETIMEDOUT;
            return CPUSER_ERR_TIMEOUT;
        }
        back_off(&step, left);
        /* Asking again is how the sockets API tells the state without a
         * poll: EALREADY while it runs, EISCONN once it is up, the error
         * once it failed (lwIP then has no PCB: ENOTCONN, with the reason
         * in SO_ERROR). */
        if (lwip_connect(fd, sa, sa_len) == 0) {
            return CPUSER_OK;
        }
        e = errno;
        if (e == EISCONN) {
            return CPUSER_OK;
        }
        if (e == EALREADY || e == EINPROGRESS || e == EINTR) {
            continue;
        }
        {
            int soerr = pending_error(fd);
            ctx->last_errno = soerr != 0 ? soerr : e;
        }
        return connect_error(ctx->last_errno);
    }
#endif
}

/* Connect a new socket to one address before the deadline. On CPUSER_OK,
 * ctx->fd is the connected socket. */
static cpuser_err connect_addr(cpuser_lwip_tcp *ctx, int family,
                               const struct sockaddr *sa, socklen_t sa_len,
                               uint32_t start, uint32_t timeout_ms)
{
    uint32_t step = BACKOFF_FIRST_MS;
    cpuser_err err;
    int one = 1;
    int fd = lwip_socket(family, SOCK_STREAM, IPPROTO_TCP);

    if (fd < 0) {
        ctx->last_errno = errno; /* no free socket / netconn (MEMP_NUM_NETCONN) */
        return CPUSER_ERR_CONNECT;
    }
    if (lwip_fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        ctx->last_errno = errno;
        (void)lwip_close(fd);
        return CPUSER_ERR_CONNECT;
    }
    for (;;) {
        int e;
        if (lwip_connect(fd, sa, sa_len) == 0) {
            err = CPUSER_OK;
            break;
        }
        e = errno;
        if (e == EINPROGRESS) {
            err = finish_connect(ctx, fd, sa, sa_len, start, timeout_ms);
            break;
        }
        if (short_of_memory(e)) {
            /* no memory for the SYN: lwIP left the PCB closed, so the same
             * socket may try again once memory is back */
            uint32_t left = ms_left(start, timeout_ms);
            if (left == 0u) {
                ctx->last_errno = e;
                err = CPUSER_ERR_TIMEOUT;
                break;
            }
            back_off(&step, left);
            continue;
        }
        ctx->last_errno = e;
        err = connect_error(e); /* EHOSTUNREACH: no route (ERR_RTE) */
        break;
    }
#if CPUSER_LWIP_WAIT == CPUSER_LWIP_WAIT_SOCKOPT
    /* recv blocks, bounded by SO_RCVTIMEO (send uses MSG_DONTWAIT) */
    if (err == CPUSER_OK && lwip_fcntl(fd, F_SETFL, 0) != 0) {
        ctx->last_errno = errno;
        err = CPUSER_ERR_CONNECT;
    }
#endif
    if (err != CPUSER_OK) {
        (void)lwip_close(fd);
        return err;
    }
    /* Not fatal when refused: the connection works without it, only slower
     * for a request written in more than one piece. */
    (void)lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, (socklen_t)sizeof one);
    ctx->fd = fd;
    return CPUSER_OK;
}

/* Set the port of a socket address (IPv4 or IPv6) in place. */
static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
#if LWIP_IPV4
    if (ss->ss_family == AF_INET) {
        ((struct sockaddr_in *)(void *)ss)->sin_port = lwip_htons(port);
    }
#endif
#if LWIP_IPV6
    if (ss->ss_family == AF_INET6) {
        ((struct sockaddr_in6 *)(void *)ss)->sin6_port = lwip_htons(port);
    }
#endif
}

#if !LWIP_DNS
/* An lwIP address as a socket address; its length, 0 for an unknown type. */
static socklen_t to_sockaddr(const ip_addr_t *ip, uint16_t port,
                             struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
#if LWIP_IPV6
    if (IP_IS_V6(ip)) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)(void *)ss;
        a->sin6_family = AF_INET6;
        /* both are the 16 address bytes in network order */
        memcpy(&a->sin6_addr, ip_2_ip6(ip)->addr, sizeof a->sin6_addr);
        set_port(ss, port);
        return (socklen_t)sizeof *a;
    }
#endif
#if LWIP_IPV4
    {
        struct sockaddr_in *a = (struct sockaddr_in *)(void *)ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = ip4_addr_get_u32(ip_2_ip4(ip));
        set_port(ss, port);
        return (socklen_t)sizeof *a;
    }
#else
    (void)port;
    return 0;
#endif
}
#endif

static void tcp_close(void *vctx)
{
    cpuser_lwip_tcp *ctx = vctx;
    if (ctx == NULL || ctx->fd < 0) {
        return;
    }
    (void)lwip_close(ctx->fd);
    ctx->fd = -1;
}

static cpuser_err tcp_connect(void *vctx, const char *host, uint16_t port,
                              uint32_t timeout_ms)
{
    cpuser_lwip_tcp *ctx = vctx;
    uint32_t start;
    struct sockaddr_storage ss;

    if (ctx == NULL || host == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    tcp_close(ctx);
    ctx->last_errno = 0;
    start = sys_now();

#if LWIP_DNS
    {
        struct addrinfo hints;
        struct addrinfo *list = NULL;
        const struct addrinfo *ai;
        cpuser_err err = CPUSER_ERR_CONNECT;

        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_protocol = IPPROTO_TCP;
        /* No service: lwIP would parse it with atoi; the port is set below.
         * Any failure (EAI_FAIL, EAI_NONAME, EAI_MEMORY) means the name did
         * not resolve. A literal address resolves without a query. */
        if (lwip_getaddrinfo(host, NULL, &hints, &list) != 0 || list == NULL) {
            return CPUSER_ERR_DNS;
        }
        for (ai = list; ai != NULL; ai = ai->ai_next) {
            socklen_t len = (socklen_t)ai->ai_addrlen;
            if (ai->ai_addr == NULL || len == 0 || (size_t)len > sizeof ss) {
                continue;
            }
            memset(&ss, 0, sizeof ss);
            memcpy(&ss, ai->ai_addr, (size_t)len);
            set_port(&ss, port);
            err = connect_addr(ctx, ai->ai_family, (const struct sockaddr *)(const void *)&ss,
                               len, start, timeout_ms);
            if (err == CPUSER_OK || err == CPUSER_ERR_TIMEOUT) {
                break; /* connected, or the whole budget is spent */
            }
        }
        lwip_freeaddrinfo(list);
        return err;
    }
#else
    {
        ip_addr_t ip;
        socklen_t len;
        int family;
        /* No resolver in this lwIP: literals only. */
        if (!ipaddr_aton(host, &ip)) {
            ctx->last_errno = 0;
            return CPUSER_ERR_DNS;
        }
        len = to_sockaddr(&ip, port, &ss);
        if (len == 0) {
            return CPUSER_ERR_DNS; /* an address family this lwIP lacks */
        }
        family = ss.ss_family;
        return connect_addr(ctx, family, (const struct sockaddr *)(const void *)&ss, len,
                            start, timeout_ms);
    }
#endif
}

/* ---- send / recv -------------------------------------------------------- */

static cpuser_err tcp_send(void *vctx, const void *data, size_t len,
                           size_t *sent, uint32_t timeout_ms)
{
    cpuser_lwip_tcp *ctx = vctx;
    uint32_t start;
    uint32_t step = BACKOFF_FIRST_MS;

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
    start = sys_now();
    for (;;) {
        ssize_t n;
        int e;
#if CPUSER_LWIP_WAIT != CPUSER_LWIP_WAIT_SOCKOPT
        int w = wait_ready(ctx->fd, WAIT_WRITE, start, timeout_ms);
        if (w == 0) {
            return CPUSER_ERR_TIMEOUT;
        }
        if (w < 0) {
            ctx->last_errno = errno;
            return CPUSER_ERR_IO;
        }
        /* Ready, or an error that send now reports. Non-blocking: lwIP
         * takes what fits in its send buffer (a partial send). */
        n = lwip_send(ctx->fd, data, len, MSG_DONTWAIT);
#else
        /* never blocks: a full send buffer is EWOULDBLOCK, slept on below */
        n = lwip_send(ctx->fd, data, len, MSG_DONTWAIT);
#endif
        if (n > 0) {
            *sent = (size_t)n;
            return CPUSER_OK;
        }
        e = n < 0 ? errno : EIO;
        if (would_block(e) || e == EINTR || short_of_memory(e)) {
            uint32_t left_now = ms_left(start, timeout_ms);
            if (left_now == 0u) {
                ctx->last_errno = e;
                return CPUSER_ERR_TIMEOUT;
            }
            /* Also after a wait that said "ready": a stale readiness must
             * not become a busy loop that starves the tcpip thread. */
            back_off(&step, left_now);
            continue;
        }
        ctx->last_errno = e;
        return CPUSER_ERR_IO; /* ECONNRESET, ECONNABORTED, ENOTCONN, ... */
    }
}

static cpuser_err tcp_recv(void *vctx, void *buf, size_t cap, size_t *got,
                           uint32_t timeout_ms)
{
    cpuser_lwip_tcp *ctx = vctx;
    uint32_t start;
    uint32_t step = BACKOFF_FIRST_MS;

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
    start = sys_now();
    for (;;) {
        ssize_t n;
        int e;
#if CPUSER_LWIP_WAIT != CPUSER_LWIP_WAIT_SOCKOPT
        int w = wait_ready(ctx->fd, WAIT_READ, start, timeout_ms);
        if (w == 0) {
            return CPUSER_ERR_TIMEOUT;
        }
        if (w < 0) {
            ctx->last_errno = errno;
            return CPUSER_ERR_IO;
        }
        n = lwip_recv(ctx->fd, buf, cap, MSG_DONTWAIT);
#else
        uint32_t left = ms_left(start, timeout_ms);
        int flags = 0;
        if (left == 0u) {
            flags = MSG_DONTWAIT;
        } else if (set_recv_timeout(ctx->fd, left) != 0) {
            ctx->last_errno = errno;
            return CPUSER_ERR_IO;
        }
        n = lwip_recv(ctx->fd, buf, cap, flags);
#endif
        if (n > 0) {
            *got = (size_t)n;
            return CPUSER_OK;
        }
        if (n == 0) {
            return CPUSER_ERR_CLOSED; /* FIN: lwIP's ERR_CLSD */
        }
        e = errno;
        /* SO_RCVTIMEO running out is EWOULDBLOCK / EAGAIN too */
        if (would_block(e) || e == EINTR || short_of_memory(e)) {
            uint32_t left_now = ms_left(start, timeout_ms);
            if (left_now == 0u) {
                return CPUSER_ERR_TIMEOUT;
            }
            back_off(&step, left_now);
            continue;
        }
        ctx->last_errno = e;
        return CPUSER_ERR_IO; /* ECONNRESET (ERR_RST), ECONNABORTED, ... */
    }
}

void cpuser_lwip_tcp_init(cpuser_lwip_tcp *ctx, cpuser_transport *t)
{
    if (ctx != NULL) {
        ctx->fd = -1;
        ctx->last_errno = 0;
    }
    if (t != NULL) {
        t->ctx = ctx;
        t->connect = tcp_connect;
        t->send = tcp_send;
        t->recv = tcp_recv;
        t->close = tcp_close;
    }
}
