/* cpuser_json reader: parse errors, navigation, strings, numbers, literals.
 *
 * Documents under test are copied into buffers of exactly their length
 * (malloc here, in the test only) so the sanitizer build catches any read
 * past the end of the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/json_reader.h"

static cpuser_json doc;

/* A copy of s[0..n) in a buffer of exactly n bytes (at least 1 allocated). */
static char *exact_copy(const char *s, size_t n)
{
    char *p = malloc(n > 0u ? n : 1u);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

/* Parse a copy of s[0..n) and free it; for error checks only. */
static cpuser_err parse_copy(const char *s, size_t n)
{
    char *p = exact_copy(s, n);
    cpuser_err err = cpuser_json_parse(&doc, p, n);
    free(p);
    return err;
}

static cpuser_err parse_str(const char *s)
{
    return parse_copy(s, strlen(s));
}

/* Parse s into buf (which must outlive the reads); assert success. */
static void parse_ok(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    assert_true(n <= cap);
    memcpy(buf, s, n);
    assert_int_equal(cpuser_json_parse(&doc, buf, n), CPUSER_OK);
}

static const char sample[] =
    "{\"id\":7,\"name\":\"Ann \\u00e9\\n\",\"balance\":-12.5,\"ok\":true,"
    "\"none\":null,\"tags\":[\"a\",{\"x\":[1,2e3]},[],{}],"
    "\"meta\":{\"page\":{\"next\":\"c2\"}},\"last\":false}";

/* ---- parse ----------------------------------------------------------------- */

static void parses_a_document(void **state)
{
    char buf[sizeof sample];
    (void)state;
    parse_ok(buf, sizeof buf, sample);
    assert_int_equal(doc.count, 29); /* counted by hand: keys, values, containers */
    assert_int_equal(cpuser_json_type(&doc, 0), JSMN_OBJECT);
    assert_int_equal(cpuser_json_type(&doc, 1), JSMN_STRING);
    assert_int_equal(cpuser_json_type(&doc, 2), JSMN_PRIMITIVE);
    assert_int_equal(cpuser_json_type(&doc, doc.count), JSMN_UNDEFINED);
    assert_int_equal(cpuser_json_type(&doc, -1), JSMN_UNDEFINED);
    assert_int_equal(cpuser_json_type(NULL, 0), JSMN_UNDEFINED);
}

static void top_level_scalars_and_white_space(void **state)
{
    char buf[32];
    int64_t v = 0;
    bool b = false;
    cpuser_view s;
    (void)state;
    parse_ok(buf, sizeof buf, "42");
    assert_int_equal(doc.count, 1);
    assert_int_equal(cpuser_json_get_int64(&doc, 0, &v), CPUSER_OK);
    assert_int_equal(v, 42);

    parse_ok(buf, sizeof buf, " \t\r\n-1.5 \n");
    assert_int_equal(cpuser_json_get_thousandths(&doc, 0, &v), CPUSER_OK);
    assert_int_equal(v, -1500);

    parse_ok(buf, sizeof buf, "true");
    assert_int_equal(cpuser_json_get_bool(&doc, 0, &b), CPUSER_OK);
    assert_true(b);

    parse_ok(buf, sizeof buf, "null");
    assert_true(cpuser_json_is_null(&doc, 0));

    parse_ok(buf, sizeof buf, " \"x\" ");
    assert_int_equal(cpuser_json_get_string(&doc, 0, &s), CPUSER_OK);
    assert_true(cpuser_view_eq(s, "x"));

    parse_ok(buf, sizeof buf, " [ 1 , { \"a\" : [ ] } ] ");
    assert_int_equal(doc.count, 5);
}

static void every_truncation_is_an_error(void **state)
{
    const size_t n = sizeof sample - 1u;
    size_t cut;
    (void)state;
    assert_int_equal(parse_str(sample), CPUSER_OK);
    for (cut = 0; cut < n; cut++) {
        assert_int_equal(parse_copy(sample, cut), CPUSER_ERR_JSON);
        assert_int_equal(doc.count, 0);
    }
}

static void trailing_garbage(void **state)
{
    static const char *const bad[] = {
        "{} x", "{}{}", "[1] 2", "{\"a\":1}}", "[1]]", "1 2", "\"a\" \"b\"",
        "[] ,", "null null", "{}\"",
    };
    static const char nul_after[] = { '[', '1', ']', '\0' };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse_str(bad[i]), CPUSER_ERR_JSON);
    }
    assert_int_equal(parse_copy(nul_after, sizeof nul_after), CPUSER_ERR_JSON);
}

