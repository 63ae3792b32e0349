/*
 * Fuzz harness 5: requests built from random values.
 *
 * Input: REQ_CTL control bytes, then strings separated by 0xFF (see the
 * S_* list below; missing ones are absent: a NULL view). Each string gets
 * its own heap block so that ASan sees any read past its end.
 *   ctl[0..4]   the `set` bits of cpuser_user_fields (bit 0 of ctl[0] is field 0)
 *   ctl[5..9]   the `null` bits
 *   ctl[10]     sessions_allowed (mod 6)
 *   ctl[11]     bit 0 require_password_reset, bit 1 receive_news,
 *               bits 2-3 status for change-status (0..3), bits 4-5 auto_renewal
 *               (0..3, minus 1), bits 6-7 builder: 0 path and query, 1 target,
 *               2 path then target, 3 target then query (2 and 3 out of order)
 *   ctl[12]     userGroupIds count (mod 20), values from S_GROUP_IDS
 *   ctl[13]     builder buffer: 32 << (ctl[13] & 7); bit 3 https; bits 4-7 port
 *   ctl[14]     port, low byte
 *   ctl[15]     bit 0: keep only the bits create can send; bit 1: keep only
 *               nullable null bits
 *
 * Checked: cpuser_user_fields_check() and every users operation (create,
 * update, read, delete, list, the actions) over the scripted transport, a
 * direct cpuser_client_call() with a random method, segments, If-Match,
 * query and body, and the cpuser_http_request_* builder itself. Whatever is
 * sent must be a clean HTTP/1.1 request (fuzz_check_request: CRLF line
 * ends only, no NUL or control byte in the head, Content-Length exact, a
 * JSON body valid); a refused call sends nothing; create/update bodies hold
 * exactly the fields set, with the values given; path segments and query
 * values decode back to what was given; the builder refuses exactly what
 * it documents, and its "size needed" is exact.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpuser/ampeco_users.h"
#include "cpuser/http_request.h"
#include "cpuser/json_reader.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQ_CTL 16u

enum {
    S_EMAIL, S_EMAIL_VERIFIED, S_PASSWORD, S_FIRST_NAME, S_MIDDLE_NAME, S_LAST_NAME,
    S_PHONE, S_COUNTRY, S_STATE, S_CITY, S_POST_CODE, S_ADDRESS, S_VEHICLE_NO,
    S_PERSONAL_ID, S_LOCALE, S_EXTERNAL_ID, S_BANK_IBAN, S_BANK_NAME, S_BANK_ADDRESS,
    S_BANK_CODE, S_BANK_ACCOUNT_NUMBER, S_BANK_ACCOUNT_TYPE, S_EXTERNAL_APP_DATA,
    S_ID, S_REASON, S_APP_INFO, S_DESCRIPTION, S_PAYMENT_METHOD, S_END_DATE, S_CODE,
    S_AMOUNT, S_PLAN, S_GROUP_IDS,
    S_F_GROUP, S_F_PARTNER, S_F_EXTERNAL, S_F_EMAIL, S_F_AFTER, S_F_KEY, S_F_VALUE,
    S_METHOD, S_SEG1, S_SEG2, S_QUERY_NAME, S_QUERY_VALUE, S_HEADER_NAME,
    S_HEADER_VALUE, S_HOST, S_TOKEN, S_TARGET, S_BODY, S_CONTENT_TYPE,
    S_COUNT
};

static cpuser_view str[S_COUNT];   /* views into their own heap blocks */
static char *cstr[S_COUNT];        /* NUL-terminated copies (cut at a NUL) */
static uint8_t ctl[REQ_CTL];

static fuzz_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];
static cpuser_json doc;

/* ==== what create and update may send ======================================= */

typedef struct {
    const char *key;
    int bit;
    char type; /* 's' string, 'b' bool, 'l' id list, 'r' raw JSON, 'o' options, 'k' bank */
    const cpuser_view *value;
} send_field;

#define SEND_FIELDS 22
#define BANK_FIELDS 6

