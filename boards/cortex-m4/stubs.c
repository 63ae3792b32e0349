/*
 * stubs.c: see stubs.h. The canned response is a 200 with one user, the
 * shape of GET /public-api/resources/users/v1.0/{user}: every request gets
 * it, read from the start after each connect, then an orderly close.
 */
#include "stubs.h"

#include <string.h>

static const char fw_response[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 238\r\n"
    "X-RateLimit-Limit: 600\r\n"
    "X-RateLimit-Remaining: 599\r\n"
    "\r\n"
    "{\"data\":{\"id\":\"42\",\"email\":\"driver@example.com\",\"firstName\":\"Ana\","
    "\"lastName\":\"Silva\",\"country\":\"PT\",\"balance\":12.345,\"status\":\"enabled\","
    "\"userGroupIds\":[1,2],\"options\":{\"sessionsAllowed\":\"single_session\"},"
    "\"receiveNewsAndPromotions\":false}}";

/* Where the next recv reads from; one connection at a time. */
static size_t fw_pos;

static cpuser_err fw_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)ctx;
    (void)host;
    (void)port;
    (void)timeout_ms;
    fw_pos = 0;
    return CPUSER_OK;
}

static cpuser_err fw_send(void *ctx, const void *data, size_t len, size_t *sent,
                          uint32_t timeout_ms)
{
    (void)ctx;
    (void)data;
    (void)timeout_ms;
    *sent = len;
    return CPUSER_OK;
}

static cpuser_err fw_recv(void *ctx, void *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    size_t left = sizeof fw_response - 1u - fw_pos;

    (void)ctx;
    (void)timeout_ms;
    if (left == 0u) {
        return CPUSER_ERR_CLOSED;
    }
    if (left > cap) {
        left = cap;
    }
    memcpy(buf, fw_response + fw_pos, left);
    fw_pos += left;
    *got = left;
    return CPUSER_OK;
}

static void fw_close(void *ctx)
{
    (void)ctx;
    fw_pos = 0;
}

static uint32_t fw_ticks;

static uint32_t fw_now_ms(void *ctx)
{
    (void)ctx;
    return fw_ticks++;
}

static void fw_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    fw_ticks += ms;
}

static cpuser_err fw_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x5a, len);
    return CPUSER_OK;
}

void fw_stub_transport_init(cpuser_transport *t)
{
    t->ctx = NULL;
    t->connect = fw_connect;
    t->send = fw_send;
    t->recv = fw_recv;
    t->close = fw_close;
}

void fw_stub_platform_init(cpuser_platform *p)
{
    p->ctx = NULL;
    p->now_ms = fw_now_ms;
    p->sleep_ms = fw_sleep_ms;
    p->random = fw_random;
}
