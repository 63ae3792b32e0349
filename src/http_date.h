/* HTTP dates (internal to src/). */
#ifndef CPUSER_HTTP_DATE_H
#define CPUSER_HTTP_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/view.h"

/* Parse an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 5.6.7)
 * into seconds since 1970-01-01T00:00:00Z. The obsolete formats are not
 * accepted (false), nor out-of-range fields. */
bool cpuser_http_date_parse(cpuser_view v, int64_t *seconds);

#endif /* CPUSER_HTTP_DATE_H */
