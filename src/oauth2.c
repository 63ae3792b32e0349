/* OAuth 2.0 client credentials: the token request, its answer, the cache. */
#include "cpuser/oauth2.h"

#include <string.h>

/* ---- the form body ------------------------------------------------------ */

typedef struct {
    char *buf;    /* NULL: only count */
    size_t cap;
    size_t len;   /* bytes produced (counted past cap) */
} form;

static void put(form *f, char ch)
{
    if (f->buf != NULL && f->len < f->cap) {
        f->buf[f->len] = ch;
    }
    f->len++;
}

static void put_text(form *f, const char *s)
{
    for (; *s != '\0'; s++) {
        put(f, *s);
    }
}

/* application/x-www-form-urlencoded value: unreserved bytes as they are,
 * every other byte %XX (a space too). */
static void put_encoded(form *f, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
            b == '-' || b == '.' || b == '_' || b == '~') {
            put(f, (char)b);
        } else {
            put(f, '%');
            put(f, hex[b >> 4]);
            put(f, hex[b & 15u]);
        }
    }
}

static cpuser_err form_body(void *arg, char *buf, size_t cap, size_t *len)
{
    const cpuser_oauth2 *o = (const cpuser_oauth2 *)arg;
    form f;
    f.buf = buf;
    f.cap = cap;
    f.len = 0;
    put_text(&f, "grant_type=client_credentials&client_id=");
    put_encoded(&f, o->cfg.client_id, o->cfg.client_id_len);
    put_text(&f, "&client_secret=");
    put_encoded(&f, o->cfg.client_secret, o->cfg.client_secret_len);
    if (o->cfg.scope != NULL && o->cfg.scope_len != 0u) {
        put_text(&f, "&scope=");
        put_encoded(&f, o->cfg.scope, o->cfg.scope_len);
    }
    *len = f.len;
    return buf != NULL && f.len > cap ? CPUSER_ERR_BUFFER_TOO_SMALL : CPUSER_OK;
}

/* ---- set-up -------------------------------------------------------------- */

static bool path_ok(const char *p)
{
    if (p == NULL || p[0] != '/') {
        return false;
    }
    for (; *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20u || (unsigned char)*p >= 0x7fu || *p == '#') {
            return false;
        }
    }
    return true;
}

static bool bytes_ok(const char *s, size_t n, bool required)
{
    return (s != NULL || n == 0u) && (!required || n != 0u);
}

static void wipe(volatile char *p, size_t n)
{
    while (n-- > 0u) {
        *p++ = 0;
    }
}

void cpuser_oauth2_forget(cpuser_oauth2 *o)
{
    if (o != NULL) {
        wipe(o->token, sizeof o->token);
        o->token_len = 0;
        o->usable_ms = 0;
    }
}

static cpuser_err provider_token(void *ctx, cpuser_client *c, bool refresh, const char **token,
                                 size_t *len);

