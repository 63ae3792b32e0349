/*
 * List scanner: splits a paginated list body
 *     {"data":[{...},{...},...],"links":{...},"meta":{...}}
 * into its elements as the bytes arrive, so a page of any length streams
 * through a working buffer that holds one element at a time.
 *
 * It is a cpuser_sink (cpuser_list_scanner_write has the sink's signature):
 * each complete element of the top-level "data" array is handed to
 * `element`, and the values of the top-level "links" and "meta" members to
 * `member` (they carry the next cursor); then their bytes are consumed.
 * Other top-level members are skipped as they stream by, never held.
 * Only the element being received is kept, so the buffer must hold the
 * largest single element (and the links/meta values).
 *
 * The scanner only finds boundaries; each element's text is then parsed and
 * checked by the callback (cpuser_json_parse), so malformed elements are
 * caught there. Errors: CPUSER_ERR_JSON when the envelope is not an object,
 * "data" is not an array, or the body ends before the envelope is complete;
 * any error a callback returns.
 */
#ifndef CPUSER_LIST_SCANNER_H
#define CPUSER_LIST_SCANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuser/error.h"
#include "cpuser/view.h"

typedef struct {
    /* An element of "data": json[0..len) is writable (decode in place) and
     * valid only during the call. */
    cpuser_err (*element)(void *arg, char *json, size_t len);
    /* The value of "links" or "meta" (key is "links" or "meta"). May be NULL. */
    cpuser_err (*member)(void *arg, const char *key, char *json, size_t len);
    void *arg;

    /* internal state */
    uint8_t state;
    uint8_t key;          /* which top-level member is being read */
    bool in_string;
    bool escaped;
    bool primitive;
    bool held;            /* the current item is kept until complete */
    uint32_t depth;
    size_t pos;           /* next byte to scan, from the unconsumed front */
    size_t item_start;    /* start of the item being received */
    char key_text[8];     /* the current key when short; else "" */
    size_t key_len;
    uint32_t elements;    /* elements delivered so far */
} cpuser_list_scanner;

/* Prepare s; member may be NULL. */
void cpuser_list_scanner_init(cpuser_list_scanner *s,
                              cpuser_err (*element)(void *, char *, size_t),
                              cpuser_err (*member)(void *, const char *, char *, size_t),
                              void *arg);

/* The sink function: pass a cpuser_list_scanner as the sink's arg. */
cpuser_err cpuser_list_scanner_write(void *scanner, char *data, size_t len,
                                     bool final, size_t *consumed);

#endif /* CPUSER_LIST_SCANNER_H */
