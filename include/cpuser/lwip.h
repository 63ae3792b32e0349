/*
 * The lwIP port (port/lwip, build/libcpuser_lwip.a): a TCP transport on
 * lwIP's sockets API, for boards that run lwIP with an RTOS (NO_SYS=0).
 *
 * Transport: lwip_socket, a non-blocking connect bounded by the timeout,
 * lwip_send / lwip_recv with every wait bounded by what is left of the
 * call's timeout on lwIP's own clock (sys_now), partial sends reported,
 * lwIP running out of memory (ENOMEM/ENOBUFS, i.e. ERR_MEM/ERR_BUF) treated
 * as back-pressure: retried, with a short sleep, until the timeout. lwIP
 * never raises signals, so there is no SIGPIPE to suppress. TCP_NODELAY is
 * set. Error values are those of the POSIX port (include/cpuser/posix.h):
 *   connect: CPUSER_ERR_DNS (name did not resolve), CPUSER_ERR_CONNECT
 *            (refused, unreachable, no socket), CPUSER_ERR_TIMEOUT;
 *   send:    CPUSER_ERR_TIMEOUT (nothing accepted in time), CPUSER_ERR_IO
 *            (reset, aborted, not connected);
 *   recv:    CPUSER_ERR_CLOSED (orderly close), CPUSER_ERR_TIMEOUT,
 *            CPUSER_ERR_IO (reset, aborted).
 *
 * How waits are bounded is chosen at compile time (CPUSER_LWIP_WAIT below):
 * lwip_poll when lwIP has LWIP_SOCKET_POLL, else lwip_select when it has
 * LWIP_SOCKET_SELECT, else SO_RCVTIMEO for recv (LWIP_SO_RCVTIMEO must then
 * be 1), with send and connect checked again after short sleeps (lwIP
 * checks SO_SNDTIMEO only about once a second, so it is not used).
 *
 * Names: with LWIP_DNS, lwip_getaddrinfo (which cannot be bounded by the
 * timeout: lwIP's DNS_MAX_RETRIES and DNS_TMR_INTERVAL bound it); any
 * failure is CPUSER_ERR_DNS. Without LWIP_DNS only numeric IPv4 / IPv6
 * literals are accepted (ipaddr_aton, so the inet_aton forms too), and any
 * other name is CPUSER_ERR_DNS.
 *
 * Threads: call the transport from application threads, never from lwIP's
 * tcpip thread or an lwIP callback (the sockets API would deadlock there).
 * One context is used by one thread at a time. With
 * LWIP_NETCONN_SEM_PER_THREAD, each calling thread must have called
 * lwip_socket_thread_init() first (the board's job).
 *
 * Memory: the context struct is caller-owned (static or on the stack);
 * nothing here allocates. lwIP itself allocates sockets, PCBs and pbufs in
 * its own way; configure it with pools (MEM_LIBC_MALLOC 0, MEMP_MEM_MALLOC 0,
 * see tests/lwip/PORTING.md) to make that static too.
 */
#ifndef CPUSER_LWIP_H
#define CPUSER_LWIP_H

#include "cpuser/port.h"

/* Values for CPUSER_LWIP_WAIT (define it when compiling port/lwip to force
 * one; by default the first one lwIP's configuration offers, in this
 * order). */
#define CPUSER_LWIP_WAIT_POLL    1 /* lwip_poll (LWIP_SOCKET_POLL) */
#define CPUSER_LWIP_WAIT_SELECT  2 /* lwip_select (LWIP_SOCKET_SELECT) */
#define CPUSER_LWIP_WAIT_SOCKOPT 3 /* SO_RCVTIMEO per recv; send, connect:
                                      non-blocking tries with short sleeps */

typedef struct {
    int fd;         /* lwIP socket; -1 when closed */
    int last_errno; /* lwIP errno of the last failure (0: none), for
                       diagnostics only; cpuser never shows it */
} cpuser_lwip_tcp;

/* Set up ctx (closed) and fill *t with the lwIP TCP functions. */
void cpuser_lwip_tcp_init(cpuser_lwip_tcp *ctx, cpuser_transport *t);

#endif /* CPUSER_LWIP_H */
