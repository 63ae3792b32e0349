/* Invoice details over the scripted transport: the bare (not "data")
 * answer, the exact request bytes, the checks (country, state by country,
 * region). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpuser/ampeco_invoice_details.h"
#include "resource_test.h"

static cpuser_invoice_details details;

static const char recorded[] =
    "{\"requireInvoice\":true,\"requireInvoiceLastUpdatedAt\":\"2024-01-15T10:30:00Z\","
    "\"requireInvoiceEnforcedBy\":\"operator_setting\",\"originalRequestValue\":false,"
    "\"invoiceType\":\"company\",\"individualName\":null,\"individualPersonalId\":null,\"individualTaxId\":null,"
    "\"companyName\":\"Example \\u00c9 Corp\",\"companyRegNo\":\"REG1\",\"companyTaxId\":\"TAX1\","
    "\"companyTaxAdministrationOfficeName\":\"Office\",\"country\":\"US\",\"region\":null,\"state\":\"CA\","
    "\"city\":\"San Francisco\",\"postCode\":\"94102\",\"address\":\"123 Market Street\"}";

static void decodes_the_bare_object(void **state)
{
    (void)state;
    rt_setup1("200 OK", recorded);
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("8"), &details), CPUSER_OK);
    rt_assert_line(0, "GET /public-api/resources/users/v1.0/8/invoice-details HTTP/1.1\r\n");
    assert_true(details.require_invoice);
    assert_int_equal(details.enforced_by, CPUSER_INVOICE_BY_OPERATOR);
    assert_true(CPUSER_HAS(details.present, CPUSER_INVOICE_ORIGINAL_REQUEST_VALUE));
    assert_false(details.original_request_value);
    assert_int_equal(details.invoice_type, CPUSER_INVOICE_COMPANY);
    assert_true(CPUSER_HAS(details.null, CPUSER_INVOICE_INDIVIDUAL_NAME));
    assert_true(cpuser_view_eq(details.company_name, "Example \xc3\x89 Corp"));
    assert_true(cpuser_view_eq(details.company_tax_office, "Office"));
    assert_true(cpuser_view_eq(details.state, "CA"));
    assert_true(cpuser_view_eq(details.post_code, "94102"));
    assert_true(CPUSER_HAS(details.null, CPUSER_INVOICE_REGION));

    /* another processor's shape (Cardcom): known members only, no error */
    rt_setup1("200 OK", "{\"invoiceRequired\":true,\"clientType\":\"company\",\"individual\":{\"name\":null},"
                        "\"company\":{\"name\":\"C\"}}");
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("8"), &details), CPUSER_OK);
    assert_int_equal(details.present, 0);
    /* wrapped in data, an array, cut short: not the documented shape */
    rt_setup1("200 OK", "[]");
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("8"), &details), CPUSER_ERR_JSON);
    rt_setup1("200 OK", "{\"requireInvoice\":\"yes\"}");
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("8"), &details), CPUSER_ERR_JSON);
    rt_setup1("200 OK", "{\"requireInvoice\":true,");
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("8"), &details), CPUSER_ERR_JSON);
}

static void save_sends_exactly_the_set_fields(void **state)
{
    cpuser_invoice_details_fields f;
    (void)state;
    rt_setup1("200 OK", "{\"requireInvoice\":true,\"invoiceType\":\"individual\",\"individualName\":\"Ana\"}");
    memset(&f, 0, sizeof f);
    f.require_invoice = true;
    f.invoice_type = CPUSER_INVOICE_INDIVIDUAL;
    f.set = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE) | CPUSER_BIT(CPUSER_INVOICE_TYPE) |
            CPUSER_BIT(CPUSER_INVOICE_ADDRESS);
    f.null = CPUSER_BIT(CPUSER_INVOICE_ADDRESS);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_INDIVIDUAL_NAME, "Ana");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COUNTRY, "AU");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "NSW");
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("8"), &f, &details), CPUSER_OK);
    rt_assert_line(0, "POST /public-api/resources/users/v1.0/8/invoice-details HTTP/1.1\r\n");
    assert_string_equal(rt_body(), "{\"requireInvoice\":true,\"invoiceType\":\"individual\",\"individualName\":\"Ana\","
                                   "\"country\":\"AU\",\"state\":\"NSW\",\"address\":null}");
    assert_true(cpuser_view_eq(details.individual_name, "Ana"));

    /* invoiceType is required but nullable */
    rt_setup1("200 OK", "{\"requireInvoice\":false,\"invoiceType\":null}");
    memset(&f, 0, sizeof f);
    f.set = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE) | CPUSER_BIT(CPUSER_INVOICE_TYPE);
    f.null = CPUSER_BIT(CPUSER_INVOICE_TYPE);
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("8"), &f, NULL), CPUSER_OK);
    assert_string_equal(rt_body(), "{\"requireInvoice\":false,\"invoiceType\":null}");
}

static void checks_before_sending(void **state)
{
    cpuser_invoice_details_fields f;
    int bad = 0;
    (void)state;
    rt_setup1("200 OK", "{}");
    memset(&f, 0, sizeof f);
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_REQUIRE_INVOICE);
    f.set = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE);
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_TYPE);
    f.set |= CPUSER_BIT(CPUSER_INVOICE_TYPE);
    f.invoice_type = 3;
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_TYPE);
    f.invoice_type = CPUSER_INVOICE_COMPANY;
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_OK);
    f.null = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE);
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_REQUIRE_INVOICE);
    f.null = 0;
    /* country from the spec's list; state by country; region only elsewhere */
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COUNTRY, "XX");
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_COUNTRY);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COUNTRY, "RO");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "B");
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_OK);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "NSW"); /* an Australian one */
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_STATE);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COUNTRY, "UM");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "79");
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_OK);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "7");
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COUNTRY, "DE");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "BY");
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_STATE); /* Germany has no state list */
    f.set &= ~CPUSER_BIT(CPUSER_INVOICE_STATE);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_REGION, "Bavaria");
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_OK);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COUNTRY, "CA");
    assert_int_equal(cpuser_invoice_details_fields_check(&f, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_INVOICE_REGION);
    /* read-only fields are not sent */
    f.set = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE) | CPUSER_BIT(CPUSER_INVOICE_TYPE) |
            CPUSER_BIT(CPUSER_INVOICE_ENFORCED_BY);
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("8"), &f, &details),
                     CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of(""), &details), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.sent_len, 0);
    assert_string_equal(cpuser_invoice_type_name(CPUSER_INVOICE_INDIVIDUAL), "individual");
    assert_int_equal(cpuser_invoice_type_parse("company"), CPUSER_INVOICE_COMPANY);
}

static void field_errors(void **state)
{
    cpuser_invoice_details_fields f;
    (void)state;
    rt_setup1("422 Unprocessable Content",
              "{\"message\":\"The selected state is invalid.\",\"errors\":{\"state\":[\"The selected state is invalid.\"]}}");
    memset(&f, 0, sizeof f);
    f.set = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE) | CPUSER_BIT(CPUSER_INVOICE_TYPE);
    f.null = CPUSER_BIT(CPUSER_INVOICE_TYPE);
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("8"), &f, &details),
                     CPUSER_ERR_HTTP_UNPROCESSABLE);
    assert_int_equal(client.last.field_error_count, 1);
    assert_true(cpuser_view_eq(client.last.field_errors[0].field, "state"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_the_bare_object),
        cmocka_unit_test(save_sends_exactly_the_set_fields),
        cmocka_unit_test(checks_before_sending),
        cmocka_unit_test(field_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
