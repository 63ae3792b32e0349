/* Parsing of the --url / $CPUSER_URL value. */
#include "url.h"

#include <string.h>

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool same_ci(const char *s, size_t n, const char *lit)
{
    size_t i;
    if (strlen(lit) != n) {
        return false;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != lit[i]) {
            return false;
        }
    }
    return true;
}

/* "://"-terminated scheme at the start of s: sets https, returns the rest. */
static const char *scheme(const char *s, bool *https, const char **why)
{
    const char *sep = strstr(s, "://");
    size_t i;
    *https = true;
    if (sep == NULL) {
        return s;
    }
    for (i = 0; s + i < sep; i++) {
        if (!(is_alpha(s[i]) || (i > 0u && (is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')))) {
            return s; /* not a scheme: "://" appears later, e.g. in a path */
        }
    }
    if (same_ci(s, (size_t)(sep - s), "https")) {
        return sep + 3;
    }
    if (same_ci(s, (size_t)(sep - s), "http")) {
        *https = false;
        return sep + 3;
    }
    *why = "unsupported scheme (use https:// or http://)";
    return NULL;
}

static bool copy_host(cli_url *out, const char *h, size_t n, const char **why)
{
    if (n == 0u) {
        *why = "no host";
        return false;
    }
    if (n >= sizeof out->host) {
        *why = "host name too long";
        return false;
    }
    memcpy(out->host, h, n);
    out->host[n] = '\0';
    return true;
}

/* [v6]: hex digits, ':' and '.' (an embedded IPv4), at least one ':'. */
static bool ipv6_literal(const char *h, size_t n)
{
    size_t i;
    bool colon = false;
    for (i = 0; i < n; i++) {
        if (h[i] == ':') {
            colon = true;
        } else if (!is_hex(h[i]) && h[i] != '.') {
            return false; /* zone ids ("%eth0") included: not supported */
        }
    }
    return colon;
}

static bool dns_name(const char *h, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = h[i];
        if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_')) {
            return false;
        }
    }
    return true;
}

static bool parse_port(const char *p, size_t n, uint16_t *port, const char **why)
{
    uint32_t v = 0;
    size_t i;
    if (n == 0u || n > 5u) {
        *why = "bad port";
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!is_digit(p[i])) {
            *why = "bad port";
            return false;
        }
        v = v * 10u + (uint32_t)(p[i] - '0');
    }
    if (v == 0u || v > 65535u) {
        *why = "port out of range (1..65535)";
        return false;
    }
    *port = (uint16_t)v;
    return true;
}

bool url_parse(const char *s, cli_url *out, const char **why)
{
    const char *a;
    const char *end;
    const char *port = NULL;
    size_t port_len = 0;
    const char *h;
    size_t hn;

    memset(out, 0, sizeof *out);
    *why = "empty URL";
    if (s == NULL || *s == '\0') {
        return false;
    }
    a = scheme(s, &out->https, why);
    if (a == NULL) {
        return false;
    }
    end = a + strcspn(a, "/?#");
    if (memchr(a, '@', (size_t)(end - a)) != NULL) {
        *why = "credentials in the URL are not supported (use --token-file or $CPUSER_TOKEN)";
        return false;
    }
    if (*a == '[') {
        const char *close = memchr(a, ']', (size_t)(end - a));
        if (close == NULL || !ipv6_literal(a + 1, (size_t)(close - a - 1))) {
            *why = "bad IPv6 literal (write it as [2001:db8::1])";
            return false;
        }
        h = a + 1;
        hn = (size_t)(close - a - 1);
        if (close + 1 < end) {
            if (close[1] != ':') {
                *why = "unexpected text after the IPv6 literal";
                return false;
            }
            port = close + 2;
            port_len = (size_t)(end - port);
        }
    } else {
        const char *colon = memchr(a, ':', (size_t)(end - a));
        h = a;
        hn = (size_t)((colon != NULL ? colon : end) - a);
        if (colon != NULL) {
            port = colon + 1;
            port_len = (size_t)(end - port);
        }
        if (!dns_name(h, hn)) {
            *why = "bad host name (IPv6 literals go in brackets)";
            return false;
        }
    }
    if (!copy_host(out, h, hn, why)) {
        return false;
    }
    out->port = out->https ? 443u : 80u;
    if (port != NULL && !parse_port(port, port_len, &out->port, why)) {
        return false;
    }
    if (*end == '?' || *end == '#') {
        *why = "a query or fragment in the URL is not supported";
        return false;
    }
    if (*end == '/' && end[1] != '\0') {
        *why = "a path prefix in the URL is not supported yet (give the server root, e.g. https://host:port)";
        return false;
    }
    return true;
}
