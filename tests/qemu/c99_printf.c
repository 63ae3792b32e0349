/* C99 length modifiers for Debian's arm-none-eabi newlib, QEMU images only.
 *
 * Debian builds newlib without _WANT_IO_C99_FORMATS, so its printf family
 * (full and nano alike) prints "%zu" as the two letters "zu" and does not
 * consume the argument, which shifts every later one. The unit tests format
 * with %zu / %zX and cmocka with %zd. Linked with
 * -Wl,--wrap=printf,--wrap=snprintf,... (see qemu.mk), these wrappers
 * rewrite each format before newlib sees it: z and t become l, j becomes ll,
 * hh becomes h. On this target size_t and ptrdiff_t have the size of long
 * and intmax_t that of long long (checked below), so every argument is read
 * with the width C99 asks for; an hh argument arrives promoted to int after
 * its conversion to char, so h prints the same value. Formats longer than
 * the rewrite buffer go through unchanged. Test use only. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef char c99_printf_size_t_is_long[sizeof(size_t) == sizeof(long) ? 1 : -1];
typedef char c99_printf_ptrdiff_t_is_long[sizeof(ptrdiff_t) == sizeof(long) ? 1 : -1];
typedef char c99_printf_intmax_t_is_long_long[sizeof(intmax_t) == sizeof(long long) ? 1 : -1];

int __real_vsnprintf(char *out, size_t cap, const char *fmt, va_list ap);
int __real_vsprintf(char *out, const char *fmt, va_list ap);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_vsnprintf(char *out, size_t cap, const char *fmt, va_list ap);
int __wrap_vsprintf(char *out, const char *fmt, va_list ap);
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_vprintf(const char *fmt, va_list ap);
int __wrap_snprintf(char *out, size_t cap, const char *fmt, ...);
int __wrap_sprintf(char *out, const char *fmt, ...);
int __wrap_fprintf(FILE *f, const char *fmt, ...);
int __wrap_printf(const char *fmt, ...);

enum { C99_FMT_MAX = 768 };

/* Rewrite `fmt` into `out` (C99_FMT_MAX bytes). Returns out, or fmt itself
 * when it does not fit. */
static const char *c99_format(const char *fmt, char *out)
{
    size_t o = 0;
    const char *p = fmt;
    /* Each input byte yields at most two output bytes (j -> ll). */
    if (strlen(fmt) * 2u + 1u > (size_t)C99_FMT_MAX) {
        return fmt;
    }
    while (*p != '\0') {
        if (*p != '%') {
            out[o++] = *p++;
            continue;
        }
        out[o++] = *p++;
        if (*p == '%') {
            out[o++] = *p++;
            continue;
        }
        while (*p != '\0' && strchr("-+ #0'", *p) != NULL) {
            out[o++] = *p++;
        }
        while (*p == '*' || (*p >= '0' && *p <= '9')) {
            out[o++] = *p++;
        }
        if (*p == '.') {
            out[o++] = *p++;
            while (*p == '*' || (*p >= '0' && *p <= '9')) {
                out[o++] = *p++;
            }
        }
        if (*p == 'z' || *p == 't') {
            out[o++] = 'l';
            p++;
        } else if (*p == 'j') {
            out[o++] = 'l';
            out[o++] = 'l';
            p++;
        } else if (p[0] == 'h' && p[1] == 'h') {
            out[o++] = 'h';
            p += 2;
        }
        /* Any other modifier and the conversion itself are copied by the
         * main loop as ordinary bytes. */
    }
    out[o] = '\0';
    return out;
}

int __wrap_vsnprintf(char *out, size_t cap, const char *fmt, va_list ap)
{
    char f[C99_FMT_MAX];
    return __real_vsnprintf(out, cap, c99_format(fmt, f), ap);
}

int __wrap_vsprintf(char *out, const char *fmt, va_list ap)
{
    char f[C99_FMT_MAX];
    return __real_vsprintf(out, c99_format(fmt, f), ap);
}

int __wrap_vfprintf(FILE *stream, const char *fmt, va_list ap)
{
    char f[C99_FMT_MAX];
    return __real_vfprintf(stream, c99_format(fmt, f), ap);
}

int __wrap_vprintf(const char *fmt, va_list ap)
{
    return __wrap_vfprintf(stdout, fmt, ap);
}

int __wrap_snprintf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = __wrap_vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_sprintf(char *out, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = __wrap_vsprintf(out, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_fprintf(FILE *stream, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = __wrap_vfprintf(stream, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = __wrap_vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}
