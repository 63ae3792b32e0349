/* Id tags over the scripted transport: recorded bodies in, the struct and
 * the exact request bytes out; the checks before sending; the filters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpuser/ampeco_id_tags.h"
#include "resource_test.h"

static cpuser_id_tag tag;

static const char recorded[] =
    "{\"data\":{\"id\":15,\"idTagUid\":\"04A1000F\",\"idLabel\":\"Card 15\",\"expireAt\":null,"
    "\"createdAt\":\"2024-01-01T00:15:00Z\",\"status\":\"suspended\",\"type\":\"emaid\","
    "\"vehicleType\":\"company_car\",\"paymentMethodId\":\"corporate:12\",\"userId\":15,"
    "\"externalId\":null,\"partnerId\":3,\"lastUpdatedAt\":\"2024-01-01T00:15:00Z\",\"new\":[]}}";

static void decodes_every_field(void **state)
{
    (void)state;
    rt_setup1("200 OK", recorded);
    assert_int_equal(cpuser_id_tags_read(&client, cpuser_view_of("15"), &tag), CPUSER_OK);
    rt_assert_line(0, "GET /public-api/resources/id-tags/v2.0/15 HTTP/1.1\r\n");
    assert_true(cpuser_view_eq(tag.id, "15"));
    assert_true(cpuser_view_eq(tag.uid, "04A1000F"));
    assert_true(cpuser_view_eq(tag.label, "Card 15"));
    assert_true(CPUSER_HAS(tag.null, CPUSER_ID_TAG_EXPIRE_AT));
    assert_true(cpuser_view_eq(tag.created_at, "2024-01-01T00:15:00Z"));
    assert_int_equal(tag.status, CPUSER_ID_TAG_SUSPENDED);
    assert_int_equal(tag.type, CPUSER_ID_TAG_EMAID);
    assert_int_equal(tag.vehicle_type, CPUSER_VEHICLE_COMPANY_CAR);
    assert_true(cpuser_view_eq(tag.payment_method_id, "corporate:12"));
    assert_int_equal(tag.user_id, 15);
    assert_true(CPUSER_HAS(tag.null, CPUSER_ID_TAG_EXTERNAL_ID));
    assert_int_equal(tag.partner_id, 3);
    assert_string_equal(cpuser_id_tag_type_name(tag.type), "emaid");
    assert_int_equal(cpuser_vehicle_type_parse("private_car"), CPUSER_VEHICLE_PRIVATE_CAR);
    assert_int_equal(cpuser_id_tag_status_parse("lost"), 0);
}

static void unknown_enum_values_and_wrong_shapes(void **state)
{
    static const char *const bodies[] = {
        "{\"data\":{\"status\":1}}", "{\"data\":{\"userId\":\"15\"}}", "{\"data\":{\"idTagUid\":123456}}",
        "{\"data\":{\"partnerId\":1.5}}", "{\"data\":[{}]}", "{\"data\":{\"id\":1,", "{\"data\":null}",
    };
    size_t i;
    (void)state;
    rt_setup1("200 OK", "{\"data\":{\"id\":\"1\",\"status\":\"lost\",\"type\":\"nfc\",\"vehicleType\":null}}");
    assert_int_equal(cpuser_id_tags_read(&client, cpuser_view_of("1"), &tag), CPUSER_OK);
    assert_int_equal(tag.status, CPUSER_ID_TAG_STATUS_UNKNOWN);
    assert_true(CPUSER_HAS(tag.present, CPUSER_ID_TAG_STATUS));
    assert_int_equal(tag.type, CPUSER_ID_TAG_TYPE_UNKNOWN);
    assert_true(CPUSER_HAS(tag.null, CPUSER_ID_TAG_VEHICLE_TYPE));
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        cpuser_err err;
        rt_setup1("200 OK", bodies[i]);
        err = cpuser_id_tags_read(&client, cpuser_view_of("1"), &tag);
        if (err != CPUSER_ERR_JSON) {
            fail_msg("%s: %s", bodies[i], cpuser_strerror(err));
        }
    }
}

static void create_sends_exactly_the_set_fields(void **state)
{
    cpuser_id_tag_fields f;
    (void)state;
    rt_setup1("201 Created", "{\"data\":{\"id\":40,\"idTagUid\":\"AABBCCDD\",\"status\":\"enabled\",\"type\":\"rfid\"}}");
    memset(&f, 0, sizeof f);
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_UID, "AABBCCDD");
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_EXPIRE_AT, "2031-01-01T00:00:00Z");
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_PAYMENT_METHOD_ID, "auto");
    f.status = CPUSER_ID_TAG_ENABLED;
    f.type = CPUSER_ID_TAG_RFID;
    f.vehicle_type = CPUSER_VEHICLE_PRIVATE_CAR;
    f.user_id = 21;
    f.partner_id = 1;
    f.set |= CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_TYPE) |
             CPUSER_BIT(CPUSER_ID_TAG_VEHICLE_TYPE) | CPUSER_BIT(CPUSER_ID_TAG_USER_ID) |
             CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID) | CPUSER_BIT(CPUSER_ID_TAG_LABEL);
    f.null |= CPUSER_BIT(CPUSER_ID_TAG_LABEL);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_OK);
    rt_assert_line(0, "POST /public-api/resources/id-tags/v2.0 HTTP/1.1\r\n");
    assert_string_equal(rt_body(), "{\"idTagUid\":\"AABBCCDD\",\"idLabel\":null,\"expireAt\":\"2031-01-01T00:00:00Z\","
                                   "\"status\":\"enabled\",\"type\":\"rfid\",\"vehicleType\":\"private_car\","
                                   "\"paymentMethodId\":\"auto\",\"userId\":21,\"partnerId\":1}");
    assert_true(cpuser_view_eq(tag.id, "40"));
}

static void update_sends_only_what_changed(void **state)
{
    cpuser_id_tag_fields f;
    (void)state;
    rt_setup1("200 OK", "{\"data\":{\"id\":40,\"status\":\"suspended\"}}");
    memset(&f, 0, sizeof f);
    f.status = CPUSER_ID_TAG_SUSPENDED;
    f.set = CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID) |
            CPUSER_BIT(CPUSER_ID_TAG_USER_ID);
    f.null = CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID) | CPUSER_BIT(CPUSER_ID_TAG_USER_ID);
    assert_int_equal(cpuser_id_tags_update(&client, cpuser_view_of("40"), &f, &tag), CPUSER_OK);
    rt_assert_line(0, "PATCH /public-api/resources/id-tags/v2.0/40 HTTP/1.1\r\n");
    assert_string_equal(rt_body(), "{\"status\":\"suspended\",\"userId\":null,\"partnerId\":null}");
    assert_int_equal(tag.status, CPUSER_ID_TAG_SUSPENDED);

    rt_setup1("204 No Content", "");
    assert_int_equal(cpuser_id_tags_delete(&client, cpuser_view_of("40")), CPUSER_OK);
    rt_assert_line(0, "DELETE /public-api/resources/id-tags/v2.0/40 HTTP/1.1\r\n");
}

static void refused_before_sending(void **state)
{
    cpuser_id_tag_fields f;
    int bad = 0;
    (void)state;
    rt_setup1("201 Created", "{\"data\":{}}");
    memset(&f, 0, sizeof f);
    /* required: idTagUid, status, type (in the table's order) */
    assert_int_equal(cpuser_id_tag_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_UID);
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_UID, "AA");
    assert_int_equal(cpuser_id_tag_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_STATUS);
    f.status = CPUSER_ID_TAG_ENABLED;
    f.set |= CPUSER_BIT(CPUSER_ID_TAG_STATUS);
    assert_int_equal(cpuser_id_tag_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_TYPE);
    /* emaid is read-only; unknown values refused */
    f.type = CPUSER_ID_TAG_EMAID;
    f.set |= CPUSER_BIT(CPUSER_ID_TAG_TYPE);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_id_tag_fields_check(&f, false, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_TYPE);
    f.type = 9;
    assert_int_equal(cpuser_id_tag_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_TYPE);
    f.type = CPUSER_ID_TAG_MAC_ADDRESS;
    f.status = 0;
    assert_int_equal(cpuser_id_tag_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_STATUS);
    f.status = CPUSER_ID_TAG_DISABLED;
    assert_int_equal(cpuser_id_tag_fields_check(&f, true, &bad), CPUSER_OK);
    /* partnerId may be null on update only; status never */
    f.set |= CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID);
    f.null |= CPUSER_BIT(CPUSER_ID_TAG_PARTNER_ID);
    assert_int_equal(cpuser_id_tag_fields_check(&f, true, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_PARTNER_ID);
    assert_int_equal(cpuser_id_tag_fields_check(&f, false, &bad), CPUSER_OK);
    f.null |= CPUSER_BIT(CPUSER_ID_TAG_STATUS);
    assert_int_equal(cpuser_id_tag_fields_check(&f, false, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_STATUS);
    /* read-only fields are not sent */
    memset(&f, 0, sizeof f);
    f.set = CPUSER_BIT(CPUSER_ID_TAG_CREATED_AT);
    assert_int_equal(cpuser_id_tag_fields_check(&f, false, &bad), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(bad, CPUSER_ID_TAG_CREATED_AT);
    assert_int_equal(cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_STATUS, "enabled"), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_id_tags_update(&client, cpuser_view_of(""), &f, &tag), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.sent_len, 0);
}

static cpuser_err count(void *arg, const cpuser_id_tag *t)
{
    (void)t;
    (*(int *)arg)++;
    return CPUSER_OK;
}

static void list_with_every_filter(void **state)
{
    cpuser_id_tag_filter f;
    cpuser_page page;
    int n = 0;
    (void)state;
    rt_setup1("200 OK", "{\"data\":[{\"id\":1,\"type\":\"rfid\"},{\"id\":2}],"
                        "\"links\":{\"next\":\"https://h/t?cursor=eyJpZCI6Mn0&per_page=2\"},"
                        "\"meta\":{\"path\":\"https://h/t\",\"per_page\":2,\"next_cursor\":\"eyJpZCI6Mn0\"}}");
    memset(&f, 0, sizeof f);
    f.uid = cpuser_view_of("04A1");
    f.label = cpuser_view_of("Card 1");
    f.user_id = cpuser_view_of("7");
    f.expire_at = cpuser_view_of("2025-01-01T00:00:00Z");
    f.status = CPUSER_ID_TAG_ENABLED;
    f.type = CPUSER_ID_TAG_EMAID; /* filters may ask for emaid */
    f.partner_id = cpuser_view_of("3");
    f.last_updated_before = cpuser_view_of("2030-01-01");
    cpuser_page_init(&page, 2);
    assert_int_equal(cpuser_id_tags_list(&client, &f, &page, count, &n), CPUSER_OK);
    rt_assert_line(0, "GET /public-api/resources/id-tags/v2.0?per_page=2&cursor=&filter[idTagUid]=04A1"
                      "&filter[idLabel]=Card%201&filter[userId]=7&filter[expireAt]=2025-01-01T00%3A00%3A00Z"
                      "&filter[status]=enabled&filter[type]=emaid&filter[partnerId]=3"
                      "&filter[lastUpdatedBefore]=2030-01-01 HTTP/1.1\r\n");
    assert_int_equal(n, 2);
    assert_true(page.more);
    assert_string_equal(page.cursor, "eyJpZCI6Mn0");

    /* tags without a partner: filter[partnerId]=null */
    rt_setup1("200 OK", "{\"data\":[],\"links\":{\"next\":null},\"meta\":{\"next_cursor\":null}}");
    memset(&f, 0, sizeof f);
    f.without_partner = true;
    assert_int_equal(cpuser_id_tags_list(&client, &f, &page, count, &n), CPUSER_OK);
    rt_assert_line(0, "GET /public-api/resources/id-tags/v2.0?per_page=2&cursor=eyJpZCI6Mn0&filter[partnerId]=null "
                      "HTTP/1.1\r\n");
    assert_false(page.more);

    /* both at once, or an enum out of range: refused, nothing sent */
    rt_setup1("200 OK", "{}");
    f.partner_id = cpuser_view_of("3");
    assert_int_equal(cpuser_id_tags_list(&client, &f, &page, count, &n), CPUSER_ERR_BAD_ARGUMENT);
    memset(&f, 0, sizeof f);
    f.status = 4;
    assert_int_equal(cpuser_id_tags_list(&client, &f, &page, count, &n), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(net.sent_len, 0);
}


/* ---- exactly-once create ---- */

static char responses[3][1024];
static fake_event events[3];

/* The create's answer is lost (first); then two responses: the list, and
 * the read (200) or the create sent again (201). */
static void script(cpuser_err first, const char *list, const char *third_status, const char *third)
{
    rt_setup1("200 OK", "{}");
    events[0].data = NULL;
    events[0].err = first;
    snprintf(responses[0], sizeof responses[0], "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(list), list);
    snprintf(responses[1], sizeof responses[1], "HTTP/1.1 %s\r\nContent-Length: %zu\r\n\r\n%s",
             third_status, strlen(third), third);
    events[1].data = responses[0];
    events[2].data = responses[1];
    events[1].err = events[2].err = CPUSER_OK;
    net.events = events;
    net.nevents = 3;
}

static int count_sent(const char *what)
{
    int n = 0;
    const char *p = rt_sent();
    while ((p = strstr(p, what)) != NULL) {
        n++;
        p++;
    }
    return n;
}

static void create_fields(cpuser_id_tag_fields *f)
{
    memset(f, 0, sizeof *f);
    cpuser_id_tag_fields_set(f, CPUSER_ID_TAG_UID, "04A1FF00");
    f->status = CPUSER_ID_TAG_ENABLED;
    f->type = CPUSER_ID_TAG_RFID;
    f->user_id = 12;
    f->set |= CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_TYPE) | CPUSER_BIT(CPUSER_ID_TAG_USER_ID);
}

static void unsure_create_is_found_by_its_uid(void **state)
{
    cpuser_id_tag_fields f;
    (void)state;
    script(CPUSER_ERR_CLOSED,
           "{\"data\":[{\"id\":70,\"idTagUid\":\"04a1ff00\",\"type\":\"rfid\",\"userId\":12}],"
           "\"links\":{\"next\":null},\"meta\":{\"next_cursor\":null}}", "200 OK",
           "{\"data\":{\"id\":70,\"idTagUid\":\"04A1FF00\",\"userId\":12}}");
    create_fields(&f);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_OK);
    assert_true(cpuser_view_eq(tag.id, "70"));
    assert_int_equal(count_sent("POST /public-api/resources/id-tags/v2.0 "), 1); /* exactly once */
    assert_int_equal(count_sent("GET /public-api/resources/id-tags/v2.0?per_page=10&page=1&filter[idTagUid]=04A1FF00 "), 1);
    assert_int_equal(count_sent("GET /public-api/resources/id-tags/v2.0/70 "), 1);
}

static void unsure_create_not_found_is_sent_again(void **state)
{
    cpuser_id_tag_fields f;
    (void)state;
    /* another user's tag with that UID is not ours */
    script(CPUSER_ERR_TIMEOUT,
           "{\"data\":[{\"id\":71,\"idTagUid\":\"04A1FF00\",\"type\":\"rfid\",\"userId\":13}],"
           "\"links\":{\"next\":null},\"meta\":{\"next_cursor\":null}}", "201 Created",
           "{\"data\":{\"id\":72,\"idTagUid\":\"04A1FF00\",\"status\":\"enabled\"}}");
    create_fields(&f);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_OK);
    assert_true(cpuser_view_eq(tag.id, "72"));
    assert_int_equal(count_sent("POST /public-api/resources/id-tags/v2.0 "), 2);
    assert_int_equal(client.last.status, 201);
}