cpuser_err cpuser_oauth2_init(cpuser_oauth2 *o, const cpuser_oauth2_config *cfg)
{
    if (o == NULL || cfg == NULL || cfg->host == NULL || cfg->host[0] == '\0' ||
        strlen(cfg->host) >= CPUSER_MAX_HOST || !path_ok(cfg->path) ||
        !bytes_ok(cfg->client_id, cfg->client_id_len, true) ||
        !bytes_ok(cfg->client_secret, cfg->client_secret_len, true) ||
        !bytes_ok(cfg->scope, cfg->scope_len, false)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    memset(o, 0, sizeof *o);
    o->cfg = *cfg;
    if (o->cfg.refresh_margin_ms == 0u) {
        o->cfg.refresh_margin_ms = CPUSER_OAUTH2_REFRESH_MARGIN_MS;
    }
    o->auth.token = provider_token;
    o->auth.ctx = o;
    return CPUSER_OK;
}

const cpuser_auth *cpuser_oauth2_auth(cpuser_oauth2 *o)
{
    return o != NULL ? &o->auth : NULL;
}

/* ---- the answer ---------------------------------------------------------- */

/* expires_in: an integer, or a string of digits (some servers quote it). */
static cpuser_err lifetime_s(cpuser_json *doc, int i, uint64_t *out)
{
    int64_t n = 0;
    cpuser_view v;
    size_t k;
    if (i < 0) {
        *out = CPUSER_OAUTH2_DEFAULT_LIFETIME_S;
        return CPUSER_OK;
    }
    if (cpuser_json_type(doc, i) == JSMN_STRING) {
        if (cpuser_json_get_string(doc, i, &v) != CPUSER_OK || v.len == 0u || v.len > 12u) {
            return CPUSER_ERR_JSON;
        }
        for (k = 0; k < v.len; k++) {
            if (v.ptr[k] < '0' || v.ptr[k] > '9') {
                return CPUSER_ERR_JSON;
            }
            n = n * 10 + (v.ptr[k] - '0');
        }
    } else if (cpuser_json_get_int64(doc, i, &n) != CPUSER_OK || n < 0) {
        return CPUSER_ERR_JSON;
    }
    *out = (uint64_t)n;
    return CPUSER_OK;
}

static cpuser_err take_token(cpuser_oauth2 *o, cpuser_client *c, uint32_t started)
{
    cpuser_json *doc = &c->json;
    char *body = c->buf + c->resp.body_start;
    cpuser_view tok;
    cpuser_view type;
    uint64_t life_s;
    uint64_t life_ms;
    uint64_t margin;
    int i;
    size_t k;
    cpuser_err err;

    if (cpuser_json_parse(doc, body, c->last.body.len) != CPUSER_OK ||
        cpuser_json_type(doc, 0) != JSMN_OBJECT ||
        cpuser_json_get_string(doc, cpuser_json_find(doc, 0, "access_token"), &tok) != CPUSER_OK ||
        tok.len == 0u) {
        return CPUSER_ERR_JSON;
    }
    i = cpuser_json_find(doc, 0, "token_type");
    if (i >= 0 && (cpuser_json_get_string(doc, i, &type) != CPUSER_OK ||
                   !cpuser_view_ieq(type, "Bearer"))) {
        return CPUSER_ERR_JSON;
    }
    err = lifetime_s(doc, cpuser_json_find(doc, 0, "expires_in"), &life_s);
    if (err != CPUSER_OK) {
        return err;
    }
    for (k = 0; k < tok.len; k++) {
        if ((unsigned char)tok.ptr[k] <= 0x20u || (unsigned char)tok.ptr[k] >= 0x7fu) {
            return CPUSER_ERR_JSON; /* it goes into a header */
        }
    }
    if (tok.len >= sizeof o->token) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    /* at most 2^31 ms (24 days): ages are uint32 clock differences */
    life_ms = life_s > 2147483u ? 2147483648u : life_s * 1000u;
    margin = o->cfg.refresh_margin_ms < life_ms / 2u ? o->cfg.refresh_margin_ms : life_ms / 2u;
    memcpy(o->token, tok.ptr, tok.len);
    o->token_len = tok.len;
    o->fetched_ms = started;
    o->usable_ms = (uint32_t)(life_ms - margin);
    return CPUSER_OK;
}

/* Zero the working buffer from `from` on: the token request (and the
 * secret in it) may linger past the end of the response. */
static void wipe_buffer(cpuser_client *c, size_t from)
{
    if (from < c->cap) {
        wipe(c->buf + from, c->cap - from);
    }
}

cpuser_err cpuser_oauth2_fetch(cpuser_oauth2 *o, cpuser_client *c)
{
    cpuser_request req;
    uint32_t started;
    cpuser_err err;
    size_t keep = 0;

    if (o == NULL || c == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    cpuser_oauth2_forget(o);
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = o->cfg.path;
    req.path_is_target = true;
    req.body = form_body;
    req.content_type = "application/x-www-form-urlencoded";
    req.arg = o;
    o->fetches++;
    started = c->platform->now_ms(c->platform->ctx);
    err = cpuser_client_call_at(c, o->cfg.host, o->cfg.port, &req, NULL);
    if (err == CPUSER_OK) {
        err = take_token(o, c, started);
        if (err != CPUSER_OK) {
            c->last.err = err;
        }
    } else if (c->last.status != 0) {
        /* keep the error response (head and body) for the last result */
        keep = c->last.body.ptr != NULL
                   ? (size_t)(c->last.body.ptr - c->buf) + c->last.body.len
                   : c->resp.body_start;
    }
    wipe_buffer(c, keep);
    if (err != CPUSER_OK) {
        cpuser_oauth2_forget(o);
    }
    return err;
}

/* The cpuser_auth hook: the cached token while it is usable, else a new one. */
static cpuser_err provider_token(void *ctx, cpuser_client *c, bool refresh, const char **token,
                                 size_t *len)
{
    cpuser_oauth2 *o = (cpuser_oauth2 *)ctx;
    uint32_t age = c->platform->now_ms(c->platform->ctx) - o->fetched_ms;
    if (refresh || o->token_len == 0u || age >= o->usable_ms) {
        cpuser_err err = cpuser_oauth2_fetch(o, c);
        if (err != CPUSER_OK) {
            return err;
        }
    }
    *token = o->token;
    *len = o->token_len;
    return CPUSER_OK;
}
