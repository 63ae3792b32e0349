/* Azure API Management users: validation, delete with its long-running
 * operation, get for the ETag. */
#include "cpuser/azure_apim.h"

#include <string.h>

#include "api_error.h"
#include "origin.h"

#define USER_PATH                                                                          \
    "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ApiManagement/service/{}/users/{}"

#define RESOURCE_GROUP_MAX 90u
#define SERVICE_NAME_MAX 50u
#define USER_ID_MAX 80u
#define IF_MATCH_MAX 256u

static const char *const app_type_names[] = {"portal", "developerPortal"};

/* ---- validation ------------------------------------------------------------ */

static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_hex(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* 8-4-4-4-12 hex digits. */
static bool uuid_ok(cpuser_view v)
{
    size_t i;
    if (v.ptr == NULL || v.len != 36u) {
        return false;
    }
    for (i = 0; i < 36u; i++) {
        bool dash = i == 8u || i == 13u || i == 18u || i == 23u;
        if (dash ? v.ptr[i] != '-' : !is_hex(v.ptr[i])) {
            return false;
        }
    }
    return true;
}

/* Azure's resource group rule: 1..90 of letters, digits, '-', '_', '.',
 * '(', ')' and Unicode letters (taken as any byte >= 0x80), not ending in
 * '.'. */
static bool resource_group_ok(cpuser_view v)
{
    size_t i;
    if (v.ptr == NULL || v.len == 0u || v.len > RESOURCE_GROUP_MAX || v.ptr[v.len - 1u] == '.') {
        return false;
    }
    for (i = 0; i < v.len; i++) {
        char ch = v.ptr[i];
        if (!(is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '(' ||
              ch == ')' || (unsigned char)ch >= 0x80u)) {
            return false;
        }
    }
    return true;
}

/* ^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$, at most 50 characters. */
static bool service_name_ok(cpuser_view v)
{
    size_t i;
    if (v.ptr == NULL || v.len == 0u || v.len > SERVICE_NAME_MAX || !is_alpha(v.ptr[0]) ||
        v.ptr[v.len - 1u] == '-') {
        return false;
    }
    for (i = 1; i < v.len; i++) {
        if (!(is_alpha(v.ptr[i]) || is_digit(v.ptr[i]) || v.ptr[i] == '-')) {
            return false;
        }
    }
    return true;
}

/* No control byte (C0, DEL): nothing that could end a header or a line. */
static bool no_controls(cpuser_view v)
{
    size_t i;
    for (i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)v.ptr[i];
        if (ch < 0x20u || ch == 0x7fu) {
            return false;
        }
    }
    return true;
}

static bool user_id_ok(cpuser_view v)
{
    return v.ptr != NULL && v.len != 0u && v.len <= USER_ID_MAX && no_controls(v) &&
           !cpuser_view_eq(v, ".") && !cpuser_view_eq(v, "..");
}

static bool ref_ok(const cpuser_azure_user_ref *r)
{
    return uuid_ok(r->subscription_id) && resource_group_ok(r->resource_group) &&
           service_name_ok(r->service_name) && user_id_ok(r->user_id);
}