static void send_fields(const cpuser_user_fields *f, send_field out[SEND_FIELDS],
                        send_field bank[BANK_FIELDS])
{
    int n = 0;
#define SF(k, b, t, v) (out[n].key = (k), out[n].bit = (b), out[n].type = (t), out[n].value = (v), n++)
    SF("email", CPUSER_USER_EMAIL, 's', &f->email);
    SF("emailVerified", CPUSER_USER_EMAIL_VERIFIED, 's', &f->email_verified);
    SF("password", CPUSER_USER_PASSWORD, 's', &f->password);
    SF("requirePasswordReset", CPUSER_USER_REQUIRE_PASSWORD_RESET, 'b', NULL);
    SF("first_name", CPUSER_USER_FIRST_NAME, 's', &f->first_name);
    SF("middle_name", CPUSER_USER_MIDDLE_NAME, 's', &f->middle_name);
    SF("last_name", CPUSER_USER_LAST_NAME, 's', &f->last_name);
    SF("phone", CPUSER_USER_PHONE, 's', &f->phone);
    SF("country", CPUSER_USER_COUNTRY, 's', &f->country);
    SF("state", CPUSER_USER_STATE, 's', &f->state);
    SF("city", CPUSER_USER_CITY, 's', &f->city);
    SF("post_code", CPUSER_USER_POST_CODE, 's', &f->post_code);
    SF("address", CPUSER_USER_ADDRESS, 's', &f->address);
    SF("vehicle_no", CPUSER_USER_VEHICLE_NO, 's', &f->vehicle_no);
    SF("userGroupIds", CPUSER_USER_GROUP_IDS, 'l', NULL);
    SF("externalId", CPUSER_USER_EXTERNAL_ID, 's', &f->external_id);
    SF("options", CPUSER_USER_OPTIONS, 'o', NULL);
    SF("receiveNewsAndPromotions", CPUSER_USER_RECEIVE_NEWS, 'b', NULL);
    SF("bankDetails", CPUSER_USER_BANK_DETAILS, 'k', NULL);
    SF("externalAppData", CPUSER_USER_EXTERNAL_APP_DATA, 'r', &f->external_app_data);
    SF("personal_id", CPUSER_USER_PERSONAL_ID, 's', &f->personal_id); /* create only */
    SF("locale", CPUSER_USER_LOCALE, 's', &f->locale);                /* create only */
    FUZZ_CHECK(n == SEND_FIELDS);
    out = bank;
    n = 0;
    SF("bankIban", CPUSER_USER_BANK_IBAN, 's', &f->bank.iban);
    SF("bankName", CPUSER_USER_BANK_NAME, 's', &f->bank.name);
    SF("bankAddress", CPUSER_USER_BANK_ADDRESS, 's', &f->bank.address);
    SF("bankCode", CPUSER_USER_BANK_CODE, 's', &f->bank.code);
    SF("bankAccountNumber", CPUSER_USER_BANK_ACCOUNT_NUMBER, 's', &f->bank.account_number);
    SF("bankAccountType", CPUSER_USER_BANK_ACCOUNT_TYPE, 's', &f->bank.account_type);
#undef SF
    FUZZ_CHECK(n == BANK_FIELDS);
}

static const char *const sessions_names[] = {
    "single_session", "multiple_simultaneous_sessions_per_idtag",
    "simultaneous_use_of_idtags", "multiple_simultaneous_sessions_remotely_and_idtags"};

static uint64_t create_bits(void)
{
    cpuser_user_fields f;
    send_field top[SEND_FIELDS];
    send_field bank[BANK_FIELDS];
    uint64_t bits = CPUSER_BIT(CPUSER_USER_SESSIONS_ALLOWED);
    int i;
    memset(&f, 0, sizeof f);
    send_fields(&f, top, bank);
    for (i = 0; i < SEND_FIELDS; i++) {
        bits |= CPUSER_BIT(top[i].bit);
    }
    for (i = 0; i < BANK_FIELDS; i++) {
        bits |= CPUSER_BIT(bank[i].bit);
    }
    return bits;
}

static const uint64_t nullable_bits =
    CPUSER_BIT(CPUSER_USER_EMAIL_VERIFIED) | CPUSER_BIT(CPUSER_USER_STATE) |
    CPUSER_BIT(CPUSER_USER_LOCALE) | CPUSER_BIT(CPUSER_USER_EXTERNAL_ID) |
    CPUSER_BIT(CPUSER_USER_EXTERNAL_APP_DATA) | CPUSER_BIT(CPUSER_USER_BANK_IBAN) |
    CPUSER_BIT(CPUSER_USER_BANK_NAME) | CPUSER_BIT(CPUSER_USER_BANK_ADDRESS) |
    CPUSER_BIT(CPUSER_USER_BANK_CODE) | CPUSER_BIT(CPUSER_USER_BANK_ACCOUNT_NUMBER) |
    CPUSER_BIT(CPUSER_USER_BANK_ACCOUNT_TYPE);

static bool sends_value(const cpuser_user_fields *f, int bit)
{
    return CPUSER_HAS(f->set, bit) && !CPUSER_HAS(f->null, bit);
}

/* Can the JSON writer write these fields? (strings valid UTF-8, the raw
 * value valid JSON) */
static bool writable(const cpuser_user_fields *f, bool creating)
{
    send_field top[SEND_FIELDS];
    send_field bank[BANK_FIELDS];
    int count = creating ? SEND_FIELDS : SEND_FIELDS - 2;
    int i;
    send_fields(f, top, bank);
    for (i = 0; i < count; i++) {
        const cpuser_view *v = top[i].value;
        if (!sends_value(f, top[i].bit)) {
            continue;
        }
        if (top[i].type == 's' &&
            !fuzz_utf8_valid((const unsigned char *)v->ptr, v->len)) {
            return false;
        }
        if (top[i].type == 'r' && (v->ptr == NULL || !cpuser_json_valid(v->ptr, v->len))) {
            return false;
        }
    }
    if (sends_value(f, CPUSER_USER_BANK_DETAILS)) {
        for (i = 0; i < BANK_FIELDS; i++) {
            const cpuser_view *v = bank[i].value;
            if (sends_value(f, bank[i].bit) &&
                !fuzz_utf8_valid((const unsigned char *)v->ptr, v->len)) {
                return false;
            }
        }
    }
    return true;
}

/* The string at token i is exactly v (unless v holds a NUL: the writer
 * sends \u0000, which the reader refuses by design). */
static void check_string_value(int i, cpuser_view v)
{
    cpuser_view got;
    FUZZ_CHECK(cpuser_json_type(&doc, i) == JSMN_STRING);
    if (v.len != 0u && memchr(v.ptr, '\0', v.len) != NULL) {
        return;
    }
    FUZZ_CHECK(cpuser_json_get_string(&doc, i, &got) == CPUSER_OK);
    FUZZ_CHECK(fuzz_view_eq_bytes(got, v.ptr, v.len));
}

