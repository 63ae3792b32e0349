/*
 * Fuzz harness 3: the JSON reader, and the users decoder behind the client.
 *
 * Input: a JSON document (no control bytes).
 *
 * 1. Reader: cpuser_json_valid() and cpuser_json_parse() must agree; then
 *    every token (and indexes just out of range) goes through every getter:
 *    type, skip, member, index, find (against a walk over the members),
 *    key_view, get_string (against a reference unescaper written here, then
 *    re-encoded with the JSON writer and read back), get_int64 (against
 *    strtoll), get_thousandths (against a reference scaler), get_bool and
 *    is_null (against the literal text).
 * 2. Users decoder: the input as the body of a 200 to cpuser_users_read()
 *    over the scripted transport (client.c, http_response.c, json_reader.c,
 *    json_fields.c, ampeco_users.c). A decoded user must have every view in
 *    the working buffer; written back with cpuser_user_write_json() it must
 *    be valid JSON, and decoding that again must give the same user.
 * 3. The input as a 422 body (api_error.c): message, field errors and the
 *    Azure error code and target must be views into the working buffer.
 * 4. The input as the answer to cpuser_users_export(): a download is only
 *    fetched from the client's own origin, with exactly the URL's path.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpuser/ampeco_users.h"
#include "cpuser/json_reader.h"
#include "cpuser/json_writer.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cpuser_json doc;
static cpuser_json doc2;
static bool dup_keys;

/* ==== references ============================================================ */

