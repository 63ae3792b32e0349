/* UTF-8 helpers (internal to src/). */
#ifndef CPUSER_UTF8_H
#define CPUSER_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (2..4) of the valid UTF-8 sequence at s[0], a byte >= 0x80, within
 * n bytes; 0 when it is not valid UTF-8: stray continuation byte, 0xC0/0xC1,
 * 0xF5..0xFF, truncated, overlong, surrogate, above U+10FFFF. */
size_t cpuser_utf8_sequence(const unsigned char *s, size_t n);

/* Code point cp (valid, not a surrogate) as UTF-8 into out; its length. */
size_t cpuser_utf8_encode(uint32_t cp, char out[4]);

#endif /* CPUSER_UTF8_H */
