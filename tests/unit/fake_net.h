/* A scripted in-memory transport and a manual clock for client tests.
 *
 * The script is a list of receive events (bytes, or an error) consumed in
 * order across connections; sends are recorded. Header-only, test use only. */
#ifndef FAKE_NET_H
#define FAKE_NET_H

#include <string.h>

#include "cpuser/port.h"

typedef struct {
    const char *data; /* bytes to deliver, or NULL with err */
    cpuser_err err;   /* returned instead of data when data == NULL */
} fake_event;

typedef struct {
    const fake_event *events;
    size_t nevents;
    size_t next;          /* current event */
    size_t offset;        /* bytes of the current event already delivered */
    size_t max_recv;      /* at most this many bytes per recv (0: any) */
    size_t max_send;      /* at most this many bytes per send (0: any) */
    cpuser_err connect_err;
    int connect_failures; /* the first this many connects fail with connect_err */
    char sent[16384];
    size_t sent_len;
    int connects;
    int closes;
    int recvs;
    int open;
    uint32_t now;         /* the clock */
    uint32_t tick;        /* added to the clock on every recv */
} fake_net;

static inline cpuser_err fake_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    fake_net *f = (fake_net *)ctx;
    (void)host;
    (void)port;
    (void)timeout_ms;
    f->connects++;
    if (f->connect_err != CPUSER_OK && (f->connect_failures == 0 || f->connects <= f->connect_failures)) {
        return f->connect_err;
    }
    f->open = 1;
    return CPUSER_OK;
}

static inline cpuser_err fake_send(void *ctx, const void *data, size_t len, size_t *sent, uint32_t timeout_ms)
{
    fake_net *f = (fake_net *)ctx;
    size_t n = len;
    (void)timeout_ms;
    if (!f->open) {
        return CPUSER_ERR_IO;
    }
    if (f->max_send != 0u && n > f->max_send) {
        n = f->max_send;
    }
    if (n > sizeof f->sent - f->sent_len) {
        n = sizeof f->sent - f->sent_len;
    }
    memcpy(f->sent + f->sent_len, data, n);
    f->sent_len += n;
    *sent = n;
    return CPUSER_OK;
}

static inline cpuser_err fake_recv(void *ctx, void *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    fake_net *f = (fake_net *)ctx;
    const fake_event *e;
    size_t left;
    size_t n;
    f->recvs++;
    f->now += f->tick;
    if (!f->open) {
        return CPUSER_ERR_IO;
    }
    if (f->next >= f->nevents) {
        f->now += timeout_ms;
        return CPUSER_ERR_TIMEOUT;
    }
    e = &f->events[f->next];
    if (e->data == NULL) {
        f->next++;
        if (e->err == CPUSER_ERR_TIMEOUT) {
            f->now += timeout_ms;
        }
        return e->err;
    }
    left = strlen(e->data) - f->offset;
    n = left < cap ? left : cap;
    if (f->max_recv != 0u && n > f->max_recv) {
        n = f->max_recv;
    }
    memcpy(buf, e->data + f->offset, n);
    f->offset += n;
    if (f->offset == strlen(e->data)) {
        f->next++;
        f->offset = 0;
    }
    *got = n;
    return CPUSER_OK;
}

static inline void fake_close(void *ctx)
{
    fake_net *f = (fake_net *)ctx;
    if (f->open) {
        f->closes++;
    }
    f->open = 0;
}

static inline uint32_t fake_now(void *ctx)
{
    return ((fake_net *)ctx)->now;
}

static inline void fake_sleep(void *ctx, uint32_t ms)
{
    ((fake_net *)ctx)->now += ms;
}

static inline cpuser_err fake_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x42, len); /* 0x42424242 = 1111638594 */
    return CPUSER_OK;
}

static inline void fake_net_tables(fake_net *f, cpuser_transport *t, cpuser_platform *p)
{
    t->ctx = f;
    t->connect = fake_connect;
    t->send = fake_send;
    t->recv = fake_recv;
    t->close = fake_close;
    p->ctx = f;
    p->now_ms = fake_now;
    p->sleep_ms = fake_sleep;
    p->random = fake_random;
}

#endif /* FAKE_NET_H */