/* -?(0|[1-9][0-9]*) */
static bool int_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') {
        i++;
    }
    if (i == n || (s[i] == '0' && n - i > 1u)) {
        return false;
    }
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool ref_int64(const char *s, size_t n, int64_t *out)
{
    char tmp[32];
    char *end;
    long long v;
    if (!int_syntax(s, n) || n >= sizeof tmp) {
        return false; /* 31 characters or more cannot fit in an int64 */
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    v = strtoll(tmp, &end, 10);
    if (errno == ERANGE || *end != '\0') {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

/* A JSON number split into its parts. */
typedef struct {
    bool neg;
    const char *int_at;
    size_t int_len;
    const char *frac_at;
    size_t frac_len;
    long exp; /* saturated at +-1000000: far beyond any 8 KB input's digits */
} ref_number;

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? covering all of s[0..n). */
static bool ref_number_parse(const char *s, size_t n, ref_number *num)
{
    size_t i = 0;
    memset(num, 0, sizeof *num);
    if (i < n && s[i] == '-') {
        num->neg = true;
        i++;
    }
    num->int_at = s + i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    num->int_len = (size_t)(s + i - num->int_at);
    if (num->int_len == 0u || (num->int_len > 1u && num->int_at[0] == '0')) {
        return false;
    }
    if (i < n && s[i] == '.') {
        num->frac_at = s + ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        num->frac_len = (size_t)(s + i - num->frac_at);
        if (num->frac_len == 0u) {
            return false;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        size_t at;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        at = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (num->exp < 1000000L) {
                num->exp = num->exp * 10L + (long)(s[i] - '0');
            }
            i++;
        }
        if (i == at) {
            return false;
        }
        if (eneg) {
            num->exp = -num->exp;
        }
    }
    return i == n;
}

/* Digit k of the number's digits with the point removed. */
static int ref_digit(const ref_number *num, size_t k)
{
    char c = k < num->int_len ? num->int_at[k] : num->frac_at[k - num->int_len];
    return c - '0';
}

/* A JSON number times 10^scale as an exact int64: false when the text is
 * not a JSON number, leaves a fraction or does not fit. */
static bool ref_scaled(const char *s, size_t n, int scale, int64_t *out)
{
    ref_number num;
    size_t total;
    size_t first;
    size_t last;
    long shift;
    uint64_t limit;
    uint64_t mag = 0;
    size_t k;

    if (!ref_number_parse(s, n, &num)) {
        return false;
    }
    total = num.int_len + num.frac_len;
    first = 0;
    while (first < total && ref_digit(&num, first) == 0) {
        first++;
    }
    if (first == total) {
        *out = 0;
        return true;
    }
    last = total - 1u;
    while (ref_digit(&num, last) == 0) {
        last--;
    }
    shift = num.exp - (long)num.frac_len + (long)scale + (long)(total - 1u - last);
    if (shift < 0 || (long)(last - first + 1u) + shift > 19) {
        return false;
    }
    limit = num.neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (k = first; k <= last; k++) {
        uint64_t d = (uint64_t)ref_digit(&num, k);
        if (mag > (limit - d) / 10u) {
            return false;
        }
        mag = mag * 10u + d;
    }
    for (; shift > 0; shift--) {
        if (mag > limit / 10u) {
            return false;
        }
        mag *= 10u;
    }
    if (!num.neg) {
        *out = (int64_t)mag;
    } else if (mag == (uint64_t)INT64_MAX + 1u) {
        *out = INT64_MIN;
    } else {
        *out = -(int64_t)mag;
    }
    return true;
}

static int hex4(const unsigned char *s)
{
    int v = 0;
    int k;
    for (k = 0; k < 4; k++) {
        unsigned char c = s[k];
        int d = (c >= '0' && c <= '9') ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* The raw string body s[0..n) (between the quotes) unescaped into out;
 * false for what the reader must refuse: a raw control byte, a bad escape,
 * \u0000, a lone or misordered surrogate, invalid UTF-8. */
static bool ref_unescape(const unsigned char *s, size_t n, char *out, size_t *olen)
{
    size_t i = 0;
    size_t o = 0;
    if (!fuzz_utf8_valid(s, n)) {
        return false; /* escapes are ASCII: no sequence spans one */
    }
    while (i < n) {
        unsigned char c = s[i];
        long cp;
        if (c < 0x20u) {
            return false;
        }
        if (c != '\\') {
            out[o++] = (char)c;
            i++;
            continue;
        }
        if (n - i < 2u) {
            return false;
        }
        switch (s[i + 1u]) {
        case '"': out[o++] = '"'; i += 2u; continue;
        case '\\': out[o++] = '\\'; i += 2u; continue;
        case '/': out[o++] = '/'; i += 2u; continue;
        case 'b': out[o++] = '\b'; i += 2u; continue;
        case 'f': out[o++] = '\f'; i += 2u; continue;
        case 'n': out[o++] = '\n'; i += 2u; continue;
        case 'r': out[o++] = '\r'; i += 2u; continue;
        case 't': out[o++] = '\t'; i += 2u; continue;
        case 'u': break;
        default: return false;
        }
        if (n - i < 6u || (cp = hex4(s + i + 2u)) < 0) {
            return false;
        }
        i += 6u;
        if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
            return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            long lo;
            if (n - i < 6u || s[i] != '\\' || s[i + 1u] != 'u' || (lo = hex4(s + i + 2u)) < 0 ||
                lo < 0xDC00 || lo > 0xDFFF) {
                return false;
            }
            i += 6u;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | (cp >> 6));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (char)(0xE0 | (cp >> 12));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | (cp >> 18));
            out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    *olen = o;
    return true;
}

/* ==== 1. the reader ========================================================= */

static cpuser_view span(const cpuser_json *d, int i)
{
    cpuser_view v;
    v.ptr = d->text + d->tok[i].start;
    v.len = (size_t)(d->tok[i].end - d->tok[i].start);
    return v;
}

/* Index functions with out-of-range or wrong-type arguments. */
static void check_refusals(int i)
{
    cpuser_view v;
    int64_t x;
    bool b;
    FUZZ_CHECK(cpuser_json_type(&doc, i) == JSMN_UNDEFINED);
    FUZZ_CHECK(cpuser_json_skip(&doc, i) == -1);
    FUZZ_CHECK(cpuser_json_member(&doc, i, 0) == -1);
    FUZZ_CHECK(cpuser_json_index(&doc, i, 0) == -1);
    FUZZ_CHECK(cpuser_json_find(&doc, i, "id") == -1);
    FUZZ_CHECK(cpuser_json_key_view(&doc, i).ptr == NULL);
    FUZZ_CHECK(cpuser_json_get_string(&doc, i, &v) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_int64(&doc, i, &x) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_thousandths(&doc, i, &x) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_bool(&doc, i, &b) == CPUSER_ERR_JSON);
    FUZZ_CHECK(!cpuser_json_is_null(&doc, i));
}

/* The object at i: members, find against a walk, duplicates noted. */
static void check_object(int i, int next)
{
    int size = doc.tok[i].size;
    int k = i + 1;
    int n;
    FUZZ_CHECK(cpuser_json_member(&doc, i, -1) == -1);
    FUZZ_CHECK(cpuser_json_member(&doc, i, size) == -1);
    FUZZ_CHECK(cpuser_json_index(&doc, i, 0) == -1);
    for (n = 0; n < size; n++) {
        int m = cpuser_json_member(&doc, i, n);
        cpuser_view key = cpuser_json_key_view(&doc, m);
        char name[256];
        int expect = -1;
        int n2;
        FUZZ_CHECK(m == k);
        FUZZ_CHECK(cpuser_json_type(&doc, m) == JSMN_STRING);
        FUZZ_CHECK(m + 1 < doc.count);
        FUZZ_CHECK(key.ptr != NULL && fuzz_view_eq_bytes(key, span(&doc, m).ptr, span(&doc, m).len));
        k = cpuser_json_skip(&doc, m);
        FUZZ_CHECK(k > m + 1 && k <= next);
        if (key.len >= sizeof name) {
            continue;
        }
        memcpy(name, key.ptr, key.len);
        name[key.len] = '\0';
        FUZZ_CHECK(strlen(name) == key.len); /* no raw NUL in a key */
        for (n2 = 0; n2 < size; n2++) {
            int m2 = cpuser_json_member(&doc, i, n2);
            if (cpuser_view_eq(cpuser_json_key_view(&doc, m2), name)) {
                expect = m2 + 1;
                if (m2 != m) {
                    dup_keys = true;
                }
            }
        }
        FUZZ_CHECK(cpuser_json_find(&doc, i, name) == expect);
    }
    FUZZ_CHECK(k == next);
    FUZZ_CHECK(cpuser_json_find(&doc, i, "\x01 no such key") == -1);
}

static void check_array(int i, int next)
{
    int size = doc.tok[i].size;
    int e = i + 1;
    int n;
    FUZZ_CHECK(cpuser_json_index(&doc, i, -1) == -1);
    FUZZ_CHECK(cpuser_json_index(&doc, i, size) == -1);
    FUZZ_CHECK(cpuser_json_member(&doc, i, 0) == -1);
    FUZZ_CHECK(cpuser_json_find(&doc, i, "id") == -1);
    for (n = 0; n < size; n++) {
        FUZZ_CHECK(cpuser_json_index(&doc, i, n) == e);
        e = cpuser_json_skip(&doc, e);
        FUZZ_CHECK(e > 0 && e <= next);
    }
    FUZZ_CHECK(e == next);
}

/* Structure first: nothing here changes the text. */
static void walk_structure(void)
{
    int i;
    for (i = -2; i < 0; i++) {
        check_refusals(i);
    }
    check_refusals(doc.count);
    check_refusals(doc.count + 1);
    FUZZ_CHECK(cpuser_json_skip(&doc, 0) == doc.count);
    for (i = 0; i < doc.count; i++) {
        jsmntype_t t = cpuser_json_type(&doc, i);
        int next = cpuser_json_skip(&doc, i);
        FUZZ_CHECK(next > i && next <= doc.count);
        FUZZ_CHECK(doc.tok[i].start >= 0 && doc.tok[i].end >= doc.tok[i].start &&
                   (size_t)doc.tok[i].end <= doc.len);
        if (t == JSMN_OBJECT) {
            check_object(i, next);
        } else if (t == JSMN_ARRAY) {
            check_array(i, next);
        } else {
            FUZZ_CHECK(t == JSMN_STRING || t == JSMN_PRIMITIVE);
            FUZZ_CHECK(next == i + 1 || (t == JSMN_STRING && doc.tok[i].size == 1));
            FUZZ_CHECK(cpuser_json_member(&doc, i, 0) == -1);
            FUZZ_CHECK(cpuser_json_index(&doc, i, 0) == -1);
            FUZZ_CHECK(cpuser_json_find(&doc, i, "id") == -1);
        }
        if (t == JSMN_STRING) {
            cpuser_view k = cpuser_json_key_view(&doc, i);
            FUZZ_CHECK(k.ptr == doc.text + doc.tok[i].start);
        } else {
            FUZZ_CHECK(cpuser_json_key_view(&doc, i).ptr == NULL);
        }
    }
}

/* A decoded string written back with the JSON writer reads back the same. */
static void string_round_trip(cpuser_view v)
{
    cpuser_json_writer w;
    size_t need = 0;
    size_t len = 0;
    char *buf;
    cpuser_view back;
    cpuser_json_writer_init(&w, NULL, 0);
    cpuser_json_string(&w, v.ptr, v.len);
    FUZZ_CHECK(cpuser_json_writer_finish(&w, &need) == CPUSER_OK);
    buf = (char *)malloc(need + 1u);
    FUZZ_CHECK(buf != NULL);
    cpuser_json_writer_init(&w, buf, need);
    cpuser_json_string(&w, v.ptr, v.len);
    FUZZ_CHECK(cpuser_json_writer_finish(&w, &len) == CPUSER_OK && len == need);
    FUZZ_CHECK(cpuser_json_valid(buf, len));
    FUZZ_CHECK(cpuser_json_parse(&doc2, buf, len) == CPUSER_OK && doc2.count == 1);
    FUZZ_CHECK(cpuser_json_get_string(&doc2, 0, &back) == CPUSER_OK);
    FUZZ_CHECK(fuzz_view_eq_bytes(back, v.ptr, v.len));
    free(buf);
}

static void check_primitive(int i)
{
    cpuser_view text = span(&doc, i);
    cpuser_view sv;
    int64_t x = 0;
    int64_t ref = 0;
    bool b = false;
    bool ok;
    FUZZ_CHECK(text.len > 0u);
    ok = ref_int64(text.ptr, text.len, &ref);
    FUZZ_CHECK((cpuser_json_get_int64(&doc, i, &x) == CPUSER_OK) == ok);
    FUZZ_CHECK(!ok || x == ref);
    ok = ref_scaled(text.ptr, text.len, 3, &ref);
    FUZZ_CHECK((cpuser_json_get_thousandths(&doc, i, &x) == CPUSER_OK) == ok);
    FUZZ_CHECK(!ok || x == ref);
    ok = fuzz_view_eq_bytes(text, "true", 4) || fuzz_view_eq_bytes(text, "false", 5);
    FUZZ_CHECK((cpuser_json_get_bool(&doc, i, &b) == CPUSER_OK) == ok);
    FUZZ_CHECK(!ok || b == (text.ptr[0] == 't'));
    FUZZ_CHECK(cpuser_json_is_null(&doc, i) == fuzz_view_eq_bytes(text, "null", 4));
    FUZZ_CHECK(cpuser_json_get_string(&doc, i, &sv) == CPUSER_ERR_JSON);
    /* a JSON primitive is a literal or a number */
    {
        ref_number num;
        FUZZ_CHECK(ok || cpuser_json_is_null(&doc, i) || ref_number_parse(text.ptr, text.len, &num));
    }
}

static void check_string(int i)
{
    cpuser_view raw = span(&doc, i);
    const char *lo = raw.ptr;
    size_t raw_len = raw.len;
    char *ref = (char *)malloc(raw_len + 1u);
    char *before = fuzz_copy(raw.ptr, raw_len);
    size_t ref_len = 0;
    bool ok;
    cpuser_view v;
    cpuser_view again;
    int64_t x;
    bool b;
    FUZZ_CHECK(ref != NULL);
    ok = ref_unescape((const unsigned char *)raw.ptr, raw.len, ref, &ref_len);
    FUZZ_CHECK(cpuser_json_get_int64(&doc, i, &x) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_thousandths(&doc, i, &x) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_bool(&doc, i, &b) == CPUSER_ERR_JSON);
    FUZZ_CHECK(!cpuser_json_is_null(&doc, i));
    if (cpuser_json_get_string(&doc, i, &v) != CPUSER_OK) {
        FUZZ_CHECK(!ok);
        /* a refused string is left as it was */
        FUZZ_CHECK(fuzz_view_eq_bytes(span(&doc, i), before, raw_len));
        free(ref);
        free(before);
        return;
    }
    FUZZ_CHECK(ok);
    FUZZ_CHECK(v.ptr == lo && v.len <= raw_len);
    FUZZ_CHECK(fuzz_view_eq_bytes(v, ref, ref_len));
    FUZZ_CHECK(memchr(v.ptr, '\0', v.len) == NULL);
    FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)v.ptr, v.len));
    FUZZ_CHECK(cpuser_json_get_string(&doc, i, &again) == CPUSER_OK);
    FUZZ_CHECK(again.ptr == v.ptr && again.len == v.len);
    FUZZ_CHECK(cpuser_json_type(&doc, i) == JSMN_STRING);
    string_round_trip(v);
    free(ref);
    free(before);
}

static void check_containers_refuse(int i)
{
    cpuser_view v;
    int64_t x;
    bool b;
    FUZZ_CHECK(cpuser_json_get_string(&doc, i, &v) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_int64(&doc, i, &x) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_thousandths(&doc, i, &x) == CPUSER_ERR_JSON);
    FUZZ_CHECK(cpuser_json_get_bool(&doc, i, &b) == CPUSER_ERR_JSON);
    FUZZ_CHECK(!cpuser_json_is_null(&doc, i));
}

/* Values next: strings are unescaped in place. */
static void walk_values(void)
{
    int i;
    for (i = 0; i < doc.count; i++) {
        switch (cpuser_json_type(&doc, i)) {
        case JSMN_PRIMITIVE:
            check_primitive(i);
            break;
        case JSMN_STRING:
            check_string(i);
            break;
        default:
            check_containers_refuse(i);
            break;
        }
    }
}

static void check_reader(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);
    bool valid = cpuser_json_valid(text, size);
    cpuser_err err = cpuser_json_parse(&doc, text, size);
    dup_keys = false;
    if (err == CPUSER_OK) {
        FUZZ_CHECK(valid);
        FUZZ_CHECK(doc.count >= 1 && doc.count <= (int)CPUSER_JSON_MAX_TOKENS);
        walk_structure();
        walk_values();
    } else {
        FUZZ_CHECK(err == CPUSER_ERR_JSON || err == CPUSER_ERR_BUFFER_TOO_SMALL);
        FUZZ_CHECK(valid == (err == CPUSER_ERR_BUFFER_TOO_SMALL));
    }
    free(text);
}

