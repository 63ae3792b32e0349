/* API error bodies: message and field errors into the last result. */
#include "api_error.h"

static void add_field_errors(cpuser_json *doc, int errors, cpuser_result *r)
{
    int n;
    for (n = 0;; n++) {
        int k = cpuser_json_member(doc, errors, n);
        int m;
        if (k < 0) {
            return;
        }
        for (m = 0;; m++) {
            int v = cpuser_json_index(doc, k + 1, m);
            cpuser_view msg;
            if (v < 0 || cpuser_json_get_string(doc, v, &msg) != CPUSER_OK) {
                break;
            }
            if (r->field_error_count == CPUSER_MAX_FIELD_ERRORS) {
                r->field_errors_truncated = true;
                return;
            }
            /* the key unescaped like the message (decoding a token twice is
             * safe: the second read returns the same view) */
            if (cpuser_json_get_string(doc, k, &r->field_errors[r->field_error_count].field) != CPUSER_OK) {
                return;
            }
            r->field_errors[r->field_error_count].message = msg;
            r->field_error_count++;
        }
    }
}

void cpuser_api_error_decode(cpuser_json *doc, char *body, size_t len, cpuser_result *r)
{
    int i;
    if (body == NULL || len == 0u || cpuser_json_parse(doc, body, len) != CPUSER_OK ||
        cpuser_json_type(doc, 0) != JSMN_OBJECT) {
        return;
    }
    i = cpuser_json_find(doc, 0, "message");
    if (i < 0) {
        int e = cpuser_json_find(doc, 0, "error");
        i = cpuser_json_type(doc, e) == JSMN_OBJECT ? cpuser_json_find(doc, e, "message") : -1;
    }
    if (i >= 0 && cpuser_json_get_string(doc, i, &r->message) != CPUSER_OK) {
        r->message.ptr = NULL;
        r->message.len = 0;
    }
    i = cpuser_json_find(doc, 0, "errors");
    if (cpuser_json_type(doc, i) == JSMN_OBJECT) {
        add_field_errors(doc, i, r);
    }
}
