/* API error bodies: message and field errors into the last result.
 *
 * The body is walked member by member and each value is tokenised on its
 * own, so a large error body (a 422 with many fields) needs only the tokens
 * of its largest single value, not of the whole document. */
#include "api_error.h"
#include "chars.h"

static size_t skip_space(const char *t, size_t len, size_t p)
{
    while (p < len && cpuser_is_json_space(t[p])) {
        p++;
    }
    return p;
}

/* End (exclusive) of the JSON value starting at t[p]; the text is known to
 * be valid JSON, so brackets and quotes match. */
static size_t value_end(const char *t, size_t len, size_t p)
{
    size_t depth = 0;
    bool in_string = false;
    for (; p < len; p++) {
        char c = t[p];
        if (in_string) {
            if (c == '\\') {
                p++;
            } else if (c == '"') {
                in_string = false;
                if (depth == 0u) {
                    return p + 1u;
                }
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth <= 1u) {
                return depth == 1u ? p + 1u : p;
            }
            depth--;
        } else if (depth == 0u && (c == ',' || cpuser_is_json_space(c))) {
            return p; /* the end of a number or literal */
        }
    }
    return p;
}

typedef struct {
    const char *text;
    size_t len;
    size_t pos;   /* inside the object, after '{' or after a member */
} members;

/* The next member of the object: its key (a string value, quotes
 * included) and its value, as [start, end) spans. false at the end. */
static bool next_member(members *m, size_t *ks, size_t *ke, size_t *vs, size_t *ve)
{
    size_t p = skip_space(m->text, m->len, m->pos);
    if (p < m->len && m->text[p] == ',') {
        p = skip_space(m->text, m->len, p + 1u);
    }
    if (p >= m->len || m->text[p] != '"') {
        return false;
    }
    *ks = p;
    *ke = value_end(m->text, m->len, p);
    p = skip_space(m->text, m->len, *ke);
    if (p >= m->len || m->text[p] != ':') {
        return false;
    }
    *vs = skip_space(m->text, m->len, p + 1u);
    *ve = value_end(m->text, m->len, *vs);
    m->pos = *ve;
    return true;
}

/* The string value text[s..e) unescaped in place. */
static bool string_at(cpuser_json *doc, char *text, size_t s, size_t e, cpuser_view *out)
{
    return cpuser_json_parse(doc, text + s, e - s) == CPUSER_OK &&
           cpuser_json_get_string(doc, 0, out) == CPUSER_OK;
}

static bool key_is(const char *text, size_t ks, size_t ke, const char *name)
{
    cpuser_view k;
    k.ptr = text + ks + 1u; /* inside the quotes: the names looked for have no escapes */
    k.len = ke - ks - 2u;
    return cpuser_view_eq(k, name);
}

static void add_field_error(cpuser_result *r, cpuser_view field, cpuser_view msg)
{
    if (r->field_error_count == CPUSER_MAX_FIELD_ERRORS) {
        r->field_errors_truncated = true;
        return;
    }
    r->field_errors[r->field_error_count].field = field;
    r->field_errors[r->field_error_count].message = msg;
    r->field_error_count++;
}

/* "errors": {"field": ["message", ...], ...} */
static void add_field_errors(cpuser_json *doc, char *text, size_t s, size_t e, cpuser_result *r)
{
    members m;
    size_t ks, ke, vs, ve;
    m.text = text;
    m.len = e;
    m.pos = s + 1u;
    while (next_member(&m, &ks, &ke, &vs, &ve)) {
        cpuser_view field;
        int i;
        if (!string_at(doc, text, ks, ke, &field) ||
            cpuser_json_parse(doc, text + vs, ve - vs) != CPUSER_OK ||
            cpuser_json_type(doc, 0) != JSMN_ARRAY) {
            continue;
        }
        for (i = 0;; i++) {
            int v = cpuser_json_index(doc, 0, i);
            cpuser_view msg;
            if (v < 0 || cpuser_json_get_string(doc, v, &msg) != CPUSER_OK) {
                break;
            }
            add_field_error(r, field, msg);
            if (r->field_errors_truncated) {
                return;
            }
        }
    }
}

/* A string member's value into *out (left empty when it is not a string
 * or does not decode). */
static void take_string(cpuser_json *doc, char *text, size_t vs, size_t ve, cpuser_view *out)
{
    if (text[vs] != '"' || !string_at(doc, text, vs, ve, out)) {
        out->ptr = NULL;
        out->len = 0;
    }
}

/* "details": [{...}, ...], one field error per element, walked member by
 * member like the rest (nested details and additionalInfo are skipped):
 *   Azure         {"code", "message", "target"}: the target, else the code;
 *   Conta Simples {"field", "message"}: the field.
 * An element with neither a name nor a message is skipped. */
