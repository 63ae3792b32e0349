/* AMPECO user invoice details (the AMPECO Invoice Manager's shape): field
 * tables, rules, read and create-or-update. */
#include "cpuser/ampeco_invoice_details.h"

#include <stddef.h>
#include <string.h>

#include "ampeco_resource.h"

#define INVOICE_PATH "/public-api/resources/users/v1.0/{}/invoice-details"

static const char *const type_names[] = {"individual", "company", NULL};
static const char *const enforced_names[] = {"operator_setting", "user_request", NULL};

#define D cpuser_invoice_details
#define DF cpuser_invoice_details_fields
#define S CPUSER_FIELD_STRING

static const cpuser_field details_fields[] = {
    CPUSER_F("requireInvoice", CPUSER_FIELD_BOOL, CPUSER_INVOICE_REQUIRE_INVOICE, D, require_invoice),
    CPUSER_F("requireInvoiceLastUpdatedAt", S, CPUSER_INVOICE_REQUIRE_INVOICE_LAST_UPDATED_AT, D,
             require_invoice_last_updated_at),
    CPUSER_FE("requireInvoiceEnforcedBy", CPUSER_INVOICE_ENFORCED_BY, D, enforced_by, enforced_names),
    CPUSER_F("originalRequestValue", CPUSER_FIELD_BOOL, CPUSER_INVOICE_ORIGINAL_REQUEST_VALUE, D,
             original_request_value),
    CPUSER_FE("invoiceType", CPUSER_INVOICE_TYPE, D, invoice_type, type_names),
    CPUSER_F("individualName", S, CPUSER_INVOICE_INDIVIDUAL_NAME, D, individual_name),
    CPUSER_F("individualPersonalId", S, CPUSER_INVOICE_INDIVIDUAL_PERSONAL_ID, D, individual_personal_id),
    CPUSER_F("individualTaxId", S, CPUSER_INVOICE_INDIVIDUAL_TAX_ID, D, individual_tax_id),
    CPUSER_F("companyName", S, CPUSER_INVOICE_COMPANY_NAME, D, company_name),
    CPUSER_F("companyRegNo", S, CPUSER_INVOICE_COMPANY_REG_NO, D, company_reg_no),
    CPUSER_F("companyTaxId", S, CPUSER_INVOICE_COMPANY_TAX_ID, D, company_tax_id),
    CPUSER_F("companyTaxAdministrationOfficeName", S, CPUSER_INVOICE_COMPANY_TAX_OFFICE, D,
             company_tax_office),
    CPUSER_F("country", S, CPUSER_INVOICE_COUNTRY, D, country),
    CPUSER_F("region", S, CPUSER_INVOICE_REGION, D, region),
    CPUSER_F("state", S, CPUSER_INVOICE_STATE, D, state),
    CPUSER_F("city", S, CPUSER_INVOICE_CITY, D, city),
    CPUSER_F("postCode", S, CPUSER_INVOICE_POST_CODE, D, post_code),
    CPUSER_F("address", S, CPUSER_INVOICE_ADDRESS, D, address),
};
static const cpuser_field_table details_table = CPUSER_TABLE(details_fields, D, present, null);
static const cpuser_ampeco_object details_object = {&details_table, (uint16_t)sizeof(D), true, NULL};

static const cpuser_field send_fields[] = {
    CPUSER_F("requireInvoice", CPUSER_FIELD_BOOL, CPUSER_INVOICE_REQUIRE_INVOICE, DF, require_invoice),
    CPUSER_FE("invoiceType", CPUSER_INVOICE_TYPE, DF, invoice_type, type_names),
    CPUSER_F("individualName", S, CPUSER_INVOICE_INDIVIDUAL_NAME, DF, individual_name),
    CPUSER_F("individualPersonalId", S, CPUSER_INVOICE_INDIVIDUAL_PERSONAL_ID, DF, individual_personal_id),
    CPUSER_F("individualTaxId", S, CPUSER_INVOICE_INDIVIDUAL_TAX_ID, DF, individual_tax_id),
    CPUSER_F("companyName", S, CPUSER_INVOICE_COMPANY_NAME, DF, company_name),
    CPUSER_F("companyRegNo", S, CPUSER_INVOICE_COMPANY_REG_NO, DF, company_reg_no),
    CPUSER_F("companyTaxId", S, CPUSER_INVOICE_COMPANY_TAX_ID, DF, company_tax_id),
    CPUSER_F("companyTaxAdministrationOfficeName", S, CPUSER_INVOICE_COMPANY_TAX_OFFICE, DF,
             company_tax_office),
    CPUSER_F("country", S, CPUSER_INVOICE_COUNTRY, DF, country),
    CPUSER_F("region", S, CPUSER_INVOICE_REGION, DF, region),
    CPUSER_F("state", S, CPUSER_INVOICE_STATE, DF, state),
    CPUSER_F("city", S, CPUSER_INVOICE_CITY, DF, city),
    CPUSER_F("postCode", S, CPUSER_INVOICE_POST_CODE, DF, post_code),
    CPUSER_F("address", S, CPUSER_INVOICE_ADDRESS, DF, address),
};
static const cpuser_field_table send_table = CPUSER_TABLE(send_fields, DF, set, null);