/* ==== 2-4. through the client ============================================== */

static fuzz_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];
static char work2[65536];

/* "HTTP/1.1 <status>" with a JSON body of n bytes; freed by the caller. */
static char *make_response(const char *status, const char *body, size_t n, size_t *len)
{
    char head[160];
    int h = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     status, n);
    char *r;
    FUZZ_CHECK(h > 0 && (size_t)h < sizeof head);
    r = (char *)malloc((size_t)h + n);
    FUZZ_CHECK(r != NULL);
    memcpy(r, head, (size_t)h);
    if (n != 0u) {
        memcpy(r + h, body, n);
    }
    *len = (size_t)h + n;
    return r;
}

#define USER_VIEWS 28

/* The views of a user, with the field bit each belongs to. */
static void user_views(const cpuser_user *u, const cpuser_view *v[USER_VIEWS], int bit[USER_VIEWS])
{
    int n = 0;
#define V(member, b) (v[n] = &u->member, bit[n] = (b), n++)
    V(id, CPUSER_USER_ID);
    V(email, CPUSER_USER_EMAIL);
    V(email_verified, CPUSER_USER_EMAIL_VERIFIED);
    V(first_name, CPUSER_USER_FIRST_NAME);
    V(middle_name, CPUSER_USER_MIDDLE_NAME);
    V(last_name, CPUSER_USER_LAST_NAME);
    V(phone, CPUSER_USER_PHONE);
    V(country, CPUSER_USER_COUNTRY);
    V(state, CPUSER_USER_STATE);
    V(city, CPUSER_USER_CITY);
    V(post_code, CPUSER_USER_POST_CODE);
    V(address, CPUSER_USER_ADDRESS);
    V(vehicle_no, CPUSER_USER_VEHICLE_NO);
    V(personal_id, CPUSER_USER_PERSONAL_ID);
    V(locale, CPUSER_USER_LOCALE);
    V(external_id, CPUSER_USER_EXTERNAL_ID);
    V(password, CPUSER_USER_PASSWORD);
    V(last_updated_at, CPUSER_USER_LAST_UPDATED_AT);
    V(created_at, CPUSER_USER_CREATED_AT);
    V(created_by, CPUSER_USER_CREATED_BY);
    V(partner_invites, CPUSER_USER_PARTNER_INVITES);
    V(bank.iban, CPUSER_USER_BANK_IBAN);
    V(bank.name, CPUSER_USER_BANK_NAME);
    V(bank.address, CPUSER_USER_BANK_ADDRESS);
    V(bank.code, CPUSER_USER_BANK_CODE);
    V(bank.account_number, CPUSER_USER_BANK_ACCOUNT_NUMBER);
    V(bank.account_type, CPUSER_USER_BANK_ACCOUNT_TYPE);
    V(external_app_data, CPUSER_USER_EXTERNAL_APP_DATA);
#undef V
    FUZZ_CHECK(n == USER_VIEWS);
}

