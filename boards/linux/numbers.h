/*
 * Numbers from the command line, parsed exactly (no floating point, no
 * locale): amounts in thousandths and bounded integers.
 */
#ifndef CPUSER_LINUX_NUMBERS_H
#define CPUSER_LINUX_NUMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "12.5" -> 12500, "-0.005" -> -5, "+3" -> 3000. An optional sign, one or
 * more digits, optionally '.' and one to three digits. More decimals,
 * anything else, or a value outside int64 thousandths: false. */
bool num_parse_amount(const char *s, int64_t *out);

/* Decimal integer (no sign unless min < 0) within [min, max]. */
bool num_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* Write thousandths as text ("12.5", "-0.005", "0") into buf (at least 24
 * bytes), NUL-terminated; returns the length. */
size_t num_format_amount(int64_t v, char *buf);

#endif /* CPUSER_LINUX_NUMBERS_H */
