/*
 * AMPECO.CHARGE user invoice details: read, and create-or-update, on a
 * cpuser_client (see client.h).
 *
 * Contract: the AMPECO Public API v3.110.0,
 * /public-api/resources/users/v1.0/{user}/invoice-details. Both answers are
 * the object itself (200), not wrapped in "data".
 *
 * The spec describes four shapes, one per invoice processor of the
 * operator (AMPECO, Cardcom, SoftOne, Ecpay). This module types the AMPECO
 * Invoice Manager's (requireInvoice, invoiceType individual/company, the
 * individual and company identifiers, the address). Reading from an
 * operator with another processor still succeeds: the members this table
 * knows are decoded, the others skipped (and an invoiceType it does not
 * know reads as 0); writing their shapes is not supported.
 *
 * Memory: results are views into the client's working buffer, valid until
 * the next call on the client. Nothing allocates.
 *
 * Errors (besides the client's transport, protocol and buffer errors):
 *  - CPUSER_ERR_BAD_ARGUMENT: refused before sending: requireInvoice not
 *    set (or null), invoiceType not set (null is allowed: it is required
 *    and nullable), an invoiceType out of range, a country not in the
 *    spec's ISO 3166-1 list, a state without a country of US, AU, CA, UM or
 *    RO or not in that country's list, a region with one of those
 *    countries, a field the operation does not take, an empty user id;
 *  - CPUSER_ERR_OUTCOME_UNKNOWN: the POST went out and no answer (or a cut
 *    one) came back; it is never sent twice by the library (sending the
 *    same details again is harmless: it is create-or-update);
 *  - CPUSER_ERR_HTTP_*: the server's answer, with the 422 field errors in
 *    cpuser_client_last();
 *  - CPUSER_ERR_JSON: a 2xx body that is not a JSON object.
 */
#ifndef CPUSER_AMPECO_INVOICE_DETAILS_H
#define CPUSER_AMPECO_INVOICE_DETAILS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/ampeco.h"
#include "cpuser/client.h"
#include "cpuser/json_writer.h"
#include "cpuser/view.h"

/* Field numbers: bits of `present` / `null` (`set` / `null` in the fields
 * to send). */
enum {
    CPUSER_INVOICE_REQUIRE_INVOICE = 0,
    CPUSER_INVOICE_REQUIRE_INVOICE_LAST_UPDATED_AT, /* read only */
    CPUSER_INVOICE_ENFORCED_BY,                     /* requireInvoiceEnforcedBy, read only */
    CPUSER_INVOICE_ORIGINAL_REQUEST_VALUE,          /* read only */
    CPUSER_INVOICE_TYPE,                            /* invoiceType */
    CPUSER_INVOICE_INDIVIDUAL_NAME,
    CPUSER_INVOICE_INDIVIDUAL_PERSONAL_ID,
    CPUSER_INVOICE_INDIVIDUAL_TAX_ID,
    CPUSER_INVOICE_COMPANY_NAME,
    CPUSER_INVOICE_COMPANY_REG_NO,
    CPUSER_INVOICE_COMPANY_TAX_ID,
    CPUSER_INVOICE_COMPANY_TAX_OFFICE,              /* companyTaxAdministrationOfficeName */
    CPUSER_INVOICE_COUNTRY,
    CPUSER_INVOICE_REGION,
    CPUSER_INVOICE_STATE,
    CPUSER_INVOICE_CITY,
    CPUSER_INVOICE_POST_CODE,
    CPUSER_INVOICE_ADDRESS,
    CPUSER_INVOICE__FIELDS
};

/* invoiceType (nullable) */
enum { CPUSER_INVOICE_TYPE_UNKNOWN = 0, CPUSER_INVOICE_INDIVIDUAL = 1, CPUSER_INVOICE_COMPANY = 2 };

/* requireInvoiceEnforcedBy: present when the operator's "Always collect
 * Invoice Details" setting overrode the request */
enum { CPUSER_INVOICE_ENFORCED_UNKNOWN = 0, CPUSER_INVOICE_BY_OPERATOR = 1, CPUSER_INVOICE_BY_USER = 2 };

/* A user's invoice details as the API returns them. */
typedef struct {
    uint64_t present;
    uint64_t null;
    bool require_invoice;
    cpuser_view require_invoice_last_updated_at;
    uint8_t enforced_by;             /* CPUSER_INVOICE_BY_* */
    bool original_request_value;     /* what was asked, when overridden */
    uint8_t invoice_type;            /* CPUSER_INVOICE_INDIVIDUAL / _COMPANY */
    cpuser_view individual_name, individual_personal_id, individual_tax_id;
    cpuser_view company_name, company_reg_no, company_tax_id, company_tax_office;
    cpuser_view country, region, state, city, post_code, address;
} cpuser_invoice_details;

/* What to send: requireInvoice and invoiceType must be set (invoiceType
 * may be null); every other field is optional and nullable. Strings are
 * caller-owned views. */
typedef struct {
    uint64_t set;
    uint64_t null;
    bool require_invoice;
    uint8_t invoice_type;
    cpuser_view individual_name, individual_personal_id, individual_tax_id;
    cpuser_view company_name, company_reg_no, company_tax_id, company_tax_office;
    cpuser_view country;             /* ISO 3166-1 alpha-2 of the spec's list */
    cpuser_view region;              /* when country is not US, AU, CA, UM, RO */
    cpuser_view state;               /* when it is: a code of that country's list */
    cpuser_view city, post_code, address;
} cpuser_invoice_details_fields;

/* Set a string field from a NUL-terminated string (not copied) and mark it
 * set; BAD_ARGUMENT for a field that is not a string to send. */
cpuser_err cpuser_invoice_details_fields_set(cpuser_invoice_details_fields *f, int field,
                                             const char *value);

/* The checks create-or-update makes before sending. On
 * CPUSER_ERR_BAD_ARGUMENT, *bad_field (may be NULL) is the
 * CPUSER_INVOICE_* number of the first field refused (-1 when f is NULL). */
cpuser_err cpuser_invoice_details_fields_check(const cpuser_invoice_details_fields *f,
                                               int *bad_field);

/* GET .../users/v1.0/{user}/invoice-details -> 200 (a user without any yet
 * reads as requireInvoice false, invoiceType null). */
cpuser_err cpuser_invoice_details_read(cpuser_client *c, cpuser_view user,
                                       cpuser_invoice_details *out);

/* POST .../users/v1.0/{user}/invoice-details -> 200: create or update with
 * the fields set in f (the server replaces the details with what is sent).
 * out (may be NULL): the details saved; requireInvoice may read true when
 * the operator enforces it (enforced_by tells). */
cpuser_err cpuser_invoice_details_save(cpuser_client *c, cpuser_view user,
                                       const cpuser_invoice_details_fields *f,
                                       cpuser_invoice_details *out);

/* Write d as a JSON object with the API's names (fields present; null where
 * null). */
void cpuser_invoice_details_write_json(cpuser_json_writer *w, const cpuser_invoice_details *d);

/* "individual"/"company" and back (0 when unknown). */
const char *cpuser_invoice_type_name(uint8_t type);
uint8_t cpuser_invoice_type_parse(const char *name);

#endif /* CPUSER_AMPECO_INVOICE_DETAILS_H */