static void malformed_documents(void **state)
{
    static const char *const bad[] = {
        "", "   ", "[", "]", "{", "}", "[}", "{]", "[1 2]", "{\"a\" 1}",
        "{\"a\":1 \"b\":2}", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{\"a\"}",
        "{1:2}", "{\"a\":}", "{\"a\":1:2}", "[tru]", "[nul]", "[truex]",
        "[True]", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[1e+]", "[+1]",
        "[0x10]", "['a']", "[\"a\x01\"]", "[\"\\x\"]", "[\"\\u12g4\"]",
        "[\"\\u12\"]", "[\"a]", "{\"a\":[}", "[{\"a\":1]}", "[1,,2]", "{[]:1}",
        "{\"a\"::1}", "[\"\\\"]",
    };
    static const char nul_in_string[] = { '[', '"', 'a', '\0', '"', ']' };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse_str(bad[i]), CPUSER_ERR_JSON);
    }
    assert_int_equal(parse_copy(nul_in_string, sizeof nul_in_string), CPUSER_ERR_JSON);
}

/* "[" then n zeros separated by commas then "]": n + 1 tokens. */
static size_t array_of_zeros(char *buf, size_t cap, size_t n)
{
    size_t len = 0;
    size_t i;
    assert_true(2u * n + 2u <= cap);
    buf[len++] = '[';
    for (i = 0; i < n; i++) {
        if (i > 0u) {
            buf[len++] = ',';
        }
        buf[len++] = '0';
    }
    buf[len++] = ']';
    return len;
}

static void token_limit(void **state)
{
    char buf[4 * CPUSER_JSON_MAX_TOKENS + 16];
    size_t len;
    size_t i;
    (void)state;
    len = array_of_zeros(buf, sizeof buf, CPUSER_JSON_MAX_TOKENS - 1u);
    assert_int_equal(parse_copy(buf, len), CPUSER_OK);
    assert_int_equal(doc.count, (int)CPUSER_JSON_MAX_TOKENS);

    len = array_of_zeros(buf, sizeof buf, CPUSER_JSON_MAX_TOKENS);
    assert_int_equal(parse_copy(buf, len), CPUSER_ERR_BUFFER_TOO_SMALL);

    /* Deep nesting beyond the token count fails cleanly too. */
    for (i = 0; i < 2u * CPUSER_JSON_MAX_TOKENS; i++) {
        buf[i] = '[';
        buf[4u * CPUSER_JSON_MAX_TOKENS - 1u - i] = ']';
    }
    assert_int_equal(parse_copy(buf, 4u * CPUSER_JSON_MAX_TOKENS), CPUSER_ERR_JSON);
}

