/* AMPECO user payment methods: field tables, rules, the two-step create and
 * the other operations. */
#include "cpuser/ampeco_payment_methods.h"

#include <stddef.h>
#include <string.h>

#include "ampeco_resource.h"

#define PMS_PATH "/public-api/resources/users/v1.0/{}/payment-methods"
#define PM_PATH PMS_PATH "/{}"

static const char *const type_names[] = {"tokenized", "corporate", "balance", "subscription",
                                         "wallet", "bank_transfer", NULL};
static const char *const tokenized_names[] = {"card", "bank_transfer", NULL};
static const char *const bank_names[] = {"sepa", "pse", NULL};
static const char *const wallet_names[] = {"applepay", "googlepay", "twint", "other", NULL};
static const char *const issuer_names[] = {"visa", "mastercard", "maestro", "amex", "paypal",
                                           "unknown", NULL};

#define P cpuser_payment_method
#define PF cpuser_payment_method_fields
#define PS cpuser_payment_method_setup
#define S CPUSER_FIELD_STRING

static const cpuser_field pm_fields[] = {
    CPUSER_F("id", CPUSER_FIELD_ID, CPUSER_PM_ID, P, id),
    CPUSER_F("userId", CPUSER_FIELD_INT64, CPUSER_PM_USER_ID, P, user_id),
    CPUSER_FE("type", CPUSER_PM_TYPE, P, type, type_names),
    CPUSER_FE("tokenizedType", CPUSER_PM_TOKENIZED_TYPE, P, tokenized_type, tokenized_names),
    CPUSER_FE("bankTransferType", CPUSER_PM_BANK_TRANSFER_TYPE, P, bank_transfer_type, bank_names),
    CPUSER_FE("walletType", CPUSER_PM_WALLET_TYPE, P, wallet_type, wallet_names),
    CPUSER_FE("issuer", CPUSER_PM_ISSUER, P, issuer, issuer_names),
    CPUSER_F("name", S, CPUSER_PM_NAME, P, name),
    CPUSER_F("default", CPUSER_FIELD_BOOL, CPUSER_PM_DEFAULT, P, is_default),
    CPUSER_F("expireYear", CPUSER_FIELD_INT64, CPUSER_PM_EXPIRE_YEAR, P, expire_year),
    CPUSER_F("expireMonth", CPUSER_FIELD_INT64, CPUSER_PM_EXPIRE_MONTH, P, expire_month),
    CPUSER_F("lastUpdatedAt", S, CPUSER_PM_LAST_UPDATED_AT, P, last_updated_at),
    CPUSER_F("addedAt", S, CPUSER_PM_ADDED_AT, P, added_at),
    CPUSER_F("removedAt", S, CPUSER_PM_REMOVED_AT, P, removed_at),
};
static const cpuser_field_table pm_table = CPUSER_TABLE(pm_fields, P, present, null);
/* 201 answers {"data": {...}}; the spec's 200 example for step 2 is
 * {"paymentMethod": {...}}: both are read. */
static const cpuser_ampeco_object pm_object = {&pm_table, (uint16_t)sizeof(P), false, "paymentMethod"};

static const cpuser_field setup_fields[] = {
    CPUSER_F("transactionId", CPUSER_FIELD_INT64, CPUSER_PM_SETUP_TRANSACTION_ID, PS, transaction_id),
    CPUSER_F("successUrl", S, CPUSER_PM_SETUP_SUCCESS_URL, PS, success_url),
    CPUSER_F("redirectUrl", S, CPUSER_PM_SETUP_REDIRECT_URL, PS, redirect_url),
    /* a string in the spec's words, a number in its Stripe example: either */
    CPUSER_F("publishableKey", CPUSER_FIELD_ID, CPUSER_PM_SETUP_PUBLISHABLE_KEY, PS, publishable_key),
    CPUSER_F("clientSecret", S, CPUSER_PM_SETUP_CLIENT_SECRET, PS, client_secret),
    CPUSER_F("setupIntentReference", S, CPUSER_PM_SETUP_SETUP_INTENT_REFERENCE, PS,
             setup_intent_reference),
};
static const cpuser_field_table setup_table = CPUSER_TABLE(setup_fields, PS, present, null);

