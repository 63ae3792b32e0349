/* Machinery shared by the AMPECO resources (internal to src/).
 *
 * A resource module (ampeco_users.c, ampeco_user_groups.c, ...) is its
 * field tables (json_fields.h), the rules of what each operation may send,
 * an object descriptor, and a handful of small functions calling these:
 *
 *     read    cpuser_ampeco_get(c, ITEM_PATH, &id, 1, &object, out)
 *     create  cpuser_ampeco_send(c, "POST", LIST_PATH, NULL, 0, &create_rules, f, &object, out)
 *     update  cpuser_ampeco_send(c, "PATCH", ITEM_PATH, &id, 1, &update_rules, f, &object, out)
 *     delete  cpuser_ampeco_delete(c, ITEM_PATH, &id, 1)
 *     list    cpuser_ampeco_list_one(c, &spec, page), cpuser_ampeco_list_all(c, &spec,
 *             per_page, total), or cpuser_ampeco_list_first(c, &spec, per_page)
 *
 * Each resource lives in its own object file, so a firmware that links only
 * some of them carries only those (--gc-sections drops the rest). */
#ifndef CPUSER_AMPECO_RESOURCE_H
#define CPUSER_AMPECO_RESOURCE_H

#include "cpuser/ampeco.h"
#include "cpuser/client.h"
#include "cpuser/json_fields.h"

/* offsetof() takes a type and a member designator: these macro arguments
 * cannot be parenthesised. */
/* NOLINTBEGIN(bugprone-macro-parentheses) */

/* Field table entries: F a plain member, FE an enumeration with its
 * NULL-terminated names, FO a nested object described by its own table. */
#define CPUSER_F(name, type, bit, st, member) \
    { name, type, bit, (uint16_t)offsetof(st, member), NULL, NULL }
#define CPUSER_FE(name, bit, st, member, names) \
    { name, CPUSER_FIELD_ENUM, bit, (uint16_t)offsetof(st, member), names, NULL }
#define CPUSER_FO(name, bit, table) \
    { name, CPUSER_FIELD_OBJECT, bit, 0, NULL, &table }
/* A table over fields[], for the struct st with masks mask_present and
 * mask_null. */
#define CPUSER_TABLE(fields, st, mask_present, mask_null) \
    { fields, (uint8_t)(sizeof fields / sizeof fields[0]), \
      (uint16_t)offsetof(st, mask_present), (uint16_t)offsetof(st, mask_null) }
/* NOLINTEND(bugprone-macro-parentheses) */

/* ---- request bodies --------------------------------------------------------- */

/* A JSON request body: fill() writes the value (an object) with the writer.
 * Pass a cpuser_json_body as cpuser_request.arg with
 * cpuser_request.body = cpuser_json_body_write. */
typedef struct {
    void (*fill)(cpuser_json_writer *w, const void *arg);
    const void *arg;
} cpuser_json_body;

cpuser_err cpuser_json_body_write(void *body, char *buf, size_t cap, size_t *len);

/* {the members of obj that table t marks present}: the body of a create or
 * an update, and the JSON form of a decoded object. */
void cpuser_ampeco_write_object(cpuser_json_writer *w, const cpuser_field_table *t,
                                const void *obj);

/* ---- what may be sent -------------------------------------------------------- */

/* The longest a string field may be, in characters (the spec's maxLength). */
typedef struct {
    uint8_t bit;
    uint16_t max;
} cpuser_ampeco_limit;

/* What one operation may send from a fields struct (its `set` and `null`
 * masks at the table's offsets). */
typedef struct {
    const cpuser_field_table *table; /* the fields it sends, nested tables too */
    uint64_t required;               /* must be set, and not null */
    uint64_t nullable;               /* may be sent as null */
    const cpuser_ampeco_limit *limits;
    uint8_t limit_count;
    /* The resource's own checks after the common ones (may be NULL): the
     * number of the first field refused, or -1. */
    int (*check)(const void *fields);
} cpuser_ampeco_rules;

/* The checks every operation makes before sending: a field the table does
 * not send, null for a field that is not nullable, a required field missing
 * (or null), a member of a nested object without its object, an enum value
 * without a name, an id list longer than CPUSER_MAX_LIST_INTS, a string
 * longer than its limit; then rules->check. CPUSER_ERR_BAD_ARGUMENT with
 * *bad_field (may be NULL) the field's number (-1 when fields is NULL). */
cpuser_err cpuser_ampeco_check(const cpuser_ampeco_rules *r, const void *fields, int *bad_field);

/* Set string (or raw JSON) field `field` of fields from a NUL-terminated
 * value and mark it set (its nested object too). CPUSER_ERR_BAD_ARGUMENT
 * when table t sends no such string field. */
cpuser_err cpuser_ampeco_set_string(const cpuser_field_table *t, void *fields, int field,
                                    const char *value);

/* Characters (not bytes) of a UTF-8 string. */
size_t cpuser_ampeco_chars(cpuser_view s);

/* Whether c is an ISO 3166-1 alpha-2 code of the spec's country enum. */
bool cpuser_ampeco_country_ok(cpuser_view c);

/* The name of enum value v (1..n) in a NULL-terminated list, or NULL; and
 * the value of a name (0 when unknown). */
const char *cpuser_ampeco_name(const char *const *names, uint8_t v);
uint8_t cpuser_ampeco_parse_name(const char *const *names, const char *s);

/* ---- one object --------------------------------------------------------------- */

