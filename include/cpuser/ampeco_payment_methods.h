/*
 * AMPECO.CHARGE user payment methods (resource v1.0): list, add (the
 * spec's two-step create), read, update (the default flag), delete, on a
 * cpuser_client (see client.h). Invoice details are in
 * ampeco_invoice_details.h.
 *
 * Contract: the AMPECO Public API v3.110.0,
 * /public-api/resources/users/v1.0/{user}/payment-methods[/{paymentMethodId}].
 *
 * Adding a payment method is two calls:
 *  1. cpuser_payment_methods_create() asks the payment processor for a
 *     registration (200): a transactionId with a redirectUrl to send the
 *     user to (web-view processors), or a Stripe setup intent
 *     (publishableKey, clientSecret, setupIntentReference), plus whatever
 *     else the processor wants back. The answer comes whole in setup.raw.
 *  2. Once the user is done, cpuser_payment_methods_finish() sends step 1's
 *     answer back (every member but successUrl and redirectUrl, as the spec
 *     says) and gets the new payment method (201). For Braintree, pass
 *     {"paymentMethodNonce": "..."} instead.
 *
 * Ids: a payment method id is a string ("1234", "corporate:1234",
 * "subscription_installment:1235"; null is the balance). Ids are
 * percent-encoded into the path.
 *
 * Memory: results are views into the client's working buffer, valid until
 * the next call on the client. Nothing allocates.
 *
 * Errors (besides the client's transport, protocol and buffer errors):
 *  - CPUSER_ERR_BAD_ARGUMENT: refused before sending: an empty user or
 *    payment method id, a tokenized or bank transfer type out of range,
 *    bank_transfer without bankTransferType (or a bankTransferType without
 *    bank_transfer, or other than sepa), a field the operation does not
 *    take, a step 1 answer for finish that is not a JSON object, has
 *    nothing to send, or lies in the client's working buffer;
 *  - CPUSER_ERR_OUTCOME_UNKNOWN: a create or finish went out and no answer
 *    (or a cut one) came back; neither is ever sent twice;
 *  - CPUSER_ERR_HTTP_*: the server's answer; cpuser_client_last() has the
 *    status, the API message ("Maximum allowed payment methods reached",
 *    "Invalid Operation", ...) and the 422 field errors;
 *  - CPUSER_ERR_JSON: a 2xx body that is not the documented shape.
 */
#ifndef CPUSER_AMPECO_PAYMENT_METHODS_H
#define CPUSER_AMPECO_PAYMENT_METHODS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/ampeco.h"
#include "cpuser/client.h"
#include "cpuser/json_writer.h"
#include "cpuser/view.h"

/* Field numbers: bits of `present` / `null` (`set` in the fields to send). */
enum {
    CPUSER_PM_ID = 0,
    CPUSER_PM_USER_ID,
    CPUSER_PM_TYPE,
    CPUSER_PM_TOKENIZED_TYPE,
    CPUSER_PM_BANK_TRANSFER_TYPE,
    CPUSER_PM_WALLET_TYPE,
    CPUSER_PM_ISSUER,
    CPUSER_PM_NAME,
    CPUSER_PM_DEFAULT,
    CPUSER_PM_EXPIRE_YEAR,
    CPUSER_PM_EXPIRE_MONTH,
    CPUSER_PM_LAST_UPDATED_AT,
    CPUSER_PM_ADDED_AT,
    CPUSER_PM_REMOVED_AT,
    CPUSER_PM__FIELDS
};

/* type (nullable) */
enum {
    CPUSER_PM_TYPE_UNKNOWN = 0,
    CPUSER_PM_TOKENIZED,
    CPUSER_PM_CORPORATE,
    CPUSER_PM_BALANCE,
    CPUSER_PM_SUBSCRIPTION,
    CPUSER_PM_WALLET,
    CPUSER_PM_TYPE_BANK_TRANSFER
};
/* tokenizedType */
enum { CPUSER_PM_TOKENIZED_UNKNOWN = 0, CPUSER_PM_CARD, CPUSER_PM_BANK_TRANSFER };
/* bankTransferType: create takes sepa only */
enum { CPUSER_PM_BANK_UNKNOWN = 0, CPUSER_PM_SEPA, CPUSER_PM_PSE };
/* walletType */
enum { CPUSER_PM_WALLET_UNKNOWN = 0, CPUSER_PM_APPLEPAY, CPUSER_PM_GOOGLEPAY, CPUSER_PM_TWINT,
       CPUSER_PM_WALLET_OTHER };
/* issuer (nullable) */
enum { CPUSER_PM_ISSUER_UNKNOWN = 0, CPUSER_PM_VISA, CPUSER_PM_MASTERCARD, CPUSER_PM_MAESTRO,
       CPUSER_PM_AMEX, CPUSER_PM_PAYPAL, CPUSER_PM_ISSUER_OTHER /* "unknown" */ };

/* A payment method as the API returns it. `present`: the field was in the
 * response; `null`: it was JSON null. */
typedef struct {
    uint64_t present;
    uint64_t null;
    cpuser_view id;              /* null: the balance */
    int64_t user_id;
    uint8_t type, tokenized_type, bank_transfer_type, wallet_type, issuer;
    cpuser_view name;            /* "**** 1111", a corporate account, "Balance" */
    bool is_default;             /* "default" */
    int64_t expire_year, expire_month; /* nullable */
    cpuser_view last_updated_at, added_at, removed_at;
} cpuser_payment_method;

