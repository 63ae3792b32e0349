/* IMF-fixdate to seconds since the epoch, with no libc time functions. */
#include "http_date.h"

#include <string.h>

static bool digits(const char *s, int n, int *out)
{
    int i;
    int v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian):
 * count in 400-year eras starting on March 1st, so the leap day is last. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era;
    int64_t yoe;
    int64_t doy;
    int64_t doe;
    y -= m <= 2 ? 1 : 0;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool cpuser_http_date_parse(cpuser_view v, int64_t *seconds)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char days[] = "MonTueWedThuFriSatSun";
    const char *s = v.ptr;
    int day;
    int year;
    int hh;
    int mm;
    int ss;
    int mon = 0;
    int i;
    bool known_day = false;
    /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    if (v.ptr == NULL || v.len != 29u || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
        memcmp(s + 25, " GMT", 4) != 0) {
        return false;
    }
    for (i = 0; i < 7; i++) {
        known_day = known_day || memcmp(s, days + (size_t)i * 3u, 3) == 0;
    }
    for (i = 0; i < 12; i++) {
        if (memcmp(s + 8, months + (size_t)i * 3u, 3) == 0) {
            mon = i + 1;
        }
    }
    if (!known_day || mon == 0 || !digits(s + 5, 2, &day) || !digits(s + 12, 4, &year) ||
        !digits(s + 17, 2, &hh) || !digits(s + 20, 2, &mm) || !digits(s + 23, 2, &ss) ||
        day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) {
        return false;
    }
    *seconds = days_from_civil(year, mon, day) * 86400 + (int64_t)hh * 3600 + (int64_t)mm * 60 + ss;
    return true;
}
