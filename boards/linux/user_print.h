/*
 * Printing users: a block of "field: value" lines (get, create, update), one
 * line per user (list), or one JSON object per line with --json (written by
 * cpuser_user_write_json). Text is cleaned and redacted (output.h).
 */
#ifndef CPUSER_LINUX_USER_PRINT_H
#define CPUSER_LINUX_USER_PRINT_H

#include <stdbool.h>

#include "cpuser/ampeco_users.h"

/* Every present, non-null field, one per line. With json: one line.
 * Returns false when the output failed (or the JSON did not fit). */
bool user_print(const cpuser_user *u, bool json);

/* id, email, status, name, balance separated by tabs. With json: one line.
 * Returns false when the output failed (or the JSON did not fit). */
bool user_print_line(const cpuser_user *u, bool json);

#endif /* CPUSER_LINUX_USER_PRINT_H */
