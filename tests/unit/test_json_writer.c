/* cpuser_json_writer: golden output, escapes, UTF-8, numbers, sizes, order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/json_writer.h"

#define GUARD '\x5a'

/* Finish w and check the document is exactly golden. */
static void assert_document(const cpuser_json_writer *w, const char *buf, const char *golden)
{
    size_t len = 0;
    assert_int_equal(cpuser_json_writer_finish(w, &len), CPUSER_OK);
    assert_int_equal(len, strlen(golden));
    assert_memory_equal(buf, golden, len);
}

/* A document exercising every call, for the size tests. */
static void write_sample(cpuser_json_writer *w)
{
    cpuser_json_object_begin(w);
    cpuser_json_key(w, "email");
    cpuser_json_cstring(w, "ann@example.com");
    cpuser_json_key(w, "balance");
    cpuser_json_thousandths(w, -12345);
    cpuser_json_key(w, "tags");
    cpuser_json_array_begin(w);
    cpuser_json_string(w, "a\"b\n\x01", 5);
    cpuser_json_int(w, INT64_MIN);
    cpuser_json_bool(w, false);
    cpuser_json_null(w);
    cpuser_json_array_end(w);
    cpuser_json_key(w, "name\xc3\xa9");
    cpuser_json_object_begin(w);
    cpuser_json_object_end(w);
    cpuser_json_object_end(w);
}

static const char sample_golden[] =
    "{\"email\":\"ann@example.com\",\"balance\":-12.345,"
    "\"tags\":[\"a\\\"b\\n\\u0001\",-9223372036854775808,false,null],"
    "\"name\xc3\xa9\":{}}";

/* The JSON for one string value of n bytes, or the writer's error. */
static cpuser_err string_json(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
    cpuser_json_writer w;
    cpuser_json_writer_init(&w, out, cap);
    cpuser_json_string(&w, s, n);
    return cpuser_json_writer_finish(&w, len);
}

static void assert_string_json(const char *s, size_t n, const char *golden, size_t golden_len)
{
    char buf[128];
    size_t len = 0;
    assert_int_equal(string_json(s, n, buf, sizeof buf, &len), CPUSER_OK);
    assert_int_equal(len, golden_len);
    assert_memory_equal(buf, golden, golden_len);
}

/* ---- structure ------------------------------------------------------------ */

static void object_members_and_commas(void **state)
{
    char buf[128];
    cpuser_json_writer w;
    (void)state;
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "email");
    cpuser_json_cstring(&w, "a@b.c");
    cpuser_json_key(&w, "balance");
    cpuser_json_thousandths(&w, 12345);
    cpuser_json_key(&w, "active");
    cpuser_json_bool(&w, true);
    cpuser_json_key(&w, "note");
    cpuser_json_null(&w);
    cpuser_json_key(&w, "n");
    cpuser_json_int(&w, -42);
    cpuser_json_object_end(&w);
    assert_document(&w, buf,
                    "{\"email\":\"a@b.c\",\"balance\":12.345,\"active\":true,"
                    "\"note\":null,\"n\":-42}");
}

static void nesting_and_empty_containers(void **state)
{
    char buf[128];
    cpuser_json_writer w;
    (void)state;
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "a");
    cpuser_json_array_begin(&w);
    cpuser_json_int(&w, 1);
    cpuser_json_array_begin(&w);
    cpuser_json_array_end(&w);
    cpuser_json_object_begin(&w);
    cpuser_json_object_end(&w);
    cpuser_json_array_begin(&w);
    cpuser_json_int(&w, 2);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "b");
    cpuser_json_array_begin(&w);
    cpuser_json_array_end(&w);
    cpuser_json_object_end(&w);
    cpuser_json_array_end(&w);
    cpuser_json_array_end(&w);
    cpuser_json_key(&w, "c");
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "d");
    cpuser_json_object_begin(&w);
    cpuser_json_object_end(&w);
    cpuser_json_object_end(&w);
    cpuser_json_object_end(&w);
    assert_document(&w, buf, "{\"a\":[1,[],{},[2,{\"b\":[]}]],\"c\":{\"d\":{}}}");
}

static void top_level_array_and_scalars(void **state)
{
    char buf[64];
    cpuser_json_writer w;
    (void)state;
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_array_begin(&w);
    cpuser_json_cstring(&w, "");
    cpuser_json_bool(&w, true);
    cpuser_json_string(&w, NULL, 0);
    cpuser_json_array_end(&w);
    assert_document(&w, buf, "[\"\",true,\"\"]");

    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_int(&w, 42);
    assert_document(&w, buf, "42");

    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_cstring(&w, "x");
    assert_document(&w, buf, "\"x\"");
}