static void bad_arguments(void **state)
{
    char buf[4] = "[1]";
    (void)state;
    assert_int_equal(cpuser_json_parse(NULL, buf, 3), CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(cpuser_json_parse(&doc, NULL, 0), CPUSER_ERR_BAD_ARGUMENT);
#if SIZE_MAX > INT_MAX
    /* Refused on the length alone, before any byte is read. */
    assert_int_equal(cpuser_json_parse(&doc, buf, (size_t)INT_MAX + 1u), CPUSER_ERR_JSON);
#endif
}

/* ---- navigation ------------------------------------------------------------ */

static void find_skip_index_member(void **state)
{
    char buf[sizeof sample];
    int tags;
    int meta;
    int page;
    int next;
    int inner;
    int64_t v = 0;
    cpuser_view s;
    (void)state;
    parse_ok(buf, sizeof buf, sample);

    assert_int_equal(cpuser_json_find(&doc, 0, "id"), 2);
    assert_int_equal(cpuser_json_skip(&doc, 0), doc.count);
    assert_int_equal(cpuser_json_skip(&doc, 2), 3);

    meta = cpuser_json_find(&doc, 0, "meta");
    assert_int_equal(cpuser_json_type(&doc, meta), JSMN_OBJECT);
    page = cpuser_json_find(&doc, meta, "page");
    next = cpuser_json_find(&doc, page, "next");
    assert_int_equal(cpuser_json_get_string(&doc, next, &s), CPUSER_OK);
    assert_true(cpuser_view_eq(s, "c2"));
    /* the member after "meta" starts right after its whole value */
    assert_int_equal(cpuser_json_skip(&doc, meta), cpuser_json_find(&doc, 0, "last") - 1);

    tags = cpuser_json_find(&doc, 0, "tags");
    assert_int_equal(cpuser_json_type(&doc, tags), JSMN_ARRAY);
    assert_int_equal(cpuser_json_index(&doc, tags, 0), tags + 1);
    inner = cpuser_json_find(&doc, cpuser_json_index(&doc, tags, 1), "x");
    assert_int_equal(cpuser_json_get_thousandths(&doc, cpuser_json_index(&doc, inner, 1), &v),
                     CPUSER_OK);
    assert_int_equal(v, 2000000);
    assert_int_equal(cpuser_json_type(&doc, cpuser_json_index(&doc, tags, 2)), JSMN_ARRAY);
    assert_int_equal(cpuser_json_type(&doc, cpuser_json_index(&doc, tags, 3)), JSMN_OBJECT);
    assert_int_equal(cpuser_json_index(&doc, tags, 4), -1);
    assert_int_equal(cpuser_json_index(&doc, tags, -1), -1);
    assert_int_equal(cpuser_json_index(&doc, 0, 0), -1); /* not an array */
    assert_int_equal(cpuser_json_index(&doc, cpuser_json_index(&doc, tags, 2), 0), -1);
    assert_int_equal(cpuser_json_type(&doc, cpuser_json_index(&doc, tags, 9)), JSMN_UNDEFINED);

    assert_true(cpuser_view_eq(cpuser_json_key_view(&doc, cpuser_json_member(&doc, 0, 0)), "id"));
    assert_true(cpuser_view_eq(cpuser_json_key_view(&doc, cpuser_json_member(&doc, 0, 5)), "tags"));
    assert_true(cpuser_view_eq(cpuser_json_key_view(&doc, cpuser_json_member(&doc, 0, 7)), "last"));
    assert_int_equal(cpuser_json_member(&doc, 0, 8), -1);
    assert_int_equal(cpuser_json_member(&doc, 0, -1), -1);
    assert_int_equal(cpuser_json_member(&doc, tags, 0), -1); /* not an object */
    assert_null(cpuser_json_key_view(&doc, 2).ptr);          /* not a string */
    assert_null(cpuser_json_key_view(&doc, 99).ptr);

    assert_int_equal(cpuser_json_find(&doc, 0, "missing"), -1);
    assert_int_equal(cpuser_json_find(&doc, 0, "nam"), -1);   /* a prefix */
    assert_int_equal(cpuser_json_find(&doc, 0, "names"), -1); /* longer */
    assert_int_equal(cpuser_json_find(&doc, 0, "next"), -1);  /* nested only */
    assert_int_equal(cpuser_json_find(&doc, tags, "a"), -1);  /* an array */
    assert_int_equal(cpuser_json_find(&doc, -1, "id"), -1);
    assert_int_equal(cpuser_json_find(&doc, doc.count, "id"), -1);
    assert_int_equal(cpuser_json_find(&doc, 0, NULL), -1);
    assert_int_equal(cpuser_json_skip(&doc, -1), -1);
    assert_int_equal(cpuser_json_skip(&doc, doc.count), -1);
}

static void duplicate_keys_last_wins(void **state)
{
    char buf[64];
    int64_t v = 0;
    (void)state;
    parse_ok(buf, sizeof buf, "{\"a\":1,\"b\":{\"a\":2},\"a\":3}");
    assert_int_equal(cpuser_json_get_int64(&doc, cpuser_json_find(&doc, 0, "a"), &v), CPUSER_OK);
    assert_int_equal(v, 3);
}

/* ---- strings ---------------------------------------------------------------- */

/* Parse ["<body>"] and read the string. */
static cpuser_err read_string(char *buf, size_t cap, const char *body, cpuser_view *out)
{
    size_t n = strlen(body);
    cpuser_err err;
    assert_true(n + 4u <= cap);
    buf[0] = '[';
    buf[1] = '"';
    memcpy(buf + 2, body, n);
    buf[n + 2u] = '"';
    buf[n + 3u] = ']';
    err = cpuser_json_parse(&doc, buf, n + 4u);
    if (err == CPUSER_OK) {
        err = cpuser_json_get_string(&doc, 1, out);
    }
    return err;
}

static void assert_decodes(const char *body, const char *expect)
{
    char buf[64];
    cpuser_view v;
    assert_int_equal(read_string(buf, sizeof buf, body, &v), CPUSER_OK);
    assert_int_equal(v.len, strlen(expect));
    assert_memory_equal(v.ptr, expect, v.len);
}

static void string_escapes(void **state)
{
    (void)state;
    assert_decodes("plain", "plain");
    assert_decodes("", "");
    assert_decodes("\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t");
    assert_decodes("a\\u0041b", "aAb");
    assert_decodes("\\u00e9", "\xc3\xa9");
    assert_decodes("\\u00E9", "\xc3\xa9");
    assert_decodes("\\u07ff", "\xdf\xbf");
    assert_decodes("\\u20ac", "\xe2\x82\xac");
    assert_decodes("\\uffff", "\xef\xbf\xbf");
    assert_decodes("\\ud83d\\ude00", "\xf0\x9f\x98\x80");
    assert_decodes("\\uD800\\uDC00", "\xf0\x90\x80\x80");
    assert_decodes("\\udbff\\udfff", "\xf4\x8f\xbf\xbf");
    assert_decodes("\\u001f", "\x1f");
    assert_decodes("x\\ud83d\\ude00y\\n", "x\xf0\x9f\x98\x80y\n");
    assert_decodes("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void bad_strings(void **state)
{
    static const char *const bad[] = {
        "\\ud83d",         /* lone high surrogate at the end */
        "\\ud83dx",        /* lone high surrogate before text */
        "\\ude00",         /* lone low surrogate */
        "\\ud83d\\u0041",  /* high followed by a non-surrogate */
        "\\ud83d\\ud83d",  /* high followed by high */
        "\\ud83d\\n",      /* high followed by another escape */
        "\\u0000",         /* NUL */
        "a\\u0000b",
        "\x80",            /* raw invalid UTF-8 */
        "a\xc3",
        "\xc3(",
        "\xc0\x80",
        "\xe0\x80\x80",
        "\xed\xa0\x80",
        "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80",
        "\xff",
    };
    char buf[64];
    cpuser_view v;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(read_string(buf, sizeof buf, bad[i], &v), CPUSER_ERR_JSON);
        /* A refused string stays refused: nothing was half rewritten. */
        assert_int_equal(cpuser_json_get_string(&doc, 1, &v), CPUSER_ERR_JSON);
    }
}

static void control_bytes_are_refused_by_the_reader_too(void **state)
{
    /* The parse step refuses raw control bytes in strings; a byte changed
     * after parsing must still not come out of get_string. */
    char buf[16];
    cpuser_view v;
    (void)state;
    parse_ok(buf, sizeof buf, "[\"ab\"]");
    buf[3] = '\x01';
    assert_int_equal(cpuser_json_get_string(&doc, 1, &v), CPUSER_ERR_JSON);
    buf[3] = '\x7f'; /* DEL is not a control byte in JSON */
    assert_int_equal(cpuser_json_get_string(&doc, 1, &v), CPUSER_OK);
    assert_memory_equal(v.ptr, "a\x7f", 2);
}

static void refused_string_is_left_intact(void **state)
{
    /* The body \n\\\ud800 ends in a lone surrogate. Had "\n" and "\\" been
     * unescaped before that was found, the text would now read
     * <LF>\\\\ud800, which decodes fine: a second read would succeed. */
    static const char text[] = "[\"\\n\\\\\\ud800\"]";
    char buf[64];
    cpuser_view v;
    (void)state;
    assert_int_equal(read_string(buf, sizeof buf, "\\n\\\\\\ud800", &v), CPUSER_ERR_JSON);
    assert_memory_equal(buf, text, sizeof text - 1u);
    assert_int_equal(cpuser_json_get_string(&doc, 1, &v), CPUSER_ERR_JSON);
}

static void reading_twice_gives_the_same_view(void **state)
{
    char buf[64];
    cpuser_view first;
    cpuser_view again;
    int64_t v = 0;
    (void)state;
    parse_ok(buf, sizeof buf, "{\"s\":\"a\\\\n\\u00e9\\\\\",\"k\":[\"\\\\\\\\\"],\"z\":5}");
    assert_int_equal(cpuser_json_get_string(&doc, 2, &first), CPUSER_OK);
    assert_int_equal(first.len, 6);
    assert_memory_equal(first.ptr, "a\\n\xc3\xa9\\", 6);
    assert_int_equal(cpuser_json_get_string(&doc, 2, &again), CPUSER_OK);
    assert_ptr_equal(again.ptr, first.ptr);
    assert_int_equal(again.len, first.len);
    assert_memory_equal(again.ptr, "a\\n\xc3\xa9\\", 6);

    /* "\\\\" decodes to "\\"; decoding that again would give "\". */
    assert_int_equal(cpuser_json_get_string(&doc, 5, &first), CPUSER_OK);
    assert_int_equal(cpuser_json_get_string(&doc, 5, &again), CPUSER_OK);
    assert_int_equal(again.len, 2);
    assert_memory_equal(again.ptr, "\\\\", 2);

    /* The decoded tokens still read as strings and navigation still works. */
    assert_int_equal(cpuser_json_type(&doc, 2), JSMN_STRING);
    assert_int_equal(cpuser_json_skip(&doc, 0), doc.count);
    assert_int_equal(cpuser_json_skip(&doc, 1), 3);
    assert_int_equal(cpuser_json_index(&doc, 4, 0), 5);
    assert_int_equal(cpuser_json_get_int64(&doc, cpuser_json_find(&doc, 0, "z"), &v), CPUSER_OK);
    assert_int_equal(v, 5);
    assert_int_equal(cpuser_json_find(&doc, 0, "s"), 2);

    /* A key read as a string decodes too and is then found by its bytes. */
    assert_int_equal(cpuser_json_get_string(&doc, 1, &first), CPUSER_OK);
    assert_true(cpuser_view_eq(first, "s"));
    assert_int_equal(cpuser_json_find(&doc, 0, "s"), 2);
}

/* ---- numbers ---------------------------------------------------------------- */

typedef cpuser_err (*number_reader)(const cpuser_json *, int, int64_t *);

/* Read lit two ways: parsed as "[lit]", and written over the digits of a
 * parsed "[111...]" so the reader's own checks are exercised even for text
 * the parse step would refuse. Both must agree. */
static cpuser_err read_number(number_reader read, const char *lit, int64_t *out)
{
    char buf[128];
    size_t n = strlen(lit);
    cpuser_err whole;
    cpuser_err direct;
    int64_t v1 = 0;
    int64_t v2 = 0;

    assert_true(n > 0u && n + 2u <= sizeof buf);
    buf[0] = '[';
    memcpy(buf + 1, lit, n);
    buf[n + 1u] = ']';
    whole = cpuser_json_parse(&doc, buf, n + 2u);
    if (whole == CPUSER_OK) {
        whole = read(&doc, 1, &v1);
    }

    memset(buf + 1, '1', n);
    assert_int_equal(cpuser_json_parse(&doc, buf, n + 2u), CPUSER_OK);
    memcpy(buf + 1, lit, n);
    direct = read(&doc, 1, &v2);

    assert_int_equal(whole, direct);
    if (direct == CPUSER_OK) {
        assert_true(v1 == v2);
        *out = v2;
    }
    return direct;
}

static void assert_int64(const char *lit, int64_t expect)
{
    int64_t v = 0;
    assert_int_equal(read_number(cpuser_json_get_int64, lit, &v), CPUSER_OK);
    assert_true(v == expect);
}

static void assert_thousandths(const char *lit, int64_t expect)
{
    int64_t v = 0;
    assert_int_equal(read_number(cpuser_json_get_thousandths, lit, &v), CPUSER_OK);
    assert_true(v == expect);
}

static void int64_values(void **state)
{
    static const char *const bad[] = {
        "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999", "1.0", "1e2", "1E2", "01", "-01", "00", "-",
        "", "+1", "1.", "0x1", "tru", "1-", "--1",
    };
    char buf[16];
    int64_t v = 0;
    size_t i;
    (void)state;
    assert_int64("0", 0);
    assert_int64("-0", 0);
    assert_int64("7", 7);
    assert_int64("-42", -42);
    assert_int64("9223372036854775807", INT64_MAX);
    assert_int64("-9223372036854775808", INT64_MIN);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (bad[i][0] == '\0') {
            continue;
        }
        assert_int_equal(read_number(cpuser_json_get_int64, bad[i], &v), CPUSER_ERR_JSON);
    }
    parse_ok(buf, sizeof buf, "[\"12\"]");
    assert_int_equal(cpuser_json_get_int64(&doc, 1, &v), CPUSER_ERR_JSON);
}

static void thousandths_values(void **state)
{
    static const char *const bad[] = {
        "12.3456", "1e-4", "0.0001", "-0.0005", "9223372036854775.808",
        "-9223372036854775.809", "9223372036854776", "1e16", "1e999999999999",
        "-1e999999999999", "1e-999999999999", "99999999999999999999999",
        "1.", ".5", "1e", "-", "01.5", "1.5e", "1e+", "tru",
    };
    int64_t v = 0;
    size_t i;
    (void)state;
    assert_thousandths("12.345", 12345);
    assert_thousandths("12", 12000);
    assert_thousandths("12.3", 12300);
    assert_thousandths("12.3450", 12345);
    assert_thousandths("-0.005", -5);
    assert_thousandths("0", 0);
    assert_thousandths("-0", 0);
    assert_thousandths("-0.0", 0);
    assert_thousandths("1.5e2", 150000);
    assert_thousandths("1.5E+2", 150000);
    assert_thousandths("1e-3", 1);
    assert_thousandths("1e3", 1000000);
    assert_thousandths("0.0001e1", 1);
    assert_thousandths("1000e-6", 1);
    assert_thousandths("0.00000", 0);
    assert_thousandths("0e999999999999", 0);
    assert_thousandths("9223372036854775.807", INT64_MAX);
    assert_thousandths("-9223372036854775.808", INT64_MIN);
    assert_thousandths("9223372036854775807e-3", INT64_MAX);
    assert_thousandths("0.9223372036854775807e16", INT64_MAX);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(read_number(cpuser_json_get_thousandths, bad[i], &v), CPUSER_ERR_JSON);
    }
}

