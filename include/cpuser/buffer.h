/*
 * cpuser_buffer: a bounded output buffer that keeps counting past its end.
 *
 * The request builder and the JSON writer both append through it. Bytes are
 * stored while they fit; `len` keeps counting after that, so once writing is
 * done the caller knows the exact size that was needed. A buffer with
 * data == NULL and cap == 0 only counts (the JSON writer's counting pass).
 * The first error sticks: later appends do nothing.
 *
 * The caller owns `data`; cpuser_buffer never allocates.
 */
#ifndef CPUSER_BUFFER_H
#define CPUSER_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "cpuser/error.h"

typedef struct {
    char *data;     /* caller's storage, or NULL to count only */
    size_t cap;     /* bytes available at data */
    size_t len;     /* bytes appended so far, stored or not */
    cpuser_err err; /* first error; CPUSER_OK while all is well */
} cpuser_buffer;

/* Start an empty buffer over data[0..cap). data may be NULL when cap is 0. */
void cpuser_buffer_init(cpuser_buffer *b, char *data, size_t cap);

/* Append n bytes (stored while they fit, always counted). */
void cpuser_buffer_put(cpuser_buffer *b, const char *s, size_t n);

/* Append a NUL-terminated string. */
void cpuser_buffer_puts(cpuser_buffer *b, const char *s);

/* Append one byte. */
void cpuser_buffer_putc(cpuser_buffer *b, char c);

/* Append the decimal form of v. */
void cpuser_buffer_put_u64(cpuser_buffer *b, uint64_t v);
void cpuser_buffer_put_i64(cpuser_buffer *b, int64_t v);

/* Record err unless an error is already recorded. */
void cpuser_buffer_fail(cpuser_buffer *b, cpuser_err err);

/* The outcome: the sticky error if any, else CPUSER_ERR_BUFFER_TOO_SMALL when
 * len > cap and data was given, else CPUSER_OK. A counting-only buffer
 * (data == NULL) is never too small. */
cpuser_err cpuser_buffer_status(const cpuser_buffer *b);

#endif /* CPUSER_BUFFER_H */
