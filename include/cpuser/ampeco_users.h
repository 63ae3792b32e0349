/*
 * AMPECO.CHARGE users: create, read, update, delete, list, and the user
 * actions, on a cpuser_client (see client.h).
 *
 * Contract: the AMPECO Public API v3.110.0 (users v1.0, actions v1.0/v2.0).
 * Requests use the spec's snake_case names where it has them (first_name,
 * post_code...), responses its camelCase names.
 *
 * Memory: results are views into the client's working buffer, valid until
 * the next call on the client. Nothing allocates.
 *
 * Errors (besides the client's transport, protocol and buffer errors):
 *  - CPUSER_ERR_BAD_ARGUMENT: refused before sending: an email without the
 *    shape local@domain.tld, a password under 6 characters, a country not in
 *    the spec's ISO 3166-1 list, a state without country US or AU in the same
 *    request, a field the operation does not take, null for a field the spec
 *    does not make nullable (only emailVerified, state, locale, externalId,
 *    externalAppData and the bankDetails parts may be null), an empty id, per_page
 *    outside 1..100, a status or enum value out of range;
 *  - CPUSER_ERR_HTTP_*: the server's answer; cpuser_client_last() has the
 *    status, the API message and the 422 field errors, and the rate-limit
 *    headers;
 *  - CPUSER_ERR_JSON: a 2xx body that is not the documented shape.
 */
#ifndef CPUSER_AMPECO_USERS_H
#define CPUSER_AMPECO_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/ampeco.h"
#include "cpuser/client.h"
#include "cpuser/json_fields.h"
#include "cpuser/view.h"

/* Field numbers: the bit of each field in `present` / `null` (and `set` in
 * cpuser_user_fields). Test with CPUSER_HAS(u.present, CPUSER_USER_EMAIL). */
enum {
    CPUSER_USER_ID = 0,
    CPUSER_USER_EMAIL,
    CPUSER_USER_EMAIL_VERIFIED,
    CPUSER_USER_REQUIRE_PASSWORD_RESET,
    CPUSER_USER_FIRST_NAME,
    CPUSER_USER_MIDDLE_NAME,
    CPUSER_USER_LAST_NAME,
    CPUSER_USER_PHONE,
    CPUSER_USER_COUNTRY,
    CPUSER_USER_STATE,
    CPUSER_USER_CITY,
    CPUSER_USER_POST_CODE,
    CPUSER_USER_ADDRESS,
    CPUSER_USER_VEHICLE_NO,
    CPUSER_USER_PERSONAL_ID,
    CPUSER_USER_LOCALE,
    CPUSER_USER_BALANCE,
    CPUSER_USER_STATUS,
    CPUSER_USER_GROUP_IDS,
    CPUSER_USER_EXTERNAL_ID,
    CPUSER_USER_SUBSCRIPTION_ID,
    CPUSER_USER_OPTIONS,
    CPUSER_USER_SESSIONS_ALLOWED,
    CPUSER_USER_PASSWORD,
    CPUSER_USER_LAST_UPDATED_AT,
    CPUSER_USER_CREATED_AT,
    CPUSER_USER_CREATED_BY,
    CPUSER_USER_RECEIVE_NEWS,
    CPUSER_USER_PARTNER_INVITES,
    CPUSER_USER_BANK_DETAILS,
    CPUSER_USER_BANK_IBAN,
    CPUSER_USER_BANK_NAME,
    CPUSER_USER_BANK_ADDRESS,
    CPUSER_USER_BANK_CODE,
    CPUSER_USER_BANK_ACCOUNT_NUMBER,
    CPUSER_USER_BANK_ACCOUNT_TYPE,
    CPUSER_USER_EXTERNAL_APP_DATA,
    CPUSER_USER_AMOUNT_DUE,
    CPUSER_USER__FIELDS
};

/* status */
enum { CPUSER_USER_STATUS_UNKNOWN = 0, CPUSER_USER_ENABLED = 1, CPUSER_USER_DISABLED = 2 };

/* options.sessionsAllowed */
enum {
    CPUSER_SESSIONS_UNKNOWN = 0,
    CPUSER_SESSIONS_SINGLE = 1,                       /* single_session */
    CPUSER_SESSIONS_MULTIPLE_PER_IDTAG = 2,           /* multiple_simultaneous_sessions_per_idtag */
    CPUSER_SESSIONS_SIMULTANEOUS_IDTAGS = 3,          /* simultaneous_use_of_idtags */
    CPUSER_SESSIONS_MULTIPLE_REMOTELY_AND_IDTAGS = 4  /* multiple_simultaneous_sessions_remotely_and_idtags */
};

typedef struct {
    cpuser_view iban, name, address, code, account_number, account_type;
} cpuser_bank_details;

/* A user as the API returns it. `present`: the field was in the response;
 * `null`: it was JSON null. Strings are views (unescaped). */
