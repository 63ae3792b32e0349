/*
 * The server URL: [scheme://]host[:port][/]
 *
 * scheme: https (the default when none is given) or http (local testing);
 * host: a DNS name, an IPv4 literal, or an IPv6 literal in brackets
 * ("[::1]", kept without the brackets: that is what the client and
 * getaddrinfo want); port: 1..65535, the scheme's default when absent.
 * A path prefix other than "" or "/" is refused for now: the library builds
 * absolute /public-api/... targets and has no base-path setting. So are
 * user:password@ (credentials never go on the command line; the token comes
 * from --token-file or $CPUSER_TOKEN), a query and a fragment.
 */
#ifndef CPUSER_LINUX_URL_H
#define CPUSER_LINUX_URL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/config.h"

typedef struct {
    bool https;
    char host[CPUSER_MAX_HOST];
    uint16_t port; /* always set: the explicit one or 443 / 80 */
} cli_url;

/* Parse s into *out. On failure returns false and *why says what is wrong
 * (a constant string). */
bool url_parse(const char *s, cli_url *out, const char **why);

#endif /* CPUSER_LINUX_URL_H */
