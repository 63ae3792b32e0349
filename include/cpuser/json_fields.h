/*
 * Field tables: decode a JSON object into a C struct, and encode a struct's
 * chosen members as JSON, from one static table per resource. A new resource
 * is a struct, two tables and a few small functions; no parsing code.
 *
 * Every struct described by a table has two uint64_t masks at known offsets:
 * `present` (decode: the key was there; encode: send this member) and `null`
 * (decode: the value was JSON null; encode: send null). Each field owns one
 * bit (0..63) in both. Decoded strings are views into the document's text
 * (the client's working buffer), unescaped in place.
 *
 * Unknown keys are skipped, never an error. A known key whose value has the
 * wrong type is CPUSER_ERR_JSON. Enumerations are stored as uint8_t: 1..n
 * for the table's names in order, 0 for a value the table does not know
 * (kept as unknown, not an error, so a new server enum value never breaks an
 * old device).
 */
#ifndef CPUSER_JSON_FIELDS_H
#define CPUSER_JSON_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuser/config.h"
#include "cpuser/error.h"
#include "cpuser/json_reader.h"
#include "cpuser/json_writer.h"
#include "cpuser/view.h"

typedef enum {
    CPUSER_FIELD_STRING = 1, /* cpuser_view, unescaped */
    CPUSER_FIELD_ID,         /* cpuser_view; a JSON string or integer */
    CPUSER_FIELD_INT64,      /* int64_t */
    CPUSER_FIELD_THOUSANDTHS,/* int64_t, a decimal number with <= 3 decimals */
    CPUSER_FIELD_BOOL,       /* bool */
    CPUSER_FIELD_ENUM,       /* uint8_t, names in `names` */
    CPUSER_FIELD_INT_LIST,   /* cpuser_int_list */
    CPUSER_FIELD_RAW,        /* cpuser_view of the value's JSON text as is */
    CPUSER_FIELD_OBJECT      /* nested object described by `object` */
} cpuser_field_type;

/* A bounded list of integers (ids); `truncated` when the JSON had more. */
typedef struct {
    int64_t v[CPUSER_MAX_LIST_INTS];
    uint8_t count;
    bool truncated;
} cpuser_int_list;

struct cpuser_field_table;

typedef struct {
    const char *name;      /* the JSON key */
    uint8_t type;          /* cpuser_field_type */
    uint8_t bit;           /* its bit in the present/null masks */
    uint16_t offset;       /* offsetof() the member in the struct */
    const char *const *names;                 /* ENUM: NULL-terminated */
    const struct cpuser_field_table *object;  /* OBJECT: members, same struct */
} cpuser_field;

typedef struct cpuser_field_table {
    const cpuser_field *fields;
    uint8_t count;
    uint16_t present_offset; /* offsetof() the uint64_t present mask */
    uint16_t null_offset;    /* offsetof() the uint64_t null mask */
} cpuser_field_table;

/* Decode the object at token obj into out (masks are OR-ed, members
 * overwritten; zero out first for a fresh decode). Errors: CPUSER_ERR_JSON
 * (obj not an object, a known key with a value of the wrong type or range). */
cpuser_err cpuser_fields_decode(cpuser_json *doc, int obj,
                                const cpuser_field_table *t, void *out);

/* Write "key": value for every member whose present bit is set (null when
 * its null bit is set too), in table order, into the object the caller has
 * opened. A nested OBJECT is written when its own bit is set, with the
 * members of it that are set. RAW members must hold valid JSON
 * (cpuser_json_valid()); anything else fails the writer with
 * CPUSER_ERR_BAD_ARGUMENT. */
void cpuser_fields_encode(cpuser_json_writer *w, const cpuser_field_table *t,
                          const void *in);

/* The name of enum value v (1..n) of field f, or NULL. */
const char *cpuser_field_enum_name(const cpuser_field *f, uint8_t v);

#endif /* CPUSER_JSON_FIELDS_H */