typedef struct {
    uint64_t present;
    uint64_t null;
    cpuser_view id;              /* a string or a number in the JSON */
    cpuser_view email;
    cpuser_view email_verified;  /* a date, or null */
    bool require_password_reset;
    cpuser_view first_name, middle_name, last_name;
    cpuser_view phone, country, state, city, post_code, address;
    cpuser_view vehicle_no, personal_id, locale;
    int64_t balance;             /* thousandths: 12.345 is 12345 */
    uint8_t status;              /* CPUSER_USER_ENABLED / _DISABLED / _UNKNOWN */
    cpuser_int_list user_group_ids; /* .truncated when more than fit */
    cpuser_view external_id;
    int64_t subscription_id;
    uint8_t sessions_allowed;    /* CPUSER_SESSIONS_* */
    cpuser_view password;        /* only when the operator exposes it */
    cpuser_view last_updated_at, created_at, created_by;
    bool receive_news;           /* receiveNewsAndPromotions */
    cpuser_view partner_invites; /* raw JSON array (include partnerInvites) */
    cpuser_bank_details bank;
    cpuser_view external_app_data; /* raw JSON object (include externalAppData) */
    int64_t amount_due;          /* thousandths (read with with_amount_due) */
} cpuser_user;

/* What to send on create (POST) and update (PATCH): only the fields whose
 * bit is in `set` are sent; with their bit also in `null`, as JSON null
 * (for the fields the spec makes nullable). Create needs email and
 * password; update takes neither personal_id nor locale (the spec's PATCH
 * has no such fields). All strings are caller-owned views. */
typedef struct {
    uint64_t set;
    uint64_t null;
    cpuser_view email;
    cpuser_view email_verified;
    cpuser_view password;        /* at least 6 characters */
    bool require_password_reset;
    cpuser_view first_name, middle_name, last_name;
    cpuser_view phone, country, state, city, post_code, address;
    cpuser_view vehicle_no, personal_id, locale;
    cpuser_int_list user_group_ids;
    cpuser_view external_id;
    uint8_t sessions_allowed;    /* CPUSER_SESSIONS_* (set CPUSER_USER_OPTIONS
                                    and CPUSER_USER_SESSIONS_ALLOWED) */
    bool receive_news;
    cpuser_bank_details bank;    /* set CPUSER_USER_BANK_DETAILS and each part */
    cpuser_view external_app_data; /* a JSON object as text */
} cpuser_user_fields;

/* Set a string field (by its CPUSER_USER_* number) from a NUL-terminated
 * string and mark it set. Returns CPUSER_ERR_BAD_ARGUMENT for a field that
 * is not a string field of cpuser_user_fields. The string is not copied. */
cpuser_err cpuser_user_fields_set(cpuser_user_fields *f, int field, const char *value);

/* Read options. */
typedef struct {
    bool with_amount_due;       /* ?withAmountDue=true: fills amount_due */
    bool partner_invites;       /* include[]=partnerInvites */
    bool external_app_data;     /* include[]=externalAppData */
} cpuser_user_read_opts;

/* List filters (empty views are not sent) and includes. */
typedef struct {
    cpuser_view user_group_id;     /* filter[userGroupId] */
    cpuser_view partner_id;        /* filter[partnerId] */
    cpuser_view external_id;       /* filter[externalId] */
    cpuser_view email;             /* filter[email] */
    cpuser_view last_updated_after;  /* filter[lastUpdatedAfter], ISO 8601 */
    cpuser_view last_updated_before; /* filter[lastUpdatedBefore] */
    cpuser_view app_data_key;      /* filter[externalAppData.<key>]=<value> */
    cpuser_view app_data_value;
    bool partner_invites;          /* include[]=partnerInvites */
    bool external_app_data;        /* include[]=externalAppData */
} cpuser_user_filter;

/* Called for each user of a list, in order. Return CPUSER_OK to go on;
 * anything else stops the listing and is returned by it (CPUSER_ERR_STOPPED
 * to stop without an error of your own, e.g. after N users). */
typedef cpuser_err (*cpuser_user_fn)(void *arg, const cpuser_user *user);

/* POST /public-api/resources/users/v1.0 -> 201. out: the created user.
 * Exactly once: a POST is never resent by the retry policy once it may have
 * reached the server. When it went out and no answer came back (timeout,
 * reset, close), or a 2xx came but the connection broke before the body was
 * whole, the caller does not have the user: with an externalId set, the call
 * asks the server (list with filter[externalId], same email) and returns
 * the user if it exists, or sends the create again if it does not and no
 * 2xx was seen; without externalId it returns CPUSER_ERR_OUTCOME_UNKNOWN
 * rather than guess. (Give every create an externalId on an unreliable
 * link.) */