static void huge_numbers_do_not_hang(void **state)
{
    /* 100 000 exponent digits, and a 60 000-digit mantissa, each read in
     * linear time without overflowing anything. */
    static char text[200000];
    int64_t v = 0;
    size_t n;
    (void)state;

    n = 0;
    text[n++] = '[';
    text[n++] = '1';
    text[n++] = 'e';
    memset(text + n, '9', 100000);
    n += 100000;
    text[n++] = ']';
    assert_int_equal(cpuser_json_parse(&doc, text, n), CPUSER_OK);
    assert_int_equal(cpuser_json_get_thousandths(&doc, 1, &v), CPUSER_ERR_JSON);
    text[2] = 'E';
    text[3] = '-';
    assert_int_equal(cpuser_json_get_thousandths(&doc, 1, &v), CPUSER_ERR_JSON);

    /* 0.000...0001 (60 000 zeros): too many decimals */
    n = 0;
    text[n++] = '[';
    text[n++] = '0';
    text[n++] = '.';
    memset(text + n, '0', 60000);
    n += 60000;
    text[n++] = '1';
    text[n++] = ']';
    assert_int_equal(cpuser_json_parse(&doc, text, n), CPUSER_OK);
    assert_int_equal(cpuser_json_get_thousandths(&doc, 1, &v), CPUSER_ERR_JSON);
    /* 0.000...0000: zero, however many decimals */
    text[n - 2u] = '0';
    assert_int_equal(cpuser_json_get_thousandths(&doc, 1, &v), CPUSER_OK);
    assert_int_equal(v, 0);
    /* 1000...000 (60 000 zeros): far too large */
    text[1] = '1';
    text[2] = '0';
    assert_int_equal(cpuser_json_get_thousandths(&doc, 1, &v), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_int64(&doc, 1, &v), CPUSER_ERR_JSON);
}

