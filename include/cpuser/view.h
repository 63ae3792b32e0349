/*
 * cpuser_view: a string as pointer + length, never NUL-terminated.
 *
 * Decoded strings are views into a buffer the caller owns (usually the
 * client's working buffer); they stay valid until that buffer is reused
 * (the next call on the same client). Copy what you keep.
 */
#ifndef CPUSER_VIEW_H
#define CPUSER_VIEW_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *ptr; /* NULL when absent */
    size_t len;
} cpuser_view;

/* A view of a NUL-terminated string (NULL gives the empty view). */
cpuser_view cpuser_view_of(const char *s);

/* True when v holds exactly the bytes of the NUL-terminated s. */
bool cpuser_view_eq(cpuser_view v, const char *s);

/* True when v equals s ignoring ASCII case. */
bool cpuser_view_ieq(cpuser_view v, const char *s);

/* True when a and b hold the same bytes ignoring ASCII case. */
bool cpuser_views_ieq(cpuser_view a, cpuser_view b);

#endif /* CPUSER_VIEW_H */