/* ---- strings -------------------------------------------------------------- */

static void short_escapes(void **state)
{
    static const char in[] = "\"\\\b\f\n\r\t/";
    static const char out[] = "\"\\\"\\\\\\b\\f\\n\\r\\t/\"";
    (void)state;
    assert_string_json(in, sizeof in - 1u, out, sizeof out - 1u);
}

static void control_characters_as_u00xx(void **state)
{
    static const char in[] = "\x01\x0b\x0e\x1f\x7f" "a";
    static const char out[] = "\"\\u0001\\u000b\\u000e\\u001f\x7f" "a\"";
    static const char nul_in[] = { 'a', '\0', 'b' };
    static const char nul_out[] = "\"a\\u0000b\"";
    char buf[16];
    size_t len = 0;
    unsigned c;
    (void)state;
    assert_string_json(in, sizeof in - 1u, out, sizeof out - 1u);
    assert_string_json(nul_in, sizeof nul_in, nul_out, sizeof nul_out - 1u);

    /* Every control byte without a short form is \u00 + two lower-case hex. */
    for (c = 0; c < 0x20u; c++) {
        char ch = (char)c;
        static const char hex[] = "0123456789abcdef";
        assert_int_equal(string_json(&ch, 1, buf, sizeof buf, &len), CPUSER_OK);
        if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
            assert_int_equal(len, 4);
        } else {
            assert_int_equal(len, 8);
            assert_memory_equal(buf, "\"\\u00", 5);
            assert_int_equal(buf[5], hex[c >> 4]);
            assert_int_equal(buf[6], hex[c & 15u]);
        }
    }
}

static void valid_utf8_passes_through(void **state)
{
    static const char *const valid[] = {
        "\xc3\xa9",         /* U+00E9 */
        "\xc2\x80",         /* U+0080, smallest 2-byte */
        "\xdf\xbf",         /* U+07FF */
        "\xe0\xa0\x80",     /* U+0800, smallest 3-byte */
        "\xe2\x82\xac",     /* U+20AC euro */
        "\xed\x9f\xbf",     /* U+D7FF, just below the surrogates */
        "\xee\x80\x80",     /* U+E000, just above them */
        "\xef\xbf\xbf",     /* U+FFFF */
        "\xf0\x90\x80\x80", /* U+10000, smallest 4-byte */
        "\xf0\x9f\x98\x80", /* U+1F600 */
        "\xf4\x8f\xbf\xbf", /* U+10FFFF, the last code point */
        "caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80!",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        char golden[64];
        size_t n = strlen(valid[i]);
        golden[0] = '"';
        memcpy(golden + 1, valid[i], n);
        golden[n + 1u] = '"';
        assert_string_json(valid[i], n, golden, n + 2u);
    }
}

static void invalid_utf8_is_rejected(void **state)
{
    static const char *const invalid[] = {
        "\x80",             /* lone continuation byte */
        "a\xbf" "b",        /* continuation byte in the middle */
        "\xc3",             /* truncated 2-byte at the end */
        "\xe2\x82",         /* truncated 3-byte at the end */
        "\xf0\x9f\x98",     /* truncated 4-byte at the end */
        "\xc3" "a",         /* lead byte followed by ASCII */
        "\xe2\x82" "a",
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong 2-byte */
        "\xe0\x80\x80",     /* overlong 3-byte */
        "\xe0\x9f\xbf",
        "\xf0\x80\x80\x80", /* overlong 4-byte */
        "\xf0\x8f\xbf\xbf",
        "\xed\xa0\x80",     /* U+D800 surrogate */
        "\xed\xbf\xbf",     /* U+DFFF surrogate */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xf5\x80\x80\x80",
        "\xf8\x88\x80\x80\x80",
        "\xfe",
        "\xff",
    };
    char buf[64];
    size_t i;
    unsigned b;
    (void)state;
    for (i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        size_t len = 0;
        assert_int_equal(string_json(invalid[i], strlen(invalid[i]), buf, sizeof buf, &len),
                         CPUSER_ERR_BAD_ARGUMENT);
    }
    /* No byte from 0xF5 to 0xFF can start anything. */
    for (b = 0xf5u; b <= 0xffu; b++) {
        char s[4] = { (char)b, '\x80', '\x80', '\x80' };
        assert_int_equal(string_json(s, sizeof s, buf, sizeof buf, NULL), CPUSER_ERR_BAD_ARGUMENT);
    }
}

