/* Retry policy: what may be sent again, and the wait before it. */
#include "retry.h"

#include <string.h>

#include "http_date.h"

cpuser_retry_policy cpuser_retry_resolve(const cpuser_retry_policy *p)
{
    cpuser_retry_policy r = *p;
    if (r.max_attempts == 0u) {
        r.max_attempts = (uint8_t)CPUSER_RETRY_MAX_ATTEMPTS;
    }
    if (r.max_attempts > CPUSER_MAX_ATTEMPTS) {
        r.max_attempts = (uint8_t)CPUSER_MAX_ATTEMPTS;
    }
    if (r.base_ms == 0u) {
        r.base_ms = CPUSER_RETRY_BASE_MS;
    }
    if (r.cap_ms == 0u) {
        r.cap_ms = CPUSER_RETRY_CAP_MS;
    }
    if (r.retry_after_max_ms == 0u) {
        r.retry_after_max_ms = CPUSER_RETRY_AFTER_MAX_MS;
    }
    return r;
}

static bool idempotent(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
           strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0 ||
           strcmp(method, "DELETE") == 0;
}

bool cpuser_retry_allowed(const cpuser_retry_policy *p, const char *method, cpuser_err err,
                          const cpuser_result *last, bool body_delivered)
{
    bool transient_net = err == CPUSER_ERR_CONNECT || err == CPUSER_ERR_TIMEOUT ||
                         err == CPUSER_ERR_IO || err == CPUSER_ERR_CLOSED;
    bool transient_http = last->status == 429 || last->status == 502 || last->status == 503 ||
                          last->status == 504 || (p->retry_500 && last->status == 500);
    if (body_delivered || !(transient_net || transient_http)) {
        return false;
    }
    /* a POST that may have reached a server is never sent twice */
    return idempotent(method) || !last->sent;
}

/* Seconds to wait that the server asked for, or -1 when it did not say. */
static int64_t server_wait_s(const cpuser_result *last)
{
    int64_t date = 0;
    bool have_date = cpuser_http_date_parse(last->date, &date);
    cpuser_view ra = last->retry_after;
    if (ra.len != 0u) {
        int64_t s = 0;
        size_t i;
        int64_t when;
        for (i = 0; i < ra.len && ra.ptr[i] >= '0' && ra.ptr[i] <= '9'; i++) {
            s = s < 100000000 ? s * 10 + (ra.ptr[i] - '0') : s; /* saturates: too long anyway */
        }
        if (i == ra.len) {
            return s; /* delay-seconds */
        }
        if (have_date && cpuser_http_date_parse(ra, &when)) {
            return when > date ? when - date : 0;
        }
    }
    if (last->status == 429 && last->ratelimit_reset >= 0) {
        /* a Unix time (Laravel) measured against Date, or seconds to go */
        if (last->ratelimit_reset >= 1000000000) {
            if (!have_date) {
                return -1;
            }
            return last->ratelimit_reset > date ? last->ratelimit_reset - date : 0;
        }
        return last->ratelimit_reset;
    }
    return -1;
}

bool cpuser_retry_wait(const cpuser_retry_policy *p, const cpuser_result *last, uint32_t done,
                       uint32_t random, uint32_t *wait_ms)
{
    int64_t asked = server_wait_s(last);
    uint64_t ceiling;
    if (asked >= 0) {
        if (asked > (int64_t)(p->retry_after_max_ms / 1000u)) {
            return false;
        }
        *wait_ms = (uint32_t)asked * 1000u;
        return true;
    }
    /* full jitter: uniform in [0, min(cap, base * 2^(done-1))] */
    ceiling = p->base_ms;
    while (done > 1u && ceiling < p->cap_ms) {
        ceiling *= 2u;
        done--;
    }
    if (ceiling > p->cap_ms) {
        ceiling = p->cap_ms;
    }
    *wait_ms = (uint32_t)((uint64_t)random % (ceiling + 1u));
    return true;
}
