/*
 * JSON output lines: a document is written with cpuser_json_writer into a
 * static buffer (count pass first, so an oversized one is refused whole,
 * never cut), then printed cleaned and redacted, followed by '\n'.
 */
#ifndef CPUSER_LINUX_JSON_LINE_H
#define CPUSER_LINUX_JSON_LINE_H

#include <stdbool.h>

#include "cpuser/json_writer.h"

/* Room for one line; a user decoded from the 4096-byte working buffer
 * re-encodes to less than that (escapes are decoded, fields only dropped). */
#define JSON_LINE_MAX 8192u

/* Start a line. The writer is valid until json_line_end(). */
cpuser_json_writer *json_line_begin(void);

/* Finish, check, print to stdout. False when the document failed (too big
 * or not well formed) or stdout failed; a message went to stderr. */
bool json_line_end(void);

#endif /* CPUSER_LINUX_JSON_LINE_H */