cpuser_err cpuser_azure_apim_user_delete_check(const cpuser_azure_user_delete *req)
{
    if (req == NULL || !ref_ok(&req->user) || req->if_match.ptr == NULL ||
        req->if_match.len == 0u || req->if_match.len > IF_MATCH_MAX ||
        !no_controls(req->if_match) || req->delete_subscriptions > CPUSER_AZURE_TRUE ||
        req->notify > CPUSER_AZURE_TRUE || req->app_type > CPUSER_AZURE_APP_DEVELOPER_PORTAL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    return CPUSER_OK;
}

/* A view into the client's working buffer would be overwritten while the
 * request is built there. */
static bool in_buffer(const cpuser_client *c, cpuser_view v)
{
    uintptr_t p = (uintptr_t)v.ptr;
    uintptr_t b = (uintptr_t)c->buf;
    /* any overlap, not only a start inside it */
    return v.ptr != NULL && v.len != 0u && p < b + c->cap && p + v.len > b;
}

static bool outside_buffer(const cpuser_client *c, const cpuser_azure_user_ref *r,
                           cpuser_view if_match)
{
    return !in_buffer(c, r->subscription_id) && !in_buffer(c, r->resource_group) &&
           !in_buffer(c, r->service_name) && !in_buffer(c, r->user_id) && !in_buffer(c, if_match);
}

/* ---- names ------------------------------------------------------------------ */

uint8_t cpuser_azure_app_type_parse(const char *name)
{
    uint8_t i;
    for (i = 0; name != NULL && i < 2u; i++) {
        if (strcmp(name, app_type_names[i]) == 0) {
            return (uint8_t)(i + 1u);
        }
    }
    return 0;
}

const char *cpuser_azure_app_type_name(uint8_t app_type)
{
    return app_type >= 1u && app_type <= 2u ? app_type_names[app_type - 1u] : NULL;
}

const char *cpuser_azure_op_state_name(uint8_t state)
{
    switch (state) {
    case CPUSER_AZURE_OP_IN_PROGRESS: return "InProgress";
    case CPUSER_AZURE_OP_SUCCEEDED: return "Succeeded";
    case CPUSER_AZURE_OP_FAILED: return "Failed";
    case CPUSER_AZURE_OP_CANCELED: return "Canceled";
    default: return "None";
    }
}

/* ---- requests --------------------------------------------------------------- */

static void put_bool(cpuser_http_request *r, const char *name, uint8_t v)
{
    if (v != CPUSER_AZURE_OMIT) {
        cpuser_http_request_query_str(r, name, v == CPUSER_AZURE_TRUE ? "true" : "false");
    }
}

/* The page's order: deleteSubscriptions, notify, api-version, appType. */
static void delete_query(void *arg, cpuser_http_request *r)
{
    const cpuser_azure_user_delete *d = (const cpuser_azure_user_delete *)arg;
    const char *app = cpuser_azure_app_type_name(d->app_type);
    put_bool(r, "deleteSubscriptions", d->delete_subscriptions);
    put_bool(r, "notify", d->notify);
    cpuser_http_request_query_str(r, "api-version", CPUSER_AZURE_APIM_API_VERSION);
    if (app != NULL) {
        cpuser_http_request_query_str(r, "appType", app);
    }
}

static void version_query(void *arg, cpuser_http_request *r)
{
    (void)arg;
    cpuser_http_request_query_str(r, "api-version", CPUSER_AZURE_APIM_API_VERSION);
}

static void user_request(cpuser_request *req, cpuser_view segs[4], const cpuser_azure_user_ref *ref,
                         const char *method)
{
    segs[0] = ref->subscription_id;
    segs[1] = ref->resource_group;
    segs[2] = ref->service_name;
    segs[3] = ref->user_id;
    memset(req, 0, sizeof *req);
    req->method = method;
    req->path = USER_PATH;
    req->segments = segs;
    req->segment_count = 4;
    req->query = version_query;
}

/* A call refused before sending: the last result says so. */
static cpuser_err refuse(cpuser_client *c)
{
    if (c != NULL) {
        memset(&c->last, 0, sizeof c->last);
        c->last.ratelimit_limit = -1;
        c->last.ratelimit_remaining = -1;
        c->last.ratelimit_reset = -1;
        c->last.err = CPUSER_ERR_BAD_ARGUMENT;
    }
    return CPUSER_ERR_BAD_ARGUMENT;
}

/* ---- the long-running operation ---------------------------------------------- */

/* The wait before the next poll: Retry-After delay-seconds (capped), or the
 * default interval when absent or not delay-seconds. */
static uint32_t poll_wait(const cpuser_result *last)
{
    cpuser_view ra = last->retry_after;
    uint32_t s = 0;
    size_t i;
    if (ra.len == 0u) {
        return CPUSER_POLL_INTERVAL_MS;
    }
    for (i = 0; i < ra.len; i++) {
        if (!is_digit(ra.ptr[i])) {
            return CPUSER_POLL_INTERVAL_MS; /* an HTTP-date: not used for polling */
        }
        if (s <= CPUSER_POLL_MAX_INTERVAL_MS / 1000u) {
            s = s * 10u + (uint32_t)(ra.ptr[i] - '0');
        }
    }
    return s > CPUSER_POLL_MAX_INTERVAL_MS / 1000u ? CPUSER_POLL_MAX_INTERVAL_MS : s * 1000u;
}

typedef struct {
    uint32_t start; /* platform clock at the DELETE */
    uint32_t total; /* the client's total_timeout_ms */
} budget;

static uint32_t budget_left(const cpuser_client *c, const budget *b)
{
    uint32_t spent = c->platform->now_ms(c->platform->ctx) - b->start;
    return spent >= b->total ? 0u : b->total - spent;
}

/* One answer from the operation URL: CPUSER_OK and *done when it ended
 * well, CPUSER_OK and !*done to poll again, else the error. */
static cpuser_err poll_answer(cpuser_client *c, cpuser_err err, cpuser_azure_operation *op,
                              bool *done)
{
    const cpuser_result *last = &c->last;
    cpuser_view status;
    *done = false;
    if (err != CPUSER_OK) {
        return err;
    }
    if (op->via_location) {
        if (last->status == 202) {
            return CPUSER_OK;
        }
        if (last->status == 200 || last->status == 204) {
            op->state = CPUSER_AZURE_OP_SUCCEEDED;
            *done = true;
            return CPUSER_OK;
        }
        return CPUSER_ERR_HTTP_UNEXPECTED;
    }
    status = cpuser_api_top_string(last->body.ptr, last->body.len, "status");
    if (status.len == 0u) {
        return CPUSER_ERR_JSON;
    }
    if (cpuser_view_ieq(status, "Succeeded")) {
        op->state = CPUSER_AZURE_OP_SUCCEEDED;
        *done = true;
        return CPUSER_OK;
    }
    if (cpuser_view_ieq(status, "Failed") || cpuser_view_ieq(status, "Canceled")) {
        op->state = cpuser_view_ieq(status, "Failed") ? CPUSER_AZURE_OP_FAILED
                                                      : CPUSER_AZURE_OP_CANCELED;
        /* the body is in the working buffer: its strings are ours to unescape */
        cpuser_api_error_decode(&c->json, c->buf + c->resp.body_start, last->body.len, &c->last);
        return CPUSER_ERR_OPERATION_FAILED;
    }
    return CPUSER_OK; /* InProgress, or another non-terminal state */
}

/* After a 202: poll until the operation ends, the budget or the poll limit
 * runs out. */
static cpuser_err follow(cpuser_client *c, const budget *b, cpuser_azure_operation *op)
{
    char target[CPUSER_OPERATION_URL_MAX];
    cpuser_view url = c->last.async_operation;
    cpuser_view t;
    cpuser_request req;
    cpuser_err err;

    if (url.len == 0u) {
        url = c->last.location;
        op->via_location = true;
    }
    if (url.len == 0u || !cpuser_same_origin(c, url, &t)) {
        return CPUSER_ERR_HTTP_UNEXPECTED;
    }
    if (t.len >= sizeof target) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    /* the request is built where the URL lies now: copy it out */
    memcpy(target, t.ptr, t.len);
    target[t.len] = '\0';
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = target;
    req.path_is_target = true;
    op->state = CPUSER_AZURE_OP_IN_PROGRESS;
    for (;;) {
        uint32_t wait = poll_wait(&c->last);
        uint32_t left = budget_left(c, b);
        bool done = false;
        if (op->polls >= CPUSER_POLL_MAX_COUNT || wait >= left) {
            return CPUSER_ERR_TIMEOUT;
        }
        if (wait > 0u) {
            c->platform->sleep_ms(c->platform->ctx, wait);
            op->waited_ms += wait;
        }
        left = budget_left(c, b);
        if (left == 0u) {
            return CPUSER_ERR_TIMEOUT;
        }
        c->cfg.total_timeout_ms = left; /* this poll gets what the call has left */
        err = cpuser_client_call(c, &req, NULL);
        c->cfg.total_timeout_ms = b->total;
        op->polls++;
        err = poll_answer(c, err, op, &done);
        if (err != CPUSER_OK || done) {
            return err;
        }
    }
}

cpuser_err cpuser_azure_apim_user_delete(cpuser_client *c, const cpuser_azure_user_delete *req,
                                         cpuser_azure_operation *op)
{
    cpuser_azure_operation local;
    cpuser_request r;
    cpuser_view segs[4];
    budget b;
    cpuser_err err;

    if (op == NULL) {
        op = &local;
    }
    memset(op, 0, sizeof *op);
    if (c == NULL || cpuser_azure_apim_user_delete_check(req) != CPUSER_OK ||
        !outside_buffer(c, &req->user, req->if_match)) {
        return refuse(c);
    }
    user_request(&r, segs, &req->user, "DELETE");
    r.query = delete_query;
    r.arg = (void *)(uintptr_t)req; /* only read by delete_query */
    r.if_match = req->if_match;
    b.start = c->platform->now_ms(c->platform->ctx);
    b.total = c->cfg.total_timeout_ms;
    err = cpuser_client_call(c, &r, NULL);
    op->accepted_status = c->last.status;
    if (err == CPUSER_OK) {
        if (c->last.status == 202) {
            err = follow(c, &b, op);
        } else if (c->last.status != 200 && c->last.status != 204) {
            err = CPUSER_ERR_HTTP_UNEXPECTED;
        }
    }
    c->last.err = err;
    return err;
}

static cpuser_view etag_none(void)
{
    cpuser_view v = {NULL, 0};
    return v;
}

cpuser_err cpuser_azure_apim_user_get(cpuser_client *c, const cpuser_azure_user_ref *ref,
                                      cpuser_view *etag)
{
    cpuser_request r;
    cpuser_view segs[4];
    cpuser_err err;
    if (etag != NULL) {
        etag->ptr = NULL;
        etag->len = 0;
    }
    if (c == NULL || ref == NULL || !ref_ok(ref) || !outside_buffer(c, ref, etag_none())) {
        return refuse(c);
    }
    user_request(&r, segs, ref, "GET");
    err = cpuser_client_call(c, &r, NULL);
    if (err == CPUSER_OK && c->last.status != 200) {
        err = CPUSER_ERR_HTTP_UNEXPECTED;
        c->last.err = err;
    }
    if (err == CPUSER_OK && etag != NULL) {
        *etag = c->last.etag;
    }
    return err;
}
