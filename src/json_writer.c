/* JSON writer: request bodies into a bounded cpuser_buffer, no heap. */
#include "cpuser/json_writer.h"
#include "cpuser/json_reader.h"
#include "utf8.h"

#include <string.h>

/* depth, kind[] and count[] are uint8_t in the writer struct. */
#if CPUSER_JSON_MAX_DEPTH > 255
#error "CPUSER_JSON_MAX_DEPTH must fit the writer's uint8_t depth"
#endif

#define KIND_OBJECT 'o'
#define KIND_ARRAY 'a'

void cpuser_json_writer_init(cpuser_json_writer *w, char *buf, size_t cap)
{
    if (w == NULL) {
        return;
    }
    memset(w, 0, sizeof *w);
    cpuser_buffer_init(&w->out, buf, cap);
}

static void fail(cpuser_json_writer *w)
{
    cpuser_buffer_fail(&w->out, CPUSER_ERR_BAD_ARGUMENT);
}

/* The kind of the innermost open container, or 0 at the top level. */
static uint8_t current_kind(const cpuser_json_writer *w)
{
    return w->depth > 0u ? w->kind[w->depth - 1u] : 0u;
}

/* ---- strings -------------------------------------------------------------- */

/* The short escape for c ("\\n"...), or NULL when c has none. */
static const char *short_escape(unsigned char c)
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return NULL;
    }
}

static void put_escape(cpuser_buffer *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    const char *esc = short_escape(c);
    if (esc != NULL) {
        cpuser_buffer_puts(b, esc);
    } else {
        char u[6] = { '\\', 'u', '0', '0', 0, 0 };
        u[4] = hex[c >> 4];
        u[5] = hex[c & 0x0Fu];
        cpuser_buffer_put(b, u, sizeof u);
    }
}

/* Write s[0..n) as a quoted JSON string. Runs of bytes that need no escape
 * are copied in one append; invalid UTF-8 fails the writer. */
static void put_string(cpuser_json_writer *w, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes not yet appended */
    size_t i = 0;

    cpuser_buffer_putc(&w->out, '"');
    while (i < n) {
        if (u[i] >= 0x80u) {
            size_t len = cpuser_utf8_sequence(u + i, n - i);
            if (len == 0) {
                fail(w);
                return;
            }
            i += len;
        } else if (u[i] < 0x20u || u[i] == '"' || u[i] == '\\') {
            cpuser_buffer_put(&w->out, s + run, i - run);
            put_escape(&w->out, u[i]);
            i++;
            run = i;
        } else {
            i++; /* plain ASCII, DEL included */
        }
    }
    if (n > run) {
        cpuser_buffer_put(&w->out, s + run, n - run); /* s may be NULL when n is 0 */
    }
    cpuser_buffer_putc(&w->out, '"');
}

/* ---- structure ------------------------------------------------------------ */

/* Prepare for a value: check one is allowed here and write the comma of an
 * array element. Returns false (and fails the writer) when out of order. */
static bool value_begin(cpuser_json_writer *w)
{
    uint8_t kind = current_kind(w);

    if (w->out.err != CPUSER_OK) {
        return false;
    }
    if (w->done || (kind == KIND_OBJECT && !w->after_key)) {
        fail(w); /* a second top-level value, or a value where a key is due */
        return false;
    }
    if (kind == KIND_ARRAY) {
        if (w->count[w->depth - 1u] != 0u) {
            cpuser_buffer_putc(&w->out, ',');
        }
        w->count[w->depth - 1u] = 1u;
    }
    w->after_key = false;
    return true;
}

/* A value is complete; at the top level that completes the document. */
static void value_end(cpuser_json_writer *w)
{
    if (w->depth == 0u) {
        w->done = true;
    }
}

static void container_begin(cpuser_json_writer *w, uint8_t kind, char open)
{
    if (!value_begin(w)) {
        return;
    }
    if (w->depth >= CPUSER_JSON_MAX_DEPTH) {
        fail(w);
        return;
    }
    w->kind[w->depth] = kind;
    w->count[w->depth] = 0u;
    w->depth++;
    cpuser_buffer_putc(&w->out, open);
}

static void container_end(cpuser_json_writer *w, uint8_t kind, char close)
{
    if (w == NULL || w->out.err != CPUSER_OK) {
        return;
    }
    /* After a key the member's value is still due. */
    if (current_kind(w) != kind || w->after_key) {
        fail(w);
        return;
    }
    w->depth--;
    cpuser_buffer_putc(&w->out, close);
    value_end(w);
}

