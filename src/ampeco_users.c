/* AMPECO users: field tables, validation, operations and actions. */
#include "cpuser/ampeco_users.h"

#include <stddef.h>
#include <string.h>

#include "ampeco_resource.h"
#include "origin.h"

#define USERS_PATH "/public-api/resources/users/v1.0"
#define USER_PATH USERS_PATH "/{}"
#define ACTION_V1 "/public-api/actions/users/v1.0/{}/"
#define ACTION_V2 "/public-api/actions/users/v2.0/{}/"

static const char *const status_names[] = {"enabled", "disabled", NULL};
static const char *const sessions_names[] = {
    "single_session",
    "multiple_simultaneous_sessions_per_idtag",
    "simultaneous_use_of_idtags",
    "multiple_simultaneous_sessions_remotely_and_idtags",
    NULL,
};

/* ---- tables ------------------------------------------------------------- */

#define F CPUSER_F
#define FE CPUSER_FE
#define FO CPUSER_FO
#define TABLE CPUSER_TABLE
#define S CPUSER_FIELD_STRING

/* responses */
static const cpuser_field user_options[] = {
    FE("sessionsAllowed", CPUSER_USER_SESSIONS_ALLOWED, cpuser_user, sessions_allowed, sessions_names),
};
static const cpuser_field_table user_options_table = TABLE(user_options, cpuser_user, present, null);

static const cpuser_field user_bank[] = {
    F("bankIban", S, CPUSER_USER_BANK_IBAN, cpuser_user, bank.iban),
    F("bankName", S, CPUSER_USER_BANK_NAME, cpuser_user, bank.name),
    F("bankAddress", S, CPUSER_USER_BANK_ADDRESS, cpuser_user, bank.address),
    F("bankCode", S, CPUSER_USER_BANK_CODE, cpuser_user, bank.code),
    F("bankAccountNumber", S, CPUSER_USER_BANK_ACCOUNT_NUMBER, cpuser_user, bank.account_number),
    F("bankAccountType", S, CPUSER_USER_BANK_ACCOUNT_TYPE, cpuser_user, bank.account_type),
};
static const cpuser_field_table user_bank_table = TABLE(user_bank, cpuser_user, present, null);

static const cpuser_field user_fields[] = {
    F("id", CPUSER_FIELD_ID, CPUSER_USER_ID, cpuser_user, id),
    F("email", S, CPUSER_USER_EMAIL, cpuser_user, email),
    F("emailVerified", S, CPUSER_USER_EMAIL_VERIFIED, cpuser_user, email_verified),
    F("requirePasswordReset", CPUSER_FIELD_BOOL, CPUSER_USER_REQUIRE_PASSWORD_RESET, cpuser_user, require_password_reset),
    F("firstName", S, CPUSER_USER_FIRST_NAME, cpuser_user, first_name),
    F("middleName", S, CPUSER_USER_MIDDLE_NAME, cpuser_user, middle_name),
    F("lastName", S, CPUSER_USER_LAST_NAME, cpuser_user, last_name),
    F("phone", S, CPUSER_USER_PHONE, cpuser_user, phone),
    F("country", S, CPUSER_USER_COUNTRY, cpuser_user, country),
    F("state", S, CPUSER_USER_STATE, cpuser_user, state),
    F("city", S, CPUSER_USER_CITY, cpuser_user, city),
    F("postCode", S, CPUSER_USER_POST_CODE, cpuser_user, post_code),
    F("address", S, CPUSER_USER_ADDRESS, cpuser_user, address),
    F("vehicleNo", S, CPUSER_USER_VEHICLE_NO, cpuser_user, vehicle_no),
    F("personalId", S, CPUSER_USER_PERSONAL_ID, cpuser_user, personal_id),
    F("locale", S, CPUSER_USER_LOCALE, cpuser_user, locale),
    F("balance", CPUSER_FIELD_THOUSANDTHS, CPUSER_USER_BALANCE, cpuser_user, balance),
    FE("status", CPUSER_USER_STATUS, cpuser_user, status, status_names),
    F("userGroupIds", CPUSER_FIELD_INT_LIST, CPUSER_USER_GROUP_IDS, cpuser_user, user_group_ids),
    F("externalId", S, CPUSER_USER_EXTERNAL_ID, cpuser_user, external_id),
    F("subscriptionId", CPUSER_FIELD_INT64, CPUSER_USER_SUBSCRIPTION_ID, cpuser_user, subscription_id),
    FO("options", CPUSER_USER_OPTIONS, user_options_table),
    F("password", S, CPUSER_USER_PASSWORD, cpuser_user, password),
    F("lastUpdatedAt", S, CPUSER_USER_LAST_UPDATED_AT, cpuser_user, last_updated_at),
    F("createdAt", S, CPUSER_USER_CREATED_AT, cpuser_user, created_at),
    F("createdBy", S, CPUSER_USER_CREATED_BY, cpuser_user, created_by),
    F("receiveNewsAndPromotions", CPUSER_FIELD_BOOL, CPUSER_USER_RECEIVE_NEWS, cpuser_user, receive_news),
    F("partnerInvites", CPUSER_FIELD_RAW, CPUSER_USER_PARTNER_INVITES, cpuser_user, partner_invites),
    FO("bankDetails", CPUSER_USER_BANK_DETAILS, user_bank_table),
    F("externalAppData", CPUSER_FIELD_RAW, CPUSER_USER_EXTERNAL_APP_DATA, cpuser_user, external_app_data),
    F("amountDue", CPUSER_FIELD_THOUSANDTHS, CPUSER_USER_AMOUNT_DUE, cpuser_user, amount_due),
};
static const cpuser_field_table user_table = TABLE(user_fields, cpuser_user, present, null);

