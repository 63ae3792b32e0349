/* The users API end to end: the library against the simulator over real
 * loopback sockets, with the 4 KB working buffer a charge point would use. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_client.h"

#include "cpuser/ampeco_users.h"

static cpuser_user user;

static void lifecycle(void **state)
{
    cpuser_user_fields f;
    cpuser_user_read_opts opts;
    char id[32];
    char email[64];
    (void)state;
    sc_start("0", NULL, NULL, "sim-token");

    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, "zoë.ångström@example.com");
    cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "s3cret-pw");
    cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "Zoë");
    cpuser_user_fields_set(&f, CPUSER_USER_LAST_NAME, "Ångström 山田");
    cpuser_user_fields_set(&f, CPUSER_USER_COUNTRY, "US");
    cpuser_user_fields_set(&f, CPUSER_USER_STATE, "CA");
    cpuser_user_fields_set(&f, CPUSER_USER_EXTERNAL_ID, "kiosk-42");
    cpuser_user_fields_set(&f, CPUSER_USER_PERSONAL_ID, "P-1");
    f.user_group_ids.count = 2;
    f.user_group_ids.v[0] = 1;
    f.user_group_ids.v[1] = 3;
    f.sessions_allowed = CPUSER_SESSIONS_SIMULTANEOUS_IDTAGS;
    f.set |= CPUSER_BIT(CPUSER_USER_GROUP_IDS) | CPUSER_BIT(CPUSER_USER_OPTIONS) |
             CPUSER_BIT(CPUSER_USER_SESSIONS_ALLOWED);
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_OK);
    assert_int_equal(client.last.status, 201);
    sc_keep(user.id, id, sizeof id);
    sc_keep(user.email, email, sizeof email);
    assert_string_equal(email, "zoë.ångström@example.com");
    assert_true(cpuser_view_eq(user.first_name, "Zoë"));
    assert_true(cpuser_view_eq(user.last_name, "Ångström 山田"));
    assert_true(cpuser_view_eq(user.state, "CA"));
    assert_int_equal(user.user_group_ids.count, 2);
    assert_int_equal(user.user_group_ids.v[1], 3);
    assert_int_equal(user.sessions_allowed, CPUSER_SESSIONS_SIMULTANEOUS_IDTAGS);
    assert_int_equal(user.status, CPUSER_USER_ENABLED);
    assert_true(CPUSER_HAS(user.present, CPUSER_USER_BALANCE));
    assert_int_equal(user.balance, 0);
    assert_true(CPUSER_HAS(user.null, CPUSER_USER_MIDDLE_NAME));
    assert_true(client.last.ratelimit_limit > 0);

    /* read, with the amount due */
    memset(&opts, 0, sizeof opts);
    opts.with_amount_due = true;
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of(id), &opts, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.external_id, "kiosk-42"));
    assert_true(CPUSER_HAS(user.present, CPUSER_USER_AMOUNT_DUE));
    assert_false(CPUSER_HAS(user.present, CPUSER_USER_PARTNER_INVITES));

    /* update sends only what is set */
    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_CITY, "Sofia");
    f.set |= CPUSER_BIT(CPUSER_USER_MIDDLE_NAME) | CPUSER_BIT(CPUSER_USER_LAST_NAME);
    f.null |= CPUSER_BIT(CPUSER_USER_LAST_NAME); /* last_name is not nullable */
    f.middle_name = cpuser_view_of("Q");
    assert_int_equal(cpuser_users_update(&client, cpuser_view_of(id), &f, &user), CPUSER_ERR_BAD_ARGUMENT);
    f.set &= ~CPUSER_BIT(CPUSER_USER_LAST_NAME);
    f.null = CPUSER_BIT(CPUSER_USER_EXTERNAL_ID);      /* externalId is */
    f.set |= CPUSER_BIT(CPUSER_USER_EXTERNAL_ID);
    assert_int_equal(cpuser_users_update(&client, cpuser_view_of(id), &f, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.city, "Sofia"));
    assert_true(cpuser_view_eq(user.middle_name, "Q"));
    assert_true(CPUSER_HAS(user.null, CPUSER_USER_EXTERNAL_ID));
    assert_true(cpuser_view_eq(user.last_name, "Ångström 山田"));
    assert_true(cpuser_view_eq(user.first_name, "Zoë")); /* untouched */

    /* actions */
    assert_int_equal(cpuser_users_change_status(&client, cpuser_view_of(id), CPUSER_USER_DISABLED,
                                                cpuser_view_of("lost card")), CPUSER_OK);
    assert_int_equal(client.last.status, 202);
    assert_int_equal(cpuser_users_add_balance(&client, cpuser_view_of(id), 12345,
                                              cpuser_view_of("top-up"), cpuser_view_of("kiosk 7")),
                     CPUSER_OK);
    assert_int_equal(cpuser_users_add_balance(&client, cpuser_view_of(id), 1,
                                              cpuser_view_of("cent"), cpuser_view_of("")), CPUSER_OK);
    assert_int_equal(cpuser_users_apply_custom_fee(&client, cpuser_view_of(id), 2000,
                                                   cpuser_view_of("parking"), cpuser_view_of("")),
                     CPUSER_OK);
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of(id), NULL, &user), CPUSER_OK);
    assert_int_equal(user.status, CPUSER_USER_DISABLED);
    assert_int_equal(user.balance, 12345 + 1 - 2000);
    assert_int_equal(cpuser_users_activate_subscription(&client, cpuser_view_of(id), 2,
                                                        cpuser_view_of("2030-01-31"), 1,
                                                        cpuser_view_of("promo")), CPUSER_OK);
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of(id), &opts, &user), CPUSER_OK);
    assert_true(CPUSER_HAS(user.present, CPUSER_USER_SUBSCRIPTION_ID));
    assert_false(CPUSER_HAS(user.null, CPUSER_USER_SUBSCRIPTION_ID));
    assert_int_equal(user.amount_due, 29990);
    assert_int_equal(cpuser_users_clear_subscription_amount_due(&client, cpuser_view_of(id)), CPUSER_OK);
    assert_int_equal(cpuser_users_cancel_subscription(&client, cpuser_view_of(id),
                                                      cpuser_view_of("moved")), CPUSER_OK);
    assert_int_equal(cpuser_users_redeem_voucher(&client, cpuser_view_of(id), cpuser_view_of("VOUCHER10")),
                     CPUSER_OK);
    assert_int_equal(cpuser_users_redeem_voucher(&client, cpuser_view_of(id), cpuser_view_of("NOPE")),
                     CPUSER_ERR_HTTP_BAD_REQUEST);
    assert_int_equal(client.last.status, 406);
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of(id), NULL, &user), CPUSER_OK);
    assert_int_equal(user.balance, 12345 + 1 - 2000 + 10000);

    /* delete, then it is gone */
    assert_int_equal(cpuser_users_delete(&client, cpuser_view_of(id)), CPUSER_OK);
    assert_int_equal(client.last.status, 204);
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of(id), NULL, &user), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_true(client.last.message.len > 0);
    sc_stop();
}