void cpuser_json_object_begin(cpuser_json_writer *w)
{
    if (w != NULL) {
        container_begin(w, KIND_OBJECT, '{');
    }
}

void cpuser_json_object_end(cpuser_json_writer *w)
{
    container_end(w, KIND_OBJECT, '}');
}

void cpuser_json_array_begin(cpuser_json_writer *w)
{
    if (w != NULL) {
        container_begin(w, KIND_ARRAY, '[');
    }
}

void cpuser_json_array_end(cpuser_json_writer *w)
{
    container_end(w, KIND_ARRAY, ']');
}

void cpuser_json_key(cpuser_json_writer *w, const char *key)
{
    if (w == NULL || w->out.err != CPUSER_OK) {
        return;
    }
    if (key == NULL || current_kind(w) != KIND_OBJECT || w->after_key) {
        fail(w);
        return;
    }
    if (w->count[w->depth - 1u] != 0u) {
        cpuser_buffer_putc(&w->out, ',');
    }
    w->count[w->depth - 1u] = 1u;
    put_string(w, key, strlen(key));
    cpuser_buffer_putc(&w->out, ':');
    w->after_key = true;
}

/* ---- values ---------------------------------------------------------------- */

void cpuser_json_string(cpuser_json_writer *w, const char *s, size_t n)
{
    if (w == NULL) {
        return;
    }
    if (s == NULL && n != 0u) {
        fail(w);
        return;
    }
    if (!value_begin(w)) {
        return;
    }
    put_string(w, s, n);
    value_end(w);
}

void cpuser_json_cstring(cpuser_json_writer *w, const char *s)
{
    if (w == NULL) {
        return;
    }
    if (s == NULL) {
        fail(w);
        return;
    }
    cpuser_json_string(w, s, strlen(s));
}

void cpuser_json_int(cpuser_json_writer *w, int64_t v)
{
    if (w != NULL && value_begin(w)) {
        cpuser_buffer_put_i64(&w->out, v);
        value_end(w);
    }
}

void cpuser_json_bool(cpuser_json_writer *w, bool v)
{
    if (w != NULL && value_begin(w)) {
        cpuser_buffer_puts(&w->out, v ? "true" : "false");
        value_end(w);
    }
}

void cpuser_json_null(cpuser_json_writer *w)
{
    if (w != NULL && value_begin(w)) {
        cpuser_buffer_puts(&w->out, "null");
        value_end(w);
    }
}

void cpuser_json_raw(cpuser_json_writer *w, const char *json, size_t n)
{
    if (w == NULL) {
        return;
    }
    if (json == NULL || !cpuser_json_valid(json, n)) {
        fail(w);
        return;
    }
    if (value_begin(w)) {
        cpuser_buffer_put(&w->out, json, n);
        value_end(w);
    }
}

/* Whole part, then up to three decimals with trailing zeros dropped. */
void cpuser_json_thousandths(cpuser_json_writer *w, int64_t v)
{
    uint64_t mag;
    unsigned frac;
    char digits[4];
    size_t n;

    if (w == NULL || !value_begin(w)) {
        return;
    }
    if (v < 0) {
        cpuser_buffer_putc(&w->out, '-');
        mag = (uint64_t)(-(v + 1)) + 1u; /* no negation of INT64_MIN */
    } else {
        mag = (uint64_t)v;
    }
    cpuser_buffer_put_u64(&w->out, mag / 1000u);
    frac = (unsigned)(mag % 1000u);
    if (frac != 0u) {
        digits[0] = '.';
        digits[1] = (char)('0' + (int)(frac / 100u));
        digits[2] = (char)('0' + (int)(frac / 10u % 10u));
        digits[3] = (char)('0' + (int)(frac % 10u));
        n = sizeof digits;
        while (digits[n - 1u] == '0') {
            n--; /* stops at a non-zero digit: frac != 0 */
        }
        cpuser_buffer_put(&w->out, digits, n);
    }
    value_end(w);
}

cpuser_err cpuser_json_writer_finish(const cpuser_json_writer *w, size_t *len)
{
    if (w == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (len != NULL) {
        *len = w->out.len;
    }
    if (w->out.err != CPUSER_OK) {
        return w->out.err; /* the first error, sticky */
    }
    if (!w->done) {
        return CPUSER_ERR_BAD_ARGUMENT; /* a container left open, or nothing */
    }
    return cpuser_buffer_status(&w->out); /* OK or BUFFER_TOO_SMALL */
}
