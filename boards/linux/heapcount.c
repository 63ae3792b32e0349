/*
 * The heap audit (linked only into build/linux/cpuser-heapcount, see
 * board.mk). Two separate counts:
 *
 *  - cpuser: the program is linked with -Wl,--wrap=malloc,calloc,realloc,
 *    free,strdup,strndup, so every reference to those functions from the
 *    statically linked objects (the library, the ports, the CLI) lands in a
 *    __wrap_ function here, is counted and forwarded. libc's own internal
 *    calls are not affected (libc is a shared library).
 *  - mbedTLS: linked statically from copies of its archives in which the
 *    calloc/free (and malloc/realloc) references were renamed to the
 *    cpuser_heapcount_mbedtls_* functions below, so they are counted apart,
 *    with the bytes requested, the peak in use and what is left at exit.
 *
 * A constructor first proves the wrap is live (a malloc/free made here must
 * reach the wrappers), then zeroes the counts. At exit one line goes to the
 * file named by $CPUSER_HEAP_REPORT (appended), or to stderr.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *cpuser_heapcount_mbedtls_calloc(size_t n, size_t size);
void *cpuser_heapcount_mbedtls_malloc(size_t n);
void *cpuser_heapcount_mbedtls_realloc(void *p, size_t n);
void cpuser_heapcount_mbedtls_free(void *p);

enum { C_MALLOC, C_CALLOC, C_REALLOC, C_FREE, C_STRDUP, C_STRNDUP, C_COUNT };
static const char *const names[C_COUNT] = {"malloc", "calloc", "realloc", "free", "strdup", "strndup"};
static unsigned long cpuser_calls[C_COUNT];
static bool wrap_verified;

static unsigned long mb_alloc_calls;
static unsigned long mb_free_calls;
static unsigned long long mb_bytes;
static unsigned long long mb_live;
static unsigned long long mb_peak;

/* ---- cpuser's references (--wrap) ------------------------------------------- */

void *__wrap_malloc(size_t n)
{
    cpuser_calls[C_MALLOC]++;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    cpuser_calls[C_CALLOC]++;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    cpuser_calls[C_REALLOC]++;
    return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
    cpuser_calls[C_FREE]++;
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    cpuser_calls[C_STRDUP]++;
    return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    cpuser_calls[C_STRNDUP]++;
    return __real_strndup(s, n);
}

/* ---- mbedTLS's references (renamed in the archive copies) ------------------- */

typedef union {
    size_t n;
    long double align_ld;
    void *align_p;
    long long align_ll;
} header;

static void *mb_take(size_t total, bool zero)
{
    header *h;
    if (total > SIZE_MAX - sizeof(header)) {
        return NULL;
    }
    h = zero ? (header *)__real_calloc(1, sizeof(header) + total)
             : (header *)__real_malloc(sizeof(header) + total);
    if (h == NULL) {
        return NULL;
    }
    h->n = total;
    mb_alloc_calls++;
    mb_bytes += total;
    mb_live += total;
    if (mb_live > mb_peak) {
        mb_peak = mb_live;
    }
    return h + 1;
}

void *cpuser_heapcount_mbedtls_calloc(size_t n, size_t size)
{
    if (size != 0u && n > SIZE_MAX / size) {
        return NULL;
    }
    return mb_take(n * size, true);
}

void *cpuser_heapcount_mbedtls_malloc(size_t n)
{
    return mb_take(n, false);
}

void cpuser_heapcount_mbedtls_free(void *p)
{
    header *h;
    if (p == NULL) {
        return;
    }
    h = (header *)p - 1;
    mb_free_calls++;
    mb_live -= h->n;
    __real_free(h);
}

void *cpuser_heapcount_mbedtls_realloc(void *p, size_t n)
{
    void *q = mb_take(n, false);
    if (q != NULL && p != NULL) {
        size_t old = ((header *)p - 1)->n;
        memcpy(q, p, old < n ? old : n);
        cpuser_heapcount_mbedtls_free(p);
    }
    return q;
}

/* ---- proof and report ---------------------------------------------------- */

__attribute__((constructor)) static void heapcount_start(void)
{
    /* These two calls are references from a statically linked object, so
     * with the wrap live they must be counted. volatile: not optimised out. */
    void *volatile p = malloc(16);
    free(p);
    wrap_verified = cpuser_calls[C_MALLOC] == 1u && cpuser_calls[C_FREE] == 1u;
    memset(cpuser_calls, 0, sizeof cpuser_calls);
}

__attribute__((destructor)) static void heapcount_report(void)
{
    static char line[512];
    const char *path = getenv("CPUSER_HEAP_REPORT");
    size_t len = 0;
    unsigned long total = 0;
    int i;
    int fd = STDERR_FILENO;

    for (i = 0; i < C_COUNT; i++) {
        total += cpuser_calls[i];
    }
    len += (size_t)snprintf(line + len, sizeof line - len, "wrap_verified=%d cpuser_heap_calls=%lu",
                            wrap_verified ? 1 : 0, total);
    for (i = 0; i < C_COUNT && len < sizeof line; i++) {
        len += (size_t)snprintf(line + len, sizeof line - len, " cpuser_%s=%lu", names[i],
                                cpuser_calls[i]);
    }
    if (len < sizeof line) {
        len += (size_t)snprintf(line + len, sizeof line - len,
                                " mbedtls_alloc=%lu mbedtls_free=%lu mbedtls_bytes=%llu"
                                " mbedtls_peak=%llu mbedtls_live=%llu\n",
                                mb_alloc_calls, mb_free_calls, mb_bytes, mb_peak, mb_live);
    }
    if (len > sizeof line) {
        len = sizeof line;
    }
    if (path != NULL && path[0] != '\0') {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0) {
            fd = STDERR_FILENO;
        }
    }
    (void)!write(fd, line, len);
    if (fd != STDERR_FILENO) {
        (void)close(fd);
    }
}
