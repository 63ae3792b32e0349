/*
 * The POSIX port (port/posix, build/libcpuser_posix.a): a TCP transport on
 * BSD sockets and a platform on clock_gettime, nanosleep and getrandom.
 *
 * Transport: getaddrinfo (IPv4 and IPv6, tried in order), non-blocking
 * connect bounded by the timeout, poll()-bounded send and recv, EINTR retried,
 * partial writes reported, SIGPIPE never raised (MSG_NOSIGNAL, or
 * SO_NOSIGPIPE where that is the mechanism). TCP_NODELAY is set.
 *
 * The context struct is caller-owned (static or on the stack); nothing here
 * allocates.
 */
#ifndef CPUSER_POSIX_H
#define CPUSER_POSIX_H

#include "cpuser/port.h"

typedef struct {
    int fd; /* -1 when closed */
} cpuser_posix_tcp;

/* Set up ctx (closed) and fill *t with the POSIX TCP functions. */
void cpuser_posix_tcp_init(cpuser_posix_tcp *ctx, cpuser_transport *t);

/* Fill *p with the POSIX platform (its ctx is unused, NULL). */
void cpuser_posix_platform_init(cpuser_platform *p);

#endif /* CPUSER_POSIX_H */
