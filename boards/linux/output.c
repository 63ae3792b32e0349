/* Safe output: cleaning and redaction of outside text. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "output.h"

#include <string.h>
#include <unistd.h>

#define SECRET_SLOTS 4

static struct {
    const char *s;
    size_t n;
} secrets[SECRET_SLOTS];

static char stdout_buf[8192];

void out_init(void)
{
    /* Our own storage, so glibc never allocates one for stdout: line
     * buffered on a terminal, fully buffered into a pipe or a file. */
    (void)setvbuf(stdout, stdout_buf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF,
                  sizeof stdout_buf);
}

void out_secret(int slot, const char *s, size_t n)
{
    if (slot < 0 || slot >= SECRET_SLOTS) {
        return;
    }
    secrets[slot].s = (s != NULL && n != 0u) ? s : NULL;
    secrets[slot].n = (s != NULL) ? n : 0u;
}

static size_t longest_secret(void)
{
    size_t m = 0;
    int i;
    for (i = 0; i < SECRET_SLOTS; i++) {
        if (secrets[i].s != NULL && secrets[i].n > m) {
            m = secrets[i].n;
        }
    }
    return m;
}

/* Length of a secret that starts at s[0..n), or 0. */
static size_t secret_at(const char *s, size_t n)
{
    int i;
    for (i = 0; i < SECRET_SLOTS; i++) {
        if (secrets[i].s != NULL && secrets[i].n <= n &&
            memcmp(s, secrets[i].s, secrets[i].n) == 0) {
            return secrets[i].n;
        }
    }
    return 0;
}

static void put_escape(FILE *f, unsigned code, unsigned flags)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[6];
    if ((flags & OUT_JSON_LINE) != 0u && (code == '\n' || code == '\r' || code == '\t')) {
        (void)fputc(' ', f);
        return;
    }
    e[0] = '\\';
    e[1] = 'u';
    e[2] = hex[(code >> 12) & 0xFu];
    e[3] = hex[(code >> 8) & 0xFu];
    e[4] = hex[(code >> 4) & 0xFu];
    e[5] = hex[code & 0xFu];
    (void)fwrite(e, 1, sizeof e, f);
}

/* Bytes of the unsafe character at s[0..avail), 0 when s[0] starts a safe
 * one; *code gets its code point. */
static size_t unsafe_at(const unsigned char *s, size_t avail, unsigned flags, unsigned *code)
{
    unsigned char b = s[0];
    if (b < 0x20u || b == 0x7fu) {
        if ((flags & OUT_KEEP_NEWLINES) != 0u && (b == '\n' || b == '\t')) {
            return 0;
        }
        *code = b;
        return 1;
    }
    if (b == 0xC2u && avail >= 2u && s[1] >= 0x80u && s[1] <= 0x9Fu) {
        *code = s[1];
        return 2;
    }
    if (b == 0xE2u && avail >= 3u &&
        ((s[1] == 0x80u && s[2] >= 0xAAu && s[2] <= 0xAEu) ||
         (s[1] == 0x81u && s[2] >= 0xA6u && s[2] <= 0xA9u))) {
        *code = 0x2000u | ((unsigned)(s[1] & 0x3Fu) << 6) | (unsigned)(s[2] & 0x3Fu);
        return 3;
    }
    return 0;
}

size_t out_clean(FILE *f, const char *s, size_t n, unsigned flags, bool more)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t hold = longest_secret();
    size_t limit = n;
    size_t i = 0;
    size_t run = 0; /* start of the pending run of plain bytes */

    if (s == NULL) {
        return 0;
    }
    if (more) {
        /* keep back what a secret or a 3-byte sequence could still need */
        size_t back = hold > 3u ? hold - 1u : 3u;
        limit = n > back ? n - back : 0u;
    }
    while (i < limit) {
        size_t k = secret_at(s + i, n - i);
        unsigned code = 0;
        size_t bad = k != 0u ? 0u : unsafe_at(u + i, n - i, flags, &code);
        if (k == 0u && bad == 0u) {
            i++;
            continue;
        }
        (void)fwrite(s + run, 1, i - run, f);
        if (k != 0u) {
            (void)fwrite("***", 1, 3, f);
            i += k;
        } else {
            put_escape(f, code, flags);
            i += bad;
        }
        run = i;
    }
    if (i > run) {
        (void)fwrite(s + run, 1, i - run, f);
    }
    return i;
}

void out_view(FILE *f, cpuser_view v)
{
    if (v.ptr != NULL) {
        (void)out_clean(f, v.ptr, v.len, 0u, false);
    }
}

void out_str(FILE *f, const char *s)
{
    if (s != NULL) {
        (void)out_clean(f, s, strlen(s), 0u, false);
    }
}

void out_text(FILE *f, const char *s)
{
    (void)fputs(s, f);
}

void out_u64(FILE *f, unsigned long long v)
{
    char d[24];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    (void)fwrite(d + i, 1, sizeof d - i, f);
}

void out_i64(FILE *f, long long v)
{
    if (v < 0) {
        (void)fputc('-', f);
        /* -(v + 1) + 1 stays in range for LLONG_MIN */
        out_u64(f, (unsigned long long)(-(v + 1)) + 1u);
    } else {
        out_u64(f, (unsigned long long)v);
    }
}
