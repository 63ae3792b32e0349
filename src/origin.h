/* Same-origin checks for URLs a server hands back (an export download, an
 * Azure operation to poll), internal to src/. The client sends its bearer
 * token with every request, so it only follows a URL on its own origin. */
#ifndef CPUSER_ORIGIN_H
#define CPUSER_ORIGIN_H

#include <stdbool.h>

#include "cpuser/client.h"
#include "cpuser/view.h"

/* True when url is scheme://host[:port]/path[?query] with the client's own
 * scheme (https or http), host (ASCII case ignored) and port (the scheme's
 * default when the URL gives none); *target is then the path+query part, a
 * view into url. Anything else (another host or port, userinfo, no path, a
 * relative URL) is false. */
bool cpuser_same_origin(const cpuser_client *c, cpuser_view url, cpuser_view *target);

#endif /* CPUSER_ORIGIN_H */
