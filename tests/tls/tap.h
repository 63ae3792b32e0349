/* A transport that wraps another one, counts its bytes and can inject
 * faults into what it receives: cut the stream (the peer "closes") after N
 * more bytes, or flip one byte. Below TLS it counts wire bytes and breaks
 * records; above TLS it counts application bytes. Header-only, tests only. */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>
#include <stdint.h>

#include "cpuser/port.h"

typedef struct {
    const cpuser_transport *inner;
    uint64_t sent;          /* bytes sent through the tap */
    uint64_t received;      /* bytes received through the tap */
    int connects;
    /* faults, counted in bytes received after arming (-1: off) */
    long cut_after;         /* deliver this many more bytes, then CLOSED */
    long flip_at;           /* invert this byte */
    uint64_t armed_at;      /* `received` when armed */
} tap;

static inline cpuser_err tap_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    tap *t = (tap *)ctx;
    t->connects++;
    return t->inner->connect(t->inner->ctx, host, port, timeout_ms);
}

static inline cpuser_err tap_send(void *ctx, const void *data, size_t len, size_t *sent, uint32_t timeout_ms)
{
    tap *t = (tap *)ctx;
    cpuser_err err = t->inner->send(t->inner->ctx, data, len, sent, timeout_ms);
    if (err == CPUSER_OK) {
        t->sent += *sent;
    }
    return err;
}

static inline cpuser_err tap_recv(void *ctx, void *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    tap *t = (tap *)ctx;
    cpuser_err err;
    uint64_t since = t->received - t->armed_at;
    if (t->cut_after >= 0) {
        if (since >= (uint64_t)t->cut_after) {
            t->inner->close(t->inner->ctx);
            return CPUSER_ERR_CLOSED;
        }
        if (cap > (uint64_t)t->cut_after - since) {
            cap = (size_t)((uint64_t)t->cut_after - since);
        }
    }
    err = t->inner->recv(t->inner->ctx, buf, cap, got, timeout_ms);
    if (err != CPUSER_OK) {
        return err;
    }
    if (t->flip_at >= 0 && (uint64_t)t->flip_at >= since &&
        (uint64_t)t->flip_at < since + *got) {
        ((unsigned char *)buf)[(uint64_t)t->flip_at - since] ^= 0xffu;
    }
    t->received += *got;
    return CPUSER_OK;
}

static inline void tap_close(void *ctx)
{
    tap *t = (tap *)ctx;
    t->inner->close(t->inner->ctx);
}

/* Wrap inner; no faults. */
static inline void tap_init(tap *t, const cpuser_transport *inner, cpuser_transport *out)
{
    t->inner = inner;
    t->sent = 0;
    t->received = 0;
    t->connects = 0;
    t->cut_after = -1;
    t->flip_at = -1;
    t->armed_at = 0;
    out->ctx = t;
    out->connect = tap_connect;
    out->send = tap_send;
    out->recv = tap_recv;
    out->close = tap_close;
}

/* Arm a fault from now on (pass -1 to leave one off). */
static inline void tap_arm(tap *t, long cut_after, long flip_at)
{
    t->armed_at = t->received;
    t->cut_after = cut_after;
    t->flip_at = flip_at;
}

#endif /* TAP_H */
