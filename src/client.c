/* One request/response cycle: build, send, receive, parse, keep-alive. */
#include "cpuser/client.h"

#include "api_error.h"
#include "retry.h"

/* The log hook: compiled out unless CPUSER_LOG_LEVEL > 0. Only constant
 * events and numbers go through it. */
#if CPUSER_LOG_LEVEL > 0
#define LOG(c, level, event, value)                                                   \
    do {                                                                              \
        if ((level) <= CPUSER_LOG_LEVEL && (c)->cfg.log != NULL) {                    \
            (c)->cfg.log((c)->cfg.log_ctx, (level), (event), (int64_t)(value));       \
        }                                                                             \
    } while (0)
#else
#define LOG(c, level, event, value) ((void)0)
#endif

#include <string.h>

#define MIN_WORKING_BUFFER 256u

static void reset_result(cpuser_result *last);

static bool host_ok(const char *host)
{
    size_t n;
    if (host == NULL) {
        return false;
    }
    n = strlen(host);
    if (n == 0u || n >= CPUSER_MAX_HOST) {
        return false;
    }
    for (; *host != '\0'; host++) {
        char c = *host;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == ':')) {
            return false;
        }
    }
    return true;
}

cpuser_err cpuser_client_init(cpuser_client *c, const cpuser_client_config *cfg,
                              const cpuser_transport *transport,
                              const cpuser_platform *platform, char *buf,
                              size_t cap)
{
    if (c == NULL || cfg == NULL || transport == NULL || platform == NULL ||
        buf == NULL || !host_ok(cfg->host) ||
        (cfg->token == NULL && cfg->token_len != 0u)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (cap < MIN_WORKING_BUFFER) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    /* cfg may be c's own (re-initialising from c->cfg): copy the host with
     * memmove and before anything else in c changes. */
    memmove(c->host, cfg->host, strlen(cfg->host) + 1u);
    c->cfg = *cfg;
    c->cfg.host = c->host;
    if (c->cfg.port == 0u) {
        c->cfg.port = cfg->https ? 443u : 80u;
    }
    if (c->cfg.connect_timeout_ms == 0u) {
        c->cfg.connect_timeout_ms = CPUSER_CONNECT_TIMEOUT_MS;
    }
    if (c->cfg.io_timeout_ms == 0u) {
        c->cfg.io_timeout_ms = CPUSER_IO_TIMEOUT_MS;
    }
    if (c->cfg.total_timeout_ms == 0u) {
        c->cfg.total_timeout_ms = CPUSER_TOTAL_TIMEOUT_MS;
    }
    c->transport = transport;
    c->platform = platform;
    c->buf = buf;
    c->cap = cap;
    c->connected = false;
    c->bearer = NULL;
    c->bearer_len = 0;
    reset_result(&c->last);
    return CPUSER_OK;
}

cpuser_err cpuser_client_call_at(cpuser_client *c, const char *host, uint16_t port,
                                 const cpuser_request *req, const cpuser_sink *sink)
{
    cpuser_client_config saved;
    cpuser_err err;
    if (c == NULL || !host_ok(host)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    saved = c->cfg;
    cpuser_client_close(c);
    c->cfg.host = host;
    c->cfg.port = port != 0u ? port : (c->cfg.https ? 443u : 80u);
    c->cfg.token = NULL;
    c->cfg.token_len = 0;
    c->cfg.auth = NULL;
    err = cpuser_client_call(c, req, sink);
    cpuser_client_close(c);
    c->cfg = saved;
    return err;
}

const cpuser_result *cpuser_client_last(const cpuser_client *c)
{
    return &c->last;
}

void cpuser_client_close(cpuser_client *c)
{
    if (c->connected) {
        c->transport->close(c->transport->ctx);
        c->connected = false;
    }
}

/* ---- time ---------------------------------------------------------------- */

typedef struct {
    uint32_t start;
    uint32_t total;
} deadline;

/* Milliseconds left before the call's deadline (0 when passed). */
static uint32_t time_left(const cpuser_client *c, const deadline *d)
{
    uint32_t spent = c->platform->now_ms(c->platform->ctx) - d->start;
    return spent >= d->total ? 0u : d->total - spent;
}

/* The timeout for one step: its own limit, cut to what the call has left. */
static uint32_t step_timeout(const cpuser_client *c, const deadline *d, uint32_t limit)
{
    uint32_t left = time_left(c, d);
    return left < limit ? left : limit;
}

/* ---- request ------------------------------------------------------------- */

static bool method_has_body(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

/* Build the whole request (head and body) at the start of the buffer. */
static cpuser_err build_request(cpuser_client *c, const cpuser_request *req,
                                size_t *out_len)
{
    cpuser_http_request r;
    size_t body_len = 0;
    size_t head_len = 0;
    cpuser_err err;

    if (req->body != NULL) {
        err = req->body(req->arg, NULL, 0, &body_len);
        if (err != CPUSER_OK) {
            return err;
        }
    }
    cpuser_http_request_begin(&r, c->buf, c->cap, req->method);
    if (req->path_is_target) {
        cpuser_http_request_target(&r, req->path, strlen(req->path));
    } else {
        cpuser_http_request_path(&r, req->path, req->segments, req->segment_count);
    }
    if (req->query != NULL) {
        req->query(req->arg, &r);
    }
    cpuser_http_request_host(&r, c->cfg.host, c->cfg.port, c->cfg.https);
    cpuser_http_request_header(&r, "User-Agent", CPUSER_USER_AGENT,
                               sizeof CPUSER_USER_AGENT - 1u);
    cpuser_http_request_header(&r, "Accept", "application/json", 16);
    if (c->bearer != NULL) {
        cpuser_http_request_bearer(&r, c->bearer, c->bearer_len);
    }
    if (req->if_match.len != 0u) {
        cpuser_http_request_header(&r, "If-Match", req->if_match.ptr, req->if_match.len);
    }
    if (req->body != NULL) {
        const char *type = req->content_type != NULL ? req->content_type : "application/json";
        cpuser_http_request_header(&r, "Content-Type", type, strlen(type));
    }
    if (req->body != NULL || method_has_body(req->method)) {
        cpuser_http_request_content_length(&r, body_len);
    }
    err = cpuser_http_request_end(&r, &head_len);
    if (err == CPUSER_OK && body_len > c->cap - head_len) {
        err = CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    if (err == CPUSER_ERR_BUFFER_TOO_SMALL) {
        c->last.need = head_len + body_len;
        return err;
    }
    if (err != CPUSER_OK) {
        return err;
    }
    if (req->body != NULL) {
        size_t written = 0;
        err = req->body(req->arg, c->buf + head_len, c->cap - head_len, &written);
        if (err != CPUSER_OK) {
            return err;
        }
        if (written != body_len) {
            return CPUSER_ERR_BAD_ARGUMENT; /* the two passes disagreed */
        }
    }
    *out_len = head_len + body_len;
    return CPUSER_OK;
}

static cpuser_err send_all(cpuser_client *c, const deadline *d, size_t len)
{
    size_t done = 0;
    while (done < len) {
        size_t sent = 0;
        uint32_t t = step_timeout(c, d, c->cfg.io_timeout_ms);
        cpuser_err err;
        if (t == 0u) {
            return CPUSER_ERR_TIMEOUT;
        }
        err = c->transport->send(c->transport->ctx, c->buf + done, len - done, &sent, t);
        if (err != CPUSER_OK) {
            return err;
        }
        if (sent == 0u || sent > len - done) {
            return CPUSER_ERR_IO; /* a port that breaks its contract */
        }
        c->last.sent = true;
        done += sent;
    }
    return CPUSER_OK;
}

/* ---- response ------------------------------------------------------------ */

typedef struct {
    size_t len;        /* valid bytes in the buffer */
    size_t received;   /* bytes received for this response */
    bool checked;      /* the head has been looked at */
    bool streaming;    /* the body goes to the sink */
    bool delivered;    /* body bytes went to the sink: no retry after that */
} receive_state;

/* Offer the body parsed so far to the sink and drop what it took. Once the
 * body is complete, offer until the sink has taken everything. */
static cpuser_err feed_sink(cpuser_client *c, const cpuser_sink *sink, receive_state *s)
{
    cpuser_http_response *r = &c->resp;
    for (;;) {
        size_t avail = r->body_end - r->body_start;
        size_t consumed = 0;
        cpuser_err err;
        if (avail == 0u && !r->done) {
            return CPUSER_OK;
        }
        if (sink == NULL) {
            return CPUSER_ERR_BAD_ARGUMENT; /* streaming is only set with a sink */
        }
        s->delivered = true;
        err = sink->write(sink->arg, c->buf + r->body_start, avail, r->done, &consumed);
        if (err != CPUSER_OK) {
            return err;
        }
        if (consumed > avail || (r->done && consumed == 0u && avail != 0u)) {
            return CPUSER_ERR_BAD_ARGUMENT; /* a sink that breaks its contract */
        }
        cpuser_http_response_consume(r, c->buf, &s->len, consumed);
        if (!r->done || consumed == avail) {
            return CPUSER_OK;
        }
    }
}

/* Look at a head once it is parsed: decide streaming, refuse a body that
 * cannot fit. */
static cpuser_err check_head(cpuser_client *c, const cpuser_sink *sink, receive_state *s)
{
    cpuser_http_response *r = &c->resp;
    s->checked = true;
    c->last.status = r->status;
    s->streaming = sink != NULL && r->status >= 200 && r->status <= 299;
    if (c->cfg.max_body != 0u && r->has_content_length && r->content_length > c->cfg.max_body) {
        uint64_t need = (uint64_t)r->body_start + r->content_length;
        c->last.need = need > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)need;
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    if (!s->streaming && r->has_content_length &&
        r->content_length > (uint64_t)(c->cap - r->body_start)) {
        uint64_t need = (uint64_t)r->body_start + r->content_length;
        c->last.need = need > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)need;
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    return CPUSER_OK;
}

static cpuser_err receive(cpuser_client *c, const deadline *d, const cpuser_sink *sink,
                          receive_state *s)
{
    cpuser_http_response *r = &c->resp;
    cpuser_err err;
    for (;;) {
        size_t got = 0;
        uint32_t t;
        if (s->len == c->cap) {
            if (!r->head_done) {
                c->last.need = 0; /* the head alone does not fit */
            } else if (!s->streaming) {
                uint64_t seen = (uint64_t)r->body_start + r->body_total;
                c->last.need = r->has_content_length
                                   ? (size_t)((uint64_t)r->body_start + r->content_length)
                                   : (seen > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)seen) + 1u;
            }
            return CPUSER_ERR_BUFFER_TOO_SMALL;
        }
        t = step_timeout(c, d, c->cfg.io_timeout_ms);
        if (t == 0u) {
            return CPUSER_ERR_TIMEOUT;
        }
        err = c->transport->recv(c->transport->ctx, c->buf + s->len, c->cap - s->len, &got, t);
        if (err == CPUSER_ERR_CLOSED) {
            err = cpuser_http_response_eof(r);
            if (err != CPUSER_OK) {
                return err;
            }
        } else if (err != CPUSER_OK) {
            return err;
        } else {
            if (got == 0u || got > c->cap - s->len) {
                return CPUSER_ERR_IO;
            }
            s->received += got;
            s->len += got;
            err = cpuser_http_response_feed(r, c->buf, &s->len);
            if (err != CPUSER_OK) {
                return err;
            }
        }
        if (r->head_done && !s->checked) {
            err = check_head(c, sink, s);
            if (err != CPUSER_OK) {
                return err;
            }
        }
        if (c->cfg.max_body != 0u && r->body_total > c->cfg.max_body) {
            return CPUSER_ERR_BUFFER_TOO_SMALL; /* a chunked or close-framed body over the bound */
        }
        if (s->streaming) {
            err = feed_sink(c, sink, s);
            if (err != CPUSER_OK) {
                return err;
            }
        }
        if (r->done) {
            return CPUSER_OK;
        }
    }
}

static void reset_result(cpuser_result *last)
{
    memset(last, 0, sizeof *last);
    last->ratelimit_limit = -1;
    last->ratelimit_remaining = -1;
    last->ratelimit_reset = -1;
    last->api_code = -1;
}

static void fill_result(cpuser_client *c, bool streamed)
{
    const cpuser_http_response *r = &c->resp;
    cpuser_result *last = &c->last;
    last->status = r->status;
    last->json = r->json;
    if (!streamed) {
        last->body = cpuser_http_response_body(r, c->buf);
    }
    last->etag = r->etag;
    last->location = r->location;
    last->async_operation = r->async_operation;
    last->retry_after = r->retry_after;
    last->date = r->date;
    last->ratelimit_limit = r->ratelimit_limit;
    last->ratelimit_remaining = r->ratelimit_remaining;
    last->ratelimit_reset = r->ratelimit_reset;
}

typedef struct {
    bool stale;      /* a reused connection failed before any response byte:
                        the server had closed it */
    bool delivered;  /* body bytes went to the sink */
} attempt_out;

/* One attempt on one connection. */
static cpuser_err attempt(cpuser_client *c, const cpuser_request *req,
                          const cpuser_sink *sink, const deadline *d, attempt_out *out)
{
    receive_state s;
    size_t len = 0;
    bool reused = c->connected;
    cpuser_err err;

    out->stale = false;
    out->delivered = false;
    memset(&s, 0, sizeof s);
    /* Build first: a request refused here never opens a connection. */
    err = build_request(c, req, &len);
    if (err != CPUSER_OK) {
        return err;
    }
    if (!c->connected) {
        uint32_t t = step_timeout(c, d, c->cfg.connect_timeout_ms);
        if (t == 0u) {
            return CPUSER_ERR_TIMEOUT;
        }
        LOG(c, 2, "connect", c->cfg.port);
        err = c->transport->connect(c->transport->ctx, c->cfg.host, c->cfg.port, t);
        if (err != CPUSER_OK) {
            LOG(c, 1, "connect failed", err);
            return err;
        }
        c->connected = true;
    }
    LOG(c, 3, "request bytes", len);
    err = send_all(c, d, len);
    if (err == CPUSER_OK) {
        cpuser_http_response_init(&c->resp, req->method);
        err = receive(c, d, sink, &s);
    }
    out->delivered = s.delivered;
    if (err != CPUSER_OK) {
        out->stale = reused && s.received == 0u &&
                     (err == CPUSER_ERR_CLOSED || err == CPUSER_ERR_IO);
        LOG(c, 1, "request failed", err);
        cpuser_client_close(c);
        return err;
    }
    LOG(c, 2, "status", c->resp.status);
    fill_result(c, s.streaming);
    if (!s.streaming && (c->resp.status < 200 || c->resp.status > 299)) {
        cpuser_api_error_decode(&c->json, c->buf + c->resp.body_start, c->last.body.len,
                                &c->last);
    }
    if (!c->resp.keep_alive) {
        cpuser_client_close(c);
    }
    return cpuser_err_from_status(c->resp.status);
}

/* A random number from the platform, for backoff jitter (0 if it fails:
 * then the wait is 0, never longer). */
static uint32_t random32(const cpuser_client *c)
{
    unsigned char b[4] = {0, 0, 0, 0};
    if (c->platform->random(c->platform->ctx, b, sizeof b) != CPUSER_OK) {
        return 0;
    }
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The bearer token for the next attempt: the static one, or the auth
 * provider's (refresh: the last one got a 401). */
static cpuser_err authorize(cpuser_client *c, bool refresh)
{
    const cpuser_auth *a = c->cfg.auth;
    const char *token = NULL;
    size_t len = 0;
    cpuser_err err;
    if (a == NULL) {
        c->bearer = c->cfg.token;
        c->bearer_len = c->cfg.token_len;
        return CPUSER_OK;
    }
    c->bearer = NULL;
    c->bearer_len = 0;
    err = a->token(a->ctx, c, refresh, &token, &len);
    if (err == CPUSER_OK && token == NULL && len != 0u) {
        err = CPUSER_ERR_BAD_ARGUMENT; /* a provider that breaks its contract */
    }
    if (err == CPUSER_OK) {
        c->bearer = token;
        c->bearer_len = len;
    }
    return err;
}

cpuser_err cpuser_client_call(cpuser_client *c, const cpuser_request *req,
                              const cpuser_sink *sink)
{
    deadline d;
    attempt_out out;
    cpuser_retry_policy policy;
    uint32_t waits[CPUSER_MAX_ATTEMPTS];
    uint32_t attempts = 0;
    uint32_t retries = 0;
    uint32_t waited = 0;
    bool stale_resent = false;
    bool refresh = false;
    bool refreshed = false;
    bool sent = false;
    cpuser_err err;

    if (c == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    reset_result(&c->last);
    if (req == NULL || req->method == NULL || req->path == NULL ||
        (sink != NULL && sink->write == NULL)) {
        c->last.err = CPUSER_ERR_BAD_ARGUMENT;
        return c->last.err;
    }
    policy = cpuser_retry_resolve(&c->cfg.retry);
    d.start = c->platform->now_ms(c->platform->ctx);
    d.total = c->cfg.total_timeout_ms;
    for (;;) {
        uint32_t wait = 0;
        reset_result(&c->last);
        err = authorize(c, refresh);
        if (err != CPUSER_OK) {
            c->last.err = err; /* the last result is the provider's request */
            return err;
        }
        reset_result(&c->last);
        refresh = false;
        attempts++;
        err = attempt(c, req, sink, &d, &out);
        sent = sent || c->last.sent;
        if (out.stale && !stale_resent) {
            /* The kept-alive connection was dead before it answered: the
             * request reached no live server, so sending it again is safe,
             * once, whatever the method and the policy. */
            stale_resent = true;
            continue;
        }
        if (err == CPUSER_ERR_HTTP_UNAUTHORIZED && c->cfg.auth != NULL && !refreshed) {
            /* the token was refused before anything was done: a new one,
             * and the request again, once */
            LOG(c, 2, "token refused", 401);
            refreshed = true;
            refresh = true;
            continue;
        }
        if (retries + 1u >= policy.max_attempts || retries + 1u >= CPUSER_MAX_ATTEMPTS ||
            !cpuser_retry_allowed(&policy, req->method, err, &c->last, out.delivered) ||
            !cpuser_retry_wait(&policy, &c->last, retries + 1u, random32(c), &wait) ||
            wait >= time_left(c, &d)) {
            break;
        }
        LOG(c, 2, "retry wait ms", wait);
        if (wait > 0u) {
            c->platform->sleep_ms(c->platform->ctx, wait);
        }
        waits[retries++] = wait;
        waited += wait;
    }
    c->last.attempts = attempts;
    c->last.sent = sent;
    memcpy(c->last.wait_ms, waits, retries * sizeof waits[0]);
    c->last.waited_ms = waited;
    c->last.err = err;
    return err;
}
