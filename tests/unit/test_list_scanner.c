/* The list scanner: elements out of a list envelope, at every split, through
 * a small buffer, with broken envelopes refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/list_scanner.h"

typedef struct {
    char elems[4096];   /* elements joined with '|' */
    size_t elen;
    char members[1024]; /* key=value joined with '|' */
    size_t mlen;
    int count;
} seen;

static cpuser_err on_element(void *arg, char *json, size_t len)
{
    seen *k = (seen *)arg;
    assert_true(k->elen + len + 1u < sizeof k->elems);
    memcpy(k->elems + k->elen, json, len);
    k->elen += len;
    k->elems[k->elen++] = '|';
    k->elems[k->elen] = '\0';
    k->count++;
    return CPUSER_OK;
}

static cpuser_err on_member(void *arg, const char *key, char *json, size_t len)
{
    seen *k = (seen *)arg;
    int n = snprintf(k->members + k->mlen, sizeof k->members - k->mlen, "%s=%.*s|", key,
                     (int)len, json);
    assert_true(n > 0 && (size_t)n < sizeof k->members - k->mlen);
    k->mlen += (size_t)n;
    return CPUSER_OK;
}

/* Run body through a buffer of `cap` bytes, delivering `step` new bytes at a
 * time, the way the client does: append, offer, drop what was consumed. */
static cpuser_err run(const char *body, size_t cap, size_t step, seen *k)
{
    static char buf[8192];
    cpuser_list_scanner s;
    size_t total = strlen(body);
    size_t fed = 0;
    size_t have = 0;
    memset(k, 0, sizeof *k);
    cpuser_list_scanner_init(&s, on_element, on_member, k);
    assert_true(cap <= sizeof buf);
    for (;;) {
        size_t n = total - fed;
        size_t consumed = 0;
        cpuser_err err;
        if (n > step) {
            n = step;
        }
        if (n > cap - have) {
            n = cap - have;
        }
        if (n == 0u && fed < total) {
            return CPUSER_ERR_BUFFER_TOO_SMALL;
        }
        memcpy(buf + have, body + fed, n);
        have += n;
        fed += n;
        err = cpuser_list_scanner_write(&s, buf, have, fed == total, &consumed);
        if (err != CPUSER_OK) {
            return err;
        }
        assert_true(consumed <= have);
        memmove(buf, buf + consumed, have - consumed);
        have -= consumed;
        if (fed == total) {
            return CPUSER_OK;
        }
    }
}

static const char page[] =
    "{\"data\":[{\"id\":\"1\",\"email\":\"a@x.io\",\"note\":\"} ] { [ \\\" ,\"},"
    " {\"id\":2,\"tags\":[1,2,{\"x\":[]}]} ,{\"id\":\"3\",\"s\":\"\\\\\"}],\n"
    "\"links\":{\"first\":null,\"next\":\"https://h/p?cursor=abc&per_page=2\"},"
    "\"extra\":[1,2,3,{\"big\":\"ignored\"}],\"n\":42,\"t\":true,"
    "\"meta\":{\"path\":\"/p\",\"per_page\":2,\"next_cursor\":\"abc\"}}";

static const char want_elems[] =
    "{\"id\":\"1\",\"email\":\"a@x.io\",\"note\":\"} ] { [ \\\" ,\"}|"
    "{\"id\":2,\"tags\":[1,2,{\"x\":[]}]}|{\"id\":\"3\",\"s\":\"\\\\\"}|";
static const char want_members[] =
    "links={\"first\":null,\"next\":\"https://h/p?cursor=abc&per_page=2\"}|"
    "meta={\"path\":\"/p\",\"per_page\":2,\"next_cursor\":\"abc\"}|";

static void whole_page(void **state)
{
    seen k;
    (void)state;
    assert_int_equal(run(page, sizeof page, sizeof page, &k), CPUSER_OK);
    assert_string_equal(k.elems, want_elems);
    assert_string_equal(k.members, want_members);
    assert_int_equal(k.count, 3);
}

static void every_step_size_and_a_small_buffer(void **state)
{
    size_t step;
    (void)state;
    for (step = 1; step <= sizeof page; step++) {
        seen k;
        /* 90 bytes hold the largest element and the links/meta values */
        assert_int_equal(run(page, 90, step, &k), CPUSER_OK);
        assert_string_equal(k.elems, want_elems);
        assert_string_equal(k.members, want_members);
    }
}

static void an_element_larger_than_the_buffer_is_reported(void **state)
{
    seen k;
    (void)state;
    assert_int_equal(run(page, 40, 7, &k), CPUSER_ERR_BUFFER_TOO_SMALL);
}

static void empty_and_minimal_envelopes(void **state)
{
    seen k;
    (void)state;
    assert_int_equal(run("{\"data\":[]}", 64, 1, &k), CPUSER_OK);
    assert_int_equal(k.count, 0);
    assert_int_equal(run(" {} ", 64, 1, &k), CPUSER_OK);
    assert_int_equal(run("{\"data\":[1, \"two\" ,null]}", 64, 3, &k), CPUSER_OK);
    assert_string_equal(k.elems, "1|\"two\"|null|");
}

static void broken_envelopes_are_refused(void **state)
{
    static const char *const bad[] = {
        "[]", "{\"data\":{}}", "{\"data\":[1,]}", "{\"data\":[,1]}", "{\"data\" [1]}",
        "{\"data\":[1] \"x\":1}", "{\"data\":[1]}x", "{,}", "{\"a\":}", "{\"data\":[1]",
        "{\"data\":[{\"a\":1}", "{\"data\":[\"unterminated]}", "{\"links\":{\"a\":1}",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        seen k;
        size_t step;
        for (step = 1; step <= strlen(bad[i]); step++) {
            if (run(bad[i], 128, step, &k) != CPUSER_ERR_JSON) {
                fail_msg("accepted \"%s\" (step %zu)", bad[i], step);
            }
        }
    }
}

static void every_truncation_is_refused(void **state)
{
    char cut[sizeof page];
    size_t n;
    (void)state;
    for (n = 0; n + 1u < sizeof page; n++) {
        seen k;
        memcpy(cut, page, n);
        cut[n] = '\0';
        if (run(cut, sizeof cut, 5, &k) != CPUSER_ERR_JSON) {
            fail_msg("accepted a page cut at %zu", n);
        }
    }
}

static cpuser_err stop_at_two(void *arg, char *json, size_t len)
{
    seen *k = (seen *)arg;
    (void)json;
    (void)len;
    return ++k->count == 2 ? CPUSER_ERR_BAD_ARGUMENT : CPUSER_OK;
}

static void a_callback_error_stops_the_scan(void **state)
{
    static char buf[sizeof page];
    cpuser_list_scanner s;
    seen k;
    size_t consumed = 0;
    (void)state;
    memset(&k, 0, sizeof k);
    memcpy(buf, page, sizeof page);
    cpuser_list_scanner_init(&s, stop_at_two, NULL, &k);
    assert_int_equal(cpuser_list_scanner_write(&s, buf, sizeof page - 1u, true, &consumed),
                     CPUSER_ERR_BAD_ARGUMENT);
    assert_int_equal(k.count, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_page),
        cmocka_unit_test(every_step_size_and_a_small_buffer),
        cmocka_unit_test(an_element_larger_than_the_buffer_is_reported),
        cmocka_unit_test(empty_and_minimal_envelopes),
        cmocka_unit_test(broken_envelopes_are_refused),
        cmocka_unit_test(every_truncation_is_refused),
        cmocka_unit_test(a_callback_error_stops_the_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
