/* AMPECO id tags: field tables, rules and the operations. */
#include "cpuser/ampeco_id_tags.h"

#include <stddef.h>
#include <string.h>

#include "ampeco_resource.h"

#define TAGS_PATH "/public-api/resources/id-tags/v2.0"
#define TAG_PATH TAGS_PATH "/{}"

static const char *const status_names[] = {"enabled", "disabled", "suspended", NULL};
static const char *const type_names[] = {"rfid", "mac_address", "emaid", NULL};
static const char *const vehicle_names[] = {"company_car", "private_car", NULL};

#define T cpuser_id_tag
#define TF cpuser_id_tag_fields
#define S CPUSER_FIELD_STRING

static const cpuser_field tag_fields[] = {
    CPUSER_F("id", CPUSER_FIELD_ID, CPUSER_ID_TAG_ID, T, id),
    CPUSER_F("idTagUid", S, CPUSER_ID_TAG_UID, T, uid),
    CPUSER_F("idLabel", S, CPUSER_ID_TAG_LABEL, T, label),
    CPUSER_F("expireAt", S, CPUSER_ID_TAG_EXPIRE_AT, T, expire_at),
    CPUSER_F("createdAt", S, CPUSER_ID_TAG_CREATED_AT, T, created_at),
    CPUSER_FE("status", CPUSER_ID_TAG_STATUS, T, status, status_names),
    CPUSER_FE("type", CPUSER_ID_TAG_TYPE, T, type, type_names),
    CPUSER_FE("vehicleType", CPUSER_ID_TAG_VEHICLE_TYPE, T, vehicle_type, vehicle_names),
    CPUSER_F("paymentMethodId", S, CPUSER_ID_TAG_PAYMENT_METHOD_ID, T, payment_method_id),
    CPUSER_F("userId", CPUSER_FIELD_INT64, CPUSER_ID_TAG_USER_ID, T, user_id),
    CPUSER_F("externalId", S, CPUSER_ID_TAG_EXTERNAL_ID, T, external_id),
    CPUSER_F("partnerId", CPUSER_FIELD_INT64, CPUSER_ID_TAG_PARTNER_ID, T, partner_id),
    CPUSER_F("lastUpdatedAt", S, CPUSER_ID_TAG_LAST_UPDATED_AT, T, last_updated_at),
};
static const cpuser_field_table tag_table = CPUSER_TABLE(tag_fields, T, present, null);
static const cpuser_ampeco_object tag_object = {&tag_table, (uint16_t)sizeof(T), false, NULL};

static const cpuser_field send_fields[] = {
    CPUSER_F("idTagUid", S, CPUSER_ID_TAG_UID, TF, uid),
    CPUSER_F("idLabel", S, CPUSER_ID_TAG_LABEL, TF, label),
    CPUSER_F("expireAt", S, CPUSER_ID_TAG_EXPIRE_AT, TF, expire_at),
    CPUSER_FE("status", CPUSER_ID_TAG_STATUS, TF, status, status_names),
    CPUSER_FE("type", CPUSER_ID_TAG_TYPE, TF, type, type_names),
    CPUSER_FE("vehicleType", CPUSER_ID_TAG_VEHICLE_TYPE, TF, vehicle_type, vehicle_names),
    CPUSER_F("paymentMethodId", S, CPUSER_ID_TAG_PAYMENT_METHOD_ID, TF, payment_method_id),
    CPUSER_F("userId", CPUSER_FIELD_INT64, CPUSER_ID_TAG_USER_ID, TF, user_id),
    CPUSER_F("externalId", S, CPUSER_ID_TAG_EXTERNAL_ID, TF, external_id),
    CPUSER_F("partnerId", CPUSER_FIELD_INT64, CPUSER_ID_TAG_PARTNER_ID, TF, partner_id),
};
static const cpuser_field_table send_table = CPUSER_TABLE(send_fields, TF, set, null);

/* Create and update take rfid and mac_address; emaid is read-only. */
static int check_tag(const void *arg)
{
    const cpuser_id_tag_fields *f = (const cpuser_id_tag_fields *)arg;
    if (CPUSER_HAS(f->set, CPUSER_ID_TAG_TYPE) && f->type == CPUSER_ID_TAG_EMAID) {
        return CPUSER_ID_TAG_TYPE;
    }
    return -1;
}