/* The spec's state enums, by country: "When the selected country is one of
 * US, AU, CA, UM or RO". Each list: the country, ':', codes separated by
 * spaces. */
static const char *const state_lists[] = {
    "US:AL AK AS AZ AR CA CO CT DE DC FM FL GA GU HI ID IL IN IA KS KY LA ME MH MD MA MI MN MS MO "
    "MT NE NV NH NJ NM NY NC ND MP OH OK OR PW PA PR RI SC SD TN TX UT VT VI VA WA WV WI WY",
    "AU:NSW VIC QLD WA SA TAS ACT NT JBT CX NF CC AQ CSI ACI HM",
    "CA:AB BC MB NB NL NT NS NU ON PE QC SK YT",
    "UM:81 84 85 67 89 71 76 95 79",
    "RO:AB AR AG BC BH BN BT BV BR B BZ CL CS CT CV DB DJ GL GR GJ HR HD IL IS IF MM MH MS NT OT PH "
    "SM SJ SB SV TR TM TL VS VL VN",
};

/* The codes of the country's state list, or NULL when it has none. */
static const char *states_of(cpuser_view country)
{
    size_t i;
    for (i = 0; i < sizeof state_lists / sizeof state_lists[0]; i++) {
        if (country.len == 2u && memcmp(state_lists[i], country.ptr, 2) == 0) {
            return state_lists[i] + 3;
        }
    }
    return NULL;
}

static bool listed(const char *codes, cpuser_view s)
{
    while (*codes != '\0') {
        size_t n = strcspn(codes, " ");
        if (n == s.len && s.len != 0u && memcmp(codes, s.ptr, n) == 0) {
            return true;
        }
        codes += n;
        codes += *codes == ' ' ? 1 : 0;
    }
    return false;
}

static bool is_set(const cpuser_invoice_details_fields *f, int field)
{
    return CPUSER_HAS(f->set, field) && !CPUSER_HAS(f->null, field);
}

static int check_details(const void *arg)
{
    const cpuser_invoice_details_fields *f = (const cpuser_invoice_details_fields *)arg;
    const char *states = is_set(f, CPUSER_INVOICE_COUNTRY) ? states_of(f->country) : NULL;
    if (!CPUSER_HAS(f->set, CPUSER_INVOICE_TYPE)) {
        return CPUSER_INVOICE_TYPE; /* required, though it may be null */
    }
    if (is_set(f, CPUSER_INVOICE_COUNTRY) && !cpuser_ampeco_country_ok(f->country)) {
        return CPUSER_INVOICE_COUNTRY;
    }
    if (is_set(f, CPUSER_INVOICE_STATE) && (states == NULL || !listed(states, f->state))) {
        return CPUSER_INVOICE_STATE;
    }
    if (is_set(f, CPUSER_INVOICE_REGION) && states != NULL) {
        return CPUSER_INVOICE_REGION;
    }
    return -1;
}

static const cpuser_ampeco_rules rules = {
    &send_table, CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE),
    ~CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE), NULL, 0, check_details};

cpuser_err cpuser_invoice_details_fields_set(cpuser_invoice_details_fields *f, int field,
                                             const char *value)
{
    return cpuser_ampeco_set_string(&send_table, f, field, value);
}

cpuser_err cpuser_invoice_details_fields_check(const cpuser_invoice_details_fields *f, int *bad_field)
{
    return cpuser_ampeco_check(&rules, f, bad_field);
}

void cpuser_invoice_details_write_json(cpuser_json_writer *w, const cpuser_invoice_details *d)
{
    cpuser_ampeco_write_object(w, &details_table, d);
}

const char *cpuser_invoice_type_name(uint8_t type) { return cpuser_ampeco_name(type_names, type); }
uint8_t cpuser_invoice_type_parse(const char *name) { return cpuser_ampeco_parse_name(type_names, name); }

cpuser_err cpuser_invoice_details_read(cpuser_client *c, cpuser_view user, cpuser_invoice_details *out)
{
    return cpuser_ampeco_get(c, INVOICE_PATH, &user, 1, &details_object, out);
}

cpuser_err cpuser_invoice_details_save(cpuser_client *c, cpuser_view user,
                                       const cpuser_invoice_details_fields *f,
                                       cpuser_invoice_details *out)
{
    return cpuser_ampeco_send(c, "POST", INVOICE_PATH, &user, 1, &rules, f, &details_object, out);
}