static void check_object_fields(int obj, const cpuser_user_fields *f, const send_field *fs,
                                int count)
{
    int expected = 0;
    int k;
    FUZZ_CHECK(cpuser_json_type(&doc, obj) == JSMN_OBJECT);
    for (k = 0; k < count; k++) {
        const send_field *s = &fs[k];
        int i = cpuser_json_find(&doc, obj, s->key);
        bool b;
        if (!CPUSER_HAS(f->set, s->bit)) {
            FUZZ_CHECK(i < 0);
            continue;
        }
        expected++;
        FUZZ_CHECK(i > obj);
        if (CPUSER_HAS(f->null, s->bit)) {
            FUZZ_CHECK(cpuser_json_is_null(&doc, i));
            continue;
        }
        switch (s->type) {
        case 's':
            check_string_value(i, *s->value);
            break;
        case 'b':
            FUZZ_CHECK(cpuser_json_get_bool(&doc, i, &b) == CPUSER_OK);
            FUZZ_CHECK(b == (s->bit == CPUSER_USER_RECEIVE_NEWS ? f->receive_news
                                                                : f->require_password_reset));
            break;
        case 'l': {
            uint8_t n;
            FUZZ_CHECK(cpuser_json_type(&doc, i) == JSMN_ARRAY);
            FUZZ_CHECK(doc.tok[i].size == (int)f->user_group_ids.count);
            for (n = 0; n < f->user_group_ids.count; n++) {
                int64_t x;
                FUZZ_CHECK(cpuser_json_get_int64(&doc, cpuser_json_index(&doc, i, n), &x) == CPUSER_OK);
                FUZZ_CHECK(x == f->user_group_ids.v[n]);
            }
            break;
        }
        case 'r':
            if (cpuser_json_type(&doc, i) != JSMN_STRING) {
                /* the value is written as it is: its token is the raw text
                 * without the white space around it */
                cpuser_view raw = *s->value;
                cpuser_view tok;
                while (raw.len > 0u && strchr(" \t\r\n", raw.ptr[0]) != NULL) {
                    raw.ptr++;
                    raw.len--;
                }
                while (raw.len > 0u && strchr(" \t\r\n", raw.ptr[raw.len - 1u]) != NULL) {
                    raw.len--;
                }
                tok.ptr = doc.text + doc.tok[i].start;
                tok.len = (size_t)(doc.tok[i].end - doc.tok[i].start);
                FUZZ_CHECK(fuzz_view_eq_bytes(tok, raw.ptr, raw.len));
            }
            break;
        case 'o': {
            int j = cpuser_json_find(&doc, i, "sessionsAllowed");
            FUZZ_CHECK(cpuser_json_type(&doc, i) == JSMN_OBJECT);
            if (!CPUSER_HAS(f->set, CPUSER_USER_SESSIONS_ALLOWED)) {
                FUZZ_CHECK(j < 0 && doc.tok[i].size == 0);
            } else if (CPUSER_HAS(f->null, CPUSER_USER_SESSIONS_ALLOWED)) {
                FUZZ_CHECK(cpuser_json_is_null(&doc, j));
            } else {
                FUZZ_CHECK(f->sessions_allowed >= 1u && f->sessions_allowed <= 4u);
                check_string_value(j, cpuser_view_of(sessions_names[f->sessions_allowed - 1u]));
            }
            break;
        }
        default:
            break; /* 'k': checked by the caller */
        }
    }
    FUZZ_CHECK(doc.tok[obj].size == expected);
}

/* The JSON body sent by create (creating) or update holds exactly the
 * fields set, with their values. */
static void check_user_body(cpuser_view body, const cpuser_user_fields *f, bool creating)
{
    send_field top[SEND_FIELDS];
    send_field bank[BANK_FIELDS];
    char *text = fuzz_copy(body.ptr, body.len);
    cpuser_err err = cpuser_json_parse(&doc, text, body.len);
    FUZZ_CHECK(err == CPUSER_OK || err == CPUSER_ERR_BUFFER_TOO_SMALL);
    if (err == CPUSER_OK) {
        send_fields(f, top, bank);
        check_object_fields(0, f, top, creating ? SEND_FIELDS : SEND_FIELDS - 2);
        if (sends_value(f, CPUSER_USER_BANK_DETAILS)) {
            check_object_fields(cpuser_json_find(&doc, 0, "bankDetails"), f, bank, BANK_FIELDS);
        }
    }
    free(text);
}

/* ==== helpers =============================================================== */

static void script(const char *response)
{
    fuzz_net_reset(&net, NULL, 0);
    fuzz_net_add(&net, response, strlen(response));
    fuzz_client(&client, &net, &tp, &pf, work, sizeof work);
}

static const char user_201[] =
    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 38\r\n\r\n"
    "{\"data\":{\"id\":\"1\",\"email\":\"a@b.co\"}}  ";
