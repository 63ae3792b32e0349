/*
 * Conta Simples users: delete one user, on a cpuser_client (see client.h).
 *
 * Contract: the Conta Simples "Delete user" page
 * (shared/seeds/004_7113574440836bb2.txt): DELETE /users/v1/users/{userId}
 * on https://api-sandbox.contasimples.com (the sandbox host), with
 * "Authorization: Bearer <token>" where the token comes from OAuth 2.0
 * client credentials (see oauth2.h: give the client an OAuth2 provider, or a
 * static token in its config). Like the page's examples, the request
 * carries "Content-Type: application/json" (and an empty body).
 *
 * Error bodies have the shape {"error": "Bad Request", "message": "...",
 * "code": 400, "details": [{"field": "...", "message": "..."}],
 * "requestId": "req_..."}: after a call, cpuser_client_last() has them as
 * api_error, message, api_code, field_errors and api_request_id.
 *
 * Retries: the page says of 500 "Retry with exponential backoff"; the calls
 * here retry a 500 (besides what the client's policy always retries) under
 * the client's retry policy: its attempts, its full-jitter exponential
 * backoff (base_ms * 2^n, capped at cap_ms) and its total deadline.
 *
 * Memory: nothing allocates; result views point into the client's working
 * buffer until the next call on the client.
 */
#ifndef CPUSER_CONTASIMPLES_H
#define CPUSER_CONTASIMPLES_H

#include <stdbool.h>

#include "cpuser/client.h"
#include "cpuser/view.h"

/* The sandbox API host of the document. */
#define CPUSER_CONTASIMPLES_SANDBOX_HOST "api-sandbox.contasimples.com"

/* True when id is a v4 UUID in its canonical text form: 36 characters,
 * hex digits (either case) in groups 8-4-4-4-12 separated by '-', version
 * digit '4' (the 15th character) and variant digit 8, 9, a or b (the
 * 20th). Anything else (braces, "urn:uuid:", no dashes, v1 or nil UUIDs,
 * surrounding spaces) is false. */
bool cpuser_uuid_v4_valid(cpuser_view id);

/* DELETE /users/v1/users/{user_id}: remove a user from the company.
 * user_id is checked first (cpuser_uuid_v4_valid()); nothing is sent when
 * it is not a v4 UUID. Returns:
 *  - CPUSER_OK: 204, the user was removed;
 *  - CPUSER_ERR_BAD_ARGUMENT: c NULL or user_id not a v4 UUID (not sent;
 *    the client's last result is left as it was);
 *  - CPUSER_ERR_HTTP_BAD_REQUEST: 400, the id was refused or the user has
 *    the MAIN role (the primary user cannot be deleted): see last.message
 *    and last.field_errors;
 *  - CPUSER_ERR_HTTP_UNAUTHORIZED: 401, token missing, invalid or expired
 *    (with an OAuth2 provider the client has already fetched a new token
 *    and tried once more);
 *  - CPUSER_ERR_HTTP_NOT_FOUND: 404, no such user in the company;
 *  - CPUSER_ERR_HTTP_SERVER: 5xx still after the retries (last.attempts,
 *    last.wait_ms[], last.api_request_id);
 *  - CPUSER_ERR_HTTP_UNEXPECTED: a 2xx other than 204, or a 1xx/3xx;
 *  - the client's transport, protocol, buffer and deadline errors. */
cpuser_err cpuser_contasimples_delete_user(cpuser_client *c, cpuser_view user_id);

#endif /* CPUSER_CONTASIMPLES_H */
