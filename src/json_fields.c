/* Field tables: JSON object <-> C struct, driven by static tables. */
#include "cpuser/json_fields.h"

#include <string.h>

static uint64_t *mask_at(void *base, uint16_t offset)
{
    return (uint64_t *)(void *)((char *)base + offset);
}

static const uint64_t *cmask_at(const void *base, uint16_t offset)
{
    return (const uint64_t *)(const void *)((const char *)base + offset);
}

static void *member(void *base, const cpuser_field *f)
{
    return (char *)base + f->offset;
}

static const void *cmember(const void *base, const cpuser_field *f)
{
    return (const char *)base + f->offset;
}

/* ---- decode --------------------------------------------------------------- */

static cpuser_err decode_enum(cpuser_json *doc, int v, const cpuser_field *f, uint8_t *out)
{
    cpuser_view s;
    uint8_t i;
    cpuser_err err = cpuser_json_get_string(doc, v, &s);
    if (err != CPUSER_OK) {
        return err;
    }
    *out = 0; /* unknown to this table */
    for (i = 0; i < 254u && f->names[i] != NULL; i++) {
        if (cpuser_view_eq(s, f->names[i])) {
            *out = (uint8_t)(i + 1u);
            break;
        }
    }
    return CPUSER_OK;
}

static cpuser_err decode_int_list(const cpuser_json *doc, int v, cpuser_int_list *out)
{
    int n;
    out->count = 0;
    out->truncated = false;
    if (cpuser_json_type(doc, v) != JSMN_ARRAY) {
        return CPUSER_ERR_JSON;
    }
    for (n = 0;; n++) {
        int e = cpuser_json_index(doc, v, n);
        int64_t x;
        if (e < 0) {
            return CPUSER_OK;
        }
        if (cpuser_json_get_int64(doc, e, &x) != CPUSER_OK) {
            return CPUSER_ERR_JSON;
        }
        if (out->count < CPUSER_MAX_LIST_INTS) {
            out->v[out->count++] = x;
        } else {
            out->truncated = true;
        }
    }
}

static cpuser_err decode_value(cpuser_json *doc, int v, const cpuser_field *f, void *out)
{
    void *m = member(out, f);
    switch (f->type) {
    case CPUSER_FIELD_STRING:
        return cpuser_json_get_string(doc, v, (cpuser_view *)m);
    case CPUSER_FIELD_ID:
        if (cpuser_json_type(doc, v) == JSMN_PRIMITIVE) {
            int64_t id;
            cpuser_view *view = (cpuser_view *)m;
            if (cpuser_json_get_int64(doc, v, &id) != CPUSER_OK) {
                return CPUSER_ERR_JSON;
            }
            view->ptr = doc->text + doc->tok[v].start;
            view->len = (size_t)(doc->tok[v].end - doc->tok[v].start);
            return CPUSER_OK;
        }
        return cpuser_json_get_string(doc, v, (cpuser_view *)m);
    case CPUSER_FIELD_INT64:
        return cpuser_json_get_int64(doc, v, (int64_t *)m);
    case CPUSER_FIELD_THOUSANDTHS:
        return cpuser_json_get_thousandths(doc, v, (int64_t *)m);
    case CPUSER_FIELD_BOOL:
        return cpuser_json_get_bool(doc, v, (bool *)m);
    case CPUSER_FIELD_ENUM:
        return decode_enum(doc, v, f, (uint8_t *)m);
    case CPUSER_FIELD_INT_LIST:
        return decode_int_list(doc, v, (cpuser_int_list *)m);
    case CPUSER_FIELD_RAW: {
        /* jsmn spans cover a container's brackets, but not a string's quotes */
        cpuser_view *view = (cpuser_view *)m;
        bool quoted = cpuser_json_type(doc, v) == JSMN_STRING;
        view->ptr = doc->text + doc->tok[v].start - (quoted ? 1 : 0);
        view->len = (size_t)(doc->tok[v].end - doc->tok[v].start) + (quoted ? 2u : 0u);
        return CPUSER_OK;
    }
    case CPUSER_FIELD_OBJECT:
        return cpuser_fields_decode(doc, v, f->object, out);
    default:
        return CPUSER_ERR_JSON;
    }
}

/* The table's field named by the key token k, or NULL. The search starts
 * at *hint (the field after the last one found) and wraps: a server that
 * sends members in the table's order costs one comparison per member.
 * The first byte and the length are compared before the bytes. */
static const cpuser_field *field_named(const cpuser_json *doc, int k, const cpuser_field_table *t,
                                       uint8_t *hint)
{
    cpuser_view key = cpuser_json_key_view(doc, k);
    uint8_t n;
    uint8_t i = *hint < t->count ? *hint : 0u;
    if (key.len == 0u) {
        return NULL; /* no field has an empty name */
    }
    for (n = 0; n < t->count; n++) {
        const char *name = t->fields[i].name;
        if (name[0] == key.ptr[0] && cpuser_view_eq(key, name)) {
            *hint = (uint8_t)(i + 1u);
            return &t->fields[i];
        }
        i = (uint8_t)(i + 1u == t->count ? 0u : i + 1u);
    }
    return NULL;
}

