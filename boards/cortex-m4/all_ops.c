/*
 * all_ops.c: see all_ops.h. The arguments are plausible values, not
 * tests: the images are measured, not run against a server.
 */
#include "all_ops.h"

#include <stddef.h>

static cpuser_user fw_user;
static cpuser_page fw_page;
static char fw_json[512];

/* Users seen by the listings. */
volatile uint32_t fw_listed;

static cpuser_err fw_on_user(void *arg, const cpuser_user *u)
{
    (void)arg;
    if (CPUSER_HAS(u->present, CPUSER_USER_ID)) {
        fw_listed++;
    }
    return CPUSER_OK;
}

/* The export's document goes nowhere: taken whole as it arrives. */
static cpuser_err fw_sink_write(void *arg, char *data, size_t len, bool final,
                                size_t *consumed)
{
    (void)arg;
    (void)data;
    (void)final;
    *consumed = len;
    return CPUSER_OK;
}

static cpuser_err fw_keep(cpuser_err first, cpuser_err err)
{
    return first != CPUSER_OK ? first : err;
}

cpuser_err fw_all_ops(cpuser_client *c)
{
    cpuser_user_fields f = {0};
    cpuser_user_read_opts opts = {0};
    cpuser_user_filter filter = {0};
    cpuser_json_writer w;
    cpuser_sink sink;
    cpuser_view id = {"42", 2};
    cpuser_view none = {NULL, 0};
    cpuser_view url;
    cpuser_err err = CPUSER_OK;
    uint32_t total = 0;
    size_t len = 0;
    int bad = 0;

    err = fw_keep(err, cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, "driver@example.com"));
    err = fw_keep(err, cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "s3cret-pass"));
    err = fw_keep(err, cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "Ana"));
    err = fw_keep(err, cpuser_user_fields_set(&f, CPUSER_USER_EXTERNAL_ID, "cp-0001"));
    err = fw_keep(err, cpuser_user_fields_check(&f, true, &bad));
    err = fw_keep(err, cpuser_users_create(c, &f, &fw_user));

    opts.with_amount_due = true;
    err = fw_keep(err, cpuser_users_read(c, id, &opts, &fw_user));

    f.set = 0;
    err = fw_keep(err, cpuser_user_fields_set(&f, CPUSER_USER_CITY, "Porto"));
    err = fw_keep(err, cpuser_users_update(c, id, &f, &fw_user));

    filter.email = cpuser_view_of("driver@example.com");
    cpuser_page_init(&fw_page, 50);
    err = fw_keep(err, cpuser_users_list(c, &filter, &fw_page, fw_on_user, NULL));
    err = fw_keep(err, cpuser_users_list_all(c, NULL, 100, fw_on_user, NULL, &total));

    err = fw_keep(err, cpuser_users_change_status(
                           c, id, cpuser_user_status_parse("disabled"), cpuser_view_of("audit")));
    err = fw_keep(err, cpuser_users_add_balance(c, id, 12345, cpuser_view_of("top-up"), none));
    err = fw_keep(err, cpuser_users_apply_custom_fee(c, id, 500, cpuser_view_of("parking"), none));
    err = fw_keep(err, cpuser_users_activate_subscription(c, id, 7, cpuser_view_of("2030-01-31"),
                                                          1, none));
    err = fw_keep(err, cpuser_users_cancel_subscription(c, id, none));
    err = fw_keep(err, cpuser_users_clear_subscription_amount_due(c, id));
    err = fw_keep(err, cpuser_users_redeem_voucher(c, id, cpuser_view_of("WELCOME10")));

    sink.write = fw_sink_write;
    sink.arg = NULL;
    err = fw_keep(err, cpuser_users_export(c, id, &sink, &url));

    cpuser_json_writer_init(&w, fw_json, sizeof fw_json);
    cpuser_user_write_json(&w, &fw_user);
    err = fw_keep(err, cpuser_json_writer_finish(&w, &len));

    if (cpuser_user_status_name(fw_user.status) == NULL ||
        cpuser_sessions_allowed_name(cpuser_sessions_allowed_parse("single_session")) == NULL) {
        err = fw_keep(err, CPUSER_ERR_JSON);
    }

    err = fw_keep(err, cpuser_users_delete(c, id));
    fw_listed += total;
    return err;
}
