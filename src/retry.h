/* The retry policy (internal to src/): which failures are tried again and
 * how long to wait first. See cpuser_retry_policy in client.h. */
#ifndef CPUSER_RETRY_H
#define CPUSER_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/client.h"

/* The policy with zero fields replaced by the defaults of config.h. */
cpuser_retry_policy cpuser_retry_resolve(const cpuser_retry_policy *p);

/* May a call that ended with err (the attempt's result in last) be sent
 * again under policy p? body_delivered: part of a 2xx body already went to
 * a sink. */
bool cpuser_retry_allowed(const cpuser_retry_policy *p, const char *method, cpuser_err err,
                          const cpuser_result *last, bool body_delivered);

/* The wait before the next attempt, after `done` attempts (>= 1): the
 * server's Retry-After / X-RateLimit-Reset when it gave one, else full
 * jitter with `random`. false: the server asked for longer than the
 * policy's ceiling (do not retry). */
bool cpuser_retry_wait(const cpuser_retry_policy *p, const cpuser_result *last, uint32_t done,
                       uint32_t random, uint32_t *wait_ms);

#endif /* CPUSER_RETRY_H */
