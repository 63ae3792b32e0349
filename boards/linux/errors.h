/*
 * Failures: the CLI's exit codes and the one-line error report on stderr.
 *
 *   0 ok                      6 rate limited (429) after retries
 *   2 usage or invalid input  7 network or timeout
 *   3 not found (404)         8 TLS or certificate
 *   4 validation (422) and    9 server error (5xx)
 *     the server's other     10 malformed or unexpected response
 *     refusals (400, 406,
 *     409, 412...)
 *   5 auth (401, 403)
 */
#ifndef CPUSER_LINUX_ERRORS_H
#define CPUSER_LINUX_ERRORS_H

#include <stdbool.h>

#include "cpuser/client.h"

enum {
    EXIT_USAGE = 2,
    EXIT_NOT_FOUND = 3,
    EXIT_VALIDATION = 4,
    EXIT_AUTH = 5,
    EXIT_RATE_LIMITED = 6,
    EXIT_NETWORK = 7,
    EXIT_TLS = 8,
    EXIT_SERVER = 9,
    EXIT_RESPONSE = 10
};

/* The exit code for err; `sent`: whether anything reached the network (a
 * request too large for the working buffer is invalid input when it was
 * refused before sending, a malformed response otherwise). */
int err_exit_code(cpuser_err err, bool sent);

/* One line on stderr: "cpuser: WHAT: <strerror> (HTTP <status>): <API
 * message>; <field>: <message>; ..." with the server's text cleaned and
 * secrets redacted. */
void err_report(const char *what, cpuser_err err, const cpuser_result *last);

#endif /* CPUSER_LINUX_ERRORS_H */
