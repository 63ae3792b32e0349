/* Decoding of API error bodies into the last result (internal to src/). */
#ifndef CPUSER_API_ERROR_H
#define CPUSER_API_ERROR_H

#include "cpuser/client.h"

/* Fill r->message and r->field_errors from a non-2xx body, if it is JSON of
 * the shapes the backends use:
 *   {"message": "...", "errors": {"field": ["msg", ...], ...}}   (Laravel)
 *   {"error": {"message": "...", ...}}                            (Azure)
 *   {"error": "Bad Request", "message": "...", "code": 400,
 *    "details": [{"field": "...", "message": "..."}],
 *    "requestId": "..."}                                          (Conta Simples)
 * Anything else (HTML from a proxy, broken JSON) leaves them empty: an error
 * body never turns the call's HTTP error into a JSON error. */
void cpuser_api_error_decode(cpuser_json *doc, char *body, size_t len, cpuser_result *r);

#endif /* CPUSER_API_ERROR_H */