static void unsure_create_that_cannot_be_settled(void **state)
{
    cpuser_id_tag_fields f;
    (void)state;
    /* two candidates: no guess */
    script(CPUSER_ERR_IO,
           "{\"data\":[{\"id\":1,\"idTagUid\":\"04A1FF00\",\"type\":\"rfid\"},"
           "{\"id\":2,\"idTagUid\":\"04A1FF00\",\"type\":\"rfid\"}],"
           "\"links\":{\"next\":null},\"meta\":{\"next_cursor\":null}}", "201 Created", "{}");
    memset(&f, 0, sizeof f);
    cpuser_id_tag_fields_set(&f, CPUSER_ID_TAG_UID, "04A1FF00");
    f.status = CPUSER_ID_TAG_ENABLED;
    f.type = CPUSER_ID_TAG_RFID;
    f.set |= CPUSER_BIT(CPUSER_ID_TAG_STATUS) | CPUSER_BIT(CPUSER_ID_TAG_TYPE);
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(count_sent("POST /public-api/resources/id-tags/v2.0 "), 1);
    /* the list itself fails: no guess either, and no second POST */
    script(CPUSER_ERR_IO, "not json", "201 Created", "{}");
    assert_int_equal(cpuser_id_tags_create(&client, &f, &tag), CPUSER_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(count_sent("POST /public-api/resources/id-tags/v2.0 "), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_every_field),
        cmocka_unit_test(unknown_enum_values_and_wrong_shapes),
        cmocka_unit_test(create_sends_exactly_the_set_fields),
        cmocka_unit_test(update_sends_only_what_changed),
        cmocka_unit_test(refused_before_sending),
        cmocka_unit_test(list_with_every_filter),
        cmocka_unit_test(unsure_create_is_found_by_its_uid),
        cmocka_unit_test(unsure_create_not_found_is_sent_again),
        cmocka_unit_test(unsure_create_that_cannot_be_settled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