/* requests: create (POST) and update (PATCH) */
#define UF cpuser_user_fields
static const cpuser_field send_options[] = {
    FE("sessionsAllowed", CPUSER_USER_SESSIONS_ALLOWED, UF, sessions_allowed, sessions_names),
};
static const cpuser_field_table send_options_table = TABLE(send_options, UF, set, null);

static const cpuser_field send_bank[] = {
    F("bankIban", S, CPUSER_USER_BANK_IBAN, UF, bank.iban),
    F("bankName", S, CPUSER_USER_BANK_NAME, UF, bank.name),
    F("bankAddress", S, CPUSER_USER_BANK_ADDRESS, UF, bank.address),
    F("bankCode", S, CPUSER_USER_BANK_CODE, UF, bank.code),
    F("bankAccountNumber", S, CPUSER_USER_BANK_ACCOUNT_NUMBER, UF, bank.account_number),
    F("bankAccountType", S, CPUSER_USER_BANK_ACCOUNT_TYPE, UF, bank.account_type),
};
static const cpuser_field_table send_bank_table = TABLE(send_bank, UF, set, null);

/* Update is create without personal_id and locale: the create table lists
 * those two last so update can use a prefix of it. */
static const cpuser_field send_fields[] = {
    F("email", S, CPUSER_USER_EMAIL, UF, email),
    F("emailVerified", S, CPUSER_USER_EMAIL_VERIFIED, UF, email_verified),
    F("password", S, CPUSER_USER_PASSWORD, UF, password),
    F("requirePasswordReset", CPUSER_FIELD_BOOL, CPUSER_USER_REQUIRE_PASSWORD_RESET, UF, require_password_reset),
    F("first_name", S, CPUSER_USER_FIRST_NAME, UF, first_name),
    F("middle_name", S, CPUSER_USER_MIDDLE_NAME, UF, middle_name),
    F("last_name", S, CPUSER_USER_LAST_NAME, UF, last_name),
    F("phone", S, CPUSER_USER_PHONE, UF, phone),
    F("country", S, CPUSER_USER_COUNTRY, UF, country),
    F("state", S, CPUSER_USER_STATE, UF, state),
    F("city", S, CPUSER_USER_CITY, UF, city),
    F("post_code", S, CPUSER_USER_POST_CODE, UF, post_code),
    F("address", S, CPUSER_USER_ADDRESS, UF, address),
    F("vehicle_no", S, CPUSER_USER_VEHICLE_NO, UF, vehicle_no),
    F("userGroupIds", CPUSER_FIELD_INT_LIST, CPUSER_USER_GROUP_IDS, UF, user_group_ids),
    F("externalId", S, CPUSER_USER_EXTERNAL_ID, UF, external_id),
    FO("options", CPUSER_USER_OPTIONS, send_options_table),
    F("receiveNewsAndPromotions", CPUSER_FIELD_BOOL, CPUSER_USER_RECEIVE_NEWS, UF, receive_news),
    FO("bankDetails", CPUSER_USER_BANK_DETAILS, send_bank_table),
    F("externalAppData", CPUSER_FIELD_RAW, CPUSER_USER_EXTERNAL_APP_DATA, UF, external_app_data),
    F("personal_id", S, CPUSER_USER_PERSONAL_ID, UF, personal_id),
    F("locale", S, CPUSER_USER_LOCALE, UF, locale),
};
static const cpuser_field_table create_table = TABLE(send_fields, UF, set, null);
static const cpuser_field_table update_table = {
    send_fields, (uint8_t)(sizeof send_fields / sizeof send_fields[0] - 2u),
    (uint16_t)offsetof(UF, set), (uint16_t)offsetof(UF, null)};

