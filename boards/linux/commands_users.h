/*
 * `cpuser users ACTION ...`: checking the action's arguments with no I/O
 * (users_prepare.c), then running it on a client and printing the result
 * (commands_users.c).
 */
#ifndef CPUSER_LINUX_COMMANDS_USERS_H
#define CPUSER_LINUX_COMMANDS_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"
#include "cpuser/client.h"

/* Check the action (a->pos[1]), its positionals and options, and every
 * value that can be checked offline. Returns 0, or 2 after printing why. */
int users_prepare(const cli_args *a);

/* The prepared action reads a password from stdin (--password-stdin). */
bool users_wants_password(void);

/* Give it the password; checks it as the library would. 0 or 2. */
int users_set_password(const char *pw, size_t len);

/* Run the prepared action. Returns the exit code; errors are reported. */
int users_run(cpuser_client *c, bool json);

#endif /* CPUSER_LINUX_COMMANDS_USERS_H */
