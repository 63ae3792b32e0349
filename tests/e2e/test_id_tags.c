/* Id tags end to end: the library against the simulator over loopback, with
 * the 4 KB working buffer. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_client.h"

#include "cpuser/ampeco_id_tags.h"

static cpuser_id_tag tag;

typedef struct {
    uint32_t n;
    uint32_t emaid;
    uint32_t with_partner;
    uint32_t other_user;
    int64_t user;
    int64_t last_id;
    bool ordered;
} walk;

static cpuser_err on_tag(void *arg, const cpuser_id_tag *t)
{
    walk *w = (walk *)arg;
    int64_t id = strtoll(t->id.ptr, NULL, 10);
    w->n++;
    w->ordered = w->ordered && id > w->last_id;
    w->last_id = id;
    w->emaid += t->type == CPUSER_ID_TAG_EMAID;
    w->with_partner += !CPUSER_HAS(t->null, CPUSER_ID_TAG_PARTNER_ID);
    w->other_user += w->user != 0 && t->user_id != w->user;
    return CPUSER_OK;
}

static void lifecycle_and_filters(void **state)
{
    cpuser_id_tag_fields f;
    cpuser_id_tag_filter filter;
    const cpuser_result *last;
    cpuser_page page;
    walk w;
    char id[16];
    uint32_t total = 0;
    uint32_t pages = 0;
    (void)state;
    sc_start("30", NULL, NULL, "sim-token"); /* odd users 1..29 have a tag each */

    memset(&f, 0, sizeof f);
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_UID, "DEADBEEF01");
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_LABEL, "Kiosk card \xe2\x84\x96 1");
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_EXPIRE_AT, "2031-01-01T00:00:00Z");
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_PAYMENT_METHOD_ID, "auto");
    f.status = CPUSER_ID_TAG_ENABLED;
    f.type = CPUSER_ID_TAG_RFID;
    f.vehicle_type = CPUSER_VEHICLE_PRIVATE_CAR;
    f.user_id = 4;
    f.set |= CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_TYPE) |
             CPUSER_BIT(CPUSER_ID_TAG_VEHICLE_TYPE) | CPUSER_BIT(CPUSER_ID_TAG_USER_ID);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_OK);
    assert_int_equal(client.last.status, 201);
    sc_keep(tag.id, id, sizeof id);
    assert_true(cpuser_view_eq(tag.uid, "DEADBEEF01"));
    assert_true(cpuser_view_eq(tag.label, "Kiosk card \xe2\x84\x96 1"));
    assert_true(cpuser_view_eq(tag.expire_at, "2031-01-01T00:00:00Z"));
    assert_int_equal(tag.user_id, 4);
    assert_true(CPUSER_HAS(tag.null, CPUSER_ID_TAG_PARTNER_ID));

    /* the same UID again (case differs): 422, the field named */
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_UID, "deadbeef01");
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_ERR_HTTP_UNPROCESSABLE);
    last = cpuser_client_last(&client);
    assert_true(last->field_error_count >= 1);
    assert_true(cpuser_view_eq(last->field_errors[0].field, "idTagUid"));

    /* update: suspend, no vehicle, partner 2 */
    memset(&f, 0, sizeof f);
    f.status = CPUSER_ID_TAG_SUSPENDED;
    f.partner_id = 2;
    f.set = CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_VEHICLE_TYPE) |
            CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID);
    f.null = CPUSER_BIT(CPUSER_ID_TAG_VEHICLE_TYPE);
    assert_int_equal(cpuser_id_tags_update(&client, cpuser_view_of(id), &f, &tag), CPUSER_OK);
    assert_int_equal(tag.status, CPUSER_ID_TAG_SUSPENDED);
    assert_true(CPUSER_HAS(tag.null, CPUSER_ID_TAG_VEHICLE_TYPE));
    assert_int_equal(tag.partner_id, 2);
    assert_true(cpuser_view_eq(tag.uid, "DEADBEEF01")); /* untouched */
    assert_int_equal(cpuser_id_tags_read(&client, cpuser_view_of(id), &tag), CPUSER_OK);
    assert_int_equal(tag.status, CPUSER_ID_TAG_SUSPENDED);

    /* every tag, by cursor, 4 per page: 15 seeded + ours */
    memset(&w, 0, sizeof w);
    w.ordered = true;
    cpuser_page_init(&page, 4);
    do {
        assert_int_equal(cpuser_id_tags_list(&client, NULL, &page, on_tag, &w), CPUSER_OK);
        pages++;
    } while (page.more && pages < 20u);
    assert_int_equal(w.n, 16);
    assert_int_equal(pages, 4);
    assert_true(w.ordered);
    assert_int_equal(cpuser_id_tags_list_all(&client, NULL, 100, on_tag, &w, &total), CPUSER_OK);
    assert_int_equal(total, 16);

    /* filters */
    memset(&filter, 0, sizeof filter);
    memset(&w, 0, sizeof w);
    filter.user_id = cpuser_view_of("4");
    w.user = 4;
    assert_int_equal(cpuser_id_tags_list_all(&client, &filter, 0, on_tag, &w, &total), CPUSER_OK);
    assert_int_equal(total, 1);
    assert_int_equal(w.other_user, 0);
    memset(&filter, 0, sizeof filter);
    memset(&w, 0, sizeof w);
    filter.type = CPUSER_ID_TAG_EMAID; /* seeded users 15 and (none else < 30) */
    assert_int_equal(cpuser_id_tags_list_all(&client, &filter, 0, on_tag, &w, &total), CPUSER_OK);
    assert_true(total >= 1u);
    assert_int_equal(w.emaid, total);
    memset(&filter, 0, sizeof filter);
    memset(&w, 0, sizeof w);
    filter.status = CPUSER_ID_TAG_SUSPENDED;
    filter.uid = cpuser_view_of("DEADBEEF01");
    assert_int_equal(cpuser_id_tags_list_all(&client, &filter, 0, on_tag, &w, &total), CPUSER_OK);
    assert_int_equal(total, 1);
    memset(&filter, 0, sizeof filter);
    memset(&w, 0, sizeof w);
    filter.without_partner = true;
    assert_int_equal(cpuser_id_tags_list_all(&client, &filter, 0, on_tag, &w, &total), CPUSER_OK);
    assert_int_equal(w.with_partner, 0);
    assert_true(total > 10u && total < 16u); /* tags of partner 1 (n % 7) and ours left out */

    /* delete */
    assert_int_equal(cpuser_id_tags_delete(&client, cpuser_view_of(id)), CPUSER_OK);
    assert_int_equal(client.last.status, 204);
    assert_int_equal(cpuser_id_tags_read(&client, cpuser_view_of(id), &tag), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

static void server_refusals(void **state)
{
    cpuser_id_tag_fields f;
    (void)state;
    sc_start("0", NULL, NULL, "sim-token");
    memset(&f, 0, sizeof f);
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_UID, "CAFE");
    f.status = CPUSER_ID_TAG_ENABLED;
    f.type = CPUSER_ID_TAG_MAC_ADDRESS;
    f.user_id = 999; /* no such user */
    f.set |= CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_TYPE) | CPUSER_BIT(CPUSER_ID_TAG_USER_ID);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_ERR_HTTP_UNPROCESSABLE);
    assert_true(cpuser_view_eq(client.last.field_errors[0].field, "userId"));
    f.set &= ~CPUSER_BIT(CPUSER_ID_TAG_USER_ID);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_OK);
    assert_int_equal(tag.type, CPUSER_ID_TAG_MAC_ADDRESS);
    assert_true(CPUSER_HAS(tag.null, CPUSER_ID_TAG_USER_ID)); /* prepared for later */
    assert_int_equal(cpuser_id_tags_read(&client, cpuser_view_of("12345"), &tag), CPUSER_ERR_HTTP_NOT_FOUND);
    sc_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_and_filters),
        cmocka_unit_test(server_refusals),
    };
    return cmocka_run_group_tests(tests, sc_setup, sc_teardown);
}
