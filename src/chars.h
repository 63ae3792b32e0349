/* Character classes shared by the parsers (internal to src/). */
#ifndef CPUSER_CHARS_H
#define CPUSER_CHARS_H

#include <stdbool.h>

static inline bool cpuser_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* JSON white space (RFC 8259): SP, HTAB, LF, CR. */
static inline bool cpuser_is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 0..15 for a hex digit, -1 otherwise. */
static inline int cpuser_hex_digit(char c)
{
    if (cpuser_is_digit(c)) {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

#endif /* CPUSER_CHARS_H */