cpuser_err cpuser_users_create(cpuser_client *c, const cpuser_user_fields *f,
                               cpuser_user *out);

/* GET /public-api/resources/users/v1.0/{user} -> 200. opts may be NULL. */
cpuser_err cpuser_users_read(cpuser_client *c, cpuser_view id,
                             const cpuser_user_read_opts *opts, cpuser_user *out);

/* PATCH /public-api/resources/users/v1.0/{user} -> 200; sends exactly the
 * fields set in f. out (may be NULL): the updated user. */
cpuser_err cpuser_users_update(cpuser_client *c, cpuser_view id,
                               const cpuser_user_fields *f, cpuser_user *out);

/* DELETE /public-api/resources/users/v1.0/{user} -> 204. */
cpuser_err cpuser_users_delete(cpuser_client *c, cpuser_view id);

/* GET /public-api/resources/users/v1.0: one page. Each user is decoded and
 * handed to fn as it arrives (the page never has to fit in the buffer: only
 * the largest single user does). filter may be NULL. page: in, where to
 * start; out, the count and where the next page starts. */
cpuser_err cpuser_users_list(cpuser_client *c, const cpuser_user_filter *filter,
                             cpuser_page *page, cpuser_user_fn fn, void *arg);

/* Every page, by cursor, from the first: one call. per_page 0..100 (0: the
 * server's default). *total (may be NULL) counts the users delivered. A
 * server that hands back the cursor it was given is CPUSER_ERR_PROTOCOL
 * (it would never end). */
cpuser_err cpuser_users_list_all(cpuser_client *c, const cpuser_user_filter *filter,
                                 uint8_t per_page, cpuser_user_fn fn, void *arg,
                                 uint32_t *total);

/* Actions (POST /public-api/actions/users/v1.0/{user}/..., 202). Views that
 * are optional may be empty. */
cpuser_err cpuser_users_change_status(cpuser_client *c, cpuser_view id, uint8_t status,
                                      cpuser_view reason);
cpuser_err cpuser_users_add_balance(cpuser_client *c, cpuser_view id, int64_t amount,
                                    cpuser_view reason, cpuser_view app_info);
cpuser_err cpuser_users_apply_custom_fee(cpuser_client *c, cpuser_view id, int64_t amount,
                                         cpuser_view description,
                                         cpuser_view payment_method_id);
/* auto_renewal: -1 not sent, 0 false, 1 true. end_date: YYYY-MM-DD or empty. */
cpuser_err cpuser_users_activate_subscription(cpuser_client *c, cpuser_view id,
                                              int64_t plan_id, cpuser_view end_date,
                                              int auto_renewal, cpuser_view reason);
cpuser_err cpuser_users_cancel_subscription(cpuser_client *c, cpuser_view id,
                                            cpuser_view reason);
cpuser_err cpuser_users_clear_subscription_amount_due(cpuser_client *c, cpuser_view id);
/* POST /public-api/actions/users/v2.0/{user}/redeem-voucher. A rejected
 * code is CPUSER_ERR_HTTP_BAD_REQUEST with status 406. */
cpuser_err cpuser_users_redeem_voucher(cpuser_client *c, cpuser_view id, cpuser_view code);

/* GET /public-api/actions/users/v2.0/{user}/export-all-private-data: the
 * API answers with a downloadUrl; when it is on the client's own host and
 * port, the document is fetched from it and streamed to sink in chunks as
 * it arrives (never buffered whole). A download URL on another host is not
 * followed (the client would hand it the bearer token): the call returns
 * CPUSER_ERR_HTTP_UNEXPECTED and *url (may be NULL) holds the URL for the
 * caller to fetch otherwise. */
cpuser_err cpuser_users_export(cpuser_client *c, cpuser_view id, const cpuser_sink *sink,
                               cpuser_view *url);

/* Write u as a JSON object with the response's camelCase names: the fields
 * present in u, null where they were null. For printing and forwarding. */
void cpuser_user_write_json(cpuser_json_writer *w, const cpuser_user *u);

/* The spec's name of a status / sessionsAllowed value, or NULL. */
const char *cpuser_user_status_name(uint8_t status);
const char *cpuser_sessions_allowed_name(uint8_t sessions);

/* Parse a status or sessions name; 0 when unknown. */
uint8_t cpuser_user_status_parse(const char *name);
uint8_t cpuser_sessions_allowed_parse(const char *name);

/* Validation of the fields for create (creating: email and password
 * required) or update; the same checks the operations make before sending.
 * On CPUSER_ERR_BAD_ARGUMENT, *bad_field (may be NULL) is the CPUSER_USER_*
 * number of the first field refused (-1 when f itself is NULL). */
cpuser_err cpuser_user_fields_check(const cpuser_user_fields *f, bool creating, int *bad_field);

#endif /* CPUSER_AMPECO_USERS_H */