/* ---- literals and types ----------------------------------------------------- */

static cpuser_err read_bool(const char *lit, bool *out)
{
    char buf[16];
    size_t n = strlen(lit);
    memset(buf, '1', sizeof buf);
    buf[0] = '[';
    buf[n + 1u] = ']';
    assert_int_equal(cpuser_json_parse(&doc, buf, n + 2u), CPUSER_OK);
    memcpy(buf + 1, lit, n); /* past the parse step's own check */
    return cpuser_json_get_bool(&doc, 1, out);
}

static void booleans_and_null(void **state)
{
    static const char *const not_bool[] = { "tru", "truex", "fals", "falsee", "True", "1", "0", "null" };
    static const char *const not_null[] = { "nul", "nulll", "Null", "0" };
    char buf[64];
    bool b = false;
    size_t i;
    (void)state;
    parse_ok(buf, sizeof buf, "[true,false,null,\"true\",\"null\",0]");
    assert_int_equal(cpuser_json_get_bool(&doc, 1, &b), CPUSER_OK);
    assert_true(b);
    assert_int_equal(cpuser_json_get_bool(&doc, 2, &b), CPUSER_OK);
    assert_false(b);
    assert_int_equal(cpuser_json_get_bool(&doc, 3, &b), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_bool(&doc, 4, &b), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_bool(&doc, 6, &b), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_bool(&doc, 7, &b), CPUSER_ERR_JSON);
    assert_true(cpuser_json_is_null(&doc, 3));
    assert_false(cpuser_json_is_null(&doc, 1));
    assert_false(cpuser_json_is_null(&doc, 5)); /* the string "null" */
    assert_false(cpuser_json_is_null(&doc, 0));
    assert_false(cpuser_json_is_null(&doc, 99));
    assert_false(cpuser_json_is_null(&doc, -1));

    for (i = 0; i < sizeof not_bool / sizeof not_bool[0]; i++) {
        assert_int_equal(read_bool(not_bool[i], &b), CPUSER_ERR_JSON);
    }
    assert_int_equal(read_bool("false", &b), CPUSER_OK);
    assert_false(b);
    for (i = 0; i < sizeof not_null / sizeof not_null[0]; i++) {
        assert_int_equal(read_bool(not_null[i], &b), CPUSER_ERR_JSON);
        assert_false(cpuser_json_is_null(&doc, 1));
    }
    assert_int_equal(read_bool("null", &b), CPUSER_ERR_JSON);
    assert_true(cpuser_json_is_null(&doc, 1));
}

