/* Whole-file reads into caller buffers. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

long file_read(const char *path, unsigned char *buf, size_t cap)
{
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    for (;;) {
        ssize_t got;
        if (len == cap) {
            char probe;
            got = read(fd, &probe, 1);
            (void)close(fd);
            return got == 0 ? (long)len : -1; /* exactly full, or too big */
        }
        got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            (void)close(fd);
            return -1;
        }
        if (got == 0) {
            break;
        }
        len += (size_t)got;
    }
    (void)close(fd);
    return (long)len;
}
