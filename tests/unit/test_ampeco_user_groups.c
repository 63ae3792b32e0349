/* User groups over the scripted transport: recorded bodies in, the struct
 * and the exact request bytes out; the checks before sending. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpuser/ampeco_user_groups.h"
#include "resource_test.h"

static cpuser_user_group group;

static const char recorded[] =
    "{\"data\":{\"id\":7,\"name\":\"Fleet \\\"A\\\"\",\"partnerId\":null,\"description\":\"Caf\\u00e9 cars\","
    "\"externalId\":\"grp-7\",\"lastUpdatedAt\":\"2024-01-01T00:00:07Z\",\"future\":{\"x\":[1]}}}";

static void decodes_every_field(void **state)
{
    (void)state;
    rt_setup1("200 OK", recorded);
    assert_int_equal(cpuser_user_groups_read(&client, cpuser_view_of("7"), &group), CPUSER_OK);
    rt_assert_line(0, "GET /public-api/resources/user-groups/v1.0/7 HTTP/1.1\r\n");
    assert_true(cpuser_view_eq(group.id, "7"));
    assert_true(cpuser_view_eq(group.name, "Fleet \"A\""));
    assert_true(CPUSER_HAS(group.present, CPUSER_GROUP_PARTNER_ID));
    assert_true(CPUSER_HAS(group.null, CPUSER_GROUP_PARTNER_ID));
    assert_true(cpuser_view_eq(group.description, "Caf\xc3\xa9 cars"));
    assert_true(cpuser_view_eq(group.external_id, "grp-7"));
    assert_true(cpuser_view_eq(group.last_updated_at, "2024-01-01T00:00:07Z"));
}

static void wrong_shapes_and_truncation_are_json_errors(void **state)
{
    static const char *const bodies[] = {
        "{\"data\":[]}", "{\"group\":{}}", "[]", "{\"data\":{\"partnerId\":\"2\"}}",
        "{\"data\":{\"id\":1.5}}", "{\"data\":{\"name\":5}}", "{\"data\":{\"id\":1}",
        "{\"data\":{\"name\":\"\\ud800\"}}", "{\"data\":{\"name\":\"x", "",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        cpuser_err err;
        rt_setup1("200 OK", bodies[i]);
        err = cpuser_user_groups_read(&client, cpuser_view_of("1"), &group);
        if (err != CPUSER_ERR_JSON) {
            fail_msg("%s: %s", bodies[i], cpuser_strerror(err));
        }
    }
}

static void create_sends_exactly_the_set_fields(void **state)
{
    cpuser_user_group_fields f;
    (void)state;
    rt_setup1("201 Created", "{\"data\":{\"id\":9,\"name\":\"Night shift\",\"partnerId\":2}}");
    memset(&f, 0, sizeof f);
    assert_int_equal(cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "Night shift"), CPUSER_OK);
    assert_int_equal(cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, "Drivers \xe2\x80\x94 nights"),
                     CPUSER_OK);
    f.partner_id = 2;
    f.set |= CPUSER_BIT(CPUSER_GROUP_PARTNER_ID) | CPUSER_BIT(CPUSER_GROUP_EXTERNAL_ID);
    f.null |= CPUSER_BIT(CPUSER_GROUP_EXTERNAL_ID);
    assert_int_equal(cpuser_user_groups_create(&client, &f, &group), CPUSER_OK);
    rt_assert_line(0, "POST /public-api/resources/user-groups/v1.0 HTTP/1.1\r\n");
    assert_string_equal(rt_body(), "{\"name\":\"Night shift\",\"partnerId\":2,"
                                   "\"description\":\"Drivers \xe2\x80\x94 nights\",\"externalId\":null}");
    assert_true(cpuser_view_eq(group.id, "9"));
    assert_int_equal(group.partner_id, 2);
    assert_int_equal(client.last.status, 201);
}

static void update_sends_only_what_changed(void **state)
{
    cpuser_user_group_fields f;
    (void)state;
    rt_setup1("200 OK", "{\"data\":{\"id\":9,\"name\":\"Nights\",\"partnerId\":null}}");
    memset(&f, 0, sizeof f);
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "Nights");
    f.set |= CPUSER_BIT(CPUSER_GROUP_PARTNER_ID);
    f.null |= CPUSER_BIT(CPUSER_GROUP_PARTNER_ID);
    assert_int_equal(cpuser_user_groups_update(&client, cpuser_view_of("9"), &f, NULL), CPUSER_OK);
    rt_assert_line(0, "PATCH /public-api/resources/user-groups/v1.0/9 HTTP/1.1\r\n");
    assert_string_equal(rt_body(), "{\"name\":\"Nights\",\"partnerId\":null}");
}

static void delete_is_204(void **state)
{
    (void)state;
    rt_setup1("204 No Content", "");
    assert_int_equal(cpuser_user_groups_delete(&client, cpuser_view_of("9")), CPUSER_OK);
    rt_assert_line(0, "DELETE /public-api/resources/user-groups/v1.0/9 HTTP/1.1\r\n");
    assert_int_equal(client.last.status, 204);
}

static void refused_before_sending(void **state)
{
    cpuser_user_group_fields f;
    char long_text[2100];
    int bad = 0;
    (void)state;
    rt_setup1("201 Created", "{\"data\":{}}");
    memset(&f, 0, sizeof f);
    /* name is required, on update as well (the spec's PATCH requires it) */
    assert_int_equal(cpuser_user_groups_create(&client, &f, &group), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_user_group_fields_check(&f, false, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_GROUP_NAME);
    /* name cannot be null */
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "n");
    f.null = CPUSER_BIT(CPUSER_GROUP_NAME);
    assert_int_equal(cpuser_user_group_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_GROUP_NAME);
    f.null = 0;
    /* description: at most 2000 characters (not bytes) */
    memset(long_text, 'd', 2000);
    long_text[2000] = '\0';
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, long_text);
    assert_int_equal(cpuser_user_group_fields_check(&f, true, &bad), CPUSER_OK);
    memcpy(long_text + 1998, "\xc3\xa9", 3); /* 2000 characters in 2001 bytes */
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, long_text);
    assert_int_equal(cpuser_user_group_fields_check(&f, true, &bad), CPUSER_OK);
    memcpy(long_text + 2000, "xy", 3); /* 2001 characters */
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_DESCRIPTION, long_text);
    assert_int_equal(cpuser_user_groups_create(&client, &f, &group), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_user_group_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_GROUP_DESCRIPTION);
    f.set &= ~CPUSER_BIT(CPUSER_GROUP_DESCRIPTION);
    /* externalId: at most 255 */
    memset(long_text, 'e', 256);
    long_text[256] = '\0';
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_EXTERNAL_ID, long_text);
    assert_int_equal(cpuser_user_group_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_GROUP_EXTERNAL_ID);
    long_text[255] = '\0';
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_EXTERNAL_ID, long_text);
    assert_int_equal(cpuser_user_group_fields_check(&f, true, &bad), CPUSER_OK);
    /* a field the operation does not send (the id, read-only) */
    f.set |= CPUSER_BIT(CPUSER_GROUP_ID);
    assert_int_equal(cpuser_user_group_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_GROUP_ID);
    assert_int_equal(cpuser_user_group_fields_set(&f, CPUSER_GROUP_PARTNER_ID, "1"), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_user_group_fields_check(NULL, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, -1);
    /* empty ids */
    assert_int_equal(cpuser_user_groups_read(&client, cpuser_view_of(""), &group), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_user_groups_delete(&client, cpuser_view_of(NULL)), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.sent_len, 0); /* nothing went out */
}

