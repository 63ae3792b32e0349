/*
 * Safe output: every byte that came from the server, the user or argv goes
 * out through here, never as a format string.
 *
 * Cleaning: C0 controls, DEL, C1 controls (U+0080..U+009F) and the Unicode
 * bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069) are
 * written as \u00XX / \u202E escapes (valid inside a JSON string too, so
 * JSON output stays JSON); everything else goes through as it is. With
 * OUT_KEEP_NEWLINES, '\n' and '\t' pass (documents streamed as they are);
 * with OUT_JSON_LINE they become spaces.
 * Redaction: any occurrence of a registered secret (the bearer token, the
 * password) is written as "***", so a server that echoes one never gets it
 * onto the screen or into a log.
 */
#ifndef CPUSER_LINUX_OUTPUT_H
#define CPUSER_LINUX_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cpuser/view.h"

#define OUT_KEEP_NEWLINES 1u
/* JSON text on one line: '\n', '\r' and '\t' can only be white space
 * between tokens there (never raw inside a string), so they become ' '. */
#define OUT_JSON_LINE 2u

/* Register secret slot 0 (token), 1 (password), 2 (OAuth2 client secret)
 * or 3 (OAuth2 access token); NULL clears it. The
 * bytes are not copied: they must stay valid while registered. */
void out_secret(int slot, const char *s, size_t n);

/* Write s[0..n) cleaned and redacted. When `more` is true, s is the front
 * of a stream that continues: the tail that might be the start of a secret
 * or of a multi-byte sequence is held back. Returns the bytes consumed
 * (all of them when more is false). */
size_t out_clean(FILE *f, const char *s, size_t n, unsigned flags, bool more);

/* Cleaned writes of a view and of a NUL-terminated string (NULL: nothing). */
void out_view(FILE *f, cpuser_view v);
void out_str(FILE *f, const char *s);

/* Plain program text (our own constants, never outside data). */
void out_text(FILE *f, const char *s);

/* Decimal forms of numbers (no printf). */
void out_u64(FILE *f, unsigned long long v);
void out_i64(FILE *f, long long v);

/* Set up static stdio buffers so stdout never makes glibc allocate one. */
void out_init(void);

#endif /* CPUSER_LINUX_OUTPUT_H */
