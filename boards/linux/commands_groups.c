/* `cpuser groups ...`: user groups on resource_cli.c's machinery. */
#include <stddef.h>
#include <string.h>

#include "cpuser/ampeco_user_groups.h"
#include "resource_cli.h"

enum { LIST, GET, CREATE, UPDATE, DELETE };

#define FIELDS                                                                            \
    (CPUSER_BIT(CPUSER_GROUP_NAME) | CPUSER_BIT(CPUSER_GROUP_PARTNER_ID) |                \
     CPUSER_BIT(CPUSER_GROUP_DESCRIPTION) | CPUSER_BIT(CPUSER_GROUP_EXTERNAL_ID))

static const uint8_t list_opts[] = {OPT_NO_PARTNER, OPT_PARTNER, OPT_UPDATED_AFTER, OPT_UPDATED_BEFORE,
                                    OPT_PER_PAGE, OPT_LIMIT, OPT__COUNT};

static const res_action actions[] = {
    {"list", LIST, 0, 0, false, list_opts},
    {"get", GET, 1, 0, false, NULL},
    {"create", CREATE, 0, FIELDS, true, NULL},
    {"update", UPDATE, 1, FIELDS, false, NULL},
    {"delete", DELETE, 1, 0, false, NULL},
};

#define GF cpuser_user_group_fields
static const res_flag flags[] = {
    {OPT_NAME, CPUSER_GROUP_NAME, RF_TEXT, offsetof(GF, name), "name", NULL, NULL},
    {OPT_PARTNER, CPUSER_GROUP_PARTNER_ID, RF_INT, offsetof(GF, partner_id), "partnerId", NULL, NULL},
    {OPT_DESCRIPTION, CPUSER_GROUP_DESCRIPTION, RF_TEXT, offsetof(GF, description), "description", NULL,
     ": at most 2000 characters"},
    {OPT_EXTERNAL_ID, CPUSER_GROUP_EXTERNAL_ID, RF_TEXT, offsetof(GF, external_id), "externalId", NULL,
     ": at most 255 characters"},
};

static cpuser_user_group_fields fields;
static cpuser_user_group_filter filter;

static cpuser_err check(const void *f, bool creating, int *bad)
{
    return cpuser_user_group_fields_check((const cpuser_user_group_fields *)f, creating, bad);
}

static uint8_t parse_bool(const char *s)
{
    return strcmp(s, "true") == 0 ? CPUSER_FILTER_TRUE : strcmp(s, "false") == 0 ? CPUSER_FILTER_FALSE : 0u;
}

static int prepare(const cli_args *a)
{
    if (res_cmd.act->id != LIST) {
        return 0;
    }
    memset(&filter, 0, sizeof filter);
    filter.partner_id = res_view(a, OPT_PARTNER);
    filter.last_updated_after = res_view(a, OPT_UPDATED_AFTER);
    filter.last_updated_before = res_view(a, OPT_UPDATED_BEFORE);
    return res_enum_option(a, OPT_NO_PARTNER, parse_bool, "true, false", &filter.no_partner);
}

static void write(cpuser_json_writer *w, const void *obj)
{
    cpuser_user_group_write_json(w, (const cpuser_user_group *)obj);
}

static const char *const cols[] = {"id", "name", "partnerId", "externalId", NULL};

static cpuser_err on_group(void *arg, const cpuser_user_group *g)
{
    return res_list_item((res_list *)arg, g);
}

static int show(cpuser_client *c, cpuser_err err, const cpuser_user_group *g, bool json)
{
    return err != CPUSER_OK ? res_failed(c, err) : res_print(write, g, json);
}

static int run(cpuser_client *c, bool json)
{
    static cpuser_user_group group;
    static cpuser_page page;
    res_list l;
    cpuser_err err;
    switch (res_cmd.act->id) {
    case LIST:
        res_list_init(&l, json, write, cols);
        cpuser_page_init(&page, res_cmd.per_page);
        do {
            err = cpuser_user_groups_list(c, &filter, &page, on_group, &l);
        } while (err == CPUSER_OK && page.more);
        return res_list_end(c, &l, err);
    case GET:
        return show(c, cpuser_user_groups_read(c, res_cmd.id, &group), &group, json);
    case CREATE:
        return show(c, cpuser_user_groups_create(c, &fields, &group), &group, json);
    case UPDATE:
        return show(c, cpuser_user_groups_update(c, res_cmd.id, &fields, &group), &group, json);
    default: {
        cpuser_err e = cpuser_user_groups_delete(c, res_cmd.id);
        return e != CPUSER_OK ? res_failed(c, e) : res_done(c, json, "deleted");
    }
    }
}

const res_def groups_def = {
    "groups", "group", false, actions, sizeof actions / sizeof actions[0],
    flags, sizeof flags / sizeof flags[0], &fields, sizeof fields, check, prepare, run,
};