#define NULLABLE                                                                                  \
    (CPUSER_BIT(CPUSER_ID_TAG_LABEL) | CPUSER_BIT(CPUSER_ID_TAG_EXPIRE_AT) |                        \
     CPUSER_BIT(CPUSER_ID_TAG_VEHICLE_TYPE) | CPUSER_BIT(CPUSER_ID_TAG_PAYMENT_METHOD_ID) |         \
     CPUSER_BIT(CPUSER_ID_TAG_USER_ID) | CPUSER_BIT(CPUSER_ID_TAG_EXTERNAL_ID))

static const cpuser_ampeco_rules create_rules = {
    &send_table,
    CPUSER_BIT(CPUSER_ID_TAG_UID) | CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_TYPE),
    NULLABLE, NULL, 0, check_tag};
/* the spec's PATCH lets partnerId be null, its POST does not */
static const cpuser_ampeco_rules update_rules = {
    &send_table, 0, NULLABLE | CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID), NULL, 0, check_tag};

cpuser_err cpuser_id_tag_fields_set(cpuser_id_tag_fields *f, int field, const char *value)
{
    return cpuser_ampeco_set_string(&send_table, f, field, value);
}

cpuser_err cpuser_id_tag_fields_check(const cpuser_id_tag_fields *f, bool creating, int *bad_field)
{
    return cpuser_ampeco_check(creating ? &create_rules : &update_rules, f, bad_field);
}

void cpuser_id_tag_write_json(cpuser_json_writer *w, const cpuser_id_tag *t)
{
    cpuser_ampeco_write_object(w, &tag_table, t);
}

const char *cpuser_id_tag_status_name(uint8_t v) { return cpuser_ampeco_name(status_names, v); }
const char *cpuser_id_tag_type_name(uint8_t v) { return cpuser_ampeco_name(type_names, v); }
const char *cpuser_vehicle_type_name(uint8_t v) { return cpuser_ampeco_name(vehicle_names, v); }
uint8_t cpuser_id_tag_status_parse(const char *s) { return cpuser_ampeco_parse_name(status_names, s); }
uint8_t cpuser_id_tag_type_parse(const char *s) { return cpuser_ampeco_parse_name(type_names, s); }
uint8_t cpuser_vehicle_type_parse(const char *s) { return cpuser_ampeco_parse_name(vehicle_names, s); }

/* ---- exactly-once create ------------------------------------------------------ */

typedef struct {
    const cpuser_id_tag_fields *f;
    char id[24];         /* the match's id, copied out of the buffer */
    uint32_t matches;
} tag_probe;

/* A tag that is the one we sent: the same UID (the server's is unique),
 * and the same user and type when they were sent. */
static cpuser_err probe_tag(void *arg, const cpuser_id_tag *t)
{
    tag_probe *p = (tag_probe *)arg;
    uint64_t sent = p->f->set & ~p->f->null;
    if (cpuser_views_ieq(t->uid, p->f->uid) && t->id.len != 0u && t->id.len < sizeof p->id &&
        (!CPUSER_HAS(sent, CPUSER_ID_TAG_USER_ID) || t->user_id == p->f->user_id) &&
        (!CPUSER_HAS(sent, CPUSER_ID_TAG_TYPE) || t->type == p->f->type)) {
        memcpy(p->id, t->id.ptr, t->id.len);
        p->id[t->id.len] = '\0';
        p->matches++;
    }
    return CPUSER_OK;
}

static void list_query(const void *arg, cpuser_http_request *r)
{
    const cpuser_id_tag_filter *f = (const cpuser_id_tag_filter *)arg;
    if (f == NULL) {
        return;
    }
    cpuser_ampeco_filter(r, "filter[idTagUid]", f->uid);
    cpuser_ampeco_filter(r, "filter[idLabel]", f->label);
    cpuser_ampeco_filter(r, "filter[userId]", f->user_id);
    cpuser_ampeco_filter(r, "filter[expireAt]", f->expire_at);
    cpuser_ampeco_filter_enum(r, "filter[status]", status_names, f->status);
    cpuser_ampeco_filter_enum(r, "filter[type]", type_names, f->type);
    if (f->without_partner) {
        if (f->partner_id.len != 0u) {
            cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
            return;
        }
        cpuser_http_request_query_str(r, "filter[partnerId]", "null");
    }
    cpuser_ampeco_filter(r, "filter[partnerId]", f->partner_id);
    cpuser_ampeco_filter(r, "filter[lastUpdatedAfter]", f->last_updated_after);
    cpuser_ampeco_filter(r, "filter[lastUpdatedBefore]", f->last_updated_before);
}

typedef struct {
    cpuser_id_tag_fn fn;
    void *arg;
} tag_sink;

static cpuser_err deliver(void *arg, const void *item)
{
    const tag_sink *s = (const tag_sink *)arg;
    return s->fn(s->arg, (const cpuser_id_tag *)item);
}