static const cpuser_ampeco_object user_object = {&user_table, (uint16_t)sizeof(cpuser_user), false, NULL};

void cpuser_user_write_json(cpuser_json_writer *w, const cpuser_user *u)
{
    cpuser_ampeco_write_object(w, &user_table, u);
}

/* ---- names ---------------------------------------------------------------- */

const char *cpuser_user_status_name(uint8_t status) { return cpuser_ampeco_name(status_names, status); }
const char *cpuser_sessions_allowed_name(uint8_t s) { return cpuser_ampeco_name(sessions_names, s); }
uint8_t cpuser_user_status_parse(const char *name) { return cpuser_ampeco_parse_name(status_names, name); }
uint8_t cpuser_sessions_allowed_parse(const char *name) { return cpuser_ampeco_parse_name(sessions_names, name); }

cpuser_err cpuser_user_fields_set(cpuser_user_fields *f, int field, const char *value)
{
    return cpuser_ampeco_set_string(&create_table, f, field, value);
}

/* ---- validation ------------------------------------------------------------ */

/* local@domain.tld: one '@', no spaces or controls, a dot inside the domain
 * with no empty label. The server has the last word; this catches typos
 * before a round trip on a slow link. */
static bool email_shape(cpuser_view e)
{
    size_t at = e.len;
    size_t i;
    size_t dots = 0;
    if (e.len < 5u || e.len > 254u) {
        return false;
    }
    for (i = 0; i < e.len; i++) {
        unsigned char ch = (unsigned char)e.ptr[i];
        if (ch <= 0x20u || ch == 0x7fu) {
            return false;
        }
        if (ch == '@') {
            if (at != e.len) {
                return false;
            }
            at = i;
        }
    }
    if (at == 0u || at + 1u >= e.len) {
        return false;
    }
    for (i = at + 1u; i < e.len; i++) {
        if (e.ptr[i] == '.') {
            if (i == at + 1u || i + 1u == e.len || e.ptr[i - 1u] == '.') {
                return false;
            }
            dots++;
        }
    }
    return dots > 0u;
}

/* The users' own checks, after the common ones (cpuser_ampeco_check). */
static int check_user(const void *arg)
{
    const cpuser_user_fields *f = (const cpuser_user_fields *)arg;
    uint64_t on = f->set & ~f->null;
    if ((on & CPUSER_BIT(CPUSER_USER_EMAIL)) != 0u && !email_shape(f->email)) {
        return CPUSER_USER_EMAIL;
    }
    if ((on & CPUSER_BIT(CPUSER_USER_PASSWORD)) != 0u && cpuser_ampeco_chars(f->password) < 6u) {
        return CPUSER_USER_PASSWORD;
    }
    if ((on & CPUSER_BIT(CPUSER_USER_COUNTRY)) != 0u && !cpuser_ampeco_country_ok(f->country)) {
        return CPUSER_USER_COUNTRY;
    }
    if ((on & CPUSER_BIT(CPUSER_USER_STATE)) != 0u &&
        !((on & CPUSER_BIT(CPUSER_USER_COUNTRY)) != 0u &&
          (cpuser_view_eq(f->country, "US") || cpuser_view_eq(f->country, "AU")))) {
        return CPUSER_USER_STATE;
    }
    return -1;
}

