/* Payment methods and invoice details end to end: the library against the
 * simulator over loopback, with the 4 KB working buffer. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_client.h"

#include "cpuser/ampeco_invoice_details.h"
#include "cpuser/ampeco_payment_methods.h"

static cpuser_payment_method pm;
static cpuser_payment_method_setup setup;
static cpuser_invoice_details details;

typedef struct {
    uint32_t n;
    uint32_t balance;
    uint32_t defaults;
    uint32_t sepa;
} walk;

static cpuser_err on_pm(void *arg, const cpuser_payment_method *p)
{
    walk *w = (walk *)arg;
    w->n++;
    w->balance += p->type == CPUSER_PM_BALANCE && CPUSER_HAS(p->null, CPUSER_PM_ID);
    w->defaults += p->is_default;
    w->sepa += p->bank_transfer_type == CPUSER_PM_SEPA;
    return CPUSER_OK;
}

/* Step 1 and step 2; the new method's id into id. */
static void add(const cpuser_payment_method_fields *f, char *id, size_t cap)
{
    char kept[1024];
    assert_int_equal(cpuser_payment_methods_create(&client, cpuser_view_of("2"), f, &setup), CPUSER_OK);
    assert_int_equal(client.last.status, 200);
    assert_true(CPUSER_HAS(setup.present, CPUSER_PM_SETUP_TRANSACTION_ID));
    assert_true(setup.redirect_url.len > 0);
    sc_keep(setup.raw, kept, sizeof kept);
    assert_int_equal(cpuser_payment_methods_finish(&client, cpuser_view_of("2"), cpuser_view_of(kept), &pm),
                     CPUSER_OK);
    assert_int_equal(client.last.status, 201);
    sc_keep(pm.id, id, cap);
}

