/*
 * Compile-only checks of port/lwip against lwIP configurations that
 * Debian's liblwip is not built with (it has no resolver and no select).
 * This file stands in for lwipopts.h: it includes Debian's own (path in
 * CPUSER_LWIP_BASE_OPTS, given by tests/lwip/lwip.mk) and then changes
 * what the check asks for:
 *   CPUSER_LWIP_CHECK_DNS     LWIP_DNS 1: names through lwip_getaddrinfo
 *   CPUSER_LWIP_CHECK_SELECT  LWIP_SOCKET_POLL 0, LWIP_SOCKET_SELECT 1:
 *                             waits through lwip_select
 *   CPUSER_LWIP_CHECK_IPV4    LWIP_IPV6 0: an IPv4-only stack
 * The objects are only compiled, never linked: the library was built
 * without these options.
 */
#ifndef CPUSER_LWIP_CHECK_OPTS_H
#define CPUSER_LWIP_CHECK_OPTS_H

#include CPUSER_LWIP_BASE_OPTS

#ifdef CPUSER_LWIP_CHECK_DNS
#undef LWIP_DNS
#define LWIP_DNS 1
#endif

#ifdef CPUSER_LWIP_CHECK_SELECT
#undef LWIP_SOCKET_POLL
#define LWIP_SOCKET_POLL 0
#undef LWIP_SOCKET_SELECT
#define LWIP_SOCKET_SELECT 1
#endif

#ifdef CPUSER_LWIP_CHECK_IPV4
#undef LWIP_IPV6
#define LWIP_IPV6 0
#endif

#endif /* CPUSER_LWIP_CHECK_OPTS_H */
