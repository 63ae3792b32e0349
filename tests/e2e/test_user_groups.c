/* User groups end to end: the library against the simulator over loopback,
 * with the 4 KB working buffer. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_client.h"

#include "cpuser/ampeco_user_groups.h"

static cpuser_user_group group;

typedef struct {
    uint32_t n;
    uint32_t with_partner;
    int64_t last_id;
    bool ordered;
    char want[16];
    bool found;
} walk;

static cpuser_err on_group(void *arg, const cpuser_user_group *g)
{
    walk *w = (walk *)arg;
    int64_t id = strtoll(g->id.ptr, NULL, 10);
    w->n++;
    w->ordered = w->ordered && id > w->last_id;
    w->last_id = id;
    if (CPUSER_HAS(g->present, CPUSER_GROUP_PARTNER_ID) && !CPUSER_HAS(g->null, CPUSER_GROUP_PARTNER_ID)) {
        w->with_partner++;
    }
    if (w->want[0] != '\0' && cpuser_view_eq(g->name, w->want)) {
        w->found = true;
    }
    return CPUSER_OK;
}

static void lifecycle(void **state)
{
    cpuser_user_group_fields f;
    cpuser_user_group_filter filter;
    walk w;
    char id[16];
    uint32_t total = 0;
    int i;
    (void)state;
    sc_start("0", NULL, NULL, "sim-token");

    memset(&f, 0, sizeof f);
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "Night shift \xc3\xa9");
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, "Drivers on nights");
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_EXTERNAL_ID, "grp-night");
    f.partner_id = 2;
    f.set |= CPUSER_BIT(CPUSER_GROUP_PARTNER_ID);
    assert_int_equal(cpuser_user_groups_create(&client, &f, &group), CPUSER_OK);
    assert_int_equal(client.last.status, 201);
    sc_keep(group.id, id, sizeof id);
    assert_true(cpuser_view_eq(group.name, "Night shift \xc3\xa9"));
    assert_int_equal(group.partner_id, 2);
    assert_true(group.last_updated_at.len > 0);

    assert_int_equal(cpuser_user_groups_read(&client, cpuser_view_of(id), &group), CPUSER_OK);
    assert_true(cpuser_view_eq(group.description, "Drivers on nights"));
    assert_true(cpuser_view_eq(group.external_id, "grp-night"));

    /* update: name (required) and description to null; partner untouched */
    memset(&f, 0, sizeof f);
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "Nights");
    f.set |= CPUSER_BIT(CPUSER_GROUP_DESCRIPTION);
    f.null |= CPUSER_BIT(CPUSER_GROUP_DESCRIPTION);
    assert_int_equal(cpuser_user_groups_update(&client, cpuser_view_of(id), &f, &group), CPUSER_OK);
    assert_true(cpuser_view_eq(group.name, "Nights"));
    assert_true(CPUSER_HAS(group.null, CPUSER_GROUP_DESCRIPTION));
    assert_int_equal(group.partner_id, 2);

    /* more groups, then every page by number, 2 per page */
    for (i = 0; i < 4; i++) {
        char name[16];
        memset(&f, 0, sizeof f);
        snprintf(name, sizeof name, "Extra %d", i);
        cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, name);
        assert_int_equal(cpuser_user_groups_create(&client, &f, NULL), CPUSER_OK);
    }
    memset(&w, 0, sizeof w);
    w.ordered = true;
    snprintf(w.want, sizeof w.want, "Extra 3");
    assert_int_equal(cpuser_user_groups_list_all(&client, NULL, 2, on_group, &w, &total), CPUSER_OK);
    assert_int_equal(total, 3 + 1 + 4); /* the simulator's three, ours */
    assert_int_equal(w.n, total);
    assert_true(w.ordered);
    assert_true(w.found);

    /* filters */
    memset(&filter, 0, sizeof filter);
    memset(&w, 0, sizeof w);
    filter.partner_id = cpuser_view_of("2");
    assert_int_equal(cpuser_user_groups_list_all(&client, &filter, 0, on_group, &w, &total), CPUSER_OK);
    assert_int_equal(total, 1);
    memset(&filter, 0, sizeof filter);
    memset(&w, 0, sizeof w);
    filter.no_partner = CPUSER_FILTER_FALSE;
    assert_int_equal(cpuser_user_groups_list_all(&client, &filter, 0, on_group, &w, &total), CPUSER_OK);
    assert_int_equal(total, 2); /* "Partner Staff" and ours */
    assert_int_equal(w.with_partner, 2);
    filter.no_partner = CPUSER_FILTER_TRUE;
    memset(&w, 0, sizeof w);
    assert_int_equal(cpuser_user_groups_list_all(&client, &filter, 0, on_group, &w, &total), CPUSER_OK);
    assert_int_equal(total, 6);
    assert_int_equal(w.with_partner, 0);

    /* delete, then it is gone */
    assert_int_equal(cpuser_user_groups_delete(&client, cpuser_view_of(id)), CPUSER_OK);
    assert_int_equal(client.last.status, 204);
    assert_int_equal(cpuser_user_groups_read(&client, cpuser_view_of(id), &group), CPUSER_ERR_HTTP_NOT_FOUND);
    assert_int_equal(cpuser_user_groups_delete(&client, cpuser_view_of(id)), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

static void field_errors_and_refusals(void **state)
{
    cpuser_user_group_fields f;
    const cpuser_result *last;
    char text[2100];
    size_t i;
    bool partner = false;
    (void)state;
    sc_start("0", "--read-only-token", "ro-token", "sim-token");
    memset(&f, 0, sizeof f);
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "x");
    f.partner_id = 77; /* no such partner */
    f.set |= CPUSER_BIT(CPUSER_GROUP_PARTNER_ID);
    assert_int_equal(cpuser_user_groups_create(&client, &f, &group), CPUSER_ERR_HTTP_UNPROCESSABLE);
    last = cpuser_client_last(&client);
    assert_int_equal(last->status, 422);
    for (i = 0; i < last->field_error_count; i++) {
        partner = partner || cpuser_view_eq(last->field_errors[i].field, "partnerId");
    }
    assert_true(partner);

    /* refused here: the server would say 422 too, after a round trip */
    memset(text, 'd', 2001);
    text[2001] = '\0';
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, text);
    f.set &= ~CPUSER_BIT(CPUSER_GROUP_PARTNER_ID);
    assert_int_equal(cpuser_user_groups_create(&client, &f, &group), CPUSER_ERR_BAD_ARGUMENT);
    memset(&f, 0, sizeof f);
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, "no name");
    assert_int_equal(cpuser_user_groups_update(&client, cpuser_view_of("1"), &f, &group), CPUSER_ERR_BAD_ARGUMENT);

    /* the same description length limit as the server's */
    text[2000] = '\0';
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "Long");
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, text);
    assert_int_equal(cpuser_user_groups_update(&client, cpuser_view_of("1"), &f, &group), CPUSER_OK);
    assert_int_equal(group.description.len, 2000);
    sc_stop();

    /* a read-only token reads but cannot write */
    sc_start("0", "--read-only-token", "ro-token", "ro-token");
    assert_int_equal(cpuser_user_groups_read(&client, cpuser_view_of("1"), &group), CPUSER_OK);
    assert_true(cpuser_view_eq(group.name, "Fleet A"));
    assert_int_equal(cpuser_user_groups_delete(&client, cpuser_view_of("1")), CPUSER_ERR_HTTP_FORBIDDEN);
    sc_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle),
        cmocka_unit_test(field_errors_and_refusals),
    };
    return cmocka_run_group_tests(tests, sc_setup, sc_teardown);
}
