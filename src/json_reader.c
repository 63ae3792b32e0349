/* JSON reader: jsmn tokens over the caller's text, typed reads of values. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "cpuser/json_reader.h"
#include "chars.h"
#include "utf8.h"

#include <limits.h>
#include <string.h>

/* A string token whose bytes were unescaped in place by
 * cpuser_json_get_string(). Its `end` then marks the end of the decoded
 * bytes; cpuser_json_type() still reports it as JSMN_STRING. The value lies
 * outside jsmn's enum so jsmn never produces it. */
#define DECODED_STRING ((jsmntype_t)0x40)

/* Largest exponent magnitude kept when reading a number; larger ones
 * saturate. Every other quantity in a number (digit counts) is below
 * INT_MAX because the text is, so a saturated exponent gives the same
 * verdict as the true one (far out of range, or far too many decimals). */
#define EXP_LIMIT ((int64_t)4000000000)

/* ==== syntax check ========================================================
 *
 * jsmn, even in strict mode, accepts some text that is not JSON (missing
 * commas or colons, trailing commas, several top-level values, misspelled
 * literals, malformed numbers, raw control characters in strings). This
 * pass checks the whole text against the JSON grammar first; jsmn then only
 * has to place the tokens. Nesting is tracked with one bit per level. */

#define MAX_NEST CPUSER_JSON_MAX_TOKENS /* each open container is a token */

typedef struct {
    uint8_t is_object[(MAX_NEST + 7u) / 8u];
    size_t depth;
} nesting;

static bool nest_push(nesting *n, bool object)
{
    uint8_t bit;
    if (n->depth >= MAX_NEST) {
        return false;
    }
    bit = (uint8_t)(1u << (n->depth % 8u));
    if (object) {
        n->is_object[n->depth / 8u] |= bit;
    } else {
        n->is_object[n->depth / 8u] &= (uint8_t)~bit;
    }
    n->depth++;
    return true;
}

/* Only called with depth > 0. */
static bool nest_top_is_object(const nesting *n)
{
    size_t top = n->depth - 1u;
    unsigned bits = n->is_object[top / 8u];
    return ((bits >> (top % 8u)) & 1u) != 0u;
}

/* A number split into its parts (pointers into the text). */
typedef struct {
    bool negative;
    const char *int_digits; /* at least one digit, no leading zero */
    size_t int_len;
    const char *frac_digits; /* the digits after '.', if any */
    size_t frac_len;
    bool has_exp;
    int64_t exp; /* saturated at +-EXP_LIMIT */
} number;

/* Digits starting at s[*i]: advance *i past them; return how many. */
static size_t scan_digits(const char *s, size_t n, size_t *i)
{
    size_t start = *i;
    while (*i < n && cpuser_is_digit(s[*i])) {
        (*i)++;
    }
    return *i - start;
}

/* The exponent digits s[from..to) as a value saturated at EXP_LIMIT. */
static int64_t exponent_value(const char *s, size_t from, size_t to)
{
    int64_t e = 0;
    size_t i;
    for (i = from; i < to; i++) {
        if (e < EXP_LIMIT) {
            e = e * 10 + (s[i] - '0');
        }
    }
    return e < EXP_LIMIT ? e : EXP_LIMIT;
}

/* Split s[0..n) by the JSON number grammar
 *     -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
 * which must cover all n bytes. */
static bool split_number(const char *s, size_t n, number *num)
{
    size_t i = 0;
    size_t from;
    bool exp_negative = false;

    memset(num, 0, sizeof *num);
    if (i < n && s[i] == '-') {
        num->negative = true;
        i++;
    }
    num->int_digits = s + i;
    num->int_len = scan_digits(s, n, &i);
    if (num->int_len == 0u || (num->int_len > 1u && num->int_digits[0] == '0')) {
        return false;
    }
    if (i < n && s[i] == '.') {
        i++;
        num->frac_digits = s + i;
        num->frac_len = scan_digits(s, n, &i);
        if (num->frac_len == 0u) {
            return false;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            exp_negative = s[i] == '-';
            i++;
        }
        from = i;
        if (scan_digits(s, n, &i) == 0u) {
            return false;
        }
        num->has_exp = true;
        num->exp = exponent_value(s, from, i);
        if (exp_negative) {
            num->exp = -num->exp;
        }
    }
    return i == n;
}

