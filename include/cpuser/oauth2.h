/*
 * OAuth 2.0 client credentials (RFC 6749 section 4.4): an auth provider
 * for cpuser_client (see cpuser_auth in client.h) that fetches bearer
 * tokens from a token endpoint and keeps one in memory. Conta Simples and
 * Azure AD issue their API tokens this way.
 *
 *     static cpuser_oauth2 oauth;          // holds the token: static memory
 *     cpuser_oauth2_config oc = {0};
 *     oc.host = "auth.example.com"; oc.path = "/oauth2/token";
 *     oc.client_id = id;      oc.client_id_len = strlen(id);
 *     oc.client_secret = sec; oc.client_secret_len = sec_len;
 *     cpuser_oauth2_init(&oauth, &oc);
 *     cfg.auth = cpuser_oauth2_auth(&oauth);   // cpuser_client_config
 *
 * The token request: POST <path> to host:port through the API client's own
 * transport and working buffer (cpuser_client_call_at(): the kept API
 * connection is closed, the token endpoint's connection is closed after),
 * Content-Type application/x-www-form-urlencoded, body
 * grant_type=client_credentials&client_id=..&client_secret=..[&scope=..]
 * with every byte but A-Z a-z 0-9 - . _ ~ percent-encoded. The 2xx JSON
 * answer gives access_token (required), token_type (when present it must
 * be Bearer, any case) and expires_in (an integer, or digits in a string;
 * absent: CPUSER_OAUTH2_DEFAULT_LIFETIME_S).
 *
 * Caching: the token is kept in the struct and given to every request
 * until it is within refresh_margin_ms of its expiry (measured from when
 * its request went out, with the platform clock; the margin is at most half
 * the lifetime), then a new one is fetched before the request. When the API
 * answers 401 the client asks for a new token once and sends again.
 *
 * Secrets: the client secret is caller-owned and never copied: it is
 * written only into the token request in the working buffer, whose unused
 * rest is zeroed after the token request (the whole buffer once the token
 * is taken). Neither the secret nor the token is passed to the log hook or
 * put in any error value.
 *
 * Scheme: the token endpoint is reached through the client's transport, so
 * it is TLS when the API is (the certificate is verified for the token
 * endpoint's own host name) and plain when the API is.
 */
#ifndef CPUSER_OAUTH2_H
#define CPUSER_OAUTH2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuser/client.h"
#include "cpuser/config.h"

typedef struct {
    /* The token endpoint. host: NUL-terminated, caller-owned, must outlive
     * the provider. port 0: the scheme's default. path: the literal
     * request target ("/oauth2/token", "/<tenant>/oauth2/v2.0/token"),
     * NUL-terminated, caller-owned, starting with '/', visible ASCII. */
    const char *host;
    uint16_t port;
    const char *path;
    /* Credentials, caller-owned and not copied: they must outlive the
     * provider. Any bytes (they are percent-encoded); neither may be empty. */
    const char *client_id;
    size_t client_id_len;
    const char *client_secret;
    size_t client_secret_len;
    /* Optional scope ("https://graph.microsoft.com/.default"); NULL or
     * length 0: no scope parameter. Caller-owned. */
    const char *scope;
    size_t scope_len;
    /* Replace the token this long before it expires; 0:
     * CPUSER_OAUTH2_REFRESH_MARGIN_MS. */
    uint32_t refresh_margin_ms;
} cpuser_oauth2_config;

/* The provider: caller-allocated (static memory; it holds the token). Read
 * the fields, do not write them. */
typedef struct {
    cpuser_oauth2_config cfg;
    cpuser_auth auth;                   /* what cpuser_oauth2_auth() returns */
    char token[CPUSER_OAUTH2_TOKEN_MAX]; /* the cached access token */
    size_t token_len;                   /* 0: none cached */
    uint32_t fetched_ms;                /* platform clock when it was requested */
    uint32_t usable_ms;                 /* how long it is used: its lifetime
                                           minus the refresh margin */
    uint32_t fetches;                   /* token requests made, failed or not */
} cpuser_oauth2;

/* Set up o from cfg (copied; the strings it points to are not). No request
 * is made yet: the first call of a client using it fetches the first
 * token. Errors: CPUSER_ERR_BAD_ARGUMENT (o or cfg NULL, no host or a host
 * of CPUSER_MAX_HOST bytes or more, a path not starting with '/' or with a
 * space or control byte, an empty client id or secret, a NULL pointer with
 * a non-zero length). */
cpuser_err cpuser_oauth2_init(cpuser_oauth2 *o, const cpuser_oauth2_config *cfg);

/* The auth provider to put in cpuser_client_config.auth. */
const cpuser_auth *cpuser_oauth2_auth(cpuser_oauth2 *o);

/* Forget the cached token (its bytes are zeroed): the next request fetches
 * a new one. */
void cpuser_oauth2_forget(cpuser_oauth2 *o);

/* The token fetch behind the provider, for callers that want a token
 * without an API call (c: the client whose transport and buffer are used).
 * Errors: the client's errors for the token request (its 4xx as
 * CPUSER_ERR_HTTP_*, the body's {"error": "invalid_client"} in
 * last.api_error); CPUSER_ERR_JSON for a 2xx answer without a string
 * access_token, with a token_type other than Bearer, an expires_in that is
 * not a non-negative integer, or a token with bytes outside visible ASCII;
 * CPUSER_ERR_BUFFER_TOO_SMALL for a token of CPUSER_OAUTH2_TOKEN_MAX bytes
 * or more. On any error no token is cached. */
cpuser_err cpuser_oauth2_fetch(cpuser_oauth2 *o, cpuser_client *c);

#endif /* CPUSER_OAUTH2_H */
