/*
 * The create/update flags -> cpuser_user_fields, and a clear message naming
 * the flag when the library's validation (cpuser_user_fields_check) refuses
 * them: that check only says "bad argument", so each set field is checked
 * again alone to find which one it was.
 */
#ifndef CPUSER_LINUX_USER_FIELDS_H
#define CPUSER_LINUX_USER_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"
#include "cpuser/ampeco_users.h"

/* The option mask of the create/update field flags (without --password-stdin). */
uint64_t user_fields_options(void);

/* Fill f from the flags (strings point into argv). Returns 0, or 2 after
 * printing why. */
int user_fields_from_args(const cli_args *a, bool creating, cpuser_user_fields *f);

/* Set the password (caller-owned bytes). */
void user_fields_password(cpuser_user_fields *f, const char *pw, size_t len);

/* Run the library's check; on failure print which flag is wrong and return
 * 2. A create checked before the password is read passes
 * `placeholder_password` true (a valid stand-in is used for the check). */
int user_fields_check(const cpuser_user_fields *f, bool creating, bool placeholder_password);

#endif /* CPUSER_LINUX_USER_FIELDS_H */