static const char user_200[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 36\r\n\r\n"
    "{\"data\":{\"id\":\"1\",\"email\":\"a@b.co\"}}";
static const char empty_202[] =
    "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
static const char empty_204[] = "HTTP/1.1 204 No Content\r\n\r\n";
static const char list_200[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 43\r\n\r\n"
    "{\"data\":[],\"links\":{\"next\":null},\"meta\":{}}";

/* Exactly one request went out when the call succeeded, none when it did
 * not (every scripted answer here is a success). */
static int sent_requests(cpuser_err err, fuzz_request *req)
{
    int n = fuzz_check_sent(&net, req, 1);
    FUZZ_CHECK(err == CPUSER_OK ? n == 1 : n == 0);
    FUZZ_CHECK(n == 0 || !net.sent_overflow);
    return n;
}

static bool has_crlfnul(cpuser_view v)
{
    size_t i;
    for (i = 0; i < v.len; i++) {
        if (v.ptr[i] == '\r' || v.ptr[i] == '\n' || v.ptr[i] == '\0') {
            return true;
        }
    }
    return false;
}

/* An id the path accepts: non-empty, not "." or "..", no CR, LF or NUL. */
static bool id_ok(cpuser_view id)
{
    return id.len != 0u && !cpuser_view_eq(id, ".") && !cpuser_view_eq(id, "..") &&
           !has_crlfnul(id);
}

/* target is prefix + one percent-encoded segment equal to seg + suffix. */
static void check_segment(cpuser_view target, const char *prefix, cpuser_view seg,
                          const char *suffix)
{
    size_t pl = strlen(prefix);
    size_t sl = strlen(suffix);
    cpuser_view enc;
    char *dec = (char *)malloc(target.len + 1u);
    size_t n = 0;
    size_t i;
    FUZZ_CHECK(dec != NULL);
    FUZZ_CHECK(target.len >= pl + sl && memcmp(target.ptr, prefix, pl) == 0 &&
               memcmp(target.ptr + target.len - sl, suffix, sl) == 0);
    enc.ptr = target.ptr + pl;
    enc.len = target.len - pl - sl;
    for (i = 0; i < enc.len; i++) {
        char c = enc.ptr[i];
        FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.' || c == '_' || c == '~' || c == '%');
    }
    FUZZ_CHECK(fuzz_percent_decode(enc, dec, target.len, &n));
    FUZZ_CHECK(fuzz_view_eq_bytes(seg, dec, n));
    free(dec);
}

static int64_t int_from(cpuser_view v)
{
    uint64_t x = 0;
    size_t i;
    for (i = 0; i < v.len && i < 8u; i++) {
        x = x << 8 | (uint8_t)v.ptr[i];
    }
    return (int64_t)x;
}

/* ==== users operations ====================================================== */

static void fill_fields(cpuser_user_fields *f)
{
    uint64_t set = 0;
    uint64_t null = 0;
    int i;
    memset(f, 0, sizeof *f);
    for (i = 0; i < 5; i++) {
        set |= (uint64_t)ctl[i] << (8 * i);
        null |= (uint64_t)ctl[5 + i] << (8 * i);
    }
    set &= CPUSER_BIT(CPUSER_USER__FIELDS) - 1u;
    null &= CPUSER_BIT(CPUSER_USER__FIELDS) - 1u;
    if ((ctl[15] & 1u) != 0u) {
        set &= create_bits();
    }
    if ((ctl[15] & 2u) != 0u) {
        null &= nullable_bits;
    }
    f->set = set;
    f->null = null;
    f->email = str[S_EMAIL];
    f->email_verified = str[S_EMAIL_VERIFIED];
    f->password = str[S_PASSWORD];
    f->require_password_reset = (ctl[11] & 1u) != 0u;
    f->first_name = str[S_FIRST_NAME];
    f->middle_name = str[S_MIDDLE_NAME];
    f->last_name = str[S_LAST_NAME];
    f->phone = str[S_PHONE];
    f->country = str[S_COUNTRY];
    f->state = str[S_STATE];
    f->city = str[S_CITY];
    f->post_code = str[S_POST_CODE];
    f->address = str[S_ADDRESS];
    f->vehicle_no = str[S_VEHICLE_NO];
    f->personal_id = str[S_PERSONAL_ID];
    f->locale = str[S_LOCALE];
    f->user_group_ids.count = (uint8_t)(ctl[12] % 20u);
    for (i = 0; i < (int)CPUSER_MAX_LIST_INTS && i < f->user_group_ids.count; i++) {
        cpuser_view part = str[S_GROUP_IDS];
        size_t at = (size_t)i * 8u;
        part.ptr = part.len > at ? part.ptr + at : NULL;
        part.len = part.len > at ? part.len - at : 0u;
        f->user_group_ids.v[i] = int_from(part);
    }
    f->external_id = str[S_EXTERNAL_ID];
    f->sessions_allowed = (uint8_t)(ctl[10] % 6u);
    f->receive_news = (ctl[11] & 2u) != 0u;
    f->bank.iban = str[S_BANK_IBAN];
    f->bank.name = str[S_BANK_NAME];
    f->bank.address = str[S_BANK_ADDRESS];
    f->bank.code = str[S_BANK_CODE];
    f->bank.account_number = str[S_BANK_ACCOUNT_NUMBER];
    f->bank.account_type = str[S_BANK_ACCOUNT_TYPE];
    f->external_app_data = str[S_EXTERNAL_APP_DATA];
}

static void check_create_update(void)
{
    cpuser_user_fields f;
    cpuser_user u;
    fuzz_request req;
    cpuser_err check_create;
    cpuser_err check_update;
    cpuser_err err;
    int bad = -2;

    fill_fields(&f);
    check_create = cpuser_user_fields_check(&f, true, &bad);
    FUZZ_CHECK(check_create == CPUSER_OK ? bad == -1
                                         : (check_create == CPUSER_ERR_BAD_ARGUMENT && bad >= 0 &&
                                            bad < CPUSER_USER__FIELDS));
    check_update = cpuser_user_fields_check(&f, false, NULL);
    FUZZ_CHECK(check_update == CPUSER_OK || check_update == CPUSER_ERR_BAD_ARGUMENT);
    FUZZ_CHECK(cpuser_user_fields_check(NULL, true, &bad) == CPUSER_ERR_BAD_ARGUMENT && bad == -1);
    if (check_create == CPUSER_OK) {
        /* what the check guarantees */
        FUZZ_CHECK(sends_value(&f, CPUSER_USER_EMAIL) && sends_value(&f, CPUSER_USER_PASSWORD));
        FUZZ_CHECK((f.set & ~create_bits()) == 0u);
        FUZZ_CHECK((f.set & f.null & ~nullable_bits) == 0u);
    }

    script(user_201);
    err = cpuser_users_create(&client, &f, &u);
    if (sent_requests(err, &req) == 1) {
        FUZZ_CHECK(check_create == CPUSER_OK);
        FUZZ_CHECK(cpuser_view_eq(req.method, "POST"));
        FUZZ_CHECK(cpuser_view_eq(req.target, "/public-api/resources/users/v1.0"));
        check_user_body(req.body, &f, true);
    } else if (check_create != CPUSER_OK) {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT);
    } else if (writable(&f, true)) {
        FUZZ_CHECK(err == CPUSER_ERR_BUFFER_TOO_SMALL);
    } else {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT);
    }

    script(user_200);
    err = cpuser_users_update(&client, str[S_ID], &f, &u);
    if (sent_requests(err, &req) == 1) {
        FUZZ_CHECK(check_update == CPUSER_OK && id_ok(str[S_ID]));
        FUZZ_CHECK(cpuser_view_eq(req.method, "PATCH"));
        check_segment(req.target, "/public-api/resources/users/v1.0/", str[S_ID], "");
        check_user_body(req.body, &f, false);
    } else if (check_update != CPUSER_OK || !id_ok(str[S_ID]) || !writable(&f, false)) {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT);
    } else {
        FUZZ_CHECK(err == CPUSER_ERR_BUFFER_TOO_SMALL);
    }
}