static bool has_value(const cpuser_user *u, int field)
{
    return CPUSER_HAS(u->present, field) && !CPUSER_HAS(u->null, field);
}

/* A decoded user: views in the buffer, strings clean UTF-8, raw JSON valid. */
static void check_user(const cpuser_user *u, const char *buf, size_t cap)
{
    const cpuser_view *v[USER_VIEWS];
    int bit[USER_VIEWS];
    int n;
    FUZZ_CHECK((u->null & ~u->present) == 0u);
    user_views(u, v, bit);
    for (n = 0; n < USER_VIEWS; n++) {
        if (!has_value(u, bit[n])) {
            continue;
        }
        FUZZ_CHECK(fuzz_view_in(*v[n], buf, cap));
        if (bit[n] == CPUSER_USER_PARTNER_INVITES || bit[n] == CPUSER_USER_EXTERNAL_APP_DATA) {
            FUZZ_CHECK(cpuser_json_valid(v[n]->ptr, v[n]->len));
        } else {
            FUZZ_CHECK(v[n]->len == 0u || memchr(v[n]->ptr, '\0', v[n]->len) == NULL);
            FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)v[n]->ptr, v[n]->len));
        }
    }
    FUZZ_CHECK(u->user_group_ids.count <= CPUSER_MAX_LIST_INTS);
    FUZZ_CHECK(u->status <= CPUSER_USER_DISABLED);
    FUZZ_CHECK(u->sessions_allowed <= CPUSER_SESSIONS_MULTIPLE_REMOTELY_AND_IDTAGS);
}

