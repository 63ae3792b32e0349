/* Decoding of API error bodies into the last result (internal to src/). */
#ifndef CPUSER_API_ERROR_H
#define CPUSER_API_ERROR_H

#include "cpuser/client.h"

/* Fill r->message and r->field_errors (and for Azure r->error_code and
 * r->error_target) from a non-2xx body, if it is JSON of the shapes the
 * backends use:
 *   {"message": "...", "errors": {"field": ["msg", ...], ...}}   (Laravel)
 *   {"error": {"code": "...", "message": "...", "target": "...",
 *              "details": [{"code", "message", "target"}, ...]}} (Azure;
 *              each detail is a field error: its target, or its code when
 *              it has none, and its message)
 *   {"error": "Bad Request", "message": "...", "code": 400,
 *    "details": [{"field": "...", "message": "..."}],
 *    "requestId": "..."}                                          (Conta Simples)
 * Anything else (HTML from a proxy, broken JSON) leaves them empty: an error
 * body never turns the call's HTTP error into a JSON error. */
void cpuser_api_error_decode(cpuser_json *doc, char *body, size_t len, cpuser_result *r);

/* The raw text (between the quotes, escapes not decoded) of the string
 * member `key` of the top-level object of body[0..len), found without
 * tokens and without modifying the body; an empty view when the body is
 * not a JSON object or has no such string member. For short constant
 * values such as an operation's "status". */
cpuser_view cpuser_api_top_string(const char *body, size_t len, const char *key);

#endif /* CPUSER_API_ERROR_H */