/* A call with a fixed answer: sent iff it succeeded; sent requests are
 * POST (actions) to prefix + id + suffix. */
static void check_action(cpuser_err err, const char *method, const char *prefix,
                         const char *suffix, bool refused)
{
    fuzz_request req;
    if (sent_requests(err, &req) == 0) {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT || err == CPUSER_ERR_BUFFER_TOO_SMALL);
        if (refused) {
            FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT);
        }
        return;
    }
    FUZZ_CHECK(!refused);
    FUZZ_CHECK(cpuser_view_eq(req.method, method));
    check_segment(req.target, prefix, str[S_ID], suffix);
    if (req.body.len != 0u) {
        char *text = fuzz_copy(req.body.ptr, req.body.len);
        cpuser_err perr = cpuser_json_parse(&doc, text, req.body.len);
        FUZZ_CHECK(perr == CPUSER_OK && cpuser_json_type(&doc, 0) == JSMN_OBJECT);
        free(text);
    }
}

static bool date_shape(cpuser_view d)
{
    size_t i;
    if (d.len != 10u) {
        return false;
    }
    for (i = 0; i < 10u; i++) {
        bool dash = i == 4u || i == 7u;
        if (dash ? d.ptr[i] != '-' : (d.ptr[i] < '0' || d.ptr[i] > '9')) {
            return false;
        }
    }
    return true;
}

/* The amount sent in the last action body reads back exactly. */
static void check_amount(int64_t amount)
{
    fuzz_request req;
    char *text;
    int64_t x;
    if (fuzz_check_sent(&net, &req, 1) != 1) {
        return;
    }
    text = fuzz_copy(req.body.ptr, req.body.len);
    FUZZ_CHECK(cpuser_json_parse(&doc, text, req.body.len) == CPUSER_OK);
    FUZZ_CHECK(cpuser_json_get_thousandths(&doc, cpuser_json_find(&doc, 0, "amount"), &x) == CPUSER_OK);
    FUZZ_CHECK(x == amount);
    free(text);
}