/* The request fields the spec marks nullable: only these may be sent as null. */
#define NULLABLE                                                                        \
    (CPUSER_BIT(CPUSER_USER_EMAIL_VERIFIED) | CPUSER_BIT(CPUSER_USER_STATE) |             \
     CPUSER_BIT(CPUSER_USER_LOCALE) | CPUSER_BIT(CPUSER_USER_EXTERNAL_ID) |               \
     CPUSER_BIT(CPUSER_USER_EXTERNAL_APP_DATA) | CPUSER_BIT(CPUSER_USER_BANK_IBAN) |      \
     CPUSER_BIT(CPUSER_USER_BANK_NAME) | CPUSER_BIT(CPUSER_USER_BANK_ADDRESS) |           \
     CPUSER_BIT(CPUSER_USER_BANK_CODE) | CPUSER_BIT(CPUSER_USER_BANK_ACCOUNT_NUMBER) |    \
     CPUSER_BIT(CPUSER_USER_BANK_ACCOUNT_TYPE))

static const cpuser_ampeco_rules create_rules = {
    &create_table, CPUSER_BIT(CPUSER_USER_EMAIL) | CPUSER_BIT(CPUSER_USER_PASSWORD), NULLABLE,
    NULL, 0, check_user};
static const cpuser_ampeco_rules update_rules = {&update_table, 0, NULLABLE, NULL, 0, check_user};

cpuser_err cpuser_user_fields_check(const cpuser_user_fields *f, bool creating, int *bad_field)
{
    return cpuser_ampeco_check(creating ? &create_rules : &update_rules, f, bad_field);
}

/* ---- operations -------------------------------------------------------- */

static bool id_ok(cpuser_view id)
{
    return cpuser_ampeco_ids_ok(&id, 1);
}

/* Decode the data object of the last response into out (when given). */
static cpuser_err user_result(cpuser_client *c, cpuser_err err, cpuser_user *out)
{
    return cpuser_ampeco_result(c, err, &user_object, out);
}

static void fill_create(cpuser_json_writer *w, const void *arg)
{
    cpuser_ampeco_write_object(w, &create_table, arg);
}

typedef struct {
    cpuser_view email;   /* the email we created */
    char id[40];         /* the match's id, copied out of the buffer */
    uint32_t matches;
} create_probe;

static cpuser_err probe_user(void *arg, const cpuser_user *u)
{
    create_probe *p = (create_probe *)arg;
    if (cpuser_views_ieq(u->email, p->email) && u->id.len != 0u && u->id.len < sizeof p->id) {
        memcpy(p->id, u->id.ptr, u->id.len);
        p->id[u->id.len] = '\0';
        p->matches++;
    }
    return CPUSER_OK;
}

typedef struct {
    cpuser_user_fn fn;
    void *arg;
} user_sink;

static cpuser_err deliver(void *arg, const void *item)
{
    const user_sink *s = (const user_sink *)arg;
    return s->fn(s->arg, (const cpuser_user *)item);
}

static void list_query(const void *arg, cpuser_http_request *r)
{
    const cpuser_user_filter *f = (const cpuser_user_filter *)arg;
    if (f == NULL) {
        return;
    }
    cpuser_ampeco_filter(r, "filter[userGroupId]", f->user_group_id);
    cpuser_ampeco_filter(r, "filter[partnerId]", f->partner_id);
    cpuser_ampeco_filter(r, "filter[externalId]", f->external_id);
    cpuser_ampeco_filter(r, "filter[email]", f->email);
    cpuser_ampeco_filter(r, "filter[lastUpdatedAfter]", f->last_updated_after);
    cpuser_ampeco_filter(r, "filter[lastUpdatedBefore]", f->last_updated_before);
    if (f->app_data_key.len != 0u) {
        /* filter[externalAppData.<key>]: the key goes into the name, so it
         * must be a plain name: letters, digits, '_', '-', '.' */
        char name[80];
        size_t i;
        static const char pre[] = "filter[externalAppData.";
        if (f->app_data_key.len > sizeof name - sizeof pre - 1u) {
            cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
            return;
        }
        memcpy(name, pre, sizeof pre - 1u);
        for (i = 0; i < f->app_data_key.len; i++) {
            char ch = f->app_data_key.ptr[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '-' || ch == '.')) {
                cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
                return;
            }
            name[sizeof pre - 1u + i] = ch;
        }
        name[sizeof pre - 1u + i] = ']';
        name[sizeof pre + i] = '\0';
        cpuser_http_request_query(r, name, f->app_data_value.ptr, f->app_data_value.len);
    }
    if (f->partner_invites) {
        cpuser_http_request_query_str(r, "include[]", "partnerInvites");
    }
    if (f->external_app_data) {
        cpuser_http_request_query_str(r, "include[]", "externalAppData");
    }
}

