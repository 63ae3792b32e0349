/* The --help text. */
#ifndef CPUSER_LINUX_USAGE_H
#define CPUSER_LINUX_USAGE_H

#include <stdio.h>

void usage_print(FILE *f);

/* "cpuser: what: detail (see cpuser --help)" on stderr; returns exit code 2.
 * detail (may be NULL) is user input and is printed safely. */
int usage_error(const char *what, const char *detail);

#endif /* CPUSER_LINUX_USAGE_H */