/* The same user, as far as the JSON can carry it. */
static void compare_users(const cpuser_user *a, const cpuser_user *b)
{
    const cpuser_view *va[USER_VIEWS];
    const cpuser_view *vb[USER_VIEWS];
    int bit[USER_VIEWS];
    int n;
    FUZZ_CHECK(a->present == b->present);
    FUZZ_CHECK(a->null == b->null);
    user_views(a, va, bit);
    user_views(b, vb, bit);
    for (n = 0; n < USER_VIEWS; n++) {
        if (has_value(a, bit[n])) {
            FUZZ_CHECK(fuzz_view_eq_bytes(*va[n], vb[n]->ptr, vb[n]->len));
        }
    }
    if (has_value(a, CPUSER_USER_REQUIRE_PASSWORD_RESET)) {
        FUZZ_CHECK(a->require_password_reset == b->require_password_reset);
    }
    if (has_value(a, CPUSER_USER_BALANCE)) {
        FUZZ_CHECK(a->balance == b->balance);
    }
    if (has_value(a, CPUSER_USER_STATUS)) {
        FUZZ_CHECK(a->status == b->status);
    }
    if (has_value(a, CPUSER_USER_GROUP_IDS)) {
        FUZZ_CHECK(a->user_group_ids.count == b->user_group_ids.count);
        FUZZ_CHECK(a->user_group_ids.count == 0u ||
                   memcmp(a->user_group_ids.v, b->user_group_ids.v,
                          a->user_group_ids.count * sizeof a->user_group_ids.v[0]) == 0);
    }
    if (has_value(a, CPUSER_USER_SUBSCRIPTION_ID)) {
        FUZZ_CHECK(a->subscription_id == b->subscription_id);
    }
    if (has_value(a, CPUSER_USER_SESSIONS_ALLOWED)) {
        FUZZ_CHECK(a->sessions_allowed == b->sessions_allowed);
    }
    if (has_value(a, CPUSER_USER_RECEIVE_NEWS)) {
        FUZZ_CHECK(a->receive_news == b->receive_news);
    }
    if (has_value(a, CPUSER_USER_AMOUNT_DUE)) {
        FUZZ_CHECK(a->amount_due == b->amount_due);
    }
}

