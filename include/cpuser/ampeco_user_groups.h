/*
 * AMPECO.CHARGE user groups (resource v1.0): create, read, update, delete
 * and list, on a cpuser_client (see client.h). A user joins groups through
 * cpuser_user_fields.user_group_ids (ampeco_users.h).
 *
 * Contract: the AMPECO Public API v3.110.0,
 * /public-api/resources/user-groups/v1.0[/{userGroup}]. Requests and
 * responses use the same camelCase names.
 *
 * Memory: results are views into the client's working buffer, valid until
 * the next call on the client. Nothing allocates.
 *
 * Errors (besides the client's transport, protocol and buffer errors):
 *  - CPUSER_ERR_BAD_ARGUMENT: refused before sending: name missing (create
 *    and update both: the spec requires it in the PATCH body too), null for
 *    name, a description over 2000 or an externalId over 255 characters, a
 *    field the operation does not take, an empty id, per_page over 100;
 *  - CPUSER_ERR_OUTCOME_UNKNOWN: a create went out and no answer (or a cut
 *    one) came back; it is never sent twice;
 *  - CPUSER_ERR_HTTP_*: the server's answer; cpuser_client_last() has the
 *    status, the API message and the 422 field errors;
 *  - CPUSER_ERR_JSON: a 2xx body that is not the documented shape.
 */
#ifndef CPUSER_AMPECO_USER_GROUPS_H
#define CPUSER_AMPECO_USER_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/ampeco.h"
#include "cpuser/client.h"
#include "cpuser/json_writer.h"
#include "cpuser/view.h"

/* Field numbers: bits of `present` / `null` (`set` / `null` in the fields
 * to send). */
enum {
    CPUSER_GROUP_ID = 0,
    CPUSER_GROUP_NAME,
    CPUSER_GROUP_PARTNER_ID,
    CPUSER_GROUP_DESCRIPTION,
    CPUSER_GROUP_EXTERNAL_ID,
    CPUSER_GROUP_LAST_UPDATED_AT,
    CPUSER_GROUP__FIELDS
};

/* A user group as the API returns it. `present`: the field was in the
 * response; `null`: it was JSON null. Strings are views (unescaped). */
typedef struct {
    uint64_t present;
    uint64_t null;
    cpuser_view id;              /* an integer in the JSON, kept as its text */
    cpuser_view name;
    int64_t partner_id;          /* nullable */
    cpuser_view description;     /* nullable */
    cpuser_view external_id;
    cpuser_view last_updated_at; /* ISO 8601 */
} cpuser_user_group;

/* What to send on create (POST) and update (PATCH): only the fields whose
 * bit is in `set`; with their bit also in `null`, as JSON null (partnerId,
 * description and externalId are nullable). Both need name. Strings are
 * caller-owned views. partnerId "can be updated only if there are no users
 * added to the user group" (the server says 422 otherwise). */
typedef struct {
    uint64_t set;
    uint64_t null;
    cpuser_view name;
    int64_t partner_id;
    cpuser_view description;     /* at most 2000 characters */
    cpuser_view external_id;     /* at most 255 characters */
} cpuser_user_group_fields;

/* Set a string field (CPUSER_GROUP_NAME, _DESCRIPTION, _EXTERNAL_ID) from a
 * NUL-terminated string (not copied) and mark it set; BAD_ARGUMENT for any
 * other field. */
cpuser_err cpuser_user_group_fields_set(cpuser_user_group_fields *f, int field, const char *value);

/* The checks create (creating) or update make before sending. On
 * CPUSER_ERR_BAD_ARGUMENT, *bad_field (may be NULL) is the CPUSER_GROUP_*
 * number of the first field refused (-1 when f is NULL). */
cpuser_err cpuser_user_group_fields_check(const cpuser_user_group_fields *f, bool creating,
                                          int *bad_field);

/* List filters; empty views and CPUSER_FILTER_UNSET are not sent. */
typedef struct {
    uint8_t no_partner;             /* filter[noPartner]: CPUSER_FILTER_TRUE: only
                                       groups without a partner; _FALSE: only
                                       groups with one */
    cpuser_view partner_id;         /* filter[partnerId] */
    cpuser_view last_updated_after; /* filter[lastUpdatedAfter], ISO 8601 */
    cpuser_view last_updated_before;/* filter[lastUpdatedBefore] */
} cpuser_user_group_filter;

/* Called for each group of a list, in order; anything but CPUSER_OK stops
 * the listing and is returned by it (CPUSER_ERR_STOPPED: stop, no error). */
typedef cpuser_err (*cpuser_user_group_fn)(void *arg, const cpuser_user_group *group);

/* POST /public-api/resources/user-groups/v1.0 -> 201. out (may be NULL):
 * the created group. */
cpuser_err cpuser_user_groups_create(cpuser_client *c, const cpuser_user_group_fields *f,
                                     cpuser_user_group *out);

/* GET /public-api/resources/user-groups/v1.0/{userGroup} -> 200. */
cpuser_err cpuser_user_groups_read(cpuser_client *c, cpuser_view id, cpuser_user_group *out);

/* PATCH .../{userGroup} -> 200: sends exactly the fields set. out may be
 * NULL. */
cpuser_err cpuser_user_groups_update(cpuser_client *c, cpuser_view id,
                                     const cpuser_user_group_fields *f, cpuser_user_group *out);

/* DELETE .../{userGroup} -> 204. */
cpuser_err cpuser_user_groups_delete(cpuser_client *c, cpuser_view id);

/* GET /public-api/resources/user-groups/v1.0: one page, each group decoded
 * and handed to fn as it arrives (only the largest single group has to fit
 * in the buffer). The endpoint pages by number only; a page in cursor mode
 * (cpuser_page_init) is walked by number all the same. filter may be NULL. */
cpuser_err cpuser_user_groups_list(cpuser_client *c, const cpuser_user_group_filter *filter,
                                   cpuser_page *page, cpuser_user_group_fn fn, void *arg);

/* Every page from the first: one call. per_page 0..100 (0: the server's
 * default). *total (may be NULL) counts the groups delivered. */
cpuser_err cpuser_user_groups_list_all(cpuser_client *c, const cpuser_user_group_filter *filter,
                                       uint8_t per_page, cpuser_user_group_fn fn, void *arg,
                                       uint32_t *total);

/* Write g as a JSON object with the API's names: the fields present, null
 * where they were null. */
void cpuser_user_group_write_json(cpuser_json_writer *w, const cpuser_user_group *g);

#endif /* CPUSER_AMPECO_USER_GROUPS_H */