/* What a response object is. */
typedef struct {
    const cpuser_field_table *table;
    uint16_t size;   /* sizeof the struct the table fills */
    bool bare;       /* the body is the object itself, not {"data": object} */
    const char *alt; /* NULL, or another wrapper accepted when there is no
                        "data" (e.g. "paymentMethod") */
} cpuser_ampeco_object;

/* Every id given and not empty. */
bool cpuser_ampeco_ids_ok(const cpuser_view *ids, size_t n);

/* One buffered call: method on path, a template whose {} take ids[0..n),
 * with a body (may be NULL) or else a query (may be NULL). */
cpuser_err cpuser_ampeco_call(cpuser_client *c, const char *method, const char *path,
                              const cpuser_view *ids, size_t n, const cpuser_json_body *body,
                              void (*query)(void *, cpuser_http_request *), void *query_arg);

/* When err is CPUSER_OK and out is not NULL: zero out and decode the last
 * response's object into it (CPUSER_ERR_JSON when the body has no such
 * object). Otherwise err. */
cpuser_err cpuser_ampeco_result(cpuser_client *c, cpuser_err err, const cpuser_ampeco_object *o,
                                void *out);

/* GET path -> out (required). */
cpuser_err cpuser_ampeco_get(cpuser_client *c, const char *path, const cpuser_view *ids, size_t n,
                             const cpuser_ampeco_object *o, void *out);

/* method (POST, PATCH) path with the fields set in `fields`, checked by r
 * first -> out (may be NULL). A POST whose outcome is unsure (it went out,
 * and no answer or a cut 2xx came back) is CPUSER_ERR_OUTCOME_UNKNOWN: it
 * is never sent twice. */
cpuser_err cpuser_ampeco_send(cpuser_client *c, const char *method, const char *path,
                              const cpuser_view *ids, size_t n, const cpuser_ampeco_rules *r,
                              const void *fields, const cpuser_ampeco_object *o, void *out);

/* DELETE path (204). */
cpuser_err cpuser_ampeco_delete(cpuser_client *c, const char *path, const cpuser_view *ids,
                                size_t n);

/* How sure the last call's outcome is, for a request that is not
 * idempotent. KNOWN: it said; NO_ANSWER: it went out and no status came back
 * (it may or may not have taken effect); CUT_ANSWER: a 2xx came, then the
 * connection failed before the body was whole (it took effect; the object
 * is not in hand). */
enum { CPUSER_AMPECO_KNOWN, CPUSER_AMPECO_NO_ANSWER, CPUSER_AMPECO_CUT_ANSWER };
int cpuser_ampeco_outcome(const cpuser_client *c, cpuser_err err);

/* ---- lists ----------------------------------------------------------------------- */

/* One list endpoint. */
typedef struct cpuser_ampeco_list {
    const char *path;                    /* template, e.g. ".../users/v1.0" */
    const cpuser_view *segments;
    size_t segment_count;
    /* NULL, or cpuser_ampeco_list_numbered for an endpoint that pages by
     * number only (no cursor). */
    cpuser_err (*pager)(cpuser_client *c, const struct cpuser_ampeco_list *l, cpuser_page *page);
    /* filters and includes (may be NULL) */
    void (*query)(const void *arg, cpuser_http_request *r);
    const void *query_arg;
    /* each element is decoded with table into item (item_size bytes,
     * zeroed first) and handed to deliver; non-OK stops the listing */
    const cpuser_field_table *table;
    void *item;
    size_t item_size;
    cpuser_err (*deliver)(void *arg, const void *item);
    void *deliver_arg;
} cpuser_ampeco_list;

/* One page (see cpuser_page). A next cursor equal to the one sent is
 * CPUSER_ERR_PROTOCOL. */
cpuser_err cpuser_ampeco_list_page(cpuser_client *c, const cpuser_ampeco_list *l,
                                   cpuser_page *page);

/* The pager of an endpoint that pages by number only: a page in cursor
 * mode is fetched by number all the same, the next number kept in its
 * cursor ("" is page 1), so callers walk every list the same way. */
cpuser_err cpuser_ampeco_list_numbered(cpuser_client *c, const cpuser_ampeco_list *l,
                                       cpuser_page *page);

/* Every page from the first; *total (may be NULL) counts the elements.
 * Cursor pagination with one cursor buffer, or page numbers when l->pager
 * is set (an endpoint that pages by number only). A next cursor equal to
 * the one sent is CPUSER_ERR_PROTOCOL. */
cpuser_err cpuser_ampeco_list_all(cpuser_client *c, const cpuser_ampeco_list *l,
                                  uint8_t per_page, uint32_t *total);

/* Only page 1 (page pagination), per_page elements at most: a lookup. */
cpuser_err cpuser_ampeco_list_first(cpuser_client *c, const cpuser_ampeco_list *l,
                                    uint8_t per_page);

/* One page with the endpoint's pager (or cpuser_ampeco_list_page). Each
 * public list call uses one of _one, _all, _first directly, so the stack
 * analysis (make bench) follows exact paths. */
cpuser_err cpuser_ampeco_list_one(cpuser_client *c, const cpuser_ampeco_list *l, cpuser_page *page);


/* Query helpers: name=v when v is not empty; name=<enum name> when v is
 * not 0 (an unknown value fails the request with BAD_ARGUMENT). */
void cpuser_ampeco_filter(cpuser_http_request *r, const char *name, cpuser_view v);
void cpuser_ampeco_filter_enum(cpuser_http_request *r, const char *name,
                               const char *const *names, uint8_t v);

#endif /* CPUSER_AMPECO_RESOURCE_H */