static void check_actions(void)
{
    static const char v1[] = "/public-api/actions/users/v1.0/";
    static const char v2[] = "/public-api/actions/users/v2.0/";
    cpuser_view id = str[S_ID];
    bool bad_id = id.len == 0u;
    uint8_t status = (uint8_t)((ctl[11] >> 2) & 3u);
    int renewal = (int)((ctl[11] >> 4) & 3u) - 1;
    int64_t amount = int_from(str[S_AMOUNT]);
    cpuser_err err;

    script(empty_202);
    err = cpuser_users_change_status(&client, id, status, str[S_REASON]);
    check_action(err, "POST", v1, "/change-status",
                 bad_id || status < 1u || status > 2u || str[S_REASON].len == 0u);

    script(empty_202);
    err = cpuser_users_add_balance(&client, id, amount, str[S_REASON], str[S_APP_INFO]);
    check_action(err, "POST", v1, "/add-balance",
                 bad_id || str[S_REASON].len == 0u || str[S_APP_INFO].len > 2000u);
    if (err == CPUSER_OK) {
        check_amount(amount);
    }

    script(empty_202);
    err = cpuser_users_apply_custom_fee(&client, id, amount, str[S_DESCRIPTION],
                                        str[S_PAYMENT_METHOD]);
    check_action(err, "POST", v1, "/apply-custom-fee", bad_id || str[S_DESCRIPTION].len == 0u);
    if (err == CPUSER_OK) {
        check_amount(amount);
    }

    script(empty_202);
    err = cpuser_users_activate_subscription(&client, id, int_from(str[S_PLAN]), str[S_END_DATE],
                                             renewal, str[S_REASON]);
    check_action(err, "POST", v1, "/activate-subscription",
                 bad_id || (str[S_END_DATE].len != 0u && !date_shape(str[S_END_DATE])) ||
                     renewal > 1);

    script(empty_202);
    err = cpuser_users_cancel_subscription(&client, id, str[S_REASON]);
    check_action(err, "POST", v1, "/cancel-subscription", bad_id || str[S_REASON].len == 0u);

    script(empty_202);
    err = cpuser_users_clear_subscription_amount_due(&client, id);
    check_action(err, "POST", v1, "/clear-subscription-amount-due", bad_id);

    script(empty_202);
    err = cpuser_users_redeem_voucher(&client, id, str[S_CODE]);
    check_action(err, "POST", v2, "/redeem-voucher", bad_id || str[S_CODE].len == 0u);
}

static cpuser_err count_user(void *arg, const cpuser_user *u)
{
    (void)u;
    (*(int *)arg)++;
    return CPUSER_OK;
}

static void check_read_delete_list(void)
{
    static const char users[] = "/public-api/resources/users/v1.0/";
    cpuser_user_read_opts opts;
    cpuser_user_filter filter;
    cpuser_user u;
    cpuser_page page;
    fuzz_request req;
    cpuser_err err;
    int count = 0;

    memset(&opts, 0, sizeof opts);
    opts.with_amount_due = (ctl[11] & 1u) != 0u;
    opts.partner_invites = (ctl[11] & 2u) != 0u;
    opts.external_app_data = (ctl[11] & 4u) != 0u;
    script(user_200);
    err = cpuser_users_read(&client, str[S_ID], &opts, &u);
    if (sent_requests(err, &req) == 1) {
        FUZZ_CHECK(cpuser_view_eq(req.method, "GET"));
        FUZZ_CHECK(req.target.len > 33u && memcmp(req.target.ptr, users, 33) == 0);
    } else {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT || err == CPUSER_ERR_BUFFER_TOO_SMALL);
    }

    script(empty_204);
    err = cpuser_users_delete(&client, str[S_ID]);
    check_action(err, "DELETE", users, "", str[S_ID].len == 0u);

    memset(&filter, 0, sizeof filter);
    filter.user_group_id = str[S_F_GROUP];
    filter.partner_id = str[S_F_PARTNER];
    filter.external_id = str[S_F_EXTERNAL];
    filter.email = str[S_F_EMAIL];
    filter.last_updated_after = str[S_F_AFTER];
    filter.last_updated_before = str[S_F_AFTER];
    filter.app_data_key = str[S_F_KEY];
    filter.app_data_value = str[S_F_VALUE];
    filter.partner_invites = (ctl[11] & 8u) != 0u;
    filter.external_app_data = (ctl[11] & 16u) != 0u;
    cpuser_page_init(&page, (uint8_t)(ctl[10] % 102u));
    script(list_200);
    err = cpuser_users_list(&client, &filter, &page, count_user, &count);
    if (sent_requests(err, &req) == 1) {
        FUZZ_CHECK(cpuser_view_eq(req.method, "GET") && count == 0 && page.count == 0u);
        FUZZ_CHECK(page.per_page <= 100u);
    } else {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT || err == CPUSER_ERR_BUFFER_TOO_SMALL);
    }
}

/* ==== a direct client call ================================================== */

typedef struct {
    cpuser_view query_value;
    cpuser_view body;
} direct_arg;

static void direct_query(void *arg, cpuser_http_request *r)
{
    const direct_arg *a = (const direct_arg *)arg;
    cpuser_http_request_query(r, cstr[S_QUERY_NAME], a->query_value.ptr, a->query_value.len);
    cpuser_http_request_query_int(r, "n", int_from(str[S_AMOUNT]));
}

static cpuser_err direct_body(void *arg, char *buf, size_t cap, size_t *len)
{
    const direct_arg *a = (const direct_arg *)arg;
    *len = a->body.len;
    if (buf == NULL) {
        return CPUSER_OK;
    }
    if (cap < a->body.len) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    if (a->body.len != 0u) {
        memcpy(buf, a->body.ptr, a->body.len);
    }
    return CPUSER_OK;
}