/* What to send: create (step 1) takes tokenized_type (not sent: card) and
 * bank_transfer_type (required with bank_transfer, sepa only); update takes
 * is_default ("balance and corporate payment methods CANNOT be set as
 * default": the server refuses). Only the fields whose bit is in `set`. */
typedef struct {
    uint64_t set;
    uint64_t null;
    uint8_t tokenized_type;      /* CPUSER_PM_CARD / CPUSER_PM_BANK_TRANSFER */
    uint8_t bank_transfer_type;  /* CPUSER_PM_SEPA */
    bool is_default;             /* CPUSER_PM_DEFAULT */
} cpuser_payment_method_fields;

/* The checks create (creating) or update make before sending. On
 * CPUSER_ERR_BAD_ARGUMENT, *bad_field (may be NULL) is the CPUSER_PM_*
 * number of the first field refused (-1 when f is NULL). */
cpuser_err cpuser_payment_method_fields_check(const cpuser_payment_method_fields *f, bool creating,
                                              int *bad_field);

/* Field numbers of the step 1 answer. */
enum {
    CPUSER_PM_SETUP_TRANSACTION_ID = 0,
    CPUSER_PM_SETUP_SUCCESS_URL,
    CPUSER_PM_SETUP_REDIRECT_URL,
    CPUSER_PM_SETUP_PUBLISHABLE_KEY,
    CPUSER_PM_SETUP_CLIENT_SECRET,
    CPUSER_PM_SETUP_SETUP_INTENT_REFERENCE
};

/* Step 1's answer: the typed members (unescaped) and raw, the whole answer
 * exactly as it came (escapes and all), to keep for step 2. raw and the
 * typed views both lie in the working buffer (the answer is held twice
 * there, so it must fit twice): copy raw out before the next call. */
typedef struct {
    uint64_t present;
    uint64_t null;
    int64_t transaction_id;      /* web-view processors */
    cpuser_view success_url;     /* nullable */
    cpuser_view redirect_url;    /* nullable: send the user here */
    cpuser_view publishable_key; /* Stripe: complete the setup intent in-app */
    cpuser_view client_secret;
    cpuser_view setup_intent_reference;
    cpuser_view raw;
} cpuser_payment_method_setup;

/* Called for each payment method of a list, in order; anything but
 * CPUSER_OK stops the listing and is returned by it. */
typedef cpuser_err (*cpuser_payment_method_fn)(void *arg, const cpuser_payment_method *pm);

/* GET .../users/v1.0/{user}/payment-methods: one page (the endpoint pages
 * by number only; a page in cursor mode is walked by number all the same).
 * The balance comes first, with a null id. */
cpuser_err cpuser_payment_methods_list(cpuser_client *c, cpuser_view user, cpuser_page *page,
                                       cpuser_payment_method_fn fn, void *arg);

/* Every page: one call. per_page 0..100; *total (may be NULL) counts. */
cpuser_err cpuser_payment_methods_list_all(cpuser_client *c, cpuser_view user, uint8_t per_page,
                                           cpuser_payment_method_fn fn, void *arg, uint32_t *total);

/* Step 1: POST .../{user}/payment-methods with the fields set in f (f may
 * be NULL: {}, a card) -> 200 and the processor's answer in out. A 2xx
 * whose body is not a JSON object is CPUSER_ERR_JSON;
 * CPUSER_ERR_BUFFER_TOO_SMALL (last.need) when the answer does not fit in
 * the working buffer twice. */
cpuser_err cpuser_payment_methods_create(cpuser_client *c, cpuser_view user,
                                         const cpuser_payment_method_fields *f,
                                         cpuser_payment_method_setup *out);

/* Step 2: POST .../{user}/payment-methods with the members of step1 (a JSON
 * object: step 1's raw answer, copied out of the working buffer, or
 * {"paymentMethodNonce": ...}) but successUrl and redirectUrl, in their
 * order, as they are -> 201 and the new payment method in out (may be
 * NULL). */
cpuser_err cpuser_payment_methods_finish(cpuser_client *c, cpuser_view user, cpuser_view step1,
                                         cpuser_payment_method *out);

/* GET .../{user}/payment-methods/{paymentMethodId} -> 200. */
cpuser_err cpuser_payment_methods_read(cpuser_client *c, cpuser_view user, cpuser_view id,
                                       cpuser_payment_method *out);

/* PATCH .../{paymentMethodId} -> 200 with the fields set in f (default).
 * out may be NULL. */
cpuser_err cpuser_payment_methods_update(cpuser_client *c, cpuser_view user, cpuser_view id,
                                         const cpuser_payment_method_fields *f,
                                         cpuser_payment_method *out);

/* DELETE .../{paymentMethodId} -> 204. */
cpuser_err cpuser_payment_methods_delete(cpuser_client *c, cpuser_view user, cpuser_view id);

/* Write pm as a JSON object with the API's names (fields present; null
 * where null). */
void cpuser_payment_method_write_json(cpuser_json_writer *w, const cpuser_payment_method *pm);

/* The spec's name of value v of enum field (CPUSER_PM_TYPE,
 * _TOKENIZED_TYPE, _BANK_TRANSFER_TYPE, _WALLET_TYPE, _ISSUER), or NULL;
 * and back (0 when unknown). */
const char *cpuser_payment_method_enum_name(int field, uint8_t v);
uint8_t cpuser_payment_method_enum_parse(int field, const char *name);

#endif /* CPUSER_AMPECO_PAYMENT_METHODS_H */
