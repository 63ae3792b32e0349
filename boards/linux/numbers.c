/* Exact parsing and printing of command-line numbers. */
#include "numbers.h"

#define MAX_POSITIVE 9223372036854775807ull /* INT64_MAX */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* mag = mag * 10 + d, refusing to pass limit. */
static bool push_digit(uint64_t *mag, char d, uint64_t limit)
{
    uint64_t digit = (uint64_t)(d - '0');
    if (*mag > (limit - digit) / 10u) {
        return false;
    }
    *mag = *mag * 10u + digit;
    return true;
}

bool num_parse_amount(const char *s, int64_t *out)
{
    bool negative = false;
    uint64_t limit;
    uint64_t mag = 0;
    int decimals = 0;
    size_t digits = 0;

    if (s == NULL) {
        return false;
    }
    if (*s == '-' || *s == '+') {
        negative = *s == '-';
        s++;
    }
    limit = negative ? MAX_POSITIVE + 1u : MAX_POSITIVE;
    for (; is_digit(*s); s++, digits++) {
        if (!push_digit(&mag, *s, limit)) {
            return false;
        }
    }
    if (digits == 0u) {
        return false;
    }
    if (*s == '.') {
        s++;
        for (; is_digit(*s); s++) {
            if (++decimals > 3 || !push_digit(&mag, *s, limit)) {
                return false;
            }
        }
        if (decimals == 0) {
            return false; /* "5." */
        }
    }
    if (*s != '\0') {
        return false;
    }
    for (; decimals < 3; decimals++) {
        if (!push_digit(&mag, '0', limit)) {
            return false;
        }
    }
    if (negative) {
        /* mag may be 2^63: build it as -(mag - 1) - 1 */
        *out = mag == 0u ? 0 : -(int64_t)(mag - 1u) - 1;
    } else {
        *out = (int64_t)mag;
    }
    return true;
}

bool num_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    bool negative = false;
    uint64_t mag = 0;
    size_t digits = 0;
    int64_t v;

    if (s == NULL) {
        return false;
    }
    if (*s == '-' && min < 0) {
        negative = true;
        s++;
    }
    for (; is_digit(*s); s++, digits++) {
        if (!push_digit(&mag, *s, MAX_POSITIVE + 1u)) {
            return false;
        }
    }
    if (digits == 0u || *s != '\0' || (!negative && mag > MAX_POSITIVE)) {
        return false;
    }
    v = negative ? (mag == 0u ? 0 : -(int64_t)(mag - 1u) - 1) : (int64_t)mag;
    if (v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

size_t num_format_amount(int64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0;
    size_t len = 0;
    uint64_t mag;
    uint64_t whole;
    unsigned frac;

    if (v < 0) {
        buf[len++] = '-';
        mag = (uint64_t)(-(v + 1)) + 1u;
    } else {
        mag = (uint64_t)v;
    }
    whole = mag / 1000u;
    frac = (unsigned)(mag % 1000u);
    do {
        tmp[n++] = (char)('0' + (int)(whole % 10u));
        whole /= 10u;
    } while (whole != 0u);
    while (n > 0u) {
        buf[len++] = tmp[--n];
    }
    if (frac != 0u) {
        char d[3];
        int k = 3;
        int j;
        d[0] = (char)('0' + (int)(frac / 100u));
        d[1] = (char)('0' + (int)(frac / 10u % 10u));
        d[2] = (char)('0' + (int)(frac % 10u));
        while (k > 0 && d[k - 1] == '0') {
            k--;
        }
        buf[len++] = '.';
        for (j = 0; j < k; j++) {
            buf[len++] = d[j];
        }
    }
    buf[len] = '\0';
    return len;
}