static void payment_method_lifecycle(void **state)
{
    cpuser_payment_method_fields f;
    cpuser_page page;
    walk w;
    char card[24];
    char sepa[24];
    char forged[64];
    uint32_t pages = 0;
    uint32_t total = 0;
    (void)state;
    sc_start("3", NULL, NULL, "sim-token"); /* user 2 has no card yet */

    memset(&w, 0, sizeof w);
    assert_int_equal(cpuser_payment_methods_list_all(&client, cpuser_view_of("2"), 0, on_pm, &w, &total), CPUSER_OK);
    assert_int_equal(total, 1);
    assert_int_equal(w.balance, 1);

    /* a card (no fields: the default), then a SEPA transfer */
    add(NULL, card, sizeof card);
    assert_int_equal(pm.tokenized_type, CPUSER_PM_CARD);
    assert_true(pm.is_default);
    memset(&f, 0, sizeof f);
    f.tokenized_type = CPUSER_PM_BANK_TRANSFER;
    f.bank_transfer_type = CPUSER_PM_SEPA;
    f.set = CPUSER_BIT(CPUSER_PM_TOKENIZED_TYPE) | CPUSER_BIT(CPUSER_PM_BANK_TRANSFER_TYPE);
    add(&f, sepa, sizeof sepa);
    assert_int_equal(pm.bank_transfer_type, CPUSER_PM_SEPA);
    assert_false(pm.is_default);
    assert_true(CPUSER_HAS(pm.null, CPUSER_PM_ISSUER));

    /* step 2 without step 1's other attributes: the processor refuses */
    assert_int_equal(cpuser_payment_methods_create(&client, cpuser_view_of("2"), NULL, &setup), CPUSER_OK);
    snprintf(forged, sizeof forged, "{\"transactionId\":%lld}", (long long)setup.transaction_id);
    assert_int_equal(cpuser_payment_methods_finish(&client, cpuser_view_of("2"), cpuser_view_of(forged), &pm),
                     CPUSER_ERR_HTTP_UNPROCESSABLE);
    assert_true(cpuser_view_eq(client.last.field_errors[0].field, "additionalProcessorArguments"));

    /* the SEPA one becomes the default */
    memset(&f, 0, sizeof f);
    f.is_default = true;
    f.set = CPUSER_BIT(CPUSER_PM_DEFAULT);
    assert_int_equal(cpuser_payment_methods_update(&client, cpuser_view_of("2"), cpuser_view_of(sepa), &f, &pm),
                     CPUSER_OK);
    assert_true(pm.is_default);
    assert_int_equal(cpuser_payment_methods_read(&client, cpuser_view_of("2"), cpuser_view_of(card), &pm), CPUSER_OK);
    assert_false(pm.is_default);
    assert_int_equal(pm.issuer, CPUSER_PM_VISA);
    f.is_default = false; /* the server keeps one default */
    assert_int_equal(cpuser_payment_methods_update(&client, cpuser_view_of("2"), cpuser_view_of(sepa), &f, &pm),
                     CPUSER_ERR_HTTP_UNPROCESSABLE);
    assert_true(client.last.message.len > 0);

    /* one per page, walked by number in cursor mode */
    memset(&w, 0, sizeof w);
    cpuser_page_init(&page, 1);
    do {
        assert_int_equal(cpuser_payment_methods_list(&client, cpuser_view_of("2"), &page, on_pm, &w), CPUSER_OK);
        pages++;
    } while (page.more && pages < 10u);
    assert_int_equal(pages, 3);
    assert_int_equal(w.n, 3);
    assert_int_equal(w.defaults, 1);
    assert_int_equal(w.sepa, 1);

    /* delete the card */
    assert_int_equal(cpuser_payment_methods_delete(&client, cpuser_view_of("2"), cpuser_view_of(card)), CPUSER_OK);
    assert_int_equal(client.last.status, 204);
    assert_int_equal(cpuser_payment_methods_read(&client, cpuser_view_of("2"), cpuser_view_of(card), &pm),
                     CPUSER_ERR_HTTP_NOT_FOUND);
    assert_int_equal(cpuser_payment_methods_list_all(&client, cpuser_view_of("2"), 100, on_pm, &w, &total), CPUSER_OK);
    assert_int_equal(total, 2);
    assert_int_equal(cpuser_payment_methods_list_all(&client, cpuser_view_of("999"), 0, on_pm, &w, &total),
                     CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

static void invoice_details_round_trip(void **state)
{
    cpuser_invoice_details_fields f;
    char long_name[300];
    (void)state;
    sc_start("3", NULL, NULL, "sim-token");
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("3"), &details), CPUSER_OK);
    assert_false(details.require_invoice);
    assert_true(CPUSER_HAS(details.null, CPUSER_INVOICE_TYPE));

    memset(&f, 0, sizeof f);
    f.require_invoice = true;
    f.invoice_type = CPUSER_INVOICE_COMPANY;
    f.set = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE) | CPUSER_BIT(CPUSER_INVOICE_TYPE);
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COMPANY_NAME, "Example \xc3\x89 Corp");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COMPANY_TAX_ID, "TAX1");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COUNTRY, "RO");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "CJ");
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("3"), &f, &details),
                     CPUSER_ERR_BAD_ARGUMENT); /* CJ is not in the spec's list of counties */
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_STATE, "B");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_CITY, "Bucure\xc8\x99ti");
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_POST_CODE, "010011");
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("3"), &f, &details), CPUSER_OK);
    assert_int_equal(client.last.status, 200);
    assert_true(details.require_invoice);
    assert_int_equal(details.invoice_type, CPUSER_INVOICE_COMPANY);
    assert_true(details.require_invoice_last_updated_at.len > 0);
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("3"), &details), CPUSER_OK);
    assert_true(cpuser_view_eq(details.company_name, "Example \xc3\x89 Corp"));
    assert_true(cpuser_view_eq(details.state, "B"));
    assert_true(cpuser_view_eq(details.city, "Bucure\xc8\x99ti"));
    assert_false(CPUSER_HAS(details.present, CPUSER_INVOICE_ENFORCED_BY));

    /* the server's own limits come back as field errors */
    memset(long_name, 'n', sizeof long_name - 1u);
    long_name[sizeof long_name - 1u] = '\0';
    cpuser_invoice_details_fields_set(&f, CPUSER_INVOICE_COMPANY_NAME, long_name);
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("3"), &f, &details),
                     CPUSER_ERR_HTTP_UNPROCESSABLE);
    assert_true(cpuser_view_eq(client.last.field_errors[0].field, "companyName"));
    assert_int_equal(cpuser_invoice_details_read(&client, cpuser_view_of("404"), &details), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();

    /* an operator that always collects invoice details overrides the request */
    sc_start("3", "--always-collect-invoice-details", NULL, "sim-token");
    memset(&f, 0, sizeof f);
    f.require_invoice = false;
    f.set = CPUSER_BIT(CPUSER_INVOICE_REQUIRE_INVOICE) | CPUSER_BIT(CPUSER_INVOICE_TYPE);
    f.null = CPUSER_BIT(CPUSER_INVOICE_TYPE);
    assert_int_equal(cpuser_invoice_details_save(&client, cpuser_view_of("1"), &f, &details), CPUSER_OK);
    assert_true(details.require_invoice);
    assert_int_equal(details.enforced_by, CPUSER_INVOICE_BY_OPERATOR);
    assert_true(CPUSER_HAS(details.present, CPUSER_INVOICE_ORIGINAL_REQUEST_VALUE));
    assert_false(details.original_request_value);
    sc_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payment_method_lifecycle),
        cmocka_unit_test(invoice_details_round_trip),
    };
    return cmocka_run_group_tests(tests, sc_setup, sc_teardown);
}