static void add_details(cpuser_json *doc, char *text, size_t s, size_t e, cpuser_result *r)
{
    size_t p = s + 1u;
    for (;;) {
        members m;
        size_t ks, ke, vs, ve, end;
        cpuser_view field = {NULL, 0}, code = {NULL, 0}, target = {NULL, 0}, msg = {NULL, 0};
        p = skip_space(text, e, p);
        if (p < e && text[p] == ',') {
            p = skip_space(text, e, p + 1u);
        }
        if (p >= e || text[p] == ']') {
            return;
        }
        end = value_end(text, e, p);
        if (text[p] == '{') {
            m.text = text;
            m.len = end;
            m.pos = p + 1u;
            while (next_member(&m, &ks, &ke, &vs, &ve)) {
                if (key_is(text, ks, ke, "field")) {
                    take_string(doc, text, vs, ve, &field);
                } else if (key_is(text, ks, ke, "code")) {
                    take_string(doc, text, vs, ve, &code);
                } else if (key_is(text, ks, ke, "target")) {
                    take_string(doc, text, vs, ve, &target);
                } else if (key_is(text, ks, ke, "message")) {
                    take_string(doc, text, vs, ve, &msg);
                }
            }
            if (field.len == 0u) {
                field = target.len != 0u ? target : code;
            }
            if (field.len != 0u || msg.len != 0u) { /* else nothing to report */
                add_field_error(r, field, msg);
                if (r->field_errors_truncated) {
                    return;
                }
            }
        }
        if (end <= p) {
            return; /* no progress: malformed (cannot happen for valid JSON) */
        }
        p = end;
    }
}

/* Walk the object at text[s..e): "message" and "errors" (Laravel);
 * "error": {...} (Azure) whose own "message", "code", "target" and
 * "details" are looked for one level down; "error": "...", "code",
 * "details" and "requestId" at the top (Conta Simples). The first of a
 * duplicated string member wins. */
static void walk(cpuser_json *doc, char *text, size_t s, size_t e, cpuser_result *r, bool top)
{
    members m;
    size_t ks, ke, vs, ve;
    m.text = text;
    m.len = e;
    m.pos = s + 1u;
    while (next_member(&m, &ks, &ke, &vs, &ve)) {
        if (key_is(text, ks, ke, "message") && r->message.len == 0u) {
            take_string(doc, text, vs, ve, &r->message);
        } else if (top && key_is(text, ks, ke, "error") && text[vs] == '"' &&
                   r->api_error.len == 0u) {
            take_string(doc, text, vs, ve, &r->api_error);
        } else if (top && key_is(text, ks, ke, "requestId") && r->api_request_id.len == 0u) {
            take_string(doc, text, vs, ve, &r->api_request_id);
        } else if (top && key_is(text, ks, ke, "code")) {
            int64_t code = -1;
            if (cpuser_json_parse(doc, text + vs, ve - vs) == CPUSER_OK &&
                cpuser_json_get_int64(doc, 0, &code) == CPUSER_OK) {
                r->api_code = code;
            }
        } else if (key_is(text, ks, ke, "details") && text[vs] == '[') {
            add_details(doc, text, vs, ve, r); /* top: Conta Simples; in "error": Azure */
        } else if (top && key_is(text, ks, ke, "errors") && text[vs] == '{') {
            add_field_errors(doc, text, vs, ve, r);
        } else if (top && key_is(text, ks, ke, "error") && text[vs] == '{') {
            walk(doc, text, vs, ve, r, false);
        } else if (!top && key_is(text, ks, ke, "code") && r->error_code.len == 0u) {
            take_string(doc, text, vs, ve, &r->error_code);
        } else if (!top && key_is(text, ks, ke, "target") && r->error_target.len == 0u) {
            take_string(doc, text, vs, ve, &r->error_target);
        }
    }
}

cpuser_view cpuser_api_top_string(const char *body, size_t len, const char *key)
{
    cpuser_view v = {NULL, 0};
    members m;
    size_t s, ks, ke, vs, ve;
    if (body == NULL || len == 0u || !cpuser_json_valid(body, len)) {
        return v;
    }
    s = skip_space(body, len, 0);
    if (s >= len || body[s] != '{') {
        return v;
    }
    m.text = body;
    m.len = value_end(body, len, s);
    m.pos = s + 1u;
    while (next_member(&m, &ks, &ke, &vs, &ve)) {
        if (key_is(body, ks, ke, key) && body[vs] == '"' && ve >= vs + 2u) {
            v.ptr = body + vs + 1u;
            v.len = ve - vs - 2u; /* last one wins, as in cpuser_json_find() */
        }
    }
    return v;
}

void cpuser_api_error_decode(cpuser_json *doc, char *body, size_t len, cpuser_result *r)
{
    size_t s;
    if (body == NULL || len == 0u || !cpuser_json_valid(body, len)) {
        return; /* not JSON (a proxy's HTML page): no message, no JSON error */
    }
    s = skip_space(body, len, 0);
    if (s < len && body[s] == '{') {
        walk(doc, body, s, value_end(body, len, s), r, true);
    }
}