static const cpuser_field create_fields[] = {
    CPUSER_FE("tokenizedType", CPUSER_PM_TOKENIZED_TYPE, PF, tokenized_type, tokenized_names),
    CPUSER_FE("bankTransferType", CPUSER_PM_BANK_TRANSFER_TYPE, PF, bank_transfer_type, bank_names),
};
static const cpuser_field_table create_table = CPUSER_TABLE(create_fields, PF, set, null);
static const cpuser_field update_fields[] = {
    CPUSER_F("default", CPUSER_FIELD_BOOL, CPUSER_PM_DEFAULT, PF, is_default),
};
static const cpuser_field_table update_table = CPUSER_TABLE(update_fields, PF, set, null);

/* bankTransferType: "Required if tokenizedType is bank_transfer", and only
 * sepa; it means nothing with a card. */
static int check_create(const void *arg)
{
    const cpuser_payment_method_fields *f = (const cpuser_payment_method_fields *)arg;
    bool bank = CPUSER_HAS(f->set, CPUSER_PM_TOKENIZED_TYPE) && f->tokenized_type == CPUSER_PM_BANK_TRANSFER;
    if (bank != CPUSER_HAS(f->set, CPUSER_PM_BANK_TRANSFER_TYPE) ||
        (bank && f->bank_transfer_type != CPUSER_PM_SEPA)) {
        return CPUSER_PM_BANK_TRANSFER_TYPE;
    }
    return -1;
}

static const cpuser_ampeco_rules create_rules = {&create_table, 0, 0, NULL, 0, check_create};
static const cpuser_ampeco_rules update_rules = {&update_table, 0, 0, NULL, 0, NULL};

cpuser_err cpuser_payment_method_fields_check(const cpuser_payment_method_fields *f, bool creating,
                                              int *bad_field)
{
    return cpuser_ampeco_check(creating ? &create_rules : &update_rules, f, bad_field);
}

void cpuser_payment_method_write_json(cpuser_json_writer *w, const cpuser_payment_method *pm)
{
    cpuser_ampeco_write_object(w, &pm_table, pm);
}

static const char *const *names_of(int field)
{
    switch (field) {
    case CPUSER_PM_TYPE: return type_names;
    case CPUSER_PM_TOKENIZED_TYPE: return tokenized_names;
    case CPUSER_PM_BANK_TRANSFER_TYPE: return bank_names;
    case CPUSER_PM_WALLET_TYPE: return wallet_names;
    case CPUSER_PM_ISSUER: return issuer_names;
    default: return NULL;
    }
}

const char *cpuser_payment_method_enum_name(int field, uint8_t v)
{
    const char *const *names = names_of(field);
    return names != NULL ? cpuser_ampeco_name(names, v) : NULL;
}

uint8_t cpuser_payment_method_enum_parse(int field, const char *name)
{
    const char *const *names = names_of(field);
    return names != NULL ? cpuser_ampeco_parse_name(names, name) : 0u;
}

/* ---- the two-step create -------------------------------------------------------- */

