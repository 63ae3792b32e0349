/*
 * lwip_raw.h: a cpuser_transport over lwIP's raw TCP API, for bare-metal
 * boards that run lwIP with NO_SYS 1 (no threads, no sockets). The shape
 * is the one port/lwip/README.md describes under "A NO_SYS=1 board".
 *
 * cpuser's transport calls block with a timeout; the raw API only calls
 * back. So while a call waits, it runs the board's `pump` hook: one round
 * of the main loop, which feeds received frames to lwIP (netif->input)
 * and runs sys_check_timeouts(), and may also serve the watchdog. The
 * callbacks only record state and queue the received pbufs; the copy-out,
 * tcp_recved() and the error mapping happen in the transport calls.
 * Deadlines are measured on lwIP's clock, sys_now().
 *
 * Errors, as the POSIX and lwIP-sockets ports give them:
 *   connect: CPUSER_ERR_DNS (dns_gethostbyname failed or answered
 *            nothing), CPUSER_ERR_CONNECT (refused, reset, no PCB),
 *            CPUSER_ERR_TIMEOUT (the PCB is then aborted);
 *   send:    CPUSER_ERR_TIMEOUT (no room in the send buffer in time),
 *            CPUSER_ERR_IO (reset, aborted, not connected); a partial send
 *            (what tcp_sndbuf() has room for) is reported as such;
 *   recv:    CPUSER_ERR_CLOSED (FIN, once the queue is drained),
 *            CPUSER_ERR_TIMEOUT, CPUSER_ERR_IO (reset, aborted).
 *
 * Rules: call it from the main loop only, never from an lwIP callback (the
 * pump would re-enter lwIP). One context, one connection. TLS wraps it as
 * any transport (cpuser_tls_init(..., &t, ...)).
 *
 * Memory: the context is caller-owned; lwIP's PCB and pbufs come from its
 * static pools (lwipopts.h: MEM_LIBC_MALLOC 0, MEMP_MEM_MALLOC 0).
 */
#ifndef FW_LWIP_RAW_H
#define FW_LWIP_RAW_H

#include <stdbool.h>

#include "cpuser/port.h"
#include "lwip/ip_addr.h"

struct tcp_pcb;
struct pbuf;

typedef struct {
    struct tcp_pcb *pcb;   /* NULL when closed or freed by lwIP */
    struct pbuf *rx;       /* received, not yet copied out */
    ip_addr_t addr;        /* the peer's address */
    bool resolved;         /* DNS answered (addr valid) */
    bool dns_done;         /* DNS callback ran */
    bool connected;
    bool fin;              /* the peer closed its side */
    int err;               /* lwIP err_t from tcp_err, 0: none */
    void (*pump)(void *arg); /* one round of the main loop */
    void *pump_arg;
} cpuser_lwip_raw;

/* Set up ctx (closed) with the board's pump and fill *t. */
void cpuser_lwip_raw_init(cpuser_lwip_raw *ctx, void (*pump)(void *arg), void *pump_arg,
                          cpuser_transport *t);

#endif /* FW_LWIP_RAW_H */
