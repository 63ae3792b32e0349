/* Field tables: decoding does not depend on member order, the last
 * duplicate wins, unknown keys are skipped, wrong types and broken
 * documents are errors; cpuser_json_size() counts members and elements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/json_fields.h"

typedef struct {
    uint64_t present;
    uint64_t null;
    cpuser_view name;
    int64_t count;
    bool on;
    uint8_t color;
    cpuser_view inner_name;
    int64_t inner_amount;
} thing;

static const char *const colors[] = {"red", "green", NULL};

static const cpuser_field inner_fields[] = {
    {"label", CPUSER_FIELD_STRING, 5, (uint16_t)offsetof(thing, inner_name), NULL, NULL},
    {"amount", CPUSER_FIELD_THOUSANDTHS, 6, (uint16_t)offsetof(thing, inner_amount), NULL, NULL},
};
static const cpuser_field_table inner_table = {
    inner_fields, 2, (uint16_t)offsetof(thing, present), (uint16_t)offsetof(thing, null)};

static const cpuser_field thing_fields[] = {
    {"name", CPUSER_FIELD_STRING, 0, (uint16_t)offsetof(thing, name), NULL, NULL},
    {"count", CPUSER_FIELD_INT64, 1, (uint16_t)offsetof(thing, count), NULL, NULL},
    {"on", CPUSER_FIELD_BOOL, 2, (uint16_t)offsetof(thing, on), NULL, NULL},
    {"color", CPUSER_FIELD_ENUM, 3, (uint16_t)offsetof(thing, color), colors, NULL},
    {"inner", CPUSER_FIELD_OBJECT, 4, 0, NULL, &inner_table},
    /* shares its first byte and a prefix with "count" */
    {"c", CPUSER_FIELD_BOOL, 7, (uint16_t)offsetof(thing, on), NULL, NULL},
};
static const cpuser_field_table thing_table = {
    thing_fields, 6, (uint16_t)offsetof(thing, present), (uint16_t)offsetof(thing, null)};

static cpuser_json doc;
static char text[512];

static cpuser_err decode(const char *json, thing *out)
{
    size_t n = strlen(json);
    cpuser_err err;
    assert_true(n < sizeof text);
    memcpy(text, json, n);
    memset(out, 0, sizeof *out);
    err = cpuser_json_parse(&doc, text, n);
    if (err != CPUSER_OK) {
        return err;
    }
    return cpuser_fields_decode(&doc, 0, &thing_table, out);
}

static void assert_full(const thing *t)
{
    assert_true(cpuser_view_eq(t->name, "a\"b"));
    assert_int_equal(t->count, -42);
    assert_true(t->on);
    assert_int_equal(t->color, 2);
    assert_true(cpuser_view_eq(t->inner_name, "x"));
    assert_int_equal(t->inner_amount, 1500);
    assert_int_equal(t->present, 0x7fu);
    assert_int_equal(t->null, 0u);
}

static void any_member_order_decodes_the_same(void **state)
{
    static const char *const orders[] = {
        "{\"name\":\"a\\\"b\",\"count\":-42,\"on\":true,\"color\":\"green\","
        "\"inner\":{\"label\":\"x\",\"amount\":1.5}}",
        "{\"inner\":{\"amount\":1.5,\"label\":\"x\"},\"color\":\"green\",\"on\":true,"
        "\"count\":-42,\"name\":\"a\\\"b\"}",
        "{\"on\":true,\"zz\":[1,{\"name\":\"no\"}],\"name\":\"a\\\"b\",\"inner\":{\"label\":\"x\","
        "\"q\":{},\"amount\":1.5},\"count\":-42,\"color\":\"green\"}",
    };
    size_t i;
    thing t;
    (void)state;
    for (i = 0; i < sizeof orders / sizeof orders[0]; i++) {
        assert_int_equal(decode(orders[i], &t), CPUSER_OK);
        assert_full(&t);
    }
}

static void last_duplicate_wins_and_unknown_keys_are_skipped(void **state)
{
    thing t;
    (void)state;
    assert_int_equal(decode("{\"count\":1,\"name\":\"n\",\"count\":2,\"unknown\":{\"count\":9},"
                            "\"count\":3,\"\":0}", &t), CPUSER_OK);
    assert_int_equal(t.count, 3);
    assert_true(cpuser_view_eq(t.name, "n"));
    assert_int_equal(t.present, 0x3u);
    /* null sets the null bit, a later value clears it */
    assert_int_equal(decode("{\"name\":null}", &t), CPUSER_OK);
    assert_int_equal(t.present, 0x1u);
    assert_int_equal(t.null, 0x1u);
    assert_int_equal(decode("{\"name\":null,\"name\":\"v\"}", &t), CPUSER_OK);
    assert_int_equal(t.null, 0u);
    assert_true(cpuser_view_eq(t.name, "v"));
    /* an unknown enum value is 0, not an error */
    assert_int_equal(decode("{\"color\":\"blue\"}", &t), CPUSER_OK);
    assert_int_equal(t.color, 0);
    assert_int_equal(t.present, 0x8u);
    /* an empty object decodes to nothing */
    assert_int_equal(decode("{}", &t), CPUSER_OK);
    assert_int_equal(t.present, 0u);
}

static void wrong_types_are_json_errors(void **state)
{
    static const char *const bad[] = {
        "{\"count\":\"1\"}", "{\"count\":1.5}", "{\"on\":1}", "{\"name\":2}",
        "{\"color\":3}", "{\"inner\":[]}", "{\"inner\":{\"amount\":1.0001}}", "[]", "\"x\"",
    };
    size_t i;
    thing t;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (decode(bad[i], &t) != CPUSER_ERR_JSON) {
            fail_msg("accepted %s", bad[i]);
        }
    }
}

static void every_truncation_is_refused(void **state)
{
    static const char full[] = "{\"name\":\"a\\\"b\",\"count\":-42,\"on\":true,\"color\":\"green\","
                               "\"inner\":{\"label\":\"x\",\"amount\":1.5}}";
    size_t n;
    thing t;
    (void)state;
    for (n = 0; n < sizeof full - 1u; n++) {
        char part[sizeof full];
        memcpy(part, full, n);
        part[n] = '\0';
        if (decode(part, &t) == CPUSER_OK) {
            fail_msg("a document cut at %u decoded", (unsigned)n);
        }
    }
    assert_int_equal(decode(full, &t), CPUSER_OK);
}

static void size_counts_members_and_elements(void **state)
{
    thing t;
    (void)state;
    assert_int_equal(decode("{\"a\":[1,[2,3],{}],\"b\":{},\"c\":true}", &t), CPUSER_OK);
    assert_int_equal(cpuser_json_size(&doc, 0), 3);
    assert_int_equal(cpuser_json_size(&doc, 2), 3);          /* the array */
    assert_int_equal(cpuser_json_size(&doc, 4), 2);          /* [2,3] */
    assert_int_equal(cpuser_json_size(&doc, 7), 0);          /* {} */
    assert_int_equal(cpuser_json_size(&doc, 1), -1);         /* a key */
    assert_int_equal(cpuser_json_size(&doc, 3), -1);         /* a number */
    assert_int_equal(cpuser_json_size(&doc, -1), -1);
    assert_int_equal(cpuser_json_size(&doc, doc.count), -1);
    assert_int_equal(cpuser_json_size(NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(any_member_order_decodes_the_same),
        cmocka_unit_test(last_duplicate_wins_and_unknown_keys_are_skipped),
        cmocka_unit_test(wrong_types_are_json_errors),
        cmocka_unit_test(every_truncation_is_refused),
        cmocka_unit_test(size_counts_members_and_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