static void type_mismatches(void **state)
{
    char buf[64];
    cpuser_view s;
    int64_t v = 0;
    bool b = false;
    (void)state;
    parse_ok(buf, sizeof buf, "{\"o\":{},\"a\":[],\"s\":\"x\",\"n\":1,\"t\":true}");
    assert_int_equal(cpuser_json_get_string(&doc, 0, &s), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_string(&doc, 8, &s), CPUSER_ERR_JSON);  /* 1 */
    assert_int_equal(cpuser_json_get_string(&doc, 10, &s), CPUSER_ERR_JSON); /* true */
    assert_int_equal(cpuser_json_get_int64(&doc, 2, &v), CPUSER_ERR_JSON);   /* {} */
    assert_int_equal(cpuser_json_get_int64(&doc, 4, &v), CPUSER_ERR_JSON);   /* [] */
    assert_int_equal(cpuser_json_get_int64(&doc, 6, &v), CPUSER_ERR_JSON);   /* "x" */
    assert_int_equal(cpuser_json_get_int64(&doc, 10, &v), CPUSER_ERR_JSON);  /* true */
    assert_int_equal(cpuser_json_get_thousandths(&doc, 6, &v), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_bool(&doc, 8, &b), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_bool(&doc, 6, &b), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_int64(&doc, 8, &v), CPUSER_OK);
    assert_int_equal(v, 1);

    /* out of range indexes */
    assert_int_equal(cpuser_json_get_string(&doc, -1, &s), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_string(&doc, doc.count, &s), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_int64(&doc, doc.count, &v), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_thousandths(&doc, -5, &v), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_bool(&doc, 1000, &b), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_int64(&doc, 8, NULL), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_string(&doc, 6, NULL), CPUSER_ERR_JSON);

    /* after a failed parse nothing can be read */
    assert_int_equal(parse_str("[1"), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_get_int64(&doc, 1, &v), CPUSER_ERR_JSON);
    assert_int_equal(cpuser_json_type(&doc, 0), JSMN_UNDEFINED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_document),
        cmocka_unit_test(top_level_scalars_and_white_space),
        cmocka_unit_test(every_truncation_is_an_error),
        cmocka_unit_test(trailing_garbage),
        cmocka_unit_test(malformed_documents),
        cmocka_unit_test(token_limit),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(find_skip_index_member),
        cmocka_unit_test(duplicate_keys_last_wins),
        cmocka_unit_test(string_escapes),
        cmocka_unit_test(bad_strings),
        cmocka_unit_test(control_bytes_are_refused_by_the_reader_too),
        cmocka_unit_test(refused_string_is_left_intact),
        cmocka_unit_test(reading_twice_gives_the_same_view),
        cmocka_unit_test(int64_values),
        cmocka_unit_test(thousandths_values),
        cmocka_unit_test(huge_numbers_do_not_hang),
        cmocka_unit_test(booleans_and_null),
        cmocka_unit_test(type_mismatches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