/* Write u as JSON, check it, decode it again through a second client and
 * compare. */
static void user_round_trip(const cpuser_user *u)
{
    static const char pre[] = "{\"data\":";
    cpuser_json_writer w;
    size_t need = 0;
    size_t len = 0;
    char *body;
    char *resp;
    size_t resp_len;
    cpuser_user again;
    cpuser_err err;
    bool unknown_enum = (has_value(u, CPUSER_USER_STATUS) && u->status == 0u) ||
                        (has_value(u, CPUSER_USER_SESSIONS_ALLOWED) && u->sessions_allowed == 0u);

    cpuser_json_writer_init(&w, NULL, 0);
    cpuser_user_write_json(&w, u);
    err = cpuser_json_writer_finish(&w, &need);
    if (unknown_enum) {
        /* an enum value this table does not know cannot be written back */
        FUZZ_CHECK(err == CPUSER_OK || err == CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    FUZZ_CHECK(err == CPUSER_OK);
    body = (char *)malloc(sizeof pre + need + 1u);
    FUZZ_CHECK(body != NULL);
    memcpy(body, pre, sizeof pre - 1u);
    cpuser_json_writer_init(&w, body + sizeof pre - 1u, need);
    cpuser_user_write_json(&w, u);
    FUZZ_CHECK(cpuser_json_writer_finish(&w, &len) == CPUSER_OK && len == need);
    FUZZ_CHECK(cpuser_json_valid(body + sizeof pre - 1u, len));
    body[sizeof pre - 1u + len] = '}';
    len += sizeof pre;
    if (!dup_keys) {
        resp = make_response("200 OK", body, len, &resp_len);
        fuzz_net_reset(&net, NULL, 0);
        fuzz_net_add(&net, resp, resp_len);
        fuzz_client(&client, &net, &tp, &pf, work2, sizeof work2);
        err = cpuser_users_read(&client, cpuser_view_of("17"), NULL, &again);
        FUZZ_CHECK(err == CPUSER_OK);
        check_user(&again, work2, sizeof work2);
        compare_users(u, &again);
        free(resp);
    }
    free(body);
}

static void check_read(const uint8_t *data, size_t size)
{
    static const cpuser_user_read_opts opts = {true, true, true};
    size_t resp_len;
    char *resp = make_response("200 OK", (const char *)data, size, &resp_len);
    cpuser_user u;
    cpuser_err err;
    fuzz_request req[2];
    fuzz_net_reset(&net, NULL, 0);
    fuzz_net_add(&net, resp, resp_len);
    fuzz_client(&client, &net, &tp, &pf, work, sizeof work);
    err = cpuser_users_read(&client, cpuser_view_of("17"), &opts, &u);
    FUZZ_CHECK(fuzz_check_sent(&net, req, 2) == 1);
    FUZZ_CHECK(cpuser_view_eq(req[0].method, "GET"));
    if (err == CPUSER_OK) {
        check_user(&u, work, sizeof work);
        user_round_trip(&u);
    } else {
        FUZZ_CHECK(err == CPUSER_ERR_JSON || err == CPUSER_ERR_BUFFER_TOO_SMALL);
    }
    free(resp);
}

static void check_error_body(const uint8_t *data, size_t size)
{
    size_t resp_len;
    char *resp = make_response("422 Unprocessable Entity", (const char *)data, size, &resp_len);
    const cpuser_result *last;
    cpuser_user u;
    cpuser_err err;
    uint8_t n;
    fuzz_net_reset(&net, NULL, 0);
    fuzz_net_add(&net, resp, resp_len);
    fuzz_client(&client, &net, &tp, &pf, work, sizeof work);
    err = cpuser_users_read(&client, cpuser_view_of("17"), NULL, &u);
    last = cpuser_client_last(&client);
    FUZZ_CHECK(last->err == err);
    if (err == CPUSER_ERR_BUFFER_TOO_SMALL) {
        free(resp);
        return;
    }
    FUZZ_CHECK(err == CPUSER_ERR_HTTP_UNPROCESSABLE && last->status == 422);
    FUZZ_CHECK(fuzz_view_in(last->body, work, sizeof work) && last->body.len == size);
    FUZZ_CHECK(fuzz_view_in(last->message, work, sizeof work));
    FUZZ_CHECK(fuzz_view_in(last->error_code, work, sizeof work));   /* Azure ErrorResponse */
    FUZZ_CHECK(fuzz_view_in(last->error_target, work, sizeof work));
    FUZZ_CHECK(fuzz_view_in(last->api_error, work, sizeof work));      /* Conta Simples */
    FUZZ_CHECK(fuzz_view_in(last->api_request_id, work, sizeof work));
    FUZZ_CHECK(last->field_error_count <= CPUSER_MAX_FIELD_ERRORS);
    FUZZ_CHECK(!last->field_errors_truncated || last->field_error_count == CPUSER_MAX_FIELD_ERRORS);
    for (n = 0; n < last->field_error_count; n++) {
        const cpuser_field_error *fe = &last->field_errors[n];
        FUZZ_CHECK(fuzz_view_in(fe->field, work, sizeof work));
        FUZZ_CHECK(fuzz_view_in(fe->message, work, sizeof work));
        FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)fe->field.ptr, fe->field.len));
        FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)fe->message.ptr, fe->message.len));
    }
    free(resp);
}

