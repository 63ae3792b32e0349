/*
 * lwip_raw.c: see lwip_raw.h. Compiled and linked into the full-stack
 * image by `make firmware-stack`; not run on this machine.
 */
#include "lwip_raw.h"

#include <string.h>

#include "lwip/dns.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

/* Milliseconds since start, on lwIP's clock (wraps safely). */
static uint32_t lr_elapsed(uint32_t start)
{
    return (uint32_t)(sys_now() - start);
}

/* ---- callbacks: record state, queue data, nothing else --------------------- */

static void lr_dns_found(const char *name, const ip_addr_t *addr, void *arg)
{
    cpuser_lwip_raw *ctx = arg;

    (void)name;
    if (addr != NULL) {
        ip_addr_copy(ctx->addr, *addr);
        ctx->resolved = true;
    }
    ctx->dns_done = true;
}

static err_t lr_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    cpuser_lwip_raw *ctx = arg;

    (void)pcb;
    if (err == ERR_OK) {
        ctx->connected = true;
    } else {
        ctx->err = err;
    }
    return ERR_OK;
}

static err_t lr_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    cpuser_lwip_raw *ctx = arg;

    (void)pcb;
    if (p == NULL) {
        ctx->fin = true;
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return ERR_OK;
    }
    if (ctx->rx == NULL) {
        ctx->rx = p;
    } else {
        pbuf_cat(ctx->rx, p);
    }
    return ERR_OK;
}

static err_t lr_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    /* Room in the send buffer again: the waiting send sees it through
     * tcp_sndbuf() after the pump returns. */
    (void)arg;
    (void)pcb;
    (void)len;
    return ERR_OK;
}

/* lwIP has freed the PCB (reset, abort, fatal error). */
static void lr_error(void *arg, err_t err)
{
    cpuser_lwip_raw *ctx = arg;

    ctx->pcb = NULL;
    ctx->connected = false;
    ctx->err = err == ERR_OK ? ERR_ABRT : err;
}

/* ---- the transport ------------------------------------------------------ */

static void lr_detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
}

static void lr_close(void *vctx)
{
    cpuser_lwip_raw *ctx = vctx;

    if (ctx->pcb != NULL) {
        lr_detach(ctx->pcb);
        if (tcp_close(ctx->pcb) != ERR_OK) {
            tcp_abort(ctx->pcb);
        }
        ctx->pcb = NULL;
    }
    if (ctx->rx != NULL) {
        pbuf_free(ctx->rx);
        ctx->rx = NULL;
    }
    ctx->connected = false;
    ctx->fin = false;
    ctx->err = ERR_OK;
}

static void lr_abort(cpuser_lwip_raw *ctx)
{
    if (ctx->pcb != NULL) {
        lr_detach(ctx->pcb);
        tcp_abort(ctx->pcb);
        ctx->pcb = NULL;
    }
    lr_close(ctx);
}

static cpuser_err lr_resolve(cpuser_lwip_raw *ctx, const char *host, uint32_t start,
                             uint32_t timeout_ms)
{
    err_t e;

    ctx->resolved = false;
    ctx->dns_done = false;
    if (ipaddr_aton(host, &ctx->addr)) {
        return CPUSER_OK;
    }
    e = dns_gethostbyname(host, &ctx->addr, lr_dns_found, ctx);
    if (e == ERR_OK) {
        return CPUSER_OK;
    }
    if (e != ERR_INPROGRESS) {
        return CPUSER_ERR_DNS;
    }
    while (!ctx->dns_done) {
        if (lr_elapsed(start) >= timeout_ms) {
            return CPUSER_ERR_TIMEOUT;
        }
        ctx->pump(ctx->pump_arg);
    }
    return ctx->resolved ? CPUSER_OK : CPUSER_ERR_DNS;
}

