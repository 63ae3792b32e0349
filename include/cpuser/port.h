/*
 * The port interface: everything cpuser needs from the board.
 *
 * src/ knows no OS. Sockets, TLS, time and randomness reach it only through
 * the two tables below, which a port fills in (port/posix, port/lwip,
 * port/mbedtls) or a board writes for itself. A TLS transport is simply a
 * transport that wraps another one.
 *
 * Every function gets the table's `ctx` first. Tables and contexts are owned
 * by the caller and must outlive every client that uses them.
 */
#ifndef CPUSER_PORT_H
#define CPUSER_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "cpuser/error.h"

typedef struct {
    void *ctx;

    /* Open a connection to host:port within timeout_ms. `host` is a
     * NUL-terminated name or IP literal. Returns CPUSER_OK,
     * CPUSER_ERR_DNS (no such name), CPUSER_ERR_CONNECT (refused,
     * unreachable), CPUSER_ERR_TIMEOUT, or for TLS transports
     * CPUSER_ERR_TLS / CPUSER_ERR_CERTIFICATE. */
    cpuser_err (*connect)(void *ctx, const char *host, uint16_t port,
                          uint32_t timeout_ms);

    /* Send up to len bytes, waiting at most timeout_ms for the first one to
     * be accepted. On CPUSER_OK, *sent is 1..len. Errors: CPUSER_ERR_TIMEOUT
     * (nothing accepted in time), CPUSER_ERR_IO (reset, broken pipe),
     * CPUSER_ERR_CLOSED, CPUSER_ERR_TLS. Must never raise SIGPIPE. */
    cpuser_err (*send)(void *ctx, const void *data, size_t len, size_t *sent,
                       uint32_t timeout_ms);

    /* Receive up to cap bytes, waiting at most timeout_ms for the first.
     * On CPUSER_OK, *got is 1..cap. Errors: CPUSER_ERR_CLOSED (orderly close
     * by the peer), CPUSER_ERR_TIMEOUT, CPUSER_ERR_IO (reset), CPUSER_ERR_TLS. */
    cpuser_err (*recv)(void *ctx, void *buf, size_t cap, size_t *got,
                       uint32_t timeout_ms);

    /* Close the connection if one is open. Always safe to call. */
    void (*close)(void *ctx);
} cpuser_transport;

typedef struct {
    void *ctx;

    /* Milliseconds from a monotonic clock. It may wrap: cpuser only ever
     * subtracts two readings. */
    uint32_t (*now_ms)(void *ctx);

    /* Wait ms milliseconds (backoff between retries). */
    void (*sleep_ms)(void *ctx, uint32_t ms);

    /* Fill buf with len random bytes (backoff jitter; TLS may use a strong
     * source through its own hook). Returns CPUSER_OK or CPUSER_ERR_IO. */
    cpuser_err (*random)(void *ctx, void *buf, size_t len);
} cpuser_platform;

#endif /* CPUSER_PORT_H */