static void sequences_cut_short_are_rejected(void **state)
{
    /* The byte after the cut is a valid continuation byte: the writer must
     * stop at n, not read on and accept the whole sequence. */
    static const char *const seqs[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
    char buf[16];
    size_t i;
    size_t cut;
    (void)state;
    for (i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
        for (cut = 1; cut < strlen(seqs[i]); cut++) {
            assert_int_equal(string_json(seqs[i], cut, buf, sizeof buf, NULL),
                             CPUSER_ERR_BAD_ARGUMENT);
        }
    }
}

static void invalid_utf8_in_a_key_is_rejected(void **state)
{
    char buf[64];
    cpuser_json_writer w;
    (void)state;
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "k\xed\xa0\x80");
    cpuser_json_int(&w, 1);
    cpuser_json_object_end(&w);
    assert_int_equal(cpuser_json_writer_finish(&w, NULL), CPUSER_ERR_BAD_ARGUMENT);
}

static void keys_are_escaped(void **state)
{
    char buf[64];
    cpuser_json_writer w;
    (void)state;
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "a\"b\\\n");
    cpuser_json_int(&w, 1);
    cpuser_json_object_end(&w);
    assert_document(&w, buf, "{\"a\\\"b\\\\\\n\":1}");
}

static void null_string_data(void **state)
{
    char buf[16];
    cpuser_json_writer w;
    (void)state;
    assert_int_equal(string_json(NULL, 1, buf, sizeof buf, NULL), CPUSER_ERR_BAD_ARGUMENT);

    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_cstring(&w, NULL);
    assert_int_equal(cpuser_json_writer_finish(&w, NULL), CPUSER_ERR_BAD_ARGUMENT);

    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, NULL);
    assert_int_equal(cpuser_json_writer_finish(&w, NULL), CPUSER_ERR_BAD_ARGUMENT);
}

/* ---- numbers --------------------------------------------------------------- */

static void int64_limits(void **state)
{
    char buf[64];
    cpuser_json_writer w;
    (void)state;
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_array_begin(&w);
    cpuser_json_int(&w, 0);
    cpuser_json_int(&w, -1);
    cpuser_json_int(&w, INT64_MAX);
    cpuser_json_int(&w, INT64_MIN);
    cpuser_json_array_end(&w);
    assert_document(&w, buf, "[0,-1,9223372036854775807,-9223372036854775808]");
}

static void thousandths(void **state)
{
    static const struct {
        int64_t v;
        const char *json;
    } cases[] = {
        { 12345, "12.345" },
        { -5, "-0.005" },
        { 0, "0" },
        { 1000, "1" },
        { 1500, "1.5" },
        { 10, "0.01" },
        { 1, "0.001" },
        { 999, "0.999" },
        { 1001, "1.001" },
        { 1010, "1.01" },
        { -1000, "-1" },
        { -1500, "-1.5" },
        { INT64_MIN, "-9223372036854775.808" },
        { INT64_MAX, "9223372036854775.807" },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        cpuser_json_writer w;
        cpuser_json_writer_init(&w, buf, sizeof buf);
        cpuser_json_thousandths(&w, cases[i].v);
        assert_document(&w, buf, cases[i].json);
    }
}

/* ---- sizes ----------------------------------------------------------------- */

static void counting_pass_matches_writing_pass(void **state)
{
    char buf[256];
    cpuser_json_writer w;
    size_t counted = 0;
    (void)state;
    cpuser_json_writer_init(&w, NULL, 0);
    write_sample(&w);
    assert_int_equal(cpuser_json_writer_finish(&w, &counted), CPUSER_OK);
    assert_int_equal(counted, strlen(sample_golden));

    cpuser_json_writer_init(&w, buf, sizeof buf);
    write_sample(&w);
    assert_document(&w, buf, sample_golden);
}

static void too_small_reports_need_and_stays_in_bounds(void **state)
{
    const size_t need = strlen(sample_golden);
    char buf[256];
    size_t cap;
    (void)state;
    assert_true(need < sizeof buf);
    for (cap = 0; cap <= need; cap++) {
        cpuser_json_writer w;
        size_t len = 0;
        memset(buf, GUARD, sizeof buf);
        cpuser_json_writer_init(&w, buf, cap);
        write_sample(&w);
        if (cap < need) {
            assert_int_equal(cpuser_json_writer_finish(&w, &len), CPUSER_ERR_BUFFER_TOO_SMALL);
        } else {
            assert_int_equal(cpuser_json_writer_finish(&w, &len), CPUSER_OK);
        }
        assert_int_equal(len, need);
        assert_memory_equal(buf, sample_golden, cap); /* what fitted is right */
        assert_int_equal(buf[cap], GUARD);            /* nothing past cap */
    }
}