static cpuser_err lr_connect(void *vctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    cpuser_lwip_raw *ctx = vctx;
    uint32_t start = sys_now();
    cpuser_err err;
    err_t e;

    lr_close(ctx);
    err = lr_resolve(ctx, host, start, timeout_ms);
    if (err != CPUSER_OK) {
        return err;
    }
    ctx->pcb = tcp_new_ip_type(IP_GET_TYPE(&ctx->addr));
    if (ctx->pcb == NULL) {
        return CPUSER_ERR_CONNECT;
    }
    tcp_arg(ctx->pcb, ctx);
    tcp_recv(ctx->pcb, lr_recv);
    tcp_sent(ctx->pcb, lr_sent);
    tcp_err(ctx->pcb, lr_error);
    tcp_nagle_disable(ctx->pcb);
    for (;;) {
        e = tcp_connect(ctx->pcb, &ctx->addr, port, lr_connected);
        if (e == ERR_OK) {
            break;
        }
        if (e != ERR_MEM) {
            lr_abort(ctx);
            return CPUSER_ERR_CONNECT;
        }
        if (lr_elapsed(start) >= timeout_ms) {
            lr_abort(ctx);
            return CPUSER_ERR_TIMEOUT;
        }
        ctx->pump(ctx->pump_arg);
    }
    while (!ctx->connected) {
        if (ctx->err != ERR_OK || ctx->pcb == NULL) {
            lr_abort(ctx);
            return CPUSER_ERR_CONNECT;
        }
        if (lr_elapsed(start) >= timeout_ms) {
            lr_abort(ctx);
            return CPUSER_ERR_TIMEOUT;
        }
        ctx->pump(ctx->pump_arg);
    }
    return CPUSER_OK;
}

static cpuser_err lr_send(void *vctx, const void *data, size_t len, size_t *sent,
                          uint32_t timeout_ms)
{
    cpuser_lwip_raw *ctx = vctx;
    uint32_t start = sys_now();

    *sent = 0;
    for (;;) {
        u16_t room;

        if (ctx->pcb == NULL || ctx->err != ERR_OK || !ctx->connected) {
            return CPUSER_ERR_IO;
        }
        room = tcp_sndbuf(ctx->pcb);
        if (room > 0u) {
            u16_t n = len < room ? (u16_t)len : room;
            err_t e = tcp_write(ctx->pcb, data, n, TCP_WRITE_FLAG_COPY);

            if (e == ERR_OK) {
                (void)tcp_output(ctx->pcb);
                *sent = n;
                return CPUSER_OK;
            }
            if (e != ERR_MEM) {
                return CPUSER_ERR_IO;
            }
        }
        if (lr_elapsed(start) >= timeout_ms) {
            return CPUSER_ERR_TIMEOUT;
        }
        ctx->pump(ctx->pump_arg);
    }
}

static cpuser_err lr_recv_call(void *vctx, void *buf, size_t cap, size_t *got,
                               uint32_t timeout_ms)
{
    cpuser_lwip_raw *ctx = vctx;
    uint32_t start = sys_now();

    *got = 0;
    for (;;) {
        if (ctx->rx != NULL) {
            u16_t want = cap < ctx->rx->tot_len ? (u16_t)cap : ctx->rx->tot_len;
            u16_t n = pbuf_copy_partial(ctx->rx, buf, want, 0);

            /* Drop the bytes taken; pbufs emptied are freed. */
            ctx->rx = pbuf_free_header(ctx->rx, n);
            if (ctx->pcb != NULL) {
                tcp_recved(ctx->pcb, n);
            }
            *got = n;
            return CPUSER_OK;
        }
        if (ctx->err != ERR_OK) {
            return CPUSER_ERR_IO;
        }
        if (ctx->fin) {
            return CPUSER_ERR_CLOSED;
        }
        if (ctx->pcb == NULL) {
            return CPUSER_ERR_IO;
        }
        if (lr_elapsed(start) >= timeout_ms) {
            return CPUSER_ERR_TIMEOUT;
        }
        ctx->pump(ctx->pump_arg);
    }
}

void cpuser_lwip_raw_init(cpuser_lwip_raw *ctx, void (*pump)(void *arg), void *pump_arg,
                          cpuser_transport *t)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->pump = pump;
    ctx->pump_arg = pump_arg;
    t->ctx = ctx;
    t->connect = lr_connect;
    t->send = lr_send;
    t->recv = lr_recv_call;
    t->close = lr_close;
}
