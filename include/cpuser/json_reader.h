/*
 * JSON reader: jsmn (strict mode) tokens over a mutable caller buffer, and
 * typed reads of single values.
 *
 * The document text stays where it is (normally the client's working buffer)
 * and is modified in place: cpuser_json_get_string() unescapes a string into
 * its own bytes and returns a view of them. Tokens live in the document
 * struct (CPUSER_JSON_MAX_TOKENS of them), so parsing never allocates.
 *
 * Token indexes: 0 is the top-level value. A function given an index out of
 * range, or a token of the wrong type, returns CPUSER_ERR_JSON (or -1 for the
 * index-returning functions); none of them reads outside the text.
 */
#ifndef CPUSER_JSON_READER_H
#define CPUSER_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Only jsmn's types are needed here; its functions are compiled (static)
 * into src/json_reader.c alone. */
#ifndef JSMN_H
#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER
#endif

#include "cpuser/config.h"
#include "cpuser/error.h"
#include "cpuser/view.h"

typedef struct {
    char *text;   /* caller's buffer; strings are unescaped in place */
    size_t len;
    int count;    /* tokens in use */
    jsmntok_t tok[CPUSER_JSON_MAX_TOKENS];
} cpuser_json;

/* Tokenise text[0..len). The whole text must be exactly one JSON value
 * (surrounding white space allowed). Errors: CPUSER_ERR_JSON for malformed or
 * truncated JSON, nesting deeper than CPUSER_JSON_MAX_TOKENS, or text longer
 * than INT_MAX; CPUSER_ERR_BUFFER_TOO_SMALL for a well-formed document with
 * more than CPUSER_JSON_MAX_TOKENS tokens (raise it in the board's config);
 * CPUSER_ERR_BAD_ARGUMENT for NULL arguments. */
cpuser_err cpuser_json_parse(cpuser_json *doc, char *text, size_t len);

/* True when text[0..len) is exactly one well-formed JSON value (white space
 * around it allowed), checked without tokens: no limit on its size. */
bool cpuser_json_valid(const char *text, size_t len);

/* The type of token i (JSMN_OBJECT, JSMN_ARRAY, JSMN_STRING, JSMN_PRIMITIVE),
 * or JSMN_UNDEFINED when i is out of range. */
jsmntype_t cpuser_json_type(const cpuser_json *doc, int i);

/* Index of the token after the whole value at i (its next sibling), or
 * doc->count when it is the last. -1 when i is out of range. */
int cpuser_json_skip(const cpuser_json *doc, int i);

/* Index of the value for `key` in the object at obj, or -1 when obj is not
 * an object or has no such key. Keys are compared byte for byte as they
 * appear in the text (escapes are not decoded in keys). With duplicate keys
 * the last one wins, as in most parsers. */
int cpuser_json_find(const cpuser_json *doc, int obj, const char *key);

/* Index of element n (0-based) of the array at arr, or -1. */
int cpuser_json_index(const cpuser_json *doc, int arr, int n);

/* The number of members of the object (or elements of the array) at i;
 * -1 when i is out of range or not an object or array. Walking an object
 * in one pass: k = i + 1 is the first key, its value is k + 1, the next key
 * is cpuser_json_skip(doc, k + 1). */
int cpuser_json_size(const cpuser_json *doc, int i);

/* For walking an object: the key token of member n (0-based), or -1; its
 * value is at key + 1. Each call walks from the first member: to visit every
 * member, prefer cpuser_json_size() and cpuser_json_skip(). */
int cpuser_json_member(const cpuser_json *doc, int obj, int n);

/* The key token at k as a view (raw bytes, not unescaped). */
cpuser_view cpuser_json_key_view(const cpuser_json *doc, int k);

/* Read the string at i, unescaping it in place (\" \\ \/ \b \f \n \r \t,
 * \uXXXX to UTF-8, surrogate pairs joined). Refuses lone surrogates, \u0000
 * and invalid UTF-8 with CPUSER_ERR_JSON. Reading the same token again returns
 * the same view. */
cpuser_err cpuser_json_get_string(cpuser_json *doc, int i, cpuser_view *out);

/* Read an integer. Fractions, exponents, leading zeros and values outside
 * int64 are CPUSER_ERR_JSON. */
cpuser_err cpuser_json_get_int64(const cpuser_json *doc, int i, int64_t *out);

/* Read a JSON number as int64 thousandths with no floating point:
 * 12.345 -> 12345, 1 -> 1000, -0.005 -> -5, 1.5e2 -> 150000. More than three
 * significant decimals (12.3456) or a value outside int64 is
 * CPUSER_ERR_JSON; extra zero decimals (12.3450) are fine. */
cpuser_err cpuser_json_get_thousandths(const cpuser_json *doc, int i, int64_t *out);

/* Read true or false. */
cpuser_err cpuser_json_get_bool(const cpuser_json *doc, int i, bool *out);

/* True when the token at i is the literal null. */
bool cpuser_json_is_null(const cpuser_json *doc, int i);

#endif /* CPUSER_JSON_READER_H */
