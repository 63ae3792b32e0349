/* Machinery shared by the AMPECO resources (internal to src/): a resource
 * module is its field tables plus calls to these. */
#ifndef CPUSER_AMPECO_RESOURCE_H
#define CPUSER_AMPECO_RESOURCE_H

#include "cpuser/ampeco.h"
#include "cpuser/client.h"
#include "cpuser/json_fields.h"

/* A JSON request body: fill() writes the value (an object) with the writer.
 * Pass a cpuser_json_body as cpuser_request.arg with
 * cpuser_request.body = cpuser_json_body_write. */
typedef struct {
    void (*fill)(cpuser_json_writer *w, const void *arg);
    const void *arg;
} cpuser_json_body;

cpuser_err cpuser_json_body_write(void *body, char *buf, size_t cap, size_t *len);

/* Decode the last response's {"data": {...}} into out with table t (the
 * caller zeroes out first). CPUSER_ERR_JSON when the body has no such object. */
cpuser_err cpuser_ampeco_decode_data(cpuser_client *c, const cpuser_field_table *t, void *out);

/* One list endpoint. */
typedef struct {
    const char *path;                    /* template, e.g. ".../users/v1.0" */
    const cpuser_view *segments;
    size_t segment_count;
    /* filters and includes (may be NULL) */
    void (*query)(const void *arg, cpuser_http_request *r);
    const void *query_arg;
    /* one element, parsed in doc (token 0); return non-OK to stop */
    cpuser_err (*element)(void *arg, cpuser_json *doc);
    void *element_arg;
} cpuser_ampeco_list;

/* One page (see cpuser_page). A next cursor equal to the one sent is
 * CPUSER_ERR_PROTOCOL. */
cpuser_err cpuser_ampeco_list_page(cpuser_client *c, const cpuser_ampeco_list *l,
                                   cpuser_page *page);

/* Every page by cursor; *total (may be NULL) counts the elements. */
cpuser_err cpuser_ampeco_list_all(cpuser_client *c, const cpuser_ampeco_list *l,
                                  uint8_t per_page, uint32_t *total);

#endif /* CPUSER_AMPECO_RESOURCE_H */