static void field_errors_round_trip(void **state)
{
    cpuser_user_fields f;
    const cpuser_result *last;
    size_t i;
    bool email_taken = false;
    (void)state;
    sc_start("3", NULL, NULL, "sim-token");
    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, "user1@example.com");
    cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "123456");
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_ERR_HTTP_UNPROCESSABLE);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 422);
    assert_true(last->message.len > 0);
    for (i = 0; i < last->field_error_count; i++) {
        if (cpuser_view_eq(last->field_errors[i].field, "email") &&
            cpuser_view_eq(last->field_errors[i].message, "The email has already been taken.")) {
            email_taken = true;
        }
    }
    assert_true(email_taken);
    sc_stop();
}

static void invalid_input_is_refused_before_sending(void **state)
{
    cpuser_user_fields f;
    int before;
    static const char *const bad_emails[] = {"plain", "a@b", "a@@b.io", "a b@c.io", "@b.io", "a@.io",
                                             "a@b..io", "a@b.io.", NULL};
    size_t i;
    (void)state;
    sc_start("1", NULL, NULL, "sim-token");
    before = sc_logged(NULL);
    for (i = 0; bad_emails[i] != NULL; i++) {
        memset(&f, 0, sizeof f);
        cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, bad_emails[i]);
        cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "123456");
        if (cpuser_users_create(&client, &f, &user) != CPUSER_ERR_BAD_ARGUMENT) {
            fail_msg("email \"%s\" accepted", bad_emails[i]);
        }
    }
    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, "ok@example.com");
    cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "12345");       /* too short */
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "ÿÿÿÿÿ");       /* 5 characters, 10 bytes */
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "123456");
    cpuser_user_fields_set(&f, CPUSER_USER_COUNTRY, "XX");           /* not ISO 3166 */
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_user_fields_set(&f, CPUSER_USER_COUNTRY, "BG");
    cpuser_user_fields_set(&f, CPUSER_USER_STATE, "Sofia");         /* state only with US/AU */
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_ERR_BAD_ARGUMENT);
    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_LOCALE, "bg");            /* PATCH has no locale */
    assert_int_equal(cpuser_users_update(&client, cpuser_view_of("1"), &f, &user), CPUSER_ERR_BAD_ARGUMENT);
    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "x\"y");
    assert_int_equal(cpuser_users_update(&client, cpuser_view_of("1\r\nX: y"), &f, &user),
                     CPUSER_ERR_BAD_ARGUMENT);                        /* CR/LF in the id */
    assert_int_equal(cpuser_users_update(&client, cpuser_view_of(""), &f, &user), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_users_change_status(&client, cpuser_view_of("1"), 9, cpuser_view_of("r")),
                     CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_users_activate_subscription(&client, cpuser_view_of("1"), 1,
                                                        cpuser_view_of("31.01.2030"), -1,
                                                        cpuser_view_of("")), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(sc_logged(NULL), before); /* nothing reached the server */
    /* and the same client still works */
    assert_int_equal(cpuser_users_update(&client, cpuser_view_of("1"), &f, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.first_name, "x\"y"));
    sc_stop();
}

