/* JSON output lines from a static buffer. */
#include "json_line.h"

#include <stdio.h>

#include "output.h"

static char line[JSON_LINE_MAX];
static cpuser_json_writer writer;

cpuser_json_writer *json_line_begin(void)
{
    cpuser_json_writer_init(&writer, line, sizeof line);
    return &writer;
}

bool json_line_end(void)
{
    size_t len = 0;
    cpuser_err err = cpuser_json_writer_finish(&writer, &len);
    if (err != CPUSER_OK) {
        out_text(stderr, "cpuser: cannot write the JSON output: ");
        out_text(stderr, cpuser_strerror(err));
        out_text(stderr, "\n");
        return false;
    }
    (void)out_clean(stdout, line, len, OUT_JSON_LINE, false);
    (void)fputc('\n', stdout);
    return ferror(stdout) == 0;
}
