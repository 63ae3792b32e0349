/* `cpuser invoice-details USER get|set`: a user's invoice details on
 * resource_cli.c's machinery. */
#include <stddef.h>
#include <string.h>

#include "cpuser/ampeco_invoice_details.h"
#include "resource_cli.h"

enum { GET, SET };

#define FIELDS (~(CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE_LAST_UPDATED_AT) | \
                  CPUSER_BIT(CPUSER_INVOICE_ENFORCED_BY) |                     \
                  CPUSER_BIT(CPUSER_INVOICE_ORIGINAL_REQUEST_VALUE)) &          \
                (CPUSER_BIT(CPUSER_INVOICE__FIELDS) - 1u))

static const res_action actions[] = {
    {"get", GET, 0, 0, false, NULL},
    {"set", SET, 0, FIELDS, true, NULL},
};

#define DF cpuser_invoice_details_fields
#define TEXT(opt, field, member, api) {opt, field, RF_TEXT, offsetof(DF, member), api, NULL, NULL}
#define WHY(opt, field, member, api, why) {opt, field, RF_TEXT, offsetof(DF, member), api, NULL, why}
static const res_flag flags[] = {
    {OPT_REQUIRE_INVOICE, CPUSER_INVOICE_REQUIRE_INVOICE, RF_BOOL, offsetof(DF, require_invoice),
     "requireInvoice", NULL, NULL},
    {OPT_INVOICE_TYPE, CPUSER_INVOICE_TYPE, RF_ENUM, offsetof(DF, invoice_type), "invoiceType",
     cpuser_invoice_type_parse, " is individual or company (--null invoiceType for none)"},
    TEXT(OPT_INDIVIDUAL_NAME, CPUSER_INVOICE_INDIVIDUAL_NAME, individual_name, "individualName"),
    TEXT(OPT_INDIVIDUAL_PERSONAL_ID, CPUSER_INVOICE_INDIVIDUAL_PERSONAL_ID, individual_personal_id,
         "individualPersonalId"),
    TEXT(OPT_INDIVIDUAL_TAX_ID, CPUSER_INVOICE_INDIVIDUAL_TAX_ID, individual_tax_id, "individualTaxId"),
    TEXT(OPT_COMPANY_NAME, CPUSER_INVOICE_COMPANY_NAME, company_name, "companyName"),
    TEXT(OPT_COMPANY_REG_NO, CPUSER_INVOICE_COMPANY_REG_NO, company_reg_no, "companyRegNo"),
    TEXT(OPT_COMPANY_TAX_ID, CPUSER_INVOICE_COMPANY_TAX_ID, company_tax_id, "companyTaxId"),
    TEXT(OPT_COMPANY_TAX_OFFICE, CPUSER_INVOICE_COMPANY_TAX_OFFICE, company_tax_office,
         "companyTaxAdministrationOfficeName"),
    WHY(OPT_COUNTRY, CPUSER_INVOICE_COUNTRY, country, "country",
        ": not an ISO 3166-1 alpha-2 code of the API's list (e.g. BG, DE, US)"),
    WHY(OPT_REGION, CPUSER_INVOICE_REGION, region, "region",
        ": only with a --country other than US, AU, CA, UM and RO (those take --state)"),
    WHY(OPT_STATE, CPUSER_INVOICE_STATE, state, "state",
        ": needs --country US, AU, CA, UM or RO, and one of that country's codes in the API's list"),
    TEXT(OPT_CITY, CPUSER_INVOICE_CITY, city, "city"),
    TEXT(OPT_POST_CODE, CPUSER_INVOICE_POST_CODE, post_code, "postCode"),
    TEXT(OPT_ADDRESS, CPUSER_INVOICE_ADDRESS, address, "address"),
};

static cpuser_invoice_details_fields fields;

static cpuser_err check(const void *f, bool creating, int *bad)
{
    (void)creating;
    return cpuser_invoice_details_fields_check((const cpuser_invoice_details_fields *)f, bad);
}

static void write(cpuser_json_writer *w, const void *obj)
{
    cpuser_invoice_details_write_json(w, (const cpuser_invoice_details *)obj);
}

static int run(cpuser_client *c, bool json)
{
    static cpuser_invoice_details details;
    cpuser_err err = res_cmd.act->id == GET ? cpuser_invoice_details_read(c, res_cmd.user, &details)
                                            : cpuser_invoice_details_save(c, res_cmd.user, &fields, &details);
    return err != CPUSER_OK ? res_failed(c, err) : res_print(write, &details, json);
}

const res_def invoice_details_def = {
    "invoice-details", "invoice details", true, actions, sizeof actions / sizeof actions[0],
    flags, sizeof flags / sizeof flags[0], &fields, sizeof fields, check, NULL, run,
};