static void wrong_token_is_401(void **state)
{
    (void)state;
    sc_start("1", NULL, NULL, "not-the-token");
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of("1"), NULL, &user),
                     CPUSER_ERR_HTTP_UNAUTHORIZED);
    assert_true(cpuser_view_eq(client.last.message, "Unauthenticated."));
    sc_stop();
}

static void read_only_token_is_403_and_bad_action_is_400(void **state)
{
    (void)state;
    sc_start("2", "--read-only-token", "ro-token", "ro-token");
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of("1"), NULL, &user), CPUSER_OK);
    assert_int_equal(cpuser_users_delete(&client, cpuser_view_of("1")), CPUSER_ERR_HTTP_FORBIDDEN);
    assert_int_equal(client.last.status, 403);
    assert_true(cpuser_view_eq(client.last.message, "This action is unauthorized."));
    cpuser_client_close(&client);
    sc_connect("sim-token", 20000);
    /* no active subscription to cancel: 400 with the API's message */
    assert_int_equal(cpuser_users_cancel_subscription(&client, cpuser_view_of("2"), cpuser_view_of("r")),
                     CPUSER_ERR_HTTP_BAD_REQUEST);
    assert_int_equal(client.last.status, 400);
    assert_true(cpuser_view_eq(client.last.message, "The user has no active subscription."));
    sc_stop();
}

static void rate_limit_is_429_with_retry_after(void **state)
{
    int i;
    cpuser_err err = CPUSER_OK;
    (void)state;
    sc_start("1", "--rate-limit", "3", "sim-token");
    for (i = 0; i < 10 && err == CPUSER_OK; i++) {
        err = cpuser_users_read(&client, cpuser_view_of("1"), NULL, &user);
    }
    assert_int_equal(err, CPUSER_ERR_HTTP_RATE_LIMITED);
    assert_int_equal(i, 4);
    assert_true(client.last.retry_after.len > 0);
    assert_int_equal(client.last.ratelimit_remaining, 0);
    sc_stop();
}

/* ---- listing ---- */

typedef struct {
    uint32_t n;
    uint8_t seen[1001];
    bool dup;
    char want_domain[32];
} tally;

