/*
 * JSON writer: builds a request body into a caller buffer, no heap, no stdio.
 *
 * Calls are made in document order; the writer places commas and colons.
 * Initialise with buf == NULL and cap == 0 to only count: the count pass
 * gives Content-Length before the same calls are repeated into the real
 * buffer, so a body is never held twice.
 *
 *     cpuser_json_writer w;
 *     cpuser_json_writer_init(&w, buf, cap);
 *     cpuser_json_object_begin(&w);
 *     cpuser_json_key(&w, "email");  cpuser_json_string(&w, e, elen);
 *     cpuser_json_key(&w, "balance"); cpuser_json_thousandths(&w, 12345);
 *     cpuser_json_object_end(&w);
 *     err = cpuser_json_writer_finish(&w, &len);   // body is "…"
 *
 * Errors are sticky and reported by cpuser_json_writer_finish():
 *  - CPUSER_ERR_BAD_ARGUMENT: a string is not valid UTF-8 (overlong forms,
 *    surrogates, code points above U+10FFFF, truncated sequences), a call out
 *    of order (value where a key is due, unbalanced end, nesting deeper than
 *    CPUSER_JSON_MAX_DEPTH), or NULL string data with a non-zero length;
 *  - CPUSER_ERR_BUFFER_TOO_SMALL: the document did not fit; `len` out of
 *    finish() then holds the size needed.
 */
#ifndef CPUSER_JSON_WRITER_H
#define CPUSER_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuser/buffer.h"
#include "cpuser/config.h"
#include "cpuser/error.h"

typedef struct {
    cpuser_buffer out;
    uint8_t depth;                             /* open containers */
    uint8_t kind[CPUSER_JSON_MAX_DEPTH];       /* 'o' object, 'a' array */
    uint8_t count[CPUSER_JSON_MAX_DEPTH];      /* members so far (saturates at 1) */
    bool after_key;                            /* a key was written, value due */
    bool done;                                 /* the top-level value is complete */
} cpuser_json_writer;

/* buf may be NULL with cap 0 (count only). */
void cpuser_json_writer_init(cpuser_json_writer *w, char *buf, size_t cap);

void cpuser_json_object_begin(cpuser_json_writer *w);
void cpuser_json_object_end(cpuser_json_writer *w);
void cpuser_json_array_begin(cpuser_json_writer *w);
void cpuser_json_array_end(cpuser_json_writer *w);

/* An object key; NUL-terminated, escaped like any string. */
void cpuser_json_key(cpuser_json_writer *w, const char *key);

/* A string value of n bytes of UTF-8 (may contain NUL, written as \u0000).
 * Quotes and backslashes are escaped, control characters become \u00XX
 * (\n \r \t \b \f use their short forms), valid UTF-8 is passed through. */
void cpuser_json_string(cpuser_json_writer *w, const char *s, size_t n);

/* A NUL-terminated string value. */
void cpuser_json_cstring(cpuser_json_writer *w, const char *s);

void cpuser_json_int(cpuser_json_writer *w, int64_t v);
void cpuser_json_bool(cpuser_json_writer *w, bool v);
void cpuser_json_null(cpuser_json_writer *w);

/* A value given as JSON text (an object the caller built, say), written as
 * it is after checking it is exactly one well-formed JSON value; anything
 * else fails the writer with CPUSER_ERR_BAD_ARGUMENT. */
void cpuser_json_raw(cpuser_json_writer *w, const char *json, size_t n);

/* A fixed-point amount given in thousandths, printed exactly with no
 * floating point: 12345 -> 12.345, -5 -> -0.005, 1000 -> 1, 1500 -> 1.5
 * (trailing fraction zeros dropped), INT64_MIN handled. */
void cpuser_json_thousandths(cpuser_json_writer *w, int64_t v);

/* Check the document is complete (every container closed) and report the
 * length written (or needed, with CPUSER_ERR_BUFFER_TOO_SMALL). len may be
 * NULL. Returns the first error of the whole sequence. */
cpuser_err cpuser_json_writer_finish(const cpuser_json_writer *w, size_t *len);

#endif /* CPUSER_JSON_WRITER_H */
