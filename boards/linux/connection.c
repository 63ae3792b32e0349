/* Transports and client set-up, all in static memory. */
#include "connection.h"

#include <stdio.h>
#include <string.h>

#include "cpuser/posix.h"
#include "cpuser/tls.h"
#include "files.h"
#include "output.h"

#define CA_MAX (512u * 1024u)   /* the system bundle is about 220 KB */
#define PEM_MAX (16u * 1024u)

static cpuser_client client;
static char work[CLI_WORK_SIZE];

static cpuser_platform platform;
static cpuser_posix_tcp tcp;
static cpuser_transport tcp_transport;
static cpuser_tls tls;
static cpuser_transport tls_transport;
static bool tls_ready;

static const cpuser_transport *inner; /* TCP, or TLS over it */

/* certificate material: PEM gets a NUL appended (mbedTLS counts it) */
static unsigned char ca_buf[CA_MAX + 1u];
static unsigned char cert_buf[PEM_MAX + 1u];
static unsigned char key_buf[PEM_MAX + 1u];

bool conn_is_tls(void)
{
    return tls_ready;
}

uint32_t conn_tls_verify_flags(void)
{
    return tls_ready ? cpuser_tls_verify_flags(&tls) : 0u;
}

size_t conn_client_size(void)
{
    return sizeof client;
}

size_t conn_tls_size(void)
{
    return sizeof tls;
}

static void complain(const char *what, const char *file)
{
    out_text(stderr, "cpuser: ");
    out_text(stderr, what);
    if (file != NULL) {
        out_text(stderr, ": ");
        out_str(stderr, file);
    }
    out_text(stderr, "\n");
}

/* PEM text has a "-----BEGIN" line; anything else is taken as DER. */
static bool is_pem(const unsigned char *buf, size_t len)
{
    static const char marker[] = "-----BEGIN";
    size_t m = sizeof marker - 1u;
    size_t i;
    for (i = 0; i + m <= len; i++) {
        if (memcmp(buf + i, marker, m) == 0) {
            return true;
        }
    }
    return false;
}

/* Load a PEM or DER file; PEM gets its NUL terminator counted. */
static bool load(const char *path, unsigned char *buf, size_t cap, size_t *len)
{
    long n = file_read(path, buf, cap);
    if (n <= 0) {
        return false;
    }
    *len = (size_t)n;
    if (is_pem(buf, *len)) {
        buf[*len] = '\0';
        *len += 1u;
    }
    return true;
}

/* cpuser_tls_init parses the client certificate and key but does not check
 * that they belong together; a mismatch would only show as a handshake
 * failure at the server. */
static int setup_tls(const cli_conn_config *cfg)
{
    cpuser_tls_config tc;
    size_t ca_len = 0;
    size_t cert_len = 0;
    size_t key_len = 0;
    const char *ca = cfg->ca_file != NULL ? cfg->ca_file : CLI_DEFAULT_CA;
    cpuser_err err;

    if (!load(ca, ca_buf, CA_MAX, &ca_len)) {
        complain(cfg->ca_file != NULL ? "cannot read the --ca file (missing, empty or over 512 KiB)"
                                      : "no --ca given and the system CA bundle is unreadable",
                 ca);
        return 2;
    }
    if ((cfg->cert_file == NULL) != (cfg->key_file == NULL)) {
        complain("--cert and --key go together", NULL);
        return 2;
    }
    if (cfg->cert_file != NULL && !load(cfg->cert_file, cert_buf, PEM_MAX, &cert_len)) {
        complain("cannot read the --cert file", cfg->cert_file);
        return 2;
    }
    if (cfg->key_file != NULL && !load(cfg->key_file, key_buf, PEM_MAX, &key_len)) {
        complain("cannot read the --key file", cfg->key_file);
        return 2;
    }
    memset(&tc, 0, sizeof tc);
    tc.ca = ca_buf;
    tc.ca_len = ca_len;
    if (cfg->cert_file != NULL) {
        tc.cert = cert_buf;
        tc.cert_len = cert_len;
        tc.key = key_buf;
        tc.key_len = key_len;
    }
    err = cpuser_tls_init(&tls, &tc, &tcp_transport, &platform, &tls_transport);
    /* the key is parsed now: its bytes are no longer needed */
    memset(key_buf, 0, sizeof key_buf);
    if (err == CPUSER_ERR_BAD_ARGUMENT) {
        complain("a --ca, --cert or --key file is not a valid certificate or key (or they do not match)", NULL);
        return 2;
    }
    if (err != CPUSER_OK) {
        complain("TLS set-up failed", cpuser_strerror(err));
        return 8;
    }
    tls_ready = true;
    return 0;
}

int conn_open(const cli_conn_config *cfg, cpuser_client **out)
{
    cpuser_client_config cc;
    cpuser_err err;

    cpuser_posix_platform_init(&platform);
    cpuser_posix_tcp_init(&tcp, &tcp_transport);
    inner = &tcp_transport;
    if (cfg->url.https) {
        int rc = setup_tls(cfg);
        if (rc != 0) {
            return rc;
        }
        inner = &tls_transport;
    } else if (cfg->ca_file != NULL || cfg->cert_file != NULL || cfg->key_file != NULL) {
        complain("--ca, --cert and --key need an https:// URL", NULL);
        return 2;
    }

    memset(&cc, 0, sizeof cc);
    cc.host = cfg->url.host;
    cc.port = cfg->url.port;
    cc.https = cfg->url.https;
    cc.token = cfg->token;
    cc.token_len = cfg->token_len;
    cc.auth = cfg->auth;
    cc.io_timeout_ms = cfg->timeout_ms;
    cc.total_timeout_ms = cfg->timeout_ms;
    cc.retry.max_attempts = cfg->attempts;
    err = cpuser_client_init(&client, &cc, inner, &platform, work, sizeof work);
    if (err != CPUSER_OK) {
        complain("cannot set up the client", cpuser_strerror(err));
        conn_close();
        return 2;
    }
    *out = &client;
    return 0;
}

void conn_close(void)
{
    if (inner != NULL) {
        cpuser_client_close(&client);
    }
    if (tls_ready) {
        cpuser_tls_free(&tls);
        tls_ready = false;
    }
}
