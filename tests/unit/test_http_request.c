/* Request builder: golden bytes, escaping, rejections, sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/http_request.h"

#define GUARD 0x5a

static char buf[1024 + 1];

static cpuser_err build_get_user(char *out, size_t cap, size_t *len)
{
    cpuser_http_request r;
    cpuser_view id = cpuser_view_of("42");
    cpuser_http_request_begin(&r, out, cap, "GET");
    cpuser_http_request_path(&r, "/public-api/resources/users/v1.0/{}", &id, 1);
    cpuser_http_request_query_str(&r, "withAmountDue", "true");
    cpuser_http_request_query_str(&r, "include[]", "partnerInvites");
    cpuser_http_request_host(&r, "api.example.com", 443, true);
    cpuser_http_request_bearer(&r, "1|secretTOKEN", 13);
    cpuser_http_request_header(&r, "Accept", "application/json", 16);
    return cpuser_http_request_end(&r, len);
}

static const char get_user_golden[] =
    "GET /public-api/resources/users/v1.0/42?withAmountDue=true&include[]=partnerInvites HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "Authorization: Bearer 1|secretTOKEN\r\n"
    "Accept: application/json\r\n"
    "\r\n";

static void golden_get(void **state)
{
    size_t len = 0;
    (void)state;
    assert_int_equal(build_get_user(buf, sizeof buf, &len), CPUSER_OK);
    assert_int_equal(len, strlen(get_user_golden));
    assert_memory_equal(buf, get_user_golden, len);
}

static void golden_post_with_port_and_body_length(void **state)
{
    static const char golden[] =
        "POST /public-api/resources/users/v1.0 HTTP/1.1\r\n"
        "Host: 127.0.0.1:8443\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 123\r\n"
        "If-Match: \"abc\"\r\n"
        "\r\n";
    cpuser_http_request r;
    size_t len = 0;
    (void)state;
    cpuser_http_request_begin(&r, buf, sizeof buf, "POST");
    cpuser_http_request_path(&r, "/public-api/resources/users/v1.0", NULL, 0);
    cpuser_http_request_host(&r, "127.0.0.1", 8443, true);
    cpuser_http_request_header(&r, "Content-Type", "application/json", 16);
    cpuser_http_request_content_length(&r, 123);
    cpuser_http_request_header(&r, "If-Match", "\"abc\"", 5);
    assert_int_equal(cpuser_http_request_end(&r, &len), CPUSER_OK);
    assert_int_equal(len, strlen(golden));
    assert_memory_equal(buf, golden, len);
}

static void host_default_ports_and_ipv6(void **state)
{
    cpuser_http_request r;
    size_t len = 0;
    static const char golden[] =
        "GET / HTTP/1.1\r\nHost: a.example\r\nHost: a.example:443\r\n"
        "Host: a.example:80\r\nHost: [::1]:8080\r\n\r\n";
    (void)state;
    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_path(&r, "/", NULL, 0);
    cpuser_http_request_host(&r, "a.example", 80, false);
    cpuser_http_request_host(&r, "a.example", 443, false);
    cpuser_http_request_host(&r, "a.example", 80, true);
    cpuser_http_request_host(&r, "::1", 8080, false);
    assert_int_equal(cpuser_http_request_end(&r, &len), CPUSER_OK);
    assert_int_equal(len, strlen(golden));
    assert_memory_equal(buf, golden, len);
}

static void segments_and_queries_are_percent_encoded(void **state)
{
    cpuser_http_request r;
    size_t len = 0;
    cpuser_view segs[2];
    static const char golden[] =
        "DELETE /u/a%2Fb%20c%3F%23%25/pm/%C3%A9-._~?filter%3Cx%3E[email]=j%2Bdoe%40ex.com%26x%3D1"
        "&filter[externalAppData.k]=%5B%5D&per_page=-100 HTTP/1.1\r\n\r\n";
    (void)state;
    segs[0] = cpuser_view_of("a/b c?#%");
    segs[1] = cpuser_view_of("\xc3\xa9-._~");
    cpuser_http_request_begin(&r, buf, sizeof buf, "DELETE");
    cpuser_http_request_path(&r, "/u/{}/pm/{}", segs, 2);
    cpuser_http_request_query_str(&r, "filter<x>[email]", "j+doe@ex.com&x=1");
    cpuser_http_request_query_str(&r, "filter[externalAppData.k]", "[]");
    cpuser_http_request_query_int(&r, "per_page", -100);
    assert_int_equal(cpuser_http_request_end(&r, &len), CPUSER_OK);
    assert_int_equal(len, strlen(golden));
    assert_memory_equal(buf, golden, len);
}

static void path_in_pieces(void **state)
{
    cpuser_http_request r;
    size_t len = 0;
    cpuser_view id = cpuser_view_of("7");
    static const char golden[] = "PATCH /a/7/b HTTP/1.1\r\n\r\n";
    (void)state;
    cpuser_http_request_begin(&r, buf, sizeof buf, "PATCH");
    cpuser_http_request_path(&r, "/a/{}", &id, 1);
    cpuser_http_request_path(&r, "/b", NULL, 0);
    assert_int_equal(cpuser_http_request_end(&r, &len), CPUSER_OK);
    assert_memory_equal(buf, golden, len);
}

/* Each case builds one request with one bad input and must be refused. */
static cpuser_err build_bad(int which)
{
    cpuser_http_request r;
    cpuser_view seg = cpuser_view_of("ok");
    cpuser_view two[2];
    two[0] = seg;
    two[1] = seg;
    cpuser_http_request_begin(&r, buf, sizeof buf, which == 0 ? "GE T" : which == 1 ? "" : "GET");
    switch (which) {
    case 2: seg = cpuser_view_of("a\r\nX-Evil: 1"); break;
    case 3: seg.ptr = "a\0b"; seg.len = 3; break;
    case 4: seg = cpuser_view_of("a\nb"); break;
    case 5: seg = cpuser_view_of(""); break;
    case 6: seg = cpuser_view_of("."); break;
    case 7: seg = cpuser_view_of(".."); break;
    default: break;
    }
    switch (which) {
    case 8: cpuser_http_request_path(&r, "/x/{}/{}", &seg, 1); break;     /* too few segments */
    case 9: cpuser_http_request_path(&r, "/x/{}", two, 2); break;         /* too many */
    case 10: cpuser_http_request_path(&r, "x/{}", &seg, 1); break;        /* no leading slash */
    case 11: cpuser_http_request_path(&r, "/x y/{}", &seg, 1); break;     /* space in template */
    case 12: cpuser_http_request_path(&r, "/x?a=1/{}", &seg, 1); break;   /* query in template */
    default: cpuser_http_request_path(&r, "/x/{}", &seg, 1); break;
    }
    switch (which) {
    case 13: cpuser_http_request_query_str(&r, "email", "a\r\nb"); break;
    case 14: cpuser_http_request_query(&r, "email", "a\0b", 3); break;
    case 15: cpuser_http_request_query_str(&r, "", "x"); break;
    default: break;
    }
    switch (which) {
    case 16: cpuser_http_request_header(&r, "If-Match", "x\r\nEvil: 1", 10); break;
    case 17: cpuser_http_request_header(&r, "If-Match", "x\0y", 3); break;
    case 18: cpuser_http_request_header(&r, "If-Match", "x\ny", 3); break;
    case 19: cpuser_http_request_header(&r, "If-Match", "x\x01y", 3); break;
    case 20: cpuser_http_request_header(&r, "Bad Name", "x", 1); break;
    case 21: cpuser_http_request_header(&r, "Bad:Name", "x", 1); break;
    case 22: cpuser_http_request_bearer(&r, "tok\r\nX: 1", 9); break;
    case 23: cpuser_http_request_bearer(&r, "tok en", 6); break;
    case 24: cpuser_http_request_bearer(&r, "", 0); break;
    case 25: cpuser_http_request_host(&r, "evil.com\r\nX: 1", 443, true); break;
    case 26: cpuser_http_request_host(&r, "a/b", 443, true); break;
    case 27: cpuser_http_request_host(&r, "", 443, true); break;
    case 28: cpuser_http_request_host(&r, "a.example", 443, true);
             cpuser_http_request_query_str(&r, "late", "query"); break; /* out of order */
    case 29: cpuser_http_request_header(&r, "If-Match", NULL, 3); break;
    case 30: cpuser_http_request_bearer(&r, NULL, 3); break;
    default: break;
    }
    return cpuser_http_request_end(&r, NULL);
}