/* ---- order ----------------------------------------------------------------- */

static cpuser_err finish(cpuser_json_writer *w)
{
    return cpuser_json_writer_finish(w, NULL);
}

static void out_of_order_calls(void **state)
{
    char buf[64];
    cpuser_json_writer w;
    (void)state;

    /* a value where a key is due */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_int(&w, 1);
    cpuser_json_object_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* a second value after a key's value */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "a");
    cpuser_json_int(&w, 1);
    cpuser_json_int(&w, 2);
    cpuser_json_object_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* a key inside an array */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_array_begin(&w);
    cpuser_json_key(&w, "a");
    cpuser_json_int(&w, 1);
    cpuser_json_array_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* a key at the top level */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_key(&w, "a");
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* a key twice in a row */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "a");
    cpuser_json_key(&w, "b");
    cpuser_json_int(&w, 1);
    cpuser_json_object_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* a key left without its value */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_key(&w, "a");
    cpuser_json_object_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* end without begin */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_array_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* mismatched ends */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_array_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_array_begin(&w);
    cpuser_json_object_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* a container left open */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_array_begin(&w);
    cpuser_json_array_begin(&w);
    cpuser_json_array_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* nothing at all */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    /* a second top-level value */
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_object_begin(&w);
    cpuser_json_object_end(&w);
    cpuser_json_array_begin(&w);
    cpuser_json_array_end(&w);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_int(&w, 1);
    cpuser_json_int(&w, 2);
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);

    assert_int_equal(cpuser_json_writer_finish(NULL, NULL), CPUSER_ERR_BAD_ARGUMENT);
}

static void nesting_limit(void **state)
{
    char buf[2 * CPUSER_JSON_MAX_DEPTH + 8];
    cpuser_json_writer w;
    unsigned i;
    (void)state;

    cpuser_json_writer_init(&w, buf, sizeof buf);
    for (i = 0; i < CPUSER_JSON_MAX_DEPTH; i++) {
        cpuser_json_array_begin(&w);
    }
    for (i = 0; i < CPUSER_JSON_MAX_DEPTH; i++) {
        cpuser_json_array_end(&w);
    }
    assert_int_equal(finish(&w), CPUSER_OK);

    cpuser_json_writer_init(&w, buf, sizeof buf);
    for (i = 0; i <= CPUSER_JSON_MAX_DEPTH; i++) {
        cpuser_json_array_begin(&w);
    }
    for (i = 0; i <= CPUSER_JSON_MAX_DEPTH; i++) {
        cpuser_json_array_end(&w);
    }
    assert_int_equal(finish(&w), CPUSER_ERR_BAD_ARGUMENT);
}

static void errors_stick_and_stop_writing(void **state)
{
    char buf[32];
    cpuser_json_writer w;
    size_t len = 0;
    (void)state;
    memset(buf, GUARD, sizeof buf);
    cpuser_json_writer_init(&w, buf, sizeof buf);
    cpuser_json_array_begin(&w);
    cpuser_json_string(&w, "\xff", 1);
    cpuser_json_int(&w, 7);
    cpuser_json_array_end(&w);
    assert_int_equal(cpuser_json_writer_finish(&w, &len), CPUSER_ERR_BAD_ARGUMENT);
    /* "[" and the opening quote went out before the bad byte; nothing after. */
    assert_int_equal(len, 2);
    assert_int_equal(buf[2], GUARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(object_members_and_commas),
        cmocka_unit_test(nesting_and_empty_containers),
        cmocka_unit_test(top_level_array_and_scalars),
        cmocka_unit_test(short_escapes),
        cmocka_unit_test(control_characters_as_u00xx),
        cmocka_unit_test(valid_utf8_passes_through),
        cmocka_unit_test(invalid_utf8_is_rejected),
        cmocka_unit_test(sequences_cut_short_are_rejected),
        cmocka_unit_test(invalid_utf8_in_a_key_is_rejected),
        cmocka_unit_test(keys_are_escaped),
        cmocka_unit_test(null_string_data),
        cmocka_unit_test(int64_limits),
        cmocka_unit_test(thousandths),
        cmocka_unit_test(counting_pass_matches_writing_pass),
        cmocka_unit_test(too_small_reports_need_and_stays_in_bounds),
        cmocka_unit_test(out_of_order_calls),
        cmocka_unit_test(nesting_limit),
        cmocka_unit_test(errors_stick_and_stop_writing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
