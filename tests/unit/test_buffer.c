/* cpuser_buffer, cpuser_view and cpuser_strerror. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/buffer.h"
#include "cpuser/error.h"
#include "cpuser/view.h"

static void counts_past_the_end(void **state)
{
    char buf[4];
    cpuser_buffer b;
    (void)state;
    cpuser_buffer_init(&b, buf, sizeof buf);
    cpuser_buffer_puts(&b, "abc");
    assert_int_equal(cpuser_buffer_status(&b), CPUSER_OK);
    cpuser_buffer_puts(&b, "defg");
    assert_int_equal(b.len, 7);
    assert_memory_equal(buf, "abcd", 4);
    assert_int_equal(cpuser_buffer_status(&b), CPUSER_ERR_BUFFER_TOO_SMALL);
}

static void counting_only_is_never_too_small(void **state)
{
    cpuser_buffer b;
    (void)state;
    cpuser_buffer_init(&b, NULL, 0);
    cpuser_buffer_puts(&b, "hello");
    cpuser_buffer_put_i64(&b, INT64_MIN);
    assert_int_equal(b.len, 5 + 20);
    assert_int_equal(cpuser_buffer_status(&b), CPUSER_OK);
}

static void integers(void **state)
{
    char buf[64];
    cpuser_buffer b;
    (void)state;
    cpuser_buffer_init(&b, buf, sizeof buf);
    cpuser_buffer_put_i64(&b, INT64_MIN);
    cpuser_buffer_putc(&b, ' ');
    cpuser_buffer_put_i64(&b, INT64_MAX);
    cpuser_buffer_putc(&b, ' ');
    cpuser_buffer_put_u64(&b, 0);
    cpuser_buffer_putc(&b, ' ');
    cpuser_buffer_put_u64(&b, UINT64_MAX);
    assert_int_equal(cpuser_buffer_status(&b), CPUSER_OK);
    assert_int_equal(b.len, strlen("-9223372036854775808 9223372036854775807 0 18446744073709551615"));
    assert_memory_equal(buf, "-9223372036854775808 9223372036854775807 0 18446744073709551615", b.len);
}

static void first_error_sticks(void **state)
{
    char buf[8];
    cpuser_buffer b;
    (void)state;
    cpuser_buffer_init(&b, buf, sizeof buf);
    cpuser_buffer_fail(&b, CPUSER_ERR_BAD_ARGUMENT);
    cpuser_buffer_fail(&b, CPUSER_ERR_JSON);
    cpuser_buffer_puts(&b, "x");
    assert_int_equal(b.len, 0);
    assert_int_equal(cpuser_buffer_status(&b), CPUSER_ERR_BAD_ARGUMENT);
}

/* Found by fuzzing: an empty view {NULL, 0} reached memcpy(dst, NULL, 0),
 * undefined behaviour (UBSan: null pointer passed as argument 2). */
static void empty_null_append_is_fine(void **state)
{
    char buf[4];
    cpuser_buffer b;
    (void)state;
    cpuser_buffer_init(&b, buf, sizeof buf);
    cpuser_buffer_put(&b, NULL, 0);
    cpuser_buffer_put(&b, "ab", 2);
    cpuser_buffer_put(&b, NULL, 0);
    assert_int_equal(b.len, 2);
    assert_int_equal(cpuser_buffer_status(&b), CPUSER_OK);
}

static void views(void **state)
{
    cpuser_view v = cpuser_view_of("Content-Length");
    (void)state;
    assert_true(cpuser_view_eq(v, "Content-Length"));
    assert_false(cpuser_view_eq(v, "content-length"));
    assert_true(cpuser_view_ieq(v, "content-LENGTH"));
    assert_false(cpuser_view_ieq(v, "content-lengt"));
    assert_int_equal(cpuser_view_of(NULL).len, 0);
}

static void every_error_has_a_message(void **state)
{
    int e;
    (void)state;
    for (e = 0; e < (int)CPUSER_ERR__COUNT; e++) {
        assert_string_not_equal(cpuser_strerror((cpuser_err)e), "unknown error");
    }
    assert_string_equal(cpuser_strerror(CPUSER_ERR__COUNT), "unknown error");
    assert_int_equal(cpuser_err_from_status(204), CPUSER_OK);
    assert_int_equal(cpuser_err_from_status(401), CPUSER_ERR_HTTP_UNAUTHORIZED);
    assert_int_equal(cpuser_err_from_status(412), CPUSER_ERR_HTTP_PRECONDITION_FAILED);
    assert_int_equal(cpuser_err_from_status(418), CPUSER_ERR_HTTP_BAD_REQUEST);
    assert_int_equal(cpuser_err_from_status(503), CPUSER_ERR_HTTP_SERVER);
    assert_int_equal(cpuser_err_from_status(302), CPUSER_ERR_HTTP_UNEXPECTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_past_the_end),
        cmocka_unit_test(counting_only_is_never_too_small),
        cmocka_unit_test(integers),
        cmocka_unit_test(first_error_sticks),
        cmocka_unit_test(empty_null_append_is_fine),
        cmocka_unit_test(views),
        cmocka_unit_test(every_error_has_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