static void check_direct_call(void)
{
    cpuser_client_config cfg;
    cpuser_request req;
    cpuser_view segs[2];
    direct_arg arg;
    fuzz_request sent;
    cpuser_err err;
    int n;

    fuzz_net_reset(&net, NULL, 0);
    fuzz_net_add(&net, user_200, sizeof user_200 - 1u);
    fuzz_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = cstr[S_HOST];
    cfg.port = (uint16_t)((ctl[13] >> 4) << 8 | ctl[14]);
    cfg.https = (ctl[13] & 8u) != 0u;
    cfg.token = str[S_TOKEN].ptr;
    cfg.token_len = str[S_TOKEN].len;
    cfg.retry.max_attempts = 1;
    if (cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work) != CPUSER_OK) {
        return;
    }
    segs[0] = str[S_SEG1];
    segs[1] = str[S_SEG2];
    arg.query_value = str[S_QUERY_VALUE];
    arg.body = str[S_BODY];
    memset(&req, 0, sizeof req);
    req.method = cstr[S_METHOD];
    req.path = "/x/{}/y/{}";
    req.segments = segs;
    req.segment_count = 2;
    req.query = cstr[S_QUERY_NAME][0] != '\0' ? direct_query : NULL;
    req.if_match = str[S_HEADER_VALUE];
    req.arg = &arg;
    /* a body only with a type other than JSON: the sent-request check
     * holds JSON bodies to be valid */
    req.content_type = cstr[S_CONTENT_TYPE];
    if (str[S_BODY].len != 0u &&
        !cpuser_view_ieq(cpuser_view_of(cstr[S_CONTENT_TYPE]), "application/json")) {
        req.body = direct_body;
    }
    err = cpuser_client_call(&client, &req, NULL);
    n = fuzz_check_sent(&net, &sent, 1);
    FUZZ_CHECK(err == CPUSER_OK ? n == 1 : n == 0);
    if (n == 1) {
        FUZZ_CHECK(cpuser_view_eq(sent.method, cstr[S_METHOD]));
        FUZZ_CHECK(fuzz_view_eq_bytes(sent.body, req.body != NULL ? str[S_BODY].ptr : NULL,
                                      req.body != NULL ? str[S_BODY].len : 0u));
        FUZZ_CHECK(sent.target.len > 3u && memcmp(sent.target.ptr, "/x/", 3) == 0);
    } else {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT || err == CPUSER_ERR_BUFFER_TOO_SMALL);
    }
}

/* ==== the builder itself ==================================================== */

static bool is_tchar(char c)
{
    return fuzz_tchar((unsigned char)c);
}

static bool token_ok(const char *s)
{
    if (s[0] == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (!is_tchar(*s)) {
            return false;
        }
    }
    return true;
}

static bool value_ok(cpuser_view v)
{
    size_t i;
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if ((c < 0x20u && c != '\t') || c == 0x7fu) {
            return false;
        }
    }
    return true;
}

static bool segment_ok(cpuser_view v)
{
    return id_ok(v);
}

static bool target_ok(cpuser_view v)
{
    size_t i;
    if (v.len == 0u || v.ptr[0] != '/') {
        return false;
    }
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if (c <= 0x20u || c >= 0x7fu || c == '#') {
            return false;
        }
    }
    return true;
}

static bool host_ok(const char *h)
{
    if (h[0] == '\0') {
        return false;
    }
    for (; *h != '\0'; h++) {
        char c = *h;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == ':')) {
            return false;
        }
    }
    return true;
}

static bool bearer_ok(cpuser_view t)
{
    size_t i;
    if (t.len == 0u) {
        return false;
    }
    for (i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if (c <= 0x20u || c >= 0x7fu) {
            return false;
        }
    }
    return true;
}

/* Percent-encode like the builder documents (brackets kept for names). */
static size_t encode(char *out, cpuser_view v, bool brackets)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    size_t i;
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (brackets && (c == '[' || c == ']'))) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15u];
        }
    }
    return o;
}

/* A header name the sent-request check would count twice is replaced. */
static const char *header_name(void)
{
    const char *h = cstr[S_HEADER_NAME];
    cpuser_view v = cpuser_view_of(h);
    if (cpuser_view_ieq(v, "host") || cpuser_view_ieq(v, "content-length") ||
        cpuser_view_ieq(v, "content-type")) {
        return "X-Fuzz";
    }
    return h;
}

typedef struct {
    int mode;        /* 0 path + query, 1 target, 2 path then target,
                        3 target then query: 2 and 3 must be refused */
    uint16_t port;
    bool https;
} build_opts;

static cpuser_err build(char *buf, size_t cap, const build_opts *o, size_t *len)
{
    cpuser_http_request r;
    cpuser_view segs[2];
    segs[0] = str[S_SEG1];
    segs[1] = str[S_SEG2];
    cpuser_http_request_begin(&r, buf, cap, cstr[S_METHOD]);
    if (o->mode == 0 || o->mode == 2) {
        cpuser_http_request_path(&r, "/a/{}/b/{}", segs, 2);
    }
    if (o->mode != 0) {
        cpuser_http_request_target(&r, str[S_TARGET].ptr, str[S_TARGET].len);
    }
    if (o->mode == 0 || o->mode == 3) {
        cpuser_http_request_query(&r, cstr[S_QUERY_NAME], str[S_QUERY_VALUE].ptr,
                                  str[S_QUERY_VALUE].len);
        cpuser_http_request_query_int(&r, "n", int_from(str[S_AMOUNT]));
    }
    cpuser_http_request_header(&r, header_name(), str[S_HEADER_VALUE].ptr, str[S_HEADER_VALUE].len);
    cpuser_http_request_host(&r, cstr[S_HOST], o->port, o->https);
    cpuser_http_request_bearer(&r, str[S_TOKEN].ptr, str[S_TOKEN].len);
    cpuser_http_request_content_length(&r, 0);
    return cpuser_http_request_end(&r, len);
}