/* The users list endpoint with filter, each user decoded into *u and
 * handed to fn through s. */
static cpuser_err list_spec(cpuser_ampeco_list *l, cpuser_user *u, user_sink *s,
                            const cpuser_user_filter *filter, cpuser_user_fn fn, void *arg)
{
    if (fn == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    s->fn = fn;
    s->arg = arg;
    memset(l, 0, sizeof *l);
    l->path = USERS_PATH;
    l->query = list_query;
    l->query_arg = filter;
    l->table = &user_table;
    l->item = u;
    l->item_size = sizeof *u;
    l->deliver = deliver;
    l->deliver_arg = s;
    return CPUSER_OK;
}


/* An unsure create with an externalId: ask the server whether the user
 * exists (filter[externalId], and the same email), and send the create
 * again only when it does not and the first one surely did not take effect.
 * The caller gets the user exactly once. */
static cpuser_err resolve_create(cpuser_client *c, const cpuser_user_fields *f, cpuser_json_body *body,
                                 bool created, cpuser_user *out)
{
    cpuser_user_filter filter;
    create_probe probe;
    cpuser_ampeco_list l;
    cpuser_user u;
    user_sink s;
    cpuser_err err;
    memset(&filter, 0, sizeof filter);
    memset(&probe, 0, sizeof probe);
    filter.external_id = f->external_id;
    probe.email = f->email;
    /* one page of at most 10 by number: no cursor to hold */
    (void)list_spec(&l, &u, &s, &filter, probe_user, &probe);
    err = cpuser_ampeco_list_first(c, &l, 10);
    if (err != CPUSER_OK || probe.matches > 1u) {
        return CPUSER_ERR_OUTCOME_UNKNOWN;
    }
    if (probe.matches == 1u) {
        /* it exists: read it for the caller (nothing to read without out) */
        return out != NULL ? cpuser_users_read(c, cpuser_view_of(probe.id), NULL, out) : CPUSER_OK;
    }
    if (created) {
        return CPUSER_ERR_OUTCOME_UNKNOWN; /* a 2xx said so, yet it cannot be found */
    }
    /* not there: the first request never took effect */
    err = cpuser_ampeco_call(c, "POST", USERS_PATH, NULL, 0, body, NULL, NULL);
    return cpuser_ampeco_outcome(c, err) != CPUSER_AMPECO_KNOWN ? CPUSER_ERR_OUTCOME_UNKNOWN
                                                                : user_result(c, err, out);
}

cpuser_err cpuser_users_create(cpuser_client *c, const cpuser_user_fields *f, cpuser_user *out)
{
    cpuser_json_body body;
    cpuser_err err = cpuser_user_fields_check(f, true, NULL);
    if (err != CPUSER_OK) {
        return err;
    }
    body.fill = fill_create;
    body.arg = f;
    err = cpuser_ampeco_call(c, "POST", USERS_PATH, NULL, 0, &body, NULL, NULL);
    switch (cpuser_ampeco_outcome(c, err)) {
    case CPUSER_AMPECO_NO_ANSWER:
    case CPUSER_AMPECO_CUT_ANSWER:
        return CPUSER_HAS(f->set & ~f->null, CPUSER_USER_EXTERNAL_ID)
                   ? resolve_create(c, f, &body,
                                    cpuser_ampeco_outcome(c, err) == CPUSER_AMPECO_CUT_ANSWER, out)
                   : CPUSER_ERR_OUTCOME_UNKNOWN;
    default:
        return user_result(c, err, out);
    }
}

static void read_query(void *arg, cpuser_http_request *r)
{
    const cpuser_user_read_opts *o = (const cpuser_user_read_opts *)arg;
    if (o == NULL) {
        return;
    }
    if (o->with_amount_due) {
        cpuser_http_request_query_str(r, "withAmountDue", "true");
    }
    if (o->partner_invites) {
        cpuser_http_request_query_str(r, "include[]", "partnerInvites");
    }
    if (o->external_app_data) {
        cpuser_http_request_query_str(r, "include[]", "externalAppData");
    }
}

cpuser_err cpuser_users_read(cpuser_client *c, cpuser_view id, const cpuser_user_read_opts *opts,
                             cpuser_user *out)
{
    if (!id_ok(id) || out == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    return user_result(
        c, cpuser_ampeco_call(c, "GET", USER_PATH, &id, 1, NULL, read_query, (void *)(uintptr_t)opts),
        out);
}

cpuser_err cpuser_users_update(cpuser_client *c, cpuser_view id, const cpuser_user_fields *f,
                               cpuser_user *out)
{
    return cpuser_ampeco_send(c, "PATCH", USER_PATH, &id, 1, &update_rules, f, &user_object, out);
}

cpuser_err cpuser_users_delete(cpuser_client *c, cpuser_view id)
{
    return cpuser_ampeco_delete(c, USER_PATH, &id, 1);
}

/* ---- listing ----------------------------------------------------------------- */


cpuser_err cpuser_users_list(cpuser_client *c, const cpuser_user_filter *filter, cpuser_page *page,
                             cpuser_user_fn fn, void *arg)
{
    cpuser_ampeco_list l;
    cpuser_user u;
    user_sink s;
    cpuser_err err = page != NULL ? list_spec(&l, &u, &s, filter, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_one(c, &l, page);
}

cpuser_err cpuser_users_list_all(cpuser_client *c, const cpuser_user_filter *filter,
                                 uint8_t per_page, cpuser_user_fn fn, void *arg, uint32_t *total)
{
    cpuser_ampeco_list l;
    cpuser_user u;
    user_sink s;
    cpuser_err err = per_page <= 100u ? list_spec(&l, &u, &s, filter, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_all(c, &l, per_page, total);
}

/* ---- actions ----------------------------------------------------------- */

/* The body of an action: up to four members, written in order. */
typedef struct {
    const char *key[4];
    uint8_t kind[4];       /* 's' string view, 'i' int, 't' thousandths, 'b' bool */
    cpuser_view str[4];
    int64_t num[4];
    uint8_t n;
} action_body;

static void put_str(action_body *b, const char *key, cpuser_view v)
{
    if (v.len == 0u) {
        return; /* optional and empty: not sent */
    }
    b->key[b->n] = key;
    b->kind[b->n] = 's';
    b->str[b->n] = v;
    b->n++;
}

static void put_num(action_body *b, const char *key, uint8_t kind, int64_t v)
{
    b->key[b->n] = key;
    b->kind[b->n] = kind;
    b->num[b->n] = v;
    b->n++;
}

static void fill_action(cpuser_json_writer *w, const void *arg)
{
    const action_body *b = (const action_body *)arg;
    uint8_t i;
    cpuser_json_object_begin(w);
    for (i = 0; i < b->n; i++) {
        cpuser_json_key(w, b->key[i]);
        switch (b->kind[i]) {
        case 's': cpuser_json_string(w, b->str[i].ptr, b->str[i].len); break;
        case 't': cpuser_json_thousandths(w, b->num[i]); break;
        case 'b': cpuser_json_bool(w, b->num[i] != 0); break;
        default: cpuser_json_int(w, b->num[i]); break;
        }
    }
    cpuser_json_object_end(w);
}

static cpuser_err action(cpuser_client *c, const char *path, cpuser_view id, action_body *b)
{
    cpuser_json_body body;
    if (!id_ok(id)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    body.fill = fill_action;
    body.arg = b;
    return cpuser_ampeco_call(c, "POST", path, &id, 1, &body, NULL, NULL);
}

cpuser_err cpuser_users_change_status(cpuser_client *c, cpuser_view id, uint8_t status,
                                      cpuser_view reason)
{
    action_body b;
    const char *name = cpuser_ampeco_name(status_names, status);
    memset(&b, 0, sizeof b);
    if (name == NULL || reason.len == 0u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    put_str(&b, "status", cpuser_view_of(name));
    put_str(&b, "reason", reason);
    return action(c, ACTION_V1 "change-status", id, &b);
}

cpuser_err cpuser_users_add_balance(cpuser_client *c, cpuser_view id, int64_t amount,
                                    cpuser_view reason, cpuser_view app_info)
{
    action_body b;
    memset(&b, 0, sizeof b);
    if (reason.len == 0u || app_info.len > 2000u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    put_num(&b, "amount", 't', amount);
    put_str(&b, "reason", reason);
    put_str(&b, "app_info", app_info);
    return action(c, ACTION_V1 "add-balance", id, &b);
}

cpuser_err cpuser_users_apply_custom_fee(cpuser_client *c, cpuser_view id, int64_t amount,
                                         cpuser_view description, cpuser_view payment_method_id)
{
    action_body b;
    memset(&b, 0, sizeof b);
    if (description.len == 0u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    put_num(&b, "amount", 't', amount);
    put_str(&b, "description", description);
    put_str(&b, "paymentMethodId", payment_method_id);
    return action(c, ACTION_V1 "apply-custom-fee", id, &b);
}

static bool date_shape(cpuser_view d)
{
    size_t i;
    if (d.len != 10u || d.ptr[4] != '-' || d.ptr[7] != '-') {
        return false;
    }
    for (i = 0; i < 10u; i++) {
        if (i != 4u && i != 7u && (d.ptr[i] < '0' || d.ptr[i] > '9')) {
            return false;
        }
    }
    return true;
}

cpuser_err cpuser_users_activate_subscription(cpuser_client *c, cpuser_view id, int64_t plan_id,
                                              cpuser_view end_date, int auto_renewal,
                                              cpuser_view reason)
{
    action_body b;
    memset(&b, 0, sizeof b);
    if ((end_date.len != 0u && !date_shape(end_date)) || auto_renewal < -1 || auto_renewal > 1) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    put_num(&b, "planId", 'i', plan_id);
    put_str(&b, "endDate", end_date);
    if (auto_renewal >= 0) {
        put_num(&b, "autoRenewal", 'b', auto_renewal);
    }
    put_str(&b, "reason", reason);
    return action(c, ACTION_V1 "activate-subscription", id, &b);
}

cpuser_err cpuser_users_cancel_subscription(cpuser_client *c, cpuser_view id, cpuser_view reason)
{
    action_body b;
    memset(&b, 0, sizeof b);
    if (reason.len == 0u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    put_str(&b, "reason", reason);
    return action(c, ACTION_V1 "cancel-subscription", id, &b);
}

cpuser_err cpuser_users_clear_subscription_amount_due(cpuser_client *c, cpuser_view id)
{
    action_body b;
    memset(&b, 0, sizeof b);
    return action(c, ACTION_V1 "clear-subscription-amount-due", id, &b);
}

cpuser_err cpuser_users_redeem_voucher(cpuser_client *c, cpuser_view id, cpuser_view code)
{
    action_body b;
    memset(&b, 0, sizeof b);
    if (code.len == 0u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    put_str(&b, "code", code);
    return action(c, ACTION_V2 "redeem-voucher", id, &b);
}

/* ---- export ------------------------------------------------------------------ */

cpuser_err cpuser_users_export(cpuser_client *c, cpuser_view id, const cpuser_sink *sink,
                               cpuser_view *url_out)
{
    cpuser_err err;
    int i;
    cpuser_view url;
    cpuser_view target;
    cpuser_request req;
    if (!id_ok(id) || sink == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    err = cpuser_ampeco_call(c, "GET", ACTION_V2 "export-all-private-data", &id, 1, NULL, NULL, NULL);
    if (err != CPUSER_OK) {
        return err;
    }
    if (cpuser_json_parse(&c->json, c->buf + c->resp.body_start, c->last.body.len) != CPUSER_OK) {
        return CPUSER_ERR_JSON;
    }
    i = cpuser_json_find(&c->json, 0, "downloadUrl");
    if (i < 0 || cpuser_json_get_string(&c->json, i, &url) != CPUSER_OK || url.len == 0u) {
        return CPUSER_ERR_JSON;
    }
    if (url_out != NULL) {
        *url_out = url;
    }
    if (!cpuser_same_origin(c, url, &target)) {
        return CPUSER_ERR_HTTP_UNEXPECTED;
    }
    /* The request is built where the URL now lies: copy the target out. */
    {
        char path[CPUSER_CURSOR_MAX];
        if (target.len >= sizeof path) {
            return CPUSER_ERR_BUFFER_TOO_SMALL;
        }
        memcpy(path, target.ptr, target.len);
        path[target.len] = '\0';
        memset(&req, 0, sizeof req);
        req.method = "GET";
        req.path = path;
        req.path_is_target = true;
        return cpuser_client_call(c, &req, sink);
    }
}
