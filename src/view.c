/* cpuser_view helpers. */
#include "cpuser/view.h"

#include <string.h>

cpuser_view cpuser_view_of(const char *s)
{
    cpuser_view v;
    v.ptr = s;
    v.len = s != NULL ? strlen(s) : 0u;
    return v;
}

bool cpuser_view_eq(cpuser_view v, const char *s)
{
    size_t n = strlen(s);
    return v.len == n && (n == 0u || memcmp(v.ptr, s, n) == 0);
}

static unsigned char lower(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= 'A' && u <= 'Z') ? (unsigned char)(u + ('a' - 'A')) : u;
}

bool cpuser_views_ieq(cpuser_view a, cpuser_view b)
{
    size_t i;
    if (a.len != b.len) {
        return false;
    }
    for (i = 0; i < a.len; i++) {
        if (lower(a.ptr[i]) != lower(b.ptr[i])) {
            return false;
        }
    }
    return true;
}

bool cpuser_view_ieq(cpuser_view v, const char *s)
{
    return cpuser_views_ieq(v, cpuser_view_of(s));
}