static bool is_literal(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* A primitive starts at t[*p]: it runs to the next white space, comma or
 * closing bracket and must be true, false, null or a number. */
static bool scan_primitive(const char *t, size_t len, size_t *p)
{
    size_t start = *p;
    size_t n;
    number num;

    while (*p < len && !cpuser_is_json_space(t[*p]) && t[*p] != ',' && t[*p] != ']'
           && t[*p] != '}') {
        (*p)++;
    }
    n = *p - start;
    return is_literal(t + start, n, "true") || is_literal(t + start, n, "false")
           || is_literal(t + start, n, "null") || split_number(t + start, n, &num);
}

/* The byte a simple escape letter stands for, or 0 when it is not one. */
static char simple_escape(char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

/* The escape after a backslash at t[*p - 1]; advance past it. */
static bool scan_escape(const char *t, size_t len, size_t *p)
{
    size_t i;
    if (*p >= len) {
        return false;
    }
    if (t[*p] != 'u') {
        (*p)++;
        return simple_escape(t[*p - 1u]) != 0;
    }
    if (len - *p < 5u) {
        return false;
    }
    for (i = 1; i <= 4u; i++) {
        if (cpuser_hex_digit(t[*p + i]) < 0) {
            return false;
        }
    }
    *p += 5u;
    return true;
}

/* A string starts at the quote t[*p]; advance past its closing quote.
 * Raw control characters are not allowed inside (RFC 8259, section 7). */
static bool scan_string(const char *t, size_t len, size_t *p)
{
    (*p)++;
    while (*p < len) {
        unsigned char c = (unsigned char)t[*p];
        (*p)++;
        if (c == '"') {
            return true;
        }
        if (c < 0x20u || (c == '\\' && !scan_escape(t, len, p))) {
            return false;
        }
    }
    return false;
}

typedef enum {
    WANT_VALUE,          /* top level, after ':' or after ',' in an array */
    WANT_VALUE_OR_CLOSE, /* just after '[' */
    WANT_KEY,            /* after ',' in an object */
    WANT_KEY_OR_CLOSE,   /* just after '{' */
    WANT_COLON,          /* after a key */
    AFTER_VALUE          /* ',' or the matching close, or end at top level */
} syntax_state;

/* One value starting at t[*p] (its first byte is not white space). */
static bool scan_value(const char *t, size_t len, size_t *p, nesting *n,
                       syntax_state *state)
{
    char c = t[*p];
    if (c == '{' || c == '[') {
        (*p)++;
        *state = c == '{' ? WANT_KEY_OR_CLOSE : WANT_VALUE_OR_CLOSE;
        return nest_push(n, c == '{');
    }
    *state = AFTER_VALUE;
    return c == '"' ? scan_string(t, len, p) : scan_primitive(t, len, p);
}

/* t[*p] is ',' or a closing bracket (or anything else) after a value. */
static bool scan_after_value(const char *t, size_t *p, nesting *n,
                             syntax_state *state)
{
    bool object;
    if (n->depth == 0u) {
        return false; /* something after the top-level value */
    }
    object = nest_top_is_object(n);
    if (t[*p] == ',') {
        *state = object ? WANT_KEY : WANT_VALUE;
    } else if (t[*p] != (object ? '}' : ']')) {
        return false;
    } else {
        n->depth--;
    }
    (*p)++;
    return true;
}

/* True when text[0..len) is exactly one JSON value, white space around. */
static bool check_syntax(const char *t, size_t len)
{
    nesting n;
    syntax_state state = WANT_VALUE;
    size_t p = 0;
    bool ok = true;

    memset(&n, 0, sizeof n);
    while (ok) {
        while (p < len && cpuser_is_json_space(t[p])) {
            p++;
        }
        if (p == len) {
            return state == AFTER_VALUE && n.depth == 0u;
        }
        if ((state == WANT_VALUE_OR_CLOSE && t[p] == ']')
            || (state == WANT_KEY_OR_CLOSE && t[p] == '}')) {
            n.depth--; /* an empty container */
            p++;
            state = AFTER_VALUE;
        } else if (state == WANT_VALUE || state == WANT_VALUE_OR_CLOSE) {
            ok = scan_value(t, len, &p, &n, &state);
        } else if (state == WANT_KEY || state == WANT_KEY_OR_CLOSE) {
            ok = t[p] == '"' && scan_string(t, len, &p);
            state = WANT_COLON;
        } else if (state == WANT_COLON) {
            ok = t[p] == ':';
            p++;
            state = WANT_VALUE;
        } else {
            ok = scan_after_value(t, &p, &n, &state);
        }
    }
    return false;
}

bool cpuser_json_valid(const char *text, size_t len)
{
    return text != NULL && check_syntax(text, len);
}

/* ==== parse ================================================================ */

cpuser_err cpuser_json_parse(cpuser_json *doc, char *text, size_t len)
{
    jsmn_parser parser;
    int r;

    if (doc == NULL || text == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    doc->text = text;
    doc->len = len;
    doc->count = 0;
    if (len > (size_t)INT_MAX || !check_syntax(text, len)) {
        return CPUSER_ERR_JSON;
    }
    jsmn_init(&parser);
    r = jsmn_parse(&parser, text, len, doc->tok, CPUSER_JSON_MAX_TOKENS);
    if (r == JSMN_ERROR_PART && parser.toknext == 0u && parser.pos < len
        && text[parser.pos] != '{' && text[parser.pos] != '[' && text[parser.pos] != '"') {
        /* Strict jsmn wants a delimiter after a primitive, so a document
         * that is only a number or literal, with no white space after it,
         * ends "early". The syntax check passed, so it is one primitive
         * from parser.pos to the end of the text. */
        doc->tok[0].type = JSMN_PRIMITIVE;
        doc->tok[0].start = (int)parser.pos;
        doc->tok[0].end = (int)len;
        doc->tok[0].size = 0;
        r = 1;
    }
    if (r == JSMN_ERROR_NOMEM) {
        /* well-formed, but more tokens than CPUSER_JSON_MAX_TOKENS: a limit
         * of this build, not a fault of the document */
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    if (r <= 0) {
        return CPUSER_ERR_JSON;
    }
    doc->count = r;
    return CPUSER_OK;
}

/* ==== tokens =============================================================== */

/* Token i, or NULL when i is out of range or its span is not in the text. */
static const jsmntok_t *tok_at(const cpuser_json *doc, int i)
{
    const jsmntok_t *t;
    if (doc == NULL || doc->text == NULL || i < 0 || i >= doc->count
        || doc->count > (int)CPUSER_JSON_MAX_TOKENS) {
        return NULL;
    }
    t = &doc->tok[i];
    if (t->start < 0 || t->end < t->start || (size_t)t->end > doc->len) {
        return NULL;
    }
    return t;
}

static bool is_string(const jsmntok_t *t)
{
    return t->type == JSMN_STRING || t->type == DECODED_STRING;
}

/* The bytes of token t. */
static cpuser_view token_view(const cpuser_json *doc, const jsmntok_t *t)
{
    cpuser_view v;
    v.ptr = doc->text + t->start;
    v.len = (size_t)(t->end - t->start);
    return v;
}

jsmntype_t cpuser_json_type(const cpuser_json *doc, int i)
{
    const jsmntok_t *t = tok_at(doc, i);
    if (t == NULL) {
        return JSMN_UNDEFINED;
    }
    return is_string(t) ? JSMN_STRING : t->type;
}

/* Tokens are in document order and a value's `size` counts its direct
 * children (an object's keys, a key's one value), so walk forward until
 * every child seen has been passed. */
int cpuser_json_skip(const cpuser_json *doc, int i)
{
    int pending = 1;
    int j = i;

    if (tok_at(doc, i) == NULL) {
        return -1;
    }
    while (pending > 0 && j < doc->count) {
        pending += doc->tok[j].size - 1;
        j++;
    }
    return j;
}

int cpuser_json_size(const cpuser_json *doc, int i)
{
    const jsmntok_t *t = tok_at(doc, i);
    if (t == NULL || (t->type != JSMN_OBJECT && t->type != JSMN_ARRAY)) {
        return -1;
    }
    return t->size;
}

int cpuser_json_member(const cpuser_json *doc, int obj, int n)
{
    const jsmntok_t *t = tok_at(doc, obj);
    int k = obj + 1;
    int m;

    if (t == NULL || t->type != JSMN_OBJECT || n < 0 || n >= t->size) {
        return -1;
    }
    for (m = 0; m < n && k >= 0; m++) {
        k = cpuser_json_skip(doc, k); /* past the key and its value */
    }
    return tok_at(doc, k) != NULL ? k : -1;
}

int cpuser_json_index(const cpuser_json *doc, int arr, int n)
{
    const jsmntok_t *t = tok_at(doc, arr);
    int e = arr + 1;
    int m;

    if (t == NULL || t->type != JSMN_ARRAY || n < 0 || n >= t->size) {
        return -1;
    }
    for (m = 0; m < n && e >= 0; m++) {
        e = cpuser_json_skip(doc, e);
    }
    return tok_at(doc, e) != NULL ? e : -1;
}

int cpuser_json_find(const cpuser_json *doc, int obj, const char *key)
{
    const jsmntok_t *t = tok_at(doc, obj);
    int found = -1;
    int k = obj + 1;
    int n;

    if (t == NULL || t->type != JSMN_OBJECT || key == NULL) {
        return -1;
    }
    for (n = 0; n < t->size && tok_at(doc, k) != NULL; n++) {
        if (cpuser_view_eq(cpuser_json_key_view(doc, k), key)) {
            found = k + 1; /* keep going: the last duplicate wins */
        }
        k = cpuser_json_skip(doc, k); /* past the key and its value */
    }
    return tok_at(doc, found) != NULL ? found : -1;
}

cpuser_view cpuser_json_key_view(const cpuser_json *doc, int k)
{
    const jsmntok_t *t = tok_at(doc, k);
    cpuser_view none = { NULL, 0 };
    return t != NULL && is_string(t) ? token_view(doc, t) : none;
}

/* ==== strings =============================================================== */

/* The four hex digits after "\u" at s[*i] (s[*i] is the backslash); 0x110000
 * (no code unit) when they are not there. Advances *i past them. */
static uint32_t read_u_escape(const char *s, size_t n, size_t *i)
{
    uint32_t v = 0;
    size_t k;
    if (n - *i < 6u || s[*i] != '\\' || s[*i + 1u] != 'u') {
        return 0x110000u;
    }
    for (k = 2; k < 6u; k++) {
        if (cpuser_hex_digit(s[*i + k]) < 0) {
            return 0x110000u;
        }
        v = v << 4 | (uint32_t)cpuser_hex_digit(s[*i + k]);
    }
    *i += 6u;
    return v;
}

/* The \u escape (one, or a surrogate pair) at s[*i] as a code point;
 * 0x110000 for \u0000, a lone or misordered surrogate, or bad hex. */
static uint32_t read_code_point(const char *s, size_t n, size_t *i)
{
    uint32_t hi = read_u_escape(s, n, i);
    uint32_t lo;
    if (hi == 0u || (hi >= 0xDC00u && hi <= 0xDFFFu)) {
        return 0x110000u; /* \u0000, or a low surrogate first */
    }
    if (hi < 0xD800u || hi > 0xDBFFu) {
        return hi;
    }
    lo = read_u_escape(s, n, i);
    if (lo < 0xDC00u || lo > 0xDFFFu) {
        return 0x110000u;
    }
    return 0x10000u + ((hi - 0xD800u) << 10) + (lo - 0xDC00u);
}

/* Unescape s[0..n) into s itself; the result is never longer than the
 * input, so writing never overtakes reading. With write == false nothing
 * is changed: the text is only checked, so that a string that turns out
 * bad is not left half rewritten. *out_len receives the decoded length. */
static bool unescape(char *s, size_t n, bool write, size_t *out_len)
{
    size_t r = 0;
    size_t w = 0;
    char tmp[4];
    size_t k;

    while (r < n) {
        unsigned char c = (unsigned char)s[r];
        size_t len = 1;
        const char *src = s + r;

        if (c == '\\') {
            tmp[0] = '\0';
            if (r + 1u < n) {
                tmp[0] = simple_escape(s[r + 1u]);
            }
            if (tmp[0] != 0) {
                r += 2u;
            } else {
                uint32_t cp = read_code_point(s, n, &r);
                if (cp > 0x10FFFFu) {
                    return false;
                }
                len = cpuser_utf8_encode(cp, tmp);
            }
            src = tmp;
        } else if (c < 0x20u) {
            return false;
        } else if (c >= 0x80u) {
            len = cpuser_utf8_sequence((const unsigned char *)s + r, n - r);
            if (len == 0u) {
                return false;
            }
            r += len;
        } else {
            r++;
        }
        for (k = 0; write && k < len; k++) {
            s[w + k] = src[k]; /* memmove semantics: w + k <= source index */
        }
        w += len;
    }
    *out_len = w;
    return true;
}

cpuser_err cpuser_json_get_string(cpuser_json *doc, int i, cpuser_view *out)
{
    const jsmntok_t *t = tok_at(doc, i);
    char *s;
    size_t n;
    size_t decoded;

    if (out == NULL || t == NULL || !is_string(t)) {
        return CPUSER_ERR_JSON;
    }
    s = doc->text + t->start;
    n = (size_t)(t->end - t->start);
    if (t->type == JSMN_STRING) {
        if (!unescape(s, n, false, &decoded)) {
            return CPUSER_ERR_JSON;
        }
        if (decoded != n) {
            /* every escape is longer than what it decodes to, so a string
             * whose length did not change has none: nothing to move */
            (void)unescape(s, n, true, &decoded);
        }
        doc->tok[i].type = DECODED_STRING;
        doc->tok[i].end = t->start + (int)decoded;
    }
    *out = token_view(doc, &doc->tok[i]);
    return CPUSER_OK;
}

/* ==== numbers and literals ================================================= */

/* The primitive token i split as a number, or false. */
static bool number_at(const cpuser_json *doc, int i, number *num)
{
    const jsmntok_t *t = tok_at(doc, i);
    cpuser_view v;
    if (t == NULL || t->type != JSMN_PRIMITIVE) {
        return false;
    }
    v = token_view(doc, t);
    return split_number(v.ptr, v.len, num);
}

/* Digit i of the number's digits with the decimal point removed. */
static int digit_at(const number *num, size_t i)
{
    if (i < num->int_len) {
        return num->int_digits[i] - '0';
    }
    if (num->frac_digits != NULL && i - num->int_len < num->frac_len) {
        return num->frac_digits[i - num->int_len] - '0';
    }
    return 0; /* past the digits: callers stay inside them */
}

/* num * 10^scale as an exact int64; false when it is not a whole number
 * (too many decimals) or does not fit. */
static bool scaled_value(const number *num, int scale, int64_t *out)
{
    const uint64_t limit = num->negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    size_t total = num->int_len + num->frac_len;
    size_t first = 0;
    size_t last = total;
    int64_t shift;
    uint64_t mag = 0;
    size_t i;

    while (first < total && digit_at(num, first) == 0) {
        first++;
    }
    if (first == total) {
        *out = 0; /* zero, whatever the sign and exponent */
        return true;
    }
    while (digit_at(num, last - 1u) == 0) {
        last--; /* stops at the non-zero digit found above */
    }
    /* value = digits[first..last) * 10^shift */
    shift = (int64_t)(total - last) + num->exp - (int64_t)num->frac_len + scale;
    if (shift < 0 || (int64_t)(last - first) + shift > 19) {
        return false; /* a fraction left over, or more than 19 digits */
    }
    for (i = first; i < last; i++) {
        uint64_t d = (uint64_t)digit_at(num, i);
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
    if (!num->negative) {
        *out = (int64_t)mag;
    } else if (mag == (uint64_t)INT64_MAX + 1u) {
        *out = INT64_MIN;
    } else {
        *out = -(int64_t)mag;
    }
    return true;
}

cpuser_err cpuser_json_get_int64(const cpuser_json *doc, int i, int64_t *out)
{
    number num;
    int64_t v;
    if (out == NULL || !number_at(doc, i, &num) || num.frac_len != 0u || num.has_exp
        || !scaled_value(&num, 0, &v)) {
        return CPUSER_ERR_JSON;
    }
    *out = v;
    return CPUSER_OK;
}

cpuser_err cpuser_json_get_thousandths(const cpuser_json *doc, int i, int64_t *out)
{
    number num;
    int64_t v;
    if (out == NULL || !number_at(doc, i, &num) || !scaled_value(&num, 3, &v)) {
        return CPUSER_ERR_JSON;
    }
    *out = v;
    return CPUSER_OK;
}

/* True when token i is a primitive spelled exactly lit. */
static bool literal_at(const cpuser_json *doc, int i, const char *lit)
{
    const jsmntok_t *t = tok_at(doc, i);
    cpuser_view v;
    if (t == NULL || t->type != JSMN_PRIMITIVE) {
        return false;
    }
    v = token_view(doc, t);
    return is_literal(v.ptr, v.len, lit);
}

cpuser_err cpuser_json_get_bool(const cpuser_json *doc, int i, bool *out)
{
    if (out == NULL) {
        return CPUSER_ERR_JSON;
    }
    if (literal_at(doc, i, "true")) {
        *out = true;
    } else if (literal_at(doc, i, "false")) {
        *out = false;
    } else {
        return CPUSER_ERR_JSON;
    }
    return CPUSER_OK;
}

bool cpuser_json_is_null(const cpuser_json *doc, int i)
{
    return literal_at(doc, i, "null");
}