static cpuser_err count_user(void *arg, const cpuser_user *u)
{
    tally *t = (tally *)arg;
    int64_t id = 0;
    size_t i;
    for (i = 0; i < u->id.len; i++) {
        id = id * 10 + (u->id.ptr[i] - '0');
    }
    if (id < 1 || id > 1000) {
        return CPUSER_ERR_JSON;
    }
    t->dup = t->dup || t->seen[id];
    t->seen[id] = 1;
    t->n++;
    return CPUSER_OK;
}

static void walk_1000_users_through_4k(void **state)
{
    tally t;
    uint32_t total = 0;
    (void)state;
    sc_start("1000", NULL, NULL, "sim-token");
    memset(&t, 0, sizeof t);
    assert_int_equal(cpuser_users_list_all(&client, NULL, 100, count_user, &t, &total), CPUSER_OK);
    assert_int_equal(total, 1000);
    assert_int_equal(t.n, 1000);
    assert_false(t.dup);
    sc_stop();
}

static void walk_chunked_and_page_mode(void **state)
{
    tally t;
    cpuser_page page;
    uint32_t pages = 0;
    (void)state;
    sc_start("250", "--chunked", NULL, "sim-token");
    memset(&t, 0, sizeof t);
    assert_int_equal(cpuser_users_list_all(&client, NULL, 37, count_user, &t, NULL), CPUSER_OK);
    assert_int_equal(t.n, 250);
    assert_false(t.dup);
    /* page pagination, page by page */
    memset(&t, 0, sizeof t);
    cpuser_page_init(&page, 100);
    page.page = 1;
    do {
        assert_int_equal(cpuser_users_list(&client, NULL, &page, count_user, &t), CPUSER_OK);
        pages++;
        page.page++;
    } while (page.more && pages < 10);
    assert_int_equal(pages, 3);
    assert_int_equal(page.last_page, 3);
    assert_int_equal(t.n, 250);
    sc_stop();
}

static cpuser_err check_filter(void *arg, const cpuser_user *u)
{
    tally *t = (tally *)arg;
    t->n++;
    if (t->want_domain[0] != '\0' && !cpuser_view_eq(u->email, t->want_domain)) {
        return CPUSER_ERR_JSON;
    }
    return CPUSER_OK;
}

static void list_filters(void **state)
{
    cpuser_user_filter f;
    tally t;
    (void)state;
    sc_start("100", NULL, NULL, "sim-token");
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    f.email = cpuser_view_of("user42@example.com");
    snprintf(t.want_domain, sizeof t.want_domain, "user42@example.com");
    assert_int_equal(cpuser_users_list_all(&client, &f, 10, check_filter, &t, NULL), CPUSER_OK);
    assert_int_equal(t.n, 1);
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    f.external_id = cpuser_view_of("ext-00042");
    snprintf(t.want_domain, sizeof t.want_domain, "user42@example.com");
    assert_int_equal(cpuser_users_list_all(&client, &f, 10, check_filter, &t, NULL), CPUSER_OK);
    assert_int_equal(t.n, 1);
    /* groups: 3 is every n % 5 == 0 -> 20 of 100 */
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    f.user_group_id = cpuser_view_of("2");
    assert_int_equal(cpuser_users_list_all(&client, &f, 100, check_filter, &t, NULL), CPUSER_OK);
    assert_true(t.n > 0 && t.n < 100);
    /* updated window: users 10..19 (n minutes after the epoch of the seed) */
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    f.last_updated_after = cpuser_view_of("2024-01-01T00:10:00Z");
    f.last_updated_before = cpuser_view_of("2024-01-01T00:19:00Z");
    assert_int_equal(cpuser_users_list_all(&client, &f, 100, check_filter, &t, NULL), CPUSER_OK);
    assert_int_equal(t.n, 10);
    /* partner filter: an accepted invite of partner 1 when n % 7 == 0 */
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    f.partner_id = cpuser_view_of("1");
    assert_int_equal(cpuser_users_list_all(&client, &f, 100, check_filter, &t, NULL), CPUSER_OK);
    assert_int_equal(t.n, 14);
    /* external app data: seeded for n % 4 == 0 as {"externalCustomerId": "cus_0000nn", ...} */
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    f.app_data_key = cpuser_view_of("externalCustomerId");
    f.app_data_value = cpuser_view_of("cus_000028");
    snprintf(t.want_domain, sizeof t.want_domain, "user28@example.com");
    assert_int_equal(cpuser_users_list_all(&client, &f, 100, check_filter, &t, NULL), CPUSER_OK);
    assert_int_equal(t.n, 1);
    sc_stop();
}