cpuser_err cpuser_payment_methods_create(cpuser_client *c, cpuser_view user,
                                         const cpuser_payment_method_fields *f,
                                         cpuser_payment_method_setup *out)
{
    cpuser_payment_method_fields none;
    const cpuser_result *last = cpuser_client_last(c);
    char *body;
    char *copy;
    size_t len;
    cpuser_err err;
    if (out == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    if (f == NULL) {
        memset(&none, 0, sizeof none);
        f = &none;
    }
    err = cpuser_ampeco_send(c, "POST", PMS_PATH, &user, 1, &create_rules, f, NULL, NULL);
    memset(out, 0, sizeof *out);
    if (err != CPUSER_OK) {
        return err;
    }
    /* raw stays as it came; the typed members are decoded (unescaped in
     * place) from a copy right after it */
    body = c->buf + c->resp.body_start;
    len = last->body.len;
    if (len > c->cap - c->resp.body_start - len) {
        c->last.need = c->resp.body_start + 2u * len;
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    copy = body + len;
    memcpy(copy, body, len);
    if (cpuser_json_parse(&c->json, copy, len) != CPUSER_OK || cpuser_json_type(&c->json, 0) != JSMN_OBJECT) {
        return CPUSER_ERR_JSON;
    }
    if (cpuser_fields_decode(&c->json, 0, &setup_table, out) != CPUSER_OK) {
        /* the setup took effect and raw is what step 2 needs: a member of
         * an unexpected type leaves the typed members empty, not the call
         * failed */
        memset(out, 0, sizeof *out);
    }
    out->raw.ptr = body;
    out->raw.len = len;
    return CPUSER_OK;
}

/* Step 2's body: step 1's members but the two URLs, as they are. */
typedef struct {
    cpuser_json *doc;
    cpuser_view step1;
} finish_body;

static bool sent_back(const cpuser_json *doc, int k)
{
    cpuser_view key = cpuser_json_key_view(doc, k);
    return !cpuser_view_eq(key, "successUrl") && !cpuser_view_eq(key, "redirectUrl");
}

/* Parse step1 (read only: nothing is unescaped) and count what goes back. */
static int parse_step1(cpuser_json *doc, cpuser_view step1)
{
    int n;
    int kept = 0;
    /* the parser's text is not const, yet only its tokens are read here */
    if (cpuser_json_parse(doc, (char *)(uintptr_t)step1.ptr, step1.len) != CPUSER_OK ||
        cpuser_json_type(doc, 0) != JSMN_OBJECT) {
        return -1;
    }
    for (n = 0; cpuser_json_member(doc, 0, n) >= 0; n++) {
        kept += sent_back(doc, cpuser_json_member(doc, 0, n)) ? 1 : 0;
    }
    return kept;
}

static void put(char *buf, size_t cap, size_t *n, const char *s, size_t len)
{
    if (buf != NULL && *n <= cap && len <= cap - *n) {
        memcpy(buf + *n, s, len);
    }
    *n += len;
}

static cpuser_err write_finish(void *arg, char *buf, size_t cap, size_t *len)
{
    const finish_body *b = (const finish_body *)arg;
    const cpuser_json *doc = b->doc;
    size_t n = 0;
    int m;
    int k;
    bool first = true;
    if (parse_step1(b->doc, b->step1) <= 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    put(buf, cap, &n, "{", 1);
    for (m = 0; (k = cpuser_json_member(doc, 0, m)) >= 0; m++) {
        size_t start;
        size_t end;
        if (!sent_back(doc, k)) {
            continue;
        }
        /* from the key's opening quote to the end of the value (a string
         * value's closing quote is outside its token) */
        start = (size_t)doc->tok[k].start - 1u;
        end = (size_t)doc->tok[k + 1].end + (cpuser_json_type(doc, k + 1) == JSMN_STRING ? 1u : 0u);
        if (!first) {
            put(buf, cap, &n, ",", 1);
        }
        first = false;
        put(buf, cap, &n, b->step1.ptr + start, end - start);
    }
    put(buf, cap, &n, "}", 1);
    *len = n;
    return buf != NULL && n > cap ? CPUSER_ERR_BUFFER_TOO_SMALL : CPUSER_OK;
}

cpuser_err cpuser_payment_methods_finish(cpuser_client *c, cpuser_view user, cpuser_view step1,
                                         cpuser_payment_method *out)
{
    finish_body fb;
    cpuser_request req;
    cpuser_err err;
    uintptr_t at = (uintptr_t)step1.ptr;
    uintptr_t buf;
    if (c == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    buf = (uintptr_t)c->buf;
    /* the request is built in the working buffer: step1 must not lie there */
    if (step1.ptr == NULL || (at + step1.len > buf && at < buf + c->cap) ||
        !cpuser_ampeco_ids_ok(&user, 1) || parse_step1(&c->json, step1) <= 0) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    fb.doc = &c->json;
    fb.step1 = step1;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = PMS_PATH;
    req.segments = &user;
    req.segment_count = 1;
    req.body = write_finish;
    req.arg = &fb;
    err = cpuser_client_call(c, &req, NULL);
    if (cpuser_ampeco_outcome(c, err) != CPUSER_AMPECO_KNOWN) {
        return CPUSER_ERR_OUTCOME_UNKNOWN;
    }
    return cpuser_ampeco_result(c, err, &pm_object, out);
}

/* ---- one payment method ------------------------------------------------------- */

cpuser_err cpuser_payment_methods_read(cpuser_client *c, cpuser_view user, cpuser_view id,
                                       cpuser_payment_method *out)
{
    cpuser_view ids[2];
    ids[0] = user;
    ids[1] = id;
    return cpuser_ampeco_get(c, PM_PATH, ids, 2, &pm_object, out);
}

cpuser_err cpuser_payment_methods_update(cpuser_client *c, cpuser_view user, cpuser_view id,
                                         const cpuser_payment_method_fields *f,
                                         cpuser_payment_method *out)
{
    cpuser_view ids[2];
    ids[0] = user;
    ids[1] = id;
    return cpuser_ampeco_send(c, "PATCH", PM_PATH, ids, 2, &update_rules, f, &pm_object, out);
}

cpuser_err cpuser_payment_methods_delete(cpuser_client *c, cpuser_view user, cpuser_view id)
{
    cpuser_view ids[2];
    ids[0] = user;
    ids[1] = id;
    return cpuser_ampeco_delete(c, PM_PATH, ids, 2);
}

/* ---- listing ------------------------------------------------------------------ */

typedef struct {
    cpuser_payment_method_fn fn;
    void *arg;
} pm_sink;

static cpuser_err deliver(void *arg, const void *item)
{
    const pm_sink *s = (const pm_sink *)arg;
    return s->fn(s->arg, (const cpuser_payment_method *)item);
}

/* The payment methods list endpoint of *user, each method decoded into
 * *pm and handed to fn through s. */
static cpuser_err list_spec(cpuser_ampeco_list *l, cpuser_payment_method *pm, pm_sink *s,
                            const cpuser_view *user, cpuser_payment_method_fn fn, void *arg)
{
    if (fn == NULL || !cpuser_ampeco_ids_ok(user, 1)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    s->fn = fn;
    s->arg = arg;
    memset(l, 0, sizeof *l);
    l->path = PMS_PATH;
    l->segments = user;
    l->segment_count = 1;
    l->pager = cpuser_ampeco_list_numbered;
    l->table = &pm_table;
    l->item = pm;
    l->item_size = sizeof *pm;
    l->deliver = deliver;
    l->deliver_arg = s;
    return CPUSER_OK;
}

cpuser_err cpuser_payment_methods_list(cpuser_client *c, cpuser_view user, cpuser_page *page,
                                       cpuser_payment_method_fn fn, void *arg)
{
    cpuser_ampeco_list l;
    cpuser_payment_method pm;
    pm_sink s;
    cpuser_err err = page != NULL ? list_spec(&l, &pm, &s, &user, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_one(c, &l, page);
}

cpuser_err cpuser_payment_methods_list_all(cpuser_client *c, cpuser_view user, uint8_t per_page,
                                           cpuser_payment_method_fn fn, void *arg, uint32_t *total)
{
    cpuser_ampeco_list l;
    cpuser_payment_method pm;
    pm_sink s;
    cpuser_err err = per_page <= 100u ? list_spec(&l, &pm, &s, &user, fn, arg) : CPUSER_ERR_BAD_ARGUMENT;
    return err != CPUSER_OK ? err : cpuser_ampeco_list_all(c, &l, per_page, total);
}