static cpuser_err take_all(void *arg, char *data, size_t len, bool final, size_t *consumed)
{
    (void)arg;
    (void)data;
    (void)final;
    *consumed = len;
    return CPUSER_OK;
}

/* The downloadUrl the client will see, decoded by the reader; false when
 * there is none. */
static bool expected_url(const uint8_t *data, size_t size, char **url, size_t *len)
{
    char *text = fuzz_copy(data, size);
    int i;
    cpuser_view v;
    *url = NULL;
    if (cpuser_json_parse(&doc, text, size) != CPUSER_OK ||
        (i = cpuser_json_find(&doc, 0, "downloadUrl")) < 0 ||
        cpuser_json_get_string(&doc, i, &v) != CPUSER_OK) {
        free(text);
        return false;
    }
    *url = fuzz_copy(v.ptr, v.len);
    *len = v.len;
    free(text);
    return true;
}

/* "https://" + host, case-insensitively, then an optional ":" port that
 * reads 443: the length of that origin in url, or 0. */
static size_t own_origin(const char *url, size_t n)
{
    static const char scheme[] = "https://";
    static const char host[] = "api.example.com";
    size_t i = sizeof scheme - 1u + sizeof host - 1u;
    cpuser_view h;
    if (n < i || memcmp(url, scheme, sizeof scheme - 1u) != 0) {
        return 0;
    }
    h.ptr = url + sizeof scheme - 1u;
    h.len = sizeof host - 1u;
    if (!cpuser_view_ieq(h, host)) {
        return 0;
    }
    if (i < n && url[i] == ':') {
        unsigned long port = 0;
        for (i++; i < n && url[i] >= '0' && url[i] <= '9'; i++) {
            port = port * 10u + (unsigned long)(url[i] - '0');
            if (port > 65535u) {
                return 0;
            }
        }
        if (port != 443u) {
            return 0;
        }
    }
    return i;
}