static void rejections(void **state)
{
    int which;
    (void)state;
    for (which = 0; which <= 30; which++) {
        if (build_bad(which) != CPUSER_ERR_BAD_ARGUMENT) {
            fail_msg("case %d was not refused", which);
        }
    }
    /* and the same builder with good input passes (the cases are not vacuous) */
    assert_int_equal(build_bad(99), CPUSER_OK);
}

/* A request line needs a target: a head without _path or _target, or one
 * where a query or a path comes after a whole target, is out of order
 * (found by fuzz_request: "GET  HTTP/1.1" was accepted). */
static void a_target_is_required_and_comes_once(void **state)
{
    cpuser_http_request r;
    cpuser_view seg = cpuser_view_of("x");
    (void)state;
    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_ERR_BAD_ARGUMENT);

    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_host(&r, "a.example", 443, true);
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_ERR_BAD_ARGUMENT);

    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_query_str(&r, "q", "1");
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_ERR_BAD_ARGUMENT);

    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_target(&r, "/dl/a?sig=1", 11);
    cpuser_http_request_query_str(&r, "q", "1");
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_ERR_BAD_ARGUMENT);

    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_target(&r, "/dl/a", 5);
    cpuser_http_request_path(&r, "/{}", &seg, 1);
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_ERR_BAD_ARGUMENT);

    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_path(&r, "/{}", &seg, 1);
    cpuser_http_request_target(&r, "/dl/a", 5);
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_ERR_BAD_ARGUMENT);

    /* the good orders still pass */
    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_target(&r, "/dl/a?sig=1", 11);
    cpuser_http_request_host(&r, "a.example", 443, true);
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_OK);
    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_path(&r, "/{}", &seg, 1);
    cpuser_http_request_query_str(&r, "q", "1");
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_OK);
}