static void field_errors_land_in_the_last_result(void **state)
{
    cpuser_user_group_fields f;
    const cpuser_result *last;
    (void)state;
    rt_setup1("422 Unprocessable Content",
              "{\"message\":\"The selected partner id is invalid.\",\"errors\":{\"partnerId\":"
              "[\"The selected partner id is invalid.\"]}}");
    memset(&f, 0, sizeof f);
    cpuser_user_group_fields_set(&f, CPUSER_GROUP_NAME, "x");
    f.partner_id = 77;
    f.set |= CPUSER_BIT(CPUSER_GROUP_PARTNER_ID);
    assert_int_equal(cpuser_user_groups_create(&client, &f, &group), CPUSER_ERR_HTTP_UNPROCESSABLE);
    last = cpuser_client_last(&client);
    assert_int_equal(last->field_error_count, 1);
    assert_true(cpuser_view_eq(last->field_errors[0].field, "partnerId"));
    assert_true(cpuser_view_eq(last->message, "The selected partner id is invalid."));
}

typedef struct {
    int n;
    char names[4][16];
} seen;

static cpuser_err collect(void *arg, const cpuser_user_group *g)
{
    seen *s = (seen *)arg;
    if (s->n < 4 && g->name.len < sizeof s->names[0]) {
        memcpy(s->names[s->n], g->name.ptr, g->name.len);
        s->names[s->n][g->name.len] = '\0';
    }
    s->n++;
    return CPUSER_OK;
}

/* The endpoint pages by number only: a cursor-mode page is walked by
 * number, the next number in page.cursor. */
