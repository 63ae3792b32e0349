/* Whole-file reads with open/read: no stdio, no heap. */
#ifndef CPUSER_LINUX_FILES_H
#define CPUSER_LINUX_FILES_H

#include <stddef.h>

/* Read the file at path into buf[0..cap). Returns its length, or -1 when it
 * is missing, unreadable, or larger than cap. */
long file_read(const char *path, unsigned char *buf, size_t cap);

#endif /* CPUSER_LINUX_FILES_H */
