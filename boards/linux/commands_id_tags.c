/* `cpuser idtags ...`: id tags on resource_cli.c's machinery. */
#include <stddef.h>
#include <string.h>

#include "cpuser/ampeco_id_tags.h"
#include "resource_cli.h"

enum { LIST, GET, CREATE, UPDATE, DELETE };

#define FIELDS                                                                                   \
    (CPUSER_BIT(CPUSER_ID_TAG_UID) | CPUSER_BIT(CPUSER_ID_TAG_LABEL) |                             \
     CPUSER_BIT(CPUSER_ID_TAG_EXPIRE_AT) | CPUSER_BIT(CPUSER_ID_TAG_STATUS) |                      \
     CPUSER_BIT(CPUSER_ID_TAG_TYPE) | CPUSER_BIT(CPUSER_ID_TAG_VEHICLE_TYPE) |                     \
     CPUSER_BIT(CPUSER_ID_TAG_PAYMENT_METHOD_ID) | CPUSER_BIT(CPUSER_ID_TAG_USER_ID) |             \
     CPUSER_BIT(CPUSER_ID_TAG_EXTERNAL_ID) | CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID))

static const uint8_t list_opts[] = {OPT_UID, OPT_LABEL, OPT_USER, OPT_EXPIRE_AT, OPT_STATUS, OPT_TYPE,
                                    OPT_PARTNER, OPT_UPDATED_AFTER, OPT_UPDATED_BEFORE, OPT_PER_PAGE,
                                    OPT_LIMIT, OPT__COUNT};

static const res_action actions[] = {
    {"list", LIST, 0, 0, false, list_opts},
    {"get", GET, 1, 0, false, NULL},
    {"create", CREATE, 0, FIELDS, true, NULL},
    {"update", UPDATE, 1, FIELDS, false, NULL},
    {"delete", DELETE, 1, 0, false, NULL},
};

#define TF cpuser_id_tag_fields
#define STATUSES " is one of enabled, disabled, suspended"
#define TYPES " is rfid or mac_address (emaid cannot be written)"
#define VEHICLES " is company_car or private_car"

/* create and update take rfid and mac_address; the library says so too */
static uint8_t parse_write_type(const char *s)
{
    uint8_t t = cpuser_id_tag_type_parse(s);
    return t == CPUSER_ID_TAG_EMAID ? 0u : t;
}

static const res_flag flags[] = {
    {OPT_UID, CPUSER_ID_TAG_UID, RF_TEXT, offsetof(TF, uid), "idTagUid", NULL, NULL},
    {OPT_LABEL, CPUSER_ID_TAG_LABEL, RF_TEXT, offsetof(TF, label), "idLabel", NULL, NULL},
    {OPT_EXPIRE_AT, CPUSER_ID_TAG_EXPIRE_AT, RF_TEXT, offsetof(TF, expire_at), "expireAt", NULL, NULL},
    {OPT_STATUS, CPUSER_ID_TAG_STATUS, RF_ENUM, offsetof(TF, status), "status", cpuser_id_tag_status_parse,
     STATUSES},
    {OPT_TYPE, CPUSER_ID_TAG_TYPE, RF_ENUM, offsetof(TF, type), "type", parse_write_type, TYPES},
    {OPT_VEHICLE_TYPE, CPUSER_ID_TAG_VEHICLE_TYPE, RF_ENUM, offsetof(TF, vehicle_type), "vehicleType",
     cpuser_vehicle_type_parse, VEHICLES},
    {OPT_PAYMENT_METHOD, CPUSER_ID_TAG_PAYMENT_METHOD_ID, RF_TEXT, offsetof(TF, payment_method_id),
     "paymentMethodId", NULL, NULL},
    {OPT_USER, CPUSER_ID_TAG_USER_ID, RF_INT, offsetof(TF, user_id), "userId", NULL, NULL},
    {OPT_EXTERNAL_ID, CPUSER_ID_TAG_EXTERNAL_ID, RF_TEXT, offsetof(TF, external_id), "externalId", NULL,
     NULL},
    {OPT_PARTNER, CPUSER_ID_TAG_PARTNER_ID, RF_INT, offsetof(TF, partner_id), "partnerId", NULL, NULL},
};

static cpuser_id_tag_fields fields;
static cpuser_id_tag_filter filter;

static cpuser_err check(const void *f, bool creating, int *bad)
{
    return cpuser_id_tag_fields_check((const cpuser_id_tag_fields *)f, creating, bad);
}

static int prepare(const cli_args *a)
{
    int rc;
    if (res_cmd.act->id != LIST) {
        return 0;
    }
    memset(&filter, 0, sizeof filter);
    filter.uid = res_view(a, OPT_UID);
    filter.label = res_view(a, OPT_LABEL);
    filter.user_id = res_view(a, OPT_USER);
    filter.expire_at = res_view(a, OPT_EXPIRE_AT);
    filter.partner_id = res_view(a, OPT_PARTNER);
    if (cpuser_view_eq(filter.partner_id, "null")) {
        filter.partner_id = cpuser_view_of(NULL);
        filter.without_partner = true;
    }
    filter.last_updated_after = res_view(a, OPT_UPDATED_AFTER);
    filter.last_updated_before = res_view(a, OPT_UPDATED_BEFORE);
    if ((rc = res_enum_option(a, OPT_STATUS, cpuser_id_tag_status_parse, "enabled, disabled, suspended",
                              &filter.status)) != 0) {
        return rc;
    }
    return res_enum_option(a, OPT_TYPE, cpuser_id_tag_type_parse, "rfid, mac_address, emaid", &filter.type);
}

static void write(cpuser_json_writer *w, const void *obj)
{
    cpuser_id_tag_write_json(w, (const cpuser_id_tag *)obj);
}

static const char *const cols[] = {"id", "idTagUid", "status", "type", "userId", "idLabel", NULL};

static cpuser_err on_tag(void *arg, const cpuser_id_tag *t)
{
    return res_list_item((res_list *)arg, t);
}

static int show(cpuser_client *c, cpuser_err err, const cpuser_id_tag *t, bool json)
{
    return err != CPUSER_OK ? res_failed(c, err) : res_print(write, t, json);
}

static int run(cpuser_client *c, bool json)
{
    static cpuser_id_tag tag;
    static cpuser_page page;
    res_list l;
    cpuser_err err;
    switch (res_cmd.act->id) {
    case LIST:
        res_list_init(&l, json, write, cols);
        cpuser_page_init(&page, res_cmd.per_page);
        do {
            err = cpuser_id_tags_list(c, &filter, &page, on_tag, &l);
        } while (err == CPUSER_OK && page.more);
        return res_list_end(c, &l, err);
    case GET:
        return show(c, cpuser_id_tags_read(c, res_cmd.id, &tag), &tag, json);
    case CREATE:
        return show(c, cpuser_id_tags_create(c, &fields, &tag), &tag, json);
    case UPDATE:
        return show(c, cpuser_id_tags_update(c, res_cmd.id, &fields, &tag), &tag, json);
    default: {
        cpuser_err e = cpuser_id_tags_delete(c, res_cmd.id);
        return e != CPUSER_OK ? res_failed(c, e) : res_done(c, json, "deleted");
    }
    }
}

const res_def id_tags_def = {
    "idtags", "id tag", false, actions, sizeof actions / sizeof actions[0],
    flags, sizeof flags / sizeof flags[0], &fields, sizeof fields, check, prepare, run,
};