static void check_export(const uint8_t *data, size_t size)
{
    static const char download[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    size_t resp_len;
    char *resp = make_response("200 OK", (const char *)data, size, &resp_len);
    cpuser_sink sink;
    cpuser_view url_out;
    fuzz_request req[3];
    char *url;
    size_t url_len = 0;
    bool has_url = expected_url(data, size, &url, &url_len);
    int sent;
    cpuser_err err;

    sink.write = take_all;
    sink.arg = NULL;
    fuzz_net_reset(&net, NULL, 0);
    fuzz_net_add(&net, resp, resp_len);
    fuzz_net_add(&net, download, sizeof download - 1u);
    fuzz_client(&client, &net, &tp, &pf, work, sizeof work);
    err = cpuser_users_export(&client, cpuser_view_of("17"), &sink, &url_out);
    sent = fuzz_check_sent(&net, req, 3);
    FUZZ_CHECK(sent == 1 || sent == 2);
    FUZZ_CHECK(cpuser_view_eq(req[0].target, "/public-api/actions/users/v2.0/17/export-all-private-data"));
    if (sent == 2) {
        size_t origin;
        FUZZ_CHECK(has_url);
        origin = own_origin(url, url_len);
        FUZZ_CHECK(origin != 0u && origin < url_len && url[origin] == '/');
        FUZZ_CHECK(cpuser_view_eq(req[1].method, "GET"));
        FUZZ_CHECK(fuzz_view_eq_bytes(req[1].target, url + origin, url_len - origin));
    } else if (err == CPUSER_ERR_HTTP_UNEXPECTED && has_url) {
        /* not followed: it must not have been the client's own origin */
        size_t origin = own_origin(url, url_len);
        FUZZ_CHECK(origin == 0u || origin == url_len || url[origin] != '/');
    }
    free(url);
    free(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_reader(data, size);
    check_read(data, size);
    check_error_body(data, size);
    check_export(data, size);
    return 0;
}
