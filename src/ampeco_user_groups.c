/* AMPECO user groups: field tables, rules and the operations. */
#include "cpuser/ampeco_user_groups.h"

#include <stddef.h>
#include <string.h>

#include "ampeco_resource.h"

#define GROUPS_PATH "/public-api/resources/user-groups/v1.0"
#define GROUP_PATH GROUPS_PATH "/{}"

#define G cpuser_user_group
#define GF cpuser_user_group_fields

static const cpuser_field group_fields[] = {
    CPUSER_F("id", CPUSER_FIELD_ID, CPUSER_GROUP_ID, G, id),
    CPUSER_F("name", CPUSER_FIELD_STRING, CPUSER_GROUP_NAME, G, name),
    CPUSER_F("partnerId", CPUSER_FIELD_INT64, CPUSER_GROUP_PARTNER_ID, G, partner_id),
    CPUSER_F("description", CPUSER_FIELD_STRING, CPUSER_GROUP_DESCRIPTION, G, description),
    CPUSER_F("externalId", CPUSER_FIELD_STRING, CPUSER_GROUP_EXTERNAL_ID, G, external_id),
    CPUSER_F("lastUpdatedAt", CPUSER_FIELD_STRING, CPUSER_GROUP_LAST_UPDATED_AT, G, last_updated_at),
};
static const cpuser_field_table group_table = CPUSER_TABLE(group_fields, G, present, null);
static const cpuser_ampeco_object group_object = {&group_table, (uint16_t)sizeof(G), false, NULL};

static const cpuser_field send_fields[] = {
    CPUSER_F("name", CPUSER_FIELD_STRING, CPUSER_GROUP_NAME, GF, name),
    CPUSER_F("partnerId", CPUSER_FIELD_INT64, CPUSER_GROUP_PARTNER_ID, GF, partner_id),
    CPUSER_F("description", CPUSER_FIELD_STRING, CPUSER_GROUP_DESCRIPTION, GF, description),
    CPUSER_F("externalId", CPUSER_FIELD_STRING, CPUSER_GROUP_EXTERNAL_ID, GF, external_id),
};
static const cpuser_field_table send_table = CPUSER_TABLE(send_fields, GF, set, null);

static const cpuser_ampeco_limit limits[] = {
    {CPUSER_GROUP_DESCRIPTION, 2000u},
    {CPUSER_GROUP_EXTERNAL_ID, 255u},
};

/* The spec requires name in the PATCH body as well as in the POST body. */
static const cpuser_ampeco_rules rules = {
    &send_table, CPUSER_BIT(CPUSER_GROUP_NAME),
    CPUSER_BIT(CPUSER_GROUP_PARTNER_ID) | CPUSER_BIT(CPUSER_GROUP_DESCRIPTION) |
        CPUSER_BIT(CPUSER_GROUP_EXTERNAL_ID),
    limits, (uint8_t)(sizeof limits / sizeof limits[0]), NULL};

cpuser_err cpuser_user_group_fields_set(cpuser_user_group_fields *f, int field, const char *value)
{
    return cpuser_ampeco_set_string(&send_table, f, field, value);
}

cpuser_err cpuser_user_group_fields_check(const cpuser_user_group_fields *f, bool creating,
                                          int *bad_field)
{
    (void)creating; /* the same rules for both */
    return cpuser_ampeco_check(&rules, f, bad_field);
}

void cpuser_user_group_write_json(cpuser_json_writer *w, const cpuser_user_group *g)
{
    cpuser_ampeco_write_object(w, &group_table, g);
}

cpuser_err cpuser_user_groups_create(cpuser_client *c, const cpuser_user_group_fields *f,
                                     cpuser_user_group *out)
{
    return cpuser_ampeco_send(c, "POST", GROUPS_PATH, NULL, 0, &rules, f, &group_object, out);
}

cpuser_err cpuser_user_groups_read(cpuser_client *c, cpuser_view id, cpuser_user_group *out)
{
    return cpuser_ampeco_get(c, GROUP_PATH, &id, 1, &group_object, out);
}

cpuser_err cpuser_user_groups_update(cpuser_client *c, cpuser_view id,
                                     const cpuser_user_group_fields *f, cpuser_user_group *out)
{
    return cpuser_ampeco_send(c, "PATCH", GROUP_PATH, &id, 1, &rules, f, &group_object, out);
}

cpuser_err cpuser_user_groups_delete(cpuser_client *c, cpuser_view id)
{
    return cpuser_ampeco_delete(c, GROUP_PATH, &id, 1);
}

/* ---- listing ------------------------------------------------------------------ */

static const char *const bool_names[] = {"true", "false", NULL};

static void list_query(const void *arg, cpuser_http_request *r)
{
    const cpuser_user_group_filter *f = (const cpuser_user_group_filter *)arg;
    if (f == NULL) {
        return;
    }
    cpuser_ampeco_filter_enum(r, "filter[noPartner]", bool_names, f->no_partner);
    cpuser_ampeco_filter(r, "filter[partnerId]", f->partner_id);
    cpuser_ampeco_filter(r, "filter[lastUpdatedAfter]", f->last_updated_after);
    cpuser_ampeco_filter(r, "filter[lastUpdatedBefore]", f->last_updated_before);
}

typedef struct {
    cpuser_user_group_fn fn;
    void *arg;
} group_sink;

static cpuser_err deliver(void *arg, const void *item)
{
    const group_sink *s = (const group_sink *)arg;
    return s->fn(s->arg, (const cpuser_user_group *)item);
}

/* The groups list endpoint with filter, each group decoded into *g and
 * handed to fn through s. */
static cpuser_err list_spec(cpuser_ampeco_list *l, cpuser_user_group *g, group_sink *s,
                            const cpuser_user_group_filter *filter, cpuser_user_group_fn fn,
                            void *arg)
{
    if (fn == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    s->fn = fn;
    s->arg = arg;
    memset(l, 0, sizeof *l);
    l->path = GROUPS_PATH;
    l->pager = cpuser_ampeco_list_numbered;
    l->query = list_query;
    l->query_arg = filter;
    l->table = &group_table;
    l->item = g;
    l->item_size = sizeof *g;
    l->deliver = deliver;
    l->deliver_arg = s;
    return CPUSER_OK;
}

cpuser_err cpuser_user_groups_list(cpuser_client *c, const cpuser_user_group_filter *filter,
                                   cpuser_page *page, cpuser_user_group_fn fn, void *arg)
{
    cpuser_ampeco_list l;
    cpuser_user_group g;
    group_sink s;
    cpuser_err err = page != NULL ? list_spec(&l, &g, &s, filter, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_one(c, &l, page);
}

cpuser_err cpuser_user_groups_list_all(cpuser_client *c, const cpuser_user_group_filter *filter,
                                       uint8_t per_page, cpuser_user_group_fn fn, void *arg,
                                       uint32_t *total)
{
    cpuser_ampeco_list l;
    cpuser_user_group g;
    group_sink s;
    cpuser_err err = per_page <= 100u ? list_spec(&l, &g, &s, filter, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_all(c, &l, per_page, total);
}