static cpuser_err check_includes(void *arg, const cpuser_user *u)
{
    tally *t = (tally *)arg;
    t->n++;
    if (!CPUSER_HAS(u->present, CPUSER_USER_PARTNER_INVITES) ||
        !CPUSER_HAS(u->present, CPUSER_USER_EXTERNAL_APP_DATA) || u->partner_invites.len < 10u ||
        u->partner_invites.ptr[0] != '[') {
        return CPUSER_ERR_JSON;
    }
    return CPUSER_OK;
}

static void includes_and_the_token_limit(void **state)
{
    cpuser_user_filter f;
    cpuser_user_read_opts o;
    tally t;
    (void)state;
    sc_start("100", NULL, NULL, "sim-token");
    /* user 28: one invite and app data, about 110 tokens: fits the default */
    memset(&o, 0, sizeof o);
    o.partner_invites = true;
    o.external_app_data = true;
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of("28"), &o, &user), CPUSER_OK);
    assert_true(user.partner_invites.ptr[0] == '[');
    assert_true(user.external_app_data.ptr[0] == '{');
    assert_true(cpuser_view_eq(user.email, "user28@example.com"));
    /* listing partner 1's users with both includes: user 70 needs about 136
     * tokens, over the default 128: a clear limit error, not a JSON error */
    memset(&f, 0, sizeof f);
    memset(&t, 0, sizeof t);
    f.partner_id = cpuser_view_of("1");
    f.partner_invites = true;
    f.external_app_data = true;
    assert_int_equal(cpuser_users_list_all(&client, &f, 100, check_includes, &t, NULL),
                     CPUSER_JSON_MAX_TOKENS >= 160u ? CPUSER_OK : CPUSER_ERR_BUFFER_TOO_SMALL);
    assert_true(t.n >= 9u);
    sc_stop();
}

/* ---- export ---- */

typedef struct {
    size_t bytes;
    size_t calls;
    size_t largest;
    char head[16];
    char tail;
} exported;

static cpuser_err take_export(void *arg, char *data, size_t len, bool final, size_t *consumed)
{
    exported *e = (exported *)arg;
    (void)final;
    if (e->bytes == 0 && len >= sizeof e->head - 1u) {
        memcpy(e->head, data, sizeof e->head - 1u);
    }
    if (len > 0) {
        e->tail = data[len - 1u];
    }
    e->bytes += len;
    e->calls++;
    e->largest = len > e->largest ? len : e->largest;
    *consumed = len;
    return CPUSER_OK;
}

static void export_streams_in_chunks(void **state)
{
    exported e;
    cpuser_sink sink;
    cpuser_view url;
    (void)state;
    sc_start("2", NULL, NULL, "sim-token");
    memset(&e, 0, sizeof e);
    sink.write = take_export;
    sink.arg = &e;
    assert_int_equal(cpuser_users_export(&client, cpuser_view_of("2"), &sink, &url), CPUSER_OK);
    assert_true(e.bytes > 10u * sizeof work); /* far larger than the buffer */
    assert_true(e.largest < sizeof work);
    assert_true(e.calls > 10u);
    assert_int_equal(e.head[0], '{');
    assert_int_equal(e.tail, '}');
    sc_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle),
        cmocka_unit_test(field_errors_round_trip),
        cmocka_unit_test(invalid_input_is_refused_before_sending),
        cmocka_unit_test(wrong_token_is_401),
        cmocka_unit_test(read_only_token_is_403_and_bad_action_is_400),
        cmocka_unit_test(rate_limit_is_429_with_retry_after),
        cmocka_unit_test(walk_1000_users_through_4k),
        cmocka_unit_test(walk_chunked_and_page_mode),
        cmocka_unit_test(list_filters),
        cmocka_unit_test(includes_and_the_token_limit),
        cmocka_unit_test(export_streams_in_chunks),
    };
    return cmocka_run_group_tests(tests, sc_setup, sc_teardown);
}