static void list_pages_by_number(void **state)
{
    static const char *const statuses[] = {"200 OK", "200 OK"};
    static const char *const bodies[] = {
        "{\"data\":[{\"id\":1,\"name\":\"A\"},{\"id\":2,\"name\":\"B\"}],"
        "\"links\":{\"first\":\"https://h/g?page=1\",\"next\":\"https://h/g?page=2\"},"
        "\"meta\":{\"current_page\":1,\"last_page\":2,\"per_page\":2,\"total\":3}}",
        "{\"data\":[{\"id\":3,\"name\":\"C\",\"partnerId\":1}],\"links\":{\"next\":null},"
        "\"meta\":{\"current_page\":2,\"last_page\":2,\"per_page\":2,\"total\":3}}",
    };
    cpuser_user_group_filter f;
    cpuser_page page;
    seen s;
    (void)state;
    rt_setup(2, statuses, bodies);
    memset(&f, 0, sizeof f);
    memset(&s, 0, sizeof s);
    f.no_partner = CPUSER_FILTER_FALSE;
    f.partner_id = cpuser_view_of("1");
    f.last_updated_after = cpuser_view_of("2024-01-01T00:00:00Z");
    cpuser_page_init(&page, 2);
    assert_int_equal(cpuser_user_groups_list(&client, &f, &page, collect, &s), CPUSER_OK);
    rt_assert_line(0, "GET /public-api/resources/user-groups/v1.0?per_page=2&page=1&filter[noPartner]=false"
                      "&filter[partnerId]=1&filter[lastUpdatedAfter]=2024-01-01T00%3A00%3A00Z HTTP/1.1\r\n");
    assert_int_equal(page.count, 2);
    assert_true(page.more);
    assert_string_equal(page.cursor, "2");
    assert_int_equal(page.page, 0);
    assert_int_equal(cpuser_user_groups_list(&client, NULL, &page, collect, &s), CPUSER_OK);
    rt_assert_line(1, "GET /public-api/resources/user-groups/v1.0?per_page=2&page=2 HTTP/1.1\r\n");
    assert_false(page.more);
    assert_string_equal(page.cursor, "");
    assert_int_equal(s.n, 3);
    assert_string_equal(s.names[2], "C");

    /* a cursor this module did not write is refused */
    snprintf(page.cursor, sizeof page.cursor, "eyJpZCI6M30");
    assert_int_equal(cpuser_user_groups_list(&client, NULL, &page, collect, &s), CPUSER_ERR_BAD_ARGUMENT);
    /* a bad filter value fails the request before it is sent */
    cpuser_page_init(&page, 2);
    f.no_partner = 3;
    rt_setup1("200 OK", bodies[1]);
    assert_int_equal(cpuser_user_groups_list(&client, &f, &page, collect, &s), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.sent_len, 0);
    assert_int_equal(cpuser_user_groups_list(&client, NULL, &page, NULL, &s), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_user_groups_list_all(&client, NULL, 101, collect, &s, NULL), CPUSER_ERR_BAD_ARGUMENT);
}

static void list_all_walks_every_page(void **state)
{
    static const char *const statuses[] = {"200 OK", "200 OK", "200 OK"};
    static const char *const bodies[] = {
        "{\"data\":[{\"id\":1,\"name\":\"A\"}],\"links\":{\"next\":\"https://h/g?page=2\"},\"meta\":{\"last_page\":3}}",
        "{\"data\":[{\"id\":2,\"name\":\"B\"}],\"links\":{\"next\":\"https://h/g?page=3\"},\"meta\":{\"last_page\":3}}",
        "{\"data\":[{\"id\":3,\"name\":\"C\"}],\"links\":{\"next\":null},\"meta\":{\"last_page\":3}}",
    };
    seen s;
    uint32_t total = 0;
    (void)state;
    rt_setup(3, statuses, bodies);
    memset(&s, 0, sizeof s);
    assert_int_equal(cpuser_user_groups_list_all(&client, NULL, 1, collect, &s, &total), CPUSER_OK);
    assert_int_equal(total, 3);
    rt_assert_line(2, "GET /public-api/resources/user-groups/v1.0?per_page=1&page=3 HTTP/1.1\r\n");
    assert_string_equal(s.names[1], "B");
}

/* A server that keeps saying "more" with empty pages cannot hold a walk
 * (review finding: page numbers were followed until they wrapped): an empty
 * page ends a numbered walk, after one request, for list_all and for the
 * page-at-a-time call alike. */
static void empty_pages_end_a_numbered_walk(void **state)
{
    static const char endless[] =
        "{\"data\":[],\"links\":{\"next\":\"http://x/?page=2\"},\"meta\":{\"last_page\":4000000000}}";
    static const char *const statuses[] = {"200 OK", "200 OK", "200 OK"};
    static const char *const bodies[] = {endless, endless, endless};
    cpuser_page page;
    seen s;
    uint32_t total = 9;
    (void)state;
    rt_setup(3, statuses, bodies);
    memset(&s, 0, sizeof s);
    assert_int_equal(cpuser_user_groups_list_all(&client, NULL, 1, collect, &s, &total), CPUSER_OK);
    assert_int_equal(total, 0);
    assert_int_equal(net.next, 1); /* one request, not one per page number */
    rt_setup(3, statuses, bodies);
    cpuser_page_init(&page, 2);
    assert_int_equal(cpuser_user_groups_list(&client, NULL, &page, collect, &s), CPUSER_OK);
    assert_false(page.more);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_every_field),
        cmocka_unit_test(wrong_shapes_and_truncation_are_json_errors),
        cmocka_unit_test(create_sends_exactly_the_set_fields),
        cmocka_unit_test(update_sends_only_what_changed),
        cmocka_unit_test(delete_is_204),
        cmocka_unit_test(refused_before_sending),
        cmocka_unit_test(field_errors_land_in_the_last_result),
        cmocka_unit_test(list_pages_by_number),
        cmocka_unit_test(list_all_walks_every_page),
        cmocka_unit_test(empty_pages_end_a_numbered_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