static void tab_and_utf8_allowed_in_values(void **state)
{
    cpuser_http_request r;
    (void)state;
    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_path(&r, "/", NULL, 0);
    cpuser_http_request_header(&r, "X-Name", "a\tb \xc3\xa9", 6);
    assert_int_equal(cpuser_http_request_end(&r, NULL), CPUSER_OK);
}

static void empty_header_value_as_a_null_view(void **state)
{
    cpuser_http_request r;
    size_t len = 0;
    static const char golden[] = "GET / HTTP/1.1\r\nX-Empty: \r\n\r\n";
    (void)state;
    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_path(&r, "/", NULL, 0);
    cpuser_http_request_header(&r, "X-Empty", NULL, 0);
    assert_int_equal(cpuser_http_request_end(&r, &len), CPUSER_OK);
    assert_int_equal(len, strlen(golden));
    assert_memory_equal(buf, golden, len);
}

static void too_small_reports_the_size_needed_and_never_overflows(void **state)
{
    size_t full = strlen(get_user_golden);
    size_t cap;
    (void)state;
    for (cap = 0; cap <= full; cap++) {
        size_t len = 0;
        memset(buf, GUARD, sizeof buf);
        cpuser_err err = build_get_user(buf, cap, &len);
        assert_int_equal(len, full);
        assert_int_equal(buf[cap], GUARD);
        if (cap < full) {
            assert_int_equal(err, CPUSER_ERR_BUFFER_TOO_SMALL);
        } else {
            assert_int_equal(err, CPUSER_OK);
            assert_memory_equal(buf, get_user_golden, full);
        }
    }
}

static void errors_stick(void **state)
{
    cpuser_http_request r;
    size_t len = 0;
    (void)state;
    cpuser_http_request_begin(&r, buf, sizeof buf, "GET");
    cpuser_http_request_path(&r, "/x y", NULL, 0);
    cpuser_http_request_path(&r, "/fine", NULL, 0);
    cpuser_http_request_header(&r, "Accept", "a", 1);
    assert_int_equal(cpuser_http_request_end(&r, &len), CPUSER_ERR_BAD_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_get),
        cmocka_unit_test(golden_post_with_port_and_body_length),
        cmocka_unit_test(host_default_ports_and_ipv6),
        cmocka_unit_test(segments_and_queries_are_percent_encoded),
        cmocka_unit_test(path_in_pieces),
        cmocka_unit_test(rejections),
        cmocka_unit_test(a_target_is_required_and_comes_once),
        cmocka_unit_test(tab_and_utf8_allowed_in_values),
        cmocka_unit_test(empty_header_value_as_a_null_view),
        cmocka_unit_test(too_small_reports_the_size_needed_and_never_overflows),
        cmocka_unit_test(errors_stick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
