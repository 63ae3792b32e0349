/*
 * The connection: the POSIX TCP transport, mbedTLS on top of it for https,
 * and the cpuser_client with its static 4096-byte
 * working buffer. Everything is static; nothing allocates here (mbedTLS
 * allocates its own record buffers and certificates, see heapcount.c).
 */
#ifndef CPUSER_LINUX_CONNECTION_H
#define CPUSER_LINUX_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "cpuser/client.h"
#include "url.h"

#define CLI_WORK_SIZE 4096u
#define CLI_DEFAULT_CA "/etc/ssl/certs/ca-certificates.crt"

typedef struct {
    cli_url url;
    const char *ca_file;    /* NULL: CLI_DEFAULT_CA */
    const char *cert_file;  /* mutual TLS: both or neither */
    const char *key_file;
    uint32_t timeout_ms;    /* 0: the library's defaults */
    /* --retries N: attempts = N + 1 under the library's retry policy
     * (what is retried and how long it waits: cpuser_retry_policy);
     * 0 when not given: the library's default (3 attempts). */
    uint8_t attempts;
    const char *token;
    size_t token_len;
    const cpuser_auth *auth; /* OAuth2 (contasimples): instead of the token */
} cli_conn_config;

/* Set up the transports and the client. Returns 0, or an exit code after
 * printing why (2: unreadable or unparsable CA/cert/key, bad setting;
 * 8: TLS setup failed). Nothing is sent yet. */
int conn_open(const cli_conn_config *cfg, cpuser_client **client);

/* The global options (--url or $CPUSER_URL, --timeout, --retries, --ca,
 * --cert, --key) into cfg; defined in main.c. Returns 0, or 2 after
 * printing why. */
int connection_options(const cli_args *a, cli_conn_config *cfg, const char *default_url);

/* Close the connection and free what mbedTLS holds. */
void conn_close(void);


/* https, and the certificate verification flags of the last handshake
 * (MBEDTLS_X509_BADCERT_* | CPUSER_TLS_PIN_MISMATCH). */
bool conn_is_tls(void);
uint32_t conn_tls_verify_flags(void);

/* Sizes for --memory-report. */
size_t conn_client_size(void);
size_t conn_tls_size(void);

#endif /* CPUSER_LINUX_CONNECTION_H */