cpuser_err cpuser_fields_decode(cpuser_json *doc, int obj, const cpuser_field_table *t, void *out)
{
    uint64_t *present = mask_at(out, t->present_offset);
    uint64_t *null = mask_at(out, t->null_offset);
    uint8_t hint = 0;
    int members;
    int n;
    int k;
    if (cpuser_json_type(doc, obj) != JSMN_OBJECT) {
        return CPUSER_ERR_JSON;
    }
    members = cpuser_json_size(doc, obj);
    /* one pass over the members: k is a key, k + 1 its value, the next
     * key comes after the value's subtree */
    for (n = 0, k = obj + 1; n < members; n++, k = cpuser_json_skip(doc, k + 1)) {
        const cpuser_field *f;
        uint64_t bit;
        if (cpuser_json_type(doc, k) != JSMN_STRING) {
            return CPUSER_ERR_JSON;
        }
        f = field_named(doc, k, t, &hint);
        if (f == NULL) {
            continue; /* unknown keys are skipped */
        }
        bit = (uint64_t)1u << f->bit;
        *present |= bit;
        if (cpuser_json_is_null(doc, k + 1)) {
            *null |= bit;
            continue;
        }
        *null &= ~bit;
        if (decode_value(doc, k + 1, f, out) != CPUSER_OK) {
            return CPUSER_ERR_JSON;
        }
    }
    return CPUSER_OK;
}

/* ---- encode --------------------------------------------------------------- */

const char *cpuser_field_enum_name(const cpuser_field *f, uint8_t v)
{
    uint8_t i;
    if (f->names == NULL || v == 0u) {
        return NULL;
    }
    for (i = 0; f->names[i] != NULL; i++) {
        if (i + 1u == v) {
            return f->names[i];
        }
    }
    return NULL;
}

static void encode_value(cpuser_json_writer *w, const cpuser_field *f, const void *in)
{
    const void *m = cmember(in, f);
    switch (f->type) {
    case CPUSER_FIELD_STRING:
    case CPUSER_FIELD_ID: {
        const cpuser_view *v = (const cpuser_view *)m;
        cpuser_json_string(w, v->ptr, v->len);
        break;
    }
    case CPUSER_FIELD_INT64:
        cpuser_json_int(w, *(const int64_t *)m);
        break;
    case CPUSER_FIELD_THOUSANDTHS:
        cpuser_json_thousandths(w, *(const int64_t *)m);
        break;
    case CPUSER_FIELD_BOOL:
        cpuser_json_bool(w, *(const bool *)m);
        break;
    case CPUSER_FIELD_ENUM: {
        const char *name = cpuser_field_enum_name(f, *(const uint8_t *)m);
        if (name == NULL) {
            cpuser_buffer_fail(&w->out, CPUSER_ERR_BAD_ARGUMENT);
            return;
        }
        cpuser_json_cstring(w, name);
        break;
    }
    case CPUSER_FIELD_INT_LIST: {
        const cpuser_int_list *l = (const cpuser_int_list *)m;
        uint8_t i;
        cpuser_json_array_begin(w);
        for (i = 0; i < l->count && i < CPUSER_MAX_LIST_INTS; i++) {
            cpuser_json_int(w, l->v[i]);
        }
        cpuser_json_array_end(w);
        break;
    }
    case CPUSER_FIELD_RAW:
        cpuser_json_raw(w, ((const cpuser_view *)m)->ptr, ((const cpuser_view *)m)->len);
        break;
    case CPUSER_FIELD_OBJECT:
        cpuser_json_object_begin(w);
        cpuser_fields_encode(w, f->object, in);
        cpuser_json_object_end(w);
        break;
    default:
        cpuser_buffer_fail(&w->out, CPUSER_ERR_BAD_ARGUMENT);
        break;
    }
}

void cpuser_fields_encode(cpuser_json_writer *w, const cpuser_field_table *t, const void *in)
{
    uint64_t present = *cmask_at(in, t->present_offset);
    uint64_t null = *cmask_at(in, t->null_offset);
    uint8_t i;
    for (i = 0; i < t->count; i++) {
        const cpuser_field *f = &t->fields[i];
        uint64_t bit = (uint64_t)1u << f->bit;
        if ((present & bit) == 0u) {
            continue;
        }
        cpuser_json_key(w, f->name);
        if ((null & bit) != 0u) {
            cpuser_json_null(w);
        } else {
            encode_value(w, f, in);
        }
    }
}
