/*
 * The POSIX platform: a monotonic millisecond clock, a sleep that survives
 * signals, and random bytes from the kernel.
 *
 * Randomness comes from getrandom(2) where the C library offers it, and from
 * /dev/urandom where it does not (or where the kernel answers ENOSYS, or a
 * sandbox answers EPERM). Build with -DCPUSER_POSIX_HAVE_GETRANDOM=1 or =0 to
 * override the detection (it recognises glibc 2.25 and later by itself; musl
 * 1.1.20 and later and the BSDs have getrandom too but must say so).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): feature-test macro */
#endif

#include "cpuser/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h> /* also brings in the C library's version macros */

#ifndef CPUSER_POSIX_HAVE_GETRANDOM
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#define CPUSER_POSIX_HAVE_GETRANDOM 1
#else
#define CPUSER_POSIX_HAVE_GETRANDOM 0
#endif
#endif

#if CPUSER_POSIX_HAVE_GETRANDOM
#include <sys/random.h>
#endif

static uint32_t platform_now_ms(void *ctx)
{
    struct timespec ts;
    uint64_t ms;
    (void)ctx;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    return (uint32_t)ms; /* wraps every ~49.7 days; callers only subtract */
}

static void platform_sleep_ms(void *ctx, uint32_t ms)
{
    struct timespec want;
    struct timespec left;
    (void)ctx;
    want.tv_sec = (time_t)(ms / 1000u);
    want.tv_nsec = (long)(ms % 1000u) * 1000000L;
    /* A signal cuts nanosleep short and reports what was left: sleep that. */
    while (nanosleep(&want, &left) != 0) {
        if (errno != EINTR) {
            return;
        }
        want = left;
    }
}

/* Fill buf from /dev/urandom. */
static cpuser_err read_urandom(unsigned char *buf, size_t len)
{
    size_t done = 0;
    int fd;
    int flags = O_RDONLY;
#ifdef O_CLOEXEC
    flags |= O_CLOEXEC;
#endif
    do {
        fd = open("/dev/urandom", flags);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return CPUSER_ERR_IO;
    }
    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            /* 0 (end of file) cannot happen on a working urandom: give up. */
            (void)close(fd);
            return CPUSER_ERR_IO;
        }
    }
    (void)close(fd);
    return CPUSER_OK;
}

static cpuser_err platform_random(void *ctx, void *buf, size_t len)
{
    unsigned char *out = buf;
    (void)ctx;
    if (len == 0) {
        return CPUSER_OK;
    }
    if (out == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
#if CPUSER_POSIX_HAVE_GETRANDOM
    {
        size_t done = 0;
        while (done < len) {
            ssize_t n = getrandom(out + done, len - done, 0);
            if (n > 0) {
                done += (size_t)n;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
                /* No getrandom in this kernel, or a filter forbids it. */
                return read_urandom(out + done, len - done);
            } else {
                return CPUSER_ERR_IO;
            }
        }
        return CPUSER_OK;
    }
#else
    return read_urandom(out, len);
#endif
}

void cpuser_posix_platform_init(cpuser_platform *p)
{
    if (p == NULL) {
        return;
    }
    p->ctx = NULL;
    p->now_ms = platform_now_ms;
    p->sleep_ms = platform_sleep_ms;
    p->random = platform_random;
}