/* The id tags list endpoint with filter, each tag decoded into *t and
 * handed to fn through s. */
static cpuser_err list_spec(cpuser_ampeco_list *l, cpuser_id_tag *t, tag_sink *s,
                            const cpuser_id_tag_filter *filter, cpuser_id_tag_fn fn, void *arg)
{
    if (fn == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    s->fn = fn;
    s->arg = arg;
    memset(l, 0, sizeof *l);
    l->path = TAGS_PATH;
    l->query = list_query;
    l->query_arg = filter;
    l->table = &tag_table;
    l->item = t;
    l->item_size = sizeof *t;
    l->deliver = deliver;
    l->deliver_arg = s;
    return CPUSER_OK;
}


/* The create went out and its answer did not come (whole): ask for the
 * UID. Found: that is the tag. Not found, and no 2xx was seen: the create
 * never took effect, so it is sent once more (the UID is unique: a second
 * tag can never come of it). */
static cpuser_err resolve_create(cpuser_client *c, const cpuser_id_tag_fields *f, cpuser_id_tag *out)
{
    bool created = cpuser_ampeco_outcome(c, cpuser_client_last(c)->err) == CPUSER_AMPECO_CUT_ANSWER;
    cpuser_id_tag_filter filter;
    tag_probe probe;
    cpuser_ampeco_list l;
    cpuser_id_tag t;
    tag_sink s;
    cpuser_err err;
    memset(&filter, 0, sizeof filter);
    memset(&probe, 0, sizeof probe);
    filter.uid = f->uid;
    probe.f = f;
    /* one page of at most 10 by number: no cursor to hold */
    (void)list_spec(&l, &t, &s, &filter, probe_tag, &probe);
    err = cpuser_ampeco_list_first(c, &l, 10);
    if (err != CPUSER_OK || probe.matches > 1u) {
        return CPUSER_ERR_OUTCOME_UNKNOWN;
    }
    if (probe.matches == 1u) {
        /* it exists: read it for the caller (nothing to read without out) */
        return out != NULL ? cpuser_id_tags_read(c, cpuser_view_of(probe.id), out) : CPUSER_OK;
    }
    if (created) {
        return CPUSER_ERR_OUTCOME_UNKNOWN; /* a 2xx said so, yet it cannot be found */
    }
    return cpuser_ampeco_send(c, "POST", TAGS_PATH, NULL, 0, &create_rules, f, &tag_object, out);
}

cpuser_err cpuser_id_tags_create(cpuser_client *c, const cpuser_id_tag_fields *f, cpuser_id_tag *out)
{
    cpuser_err err = cpuser_ampeco_send(c, "POST", TAGS_PATH, NULL, 0, &create_rules, f, &tag_object, out);
    return err == CPUSER_ERR_OUTCOME_UNKNOWN ? resolve_create(c, f, out) : err;
}

cpuser_err cpuser_id_tags_read(cpuser_client *c, cpuser_view id, cpuser_id_tag *out)
{
    return cpuser_ampeco_get(c, TAG_PATH, &id, 1, &tag_object, out);
}

cpuser_err cpuser_id_tags_update(cpuser_client *c, cpuser_view id, const cpuser_id_tag_fields *f,
                                 cpuser_id_tag *out)
{
    return cpuser_ampeco_send(c, "PATCH", TAG_PATH, &id, 1, &update_rules, f, &tag_object, out);
}

cpuser_err cpuser_id_tags_delete(cpuser_client *c, cpuser_view id)
{
    return cpuser_ampeco_delete(c, TAG_PATH, &id, 1);
}

/* ---- listing ------------------------------------------------------------------ */


cpuser_err cpuser_id_tags_list(cpuser_client *c, const cpuser_id_tag_filter *filter,
                               cpuser_page *page, cpuser_id_tag_fn fn, void *arg)
{
    cpuser_ampeco_list l;
    cpuser_id_tag t;
    tag_sink s;
    cpuser_err err = page != NULL ? list_spec(&l, &t, &s, filter, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_one(c, &l, page);
}

cpuser_err cpuser_id_tags_list_all(cpuser_client *c, const cpuser_id_tag_filter *filter,
                                   uint8_t per_page, cpuser_id_tag_fn fn, void *arg,
                                   uint32_t *total)
{
    cpuser_ampeco_list l;
    cpuser_id_tag t;
    tag_sink s;
    cpuser_err err = per_page <= 100u ? list_spec(&l, &t, &s, filter, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_all(c, &l, per_page, total);
}
