/* cpuser_buffer: bounded append that counts past the end. */
#include "cpuser/buffer.h"

#include <string.h>

void cpuser_buffer_init(cpuser_buffer *b, char *data, size_t cap)
{
    b->data = data;
    b->cap = data != NULL ? cap : 0u;
    b->len = 0;
    b->err = CPUSER_OK;
}

void cpuser_buffer_put(cpuser_buffer *b, const char *s, size_t n)
{
    if (b->err != CPUSER_OK || n == 0u) {
        return; /* nothing to add (s may be NULL then: memcpy must not see it) */
    }
    if (n > SIZE_MAX - b->len) {
        b->err = CPUSER_ERR_BUFFER_TOO_SMALL;
        return;
    }
    if (b->data != NULL && b->len < b->cap) {
        size_t room = b->cap - b->len;
        memcpy(b->data + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

void cpuser_buffer_puts(cpuser_buffer *b, const char *s)
{
    cpuser_buffer_put(b, s, strlen(s));
}

void cpuser_buffer_putc(cpuser_buffer *b, char c)
{
    cpuser_buffer_put(b, &c, 1);
}

void cpuser_buffer_put_u64(cpuser_buffer *b, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    cpuser_buffer_put(b, tmp + i, sizeof tmp - i);
}

void cpuser_buffer_put_i64(cpuser_buffer *b, int64_t v)
{
    if (v < 0) {
        cpuser_buffer_putc(b, '-');
        /* -(v + 1) + 1 avoids negating INT64_MIN */
        cpuser_buffer_put_u64(b, (uint64_t)(-(v + 1)) + 1u);
    } else {
        cpuser_buffer_put_u64(b, (uint64_t)v);
    }
}

void cpuser_buffer_fail(cpuser_buffer *b, cpuser_err err)
{
    if (b->err == CPUSER_OK) {
        b->err = err;
    }
}

cpuser_err cpuser_buffer_status(const cpuser_buffer *b)
{
    if (b->err != CPUSER_OK) {
        return b->err;
    }
    if (b->data != NULL && b->len > b->cap) {
        return CPUSER_ERR_BUFFER_TOO_SMALL;
    }
    return CPUSER_OK;
}
