/* Same-origin checks for server-given URLs. */
#include "origin.h"

#include <string.h>

bool cpuser_same_origin(const cpuser_client *c, cpuser_view url, cpuser_view *target)
{
    const char *scheme = c->cfg.https ? "https://" : "http://";
    size_t sl = strlen(scheme);
    size_t hl = strlen(c->host);
    size_t i;
    uint32_t port = 0;
    bool has_port = false;
    cpuser_view host;
    if (url.ptr == NULL || url.len < sl + hl || memcmp(url.ptr, scheme, sl) != 0) {
        return false;
    }
    host.ptr = url.ptr + sl;
    host.len = hl;
    if (!cpuser_view_ieq(host, c->host)) {
        return false;
    }
    i = sl + hl;
    if (i < url.len && url.ptr[i] == ':') {
        has_port = true;
        for (i++; i < url.len && url.ptr[i] >= '0' && url.ptr[i] <= '9' && port < 65536u; i++) {
            port = port * 10u + (uint32_t)(url.ptr[i] - '0');
        }
    }
    if (i >= url.len || url.ptr[i] != '/') {
        return false;
    }
    if ((has_port ? port : (c->cfg.https ? 443u : 80u)) != c->cfg.port) {
        return false;
    }
    target->ptr = url.ptr + i;
    target->len = url.len - i;
    return true;
}
