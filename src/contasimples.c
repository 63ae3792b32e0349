/* Conta Simples users: delete, with v4 UUID ids checked before sending. */
#include "cpuser/contasimples.h"
#include "chars.h"

#include <string.h>

#define USER_PATH "/users/v1/users/{}"

bool cpuser_uuid_v4_valid(cpuser_view id)
{
    size_t i;
    if (id.ptr == NULL || id.len != 36u) {
        return false;
    }
    for (i = 0; i < 36u; i++) {
        char ch = id.ptr[i];
        if (i == 8u || i == 13u || i == 18u || i == 23u) {
            if (ch != '-') {
                return false;
            }
        } else if (cpuser_hex_digit(ch) < 0) {
            return false;
        }
    }
    return id.ptr[14] == '4' && (id.ptr[19] == '8' || id.ptr[19] == '9' || id.ptr[19] == 'a' ||
                                 id.ptr[19] == 'b' || id.ptr[19] == 'A' || id.ptr[19] == 'B');
}

/* The empty body: it makes the client send "Content-Type: application/json"
 * and "Content-Length: 0", as the document's examples do. */
static cpuser_err empty_body(void *arg, char *buf, size_t cap, size_t *len)
{
    (void)arg;
    (void)buf;
    (void)cap;
    *len = 0;
    return CPUSER_OK;
}

cpuser_err cpuser_contasimples_delete_user(cpuser_client *c, cpuser_view user_id)
{
    cpuser_request req;
    bool retry_500;
    cpuser_err err;

    if (c == NULL || !cpuser_uuid_v4_valid(user_id)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    memset(&req, 0, sizeof req);
    req.method = "DELETE";
    req.path = USER_PATH;
    req.segments = &user_id;
    req.segment_count = 1;
    req.body = empty_body;
    req.content_type = "application/json";
    /* "500: retry with exponential backoff": for this call only */
    retry_500 = c->cfg.retry.retry_500;
    c->cfg.retry.retry_500 = true;
    err = cpuser_client_call(c, &req, NULL);
    c->cfg.retry.retry_500 = retry_500;
    if (err == CPUSER_OK && c->last.status != 204) {
        err = CPUSER_ERR_HTTP_UNEXPECTED;
        c->last.err = err;
    }
    return err;
}