static void check_builder(void)
{
    build_opts o;
    size_t cap = (size_t)32u << (ctl[13] & 7u);
    char *buf = (char *)malloc(cap);
    char *exact;
    size_t len = 0;
    size_t len2 = 0;
    bool ok;
    cpuser_err err;
    fuzz_request req;

    FUZZ_CHECK(buf != NULL);
    o.mode = (ctl[11] >> 6) & 3;
    o.port = (uint16_t)((ctl[13] >> 4) << 8 | ctl[14]);
    o.https = (ctl[13] & 8u) != 0u;
    ok = token_ok(cstr[S_METHOD]) && value_ok(str[S_HEADER_VALUE]) && token_ok(header_name()) &&
         host_ok(cstr[S_HOST]) && bearer_ok(str[S_TOKEN]) &&
         o.mode <= 1 &&
         (o.mode == 1 || (segment_ok(str[S_SEG1]) && segment_ok(str[S_SEG2]))) &&
         (o.mode == 0 || target_ok(str[S_TARGET])) &&
         (o.mode == 1 || (cstr[S_QUERY_NAME][0] != '\0' &&
                          !has_crlfnul(cpuser_view_of(cstr[S_QUERY_NAME])) &&
                          !has_crlfnul(str[S_QUERY_VALUE])));
    err = build(buf, cap, &o, &len);
    if (!ok) {
        FUZZ_CHECK(err == CPUSER_ERR_BAD_ARGUMENT);
        free(buf);
        return;
    }
    FUZZ_CHECK(err == CPUSER_OK || err == CPUSER_ERR_BUFFER_TOO_SMALL);
    /* the size needed is exact: built again in exactly that much room,
     * and refused with one byte less */
    exact = (char *)malloc(len);
    FUZZ_CHECK(exact != NULL);
    FUZZ_CHECK(build(exact, len, &o, &len2) == CPUSER_OK && len2 == len);
    FUZZ_CHECK(build(exact, len - 1u, &o, &len2) == CPUSER_ERR_BUFFER_TOO_SMALL && len2 == len);
    if (err == CPUSER_OK) {
        FUZZ_CHECK(len <= cap && memcmp(buf, exact, len) == 0);
    }
    FUZZ_CHECK(fuzz_check_request(exact, len, &req) && req.size == len);
    FUZZ_CHECK(cpuser_view_eq(req.method, cstr[S_METHOD]));
    {
        /* the target, written here from the same values */
        cpuser_view name = cpuser_view_of(cstr[S_QUERY_NAME]);
        char *want = (char *)malloc(64u + 3u * (str[S_SEG1].len + str[S_SEG2].len +
                                                str[S_TARGET].len + name.len +
                                                str[S_QUERY_VALUE].len));
        size_t w = 0;
        char num[32];
        int k;
        FUZZ_CHECK(want != NULL);
        if (o.mode == 0) {
            memcpy(want, "/a/", 3);
            w = 3u;
            w += encode(want + w, str[S_SEG1], false);
            memcpy(want + w, "/b/", 3);
            w += 3u;
            w += encode(want + w, str[S_SEG2], false);
        }
        if (o.mode == 1) {
            memcpy(want + w, str[S_TARGET].ptr, str[S_TARGET].len);
            w += str[S_TARGET].len;
        } else {
            want[w++] = '?';
            w += encode(want + w, name, true);
            want[w++] = '=';
            w += encode(want + w, str[S_QUERY_VALUE], false);
            k = snprintf(num, sizeof num, "&n=%lld", (long long)int_from(str[S_AMOUNT]));
            FUZZ_CHECK(k > 0 && (size_t)k < sizeof num);
            memcpy(want + w, num, (size_t)k);
            w += (size_t)k;
        }
        FUZZ_CHECK(fuzz_view_eq_bytes(req.target, want, w));
        free(want);
    }
    free(exact);
    free(buf);
}

/* ==== input ================================================================= */

static void split_strings(const uint8_t *p, size_t n)
{
    size_t at = 0;
    int k;
    for (k = 0; k < S_COUNT; k++) {
        size_t end = at;
        size_t len;
        if (at > n) {
            str[k].ptr = NULL;
            str[k].len = 0;
            cstr[k] = fuzz_copy("", 1);
            continue;
        }
        while (end < n && p[end] != 0xFFu) {
            end++;
        }
        len = end - at;
        str[k].ptr = fuzz_copy(p + at, len);
        str[k].len = len;
        cstr[k] = (char *)malloc(len + 1u);
        FUZZ_CHECK(cstr[k] != NULL);
        if (len != 0u) {
            memcpy(cstr[k], p + at, len);
        }
        cstr[k][len] = '\0';
        at = end + 1u;
    }
}

static void free_strings(void)
{
    int k;
    for (k = 0; k < S_COUNT; k++) {
        free((void *)(uintptr_t)str[k].ptr);
        free(cstr[k]);
        str[k].ptr = NULL;
        cstr[k] = NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < REQ_CTL) {
        return 0;
    }
    memcpy(ctl, data, REQ_CTL);
    split_strings(data + REQ_CTL, size - REQ_CTL);
    check_create_update();
    check_actions();
    check_read_delete_list();
    check_direct_call();
    check_builder();
    free_strings();
    return 0;
}
