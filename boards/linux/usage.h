/* The --help text. */
#ifndef CPUSER_LINUX_USAGE_H
#define CPUSER_LINUX_USAGE_H

#include <stdio.h>

void usage_print(FILE *f);

#endif /* CPUSER_LINUX_USAGE_H */
