/*
 * Azure API Management users: delete (with its long-running operation) and
 * get (for the ETag the delete's If-Match needs), on a cpuser_client (see
 * client.h) whose host is the Azure Resource Manager endpoint
 * (management.azure.com) and whose token is an Azure AD bearer token.
 *
 * Contract: "User - Delete", api-version 2024-05-01
 * (shared/seeds/003_f6f63f542775ca03.txt):
 *
 *   DELETE /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}
 *          /providers/Microsoft.ApiManagement/service/{serviceName}
 *          /users/{userId}?deleteSubscriptions=..&notify=..
 *          &api-version=2024-05-01&appType=..
 *   If-Match: <ETag from a GET of the user> | *          (required)
 *   -> 204 No Content: deleted
 *   -> 202 Accepted, Azure-AsyncOperation and/or Location: being deleted
 *   -> anything else: an ErrorResponse {"error": {"code", "message",
 *      "target", "details": [...], "additionalInfo": [...]}}
 *
 * Everything is checked before anything is sent (CPUSER_ERR_BAD_ARGUMENT,
 * nothing goes out): the subscription id is a UUID (8-4-4-4-12 hex digits);
 * the resource group is 1..90 bytes of letters, digits, '-', '_', '.', '(',
 * ')' or UTF-8 (bytes >= 0x80) not ending in '.' (Azure's resource group
 * naming rule; the page itself gives none); the service name matches
 * ^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$ and is at most 50 characters (the
 * API Management specification's maxLength); the user id is 1..80 bytes
 * (the specification's maxLength) without control characters, and not "."
 * or ".."; If-Match is present (1..256 bytes: an ETag or "*") with no
 * control character (CR, LF, NUL...); the optional values are in range;
 * no view points into the client's working buffer (the request is built
 * there: copy an ETag from cpuser_azure_apim_user_get() before passing it).
 * Path segments are percent-encoded by the request builder.
 *
 * Memory: views in results point into the client's working buffer and are
 * valid until the next call on the client. Nothing allocates; polling keeps
 * the operation URL (at most CPUSER_OPERATION_URL_MAX bytes) on the stack.
 */
#ifndef CPUSER_AZURE_APIM_H
#define CPUSER_AZURE_APIM_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/client.h"
#include "cpuser/view.h"

/* The api-version every call sends. */
#define CPUSER_AZURE_APIM_API_VERSION "2024-05-01"

/* An optional boolean query parameter: omitted (the server's default),
 * false or true. */
enum { CPUSER_AZURE_OMIT = 0, CPUSER_AZURE_FALSE = 1, CPUSER_AZURE_TRUE = 2 };

/* appType: omitted (the server's default, the legacy portal), "portal"
 * (legacy developer portal) or "developerPortal" (new developer portal). */
enum {
    CPUSER_AZURE_APP_DEFAULT = 0,
    CPUSER_AZURE_APP_PORTAL = 1,
    CPUSER_AZURE_APP_DEVELOPER_PORTAL = 2
};

/* Where the user is. Every view is caller-owned and only read during the
 * call. */
typedef struct {
    cpuser_view subscription_id; /* a UUID */
    cpuser_view resource_group;
    cpuser_view service_name;
    cpuser_view user_id;
} cpuser_azure_user_ref;

/* A delete request. */
typedef struct {
    cpuser_azure_user_ref user;
    cpuser_view if_match;         /* required: an ETag (as the GET gave it,
                                     quotes included) or "*" */
    uint8_t delete_subscriptions; /* CPUSER_AZURE_OMIT / _FALSE / _TRUE */
    uint8_t notify;               /* CPUSER_AZURE_OMIT / _FALSE / _TRUE:
                                     send an Account Closed email */
    uint8_t app_type;             /* CPUSER_AZURE_APP_* */
} cpuser_azure_user_delete;

/* The state of a long-running operation. */
enum {
    CPUSER_AZURE_OP_NONE = 0,     /* no operation: the delete answered 200/204
                                     at once, or failed before a 202 */
    CPUSER_AZURE_OP_IN_PROGRESS,  /* still running when the call gave up
                                     (deadline, poll limit) */
    CPUSER_AZURE_OP_SUCCEEDED,
    CPUSER_AZURE_OP_FAILED,
    CPUSER_AZURE_OP_CANCELED
};

/* What happened after a 202, for the caller's logs and tests. */
typedef struct {
    int accepted_status;  /* the DELETE's own status (200, 202, 204...) or 0 */
    uint8_t state;        /* CPUSER_AZURE_OP_* */
    uint32_t polls;       /* GET requests sent to the operation URL */
    uint32_t waited_ms;   /* time slept between polls, all together */
    bool via_location;    /* polled the Location URL (no Azure-AsyncOperation) */
} cpuser_azure_operation;

/* Check a delete request's values as cpuser_azure_apim_user_delete() does
 * (all but the working-buffer check, which needs the client), without
 * sending anything: CPUSER_OK or CPUSER_ERR_BAD_ARGUMENT. */
cpuser_err cpuser_azure_apim_user_delete_check(const cpuser_azure_user_delete *req);

/* Delete a user.
 *
 * 200 or 204: done (CPUSER_OK; the page lists 204, ARM's contract for
 * DELETE allows 200 too). 202: accepted; the call then follows the
 * operation until it ends, bounded by the client's total_timeout_ms counted
 * from the start of the DELETE (each poll's own deadline is cut to what is
 * left) and by CPUSER_POLL_MAX_COUNT polls:
 *  - with an Azure-AsyncOperation header, GET it; its 200 body's "status" is
 *    "Succeeded" (CPUSER_OK), "Failed" or "Canceled"
 *    (CPUSER_ERR_OPERATION_FAILED, the body's "error" decoded into the last
 *    result like an ErrorResponse), anything else ("InProgress",
 *    "Deleting"...) means poll again; a 2xx without a "status" string is
 *    CPUSER_ERR_JSON;
 *  - else with a Location header, GET it: 202 means poll again, 200 or 204
 *    done, any other status is that status's error;
 *  - neither header: CPUSER_ERR_HTTP_UNEXPECTED.
 * Before each poll the call waits the last response's Retry-After (whole
 * seconds; at most CPUSER_POLL_MAX_INTERVAL_MS) or CPUSER_POLL_INTERVAL_MS
 * without one, with the platform's sleep. When that wait would reach the
 * deadline, or the poll limit is used up, the call returns
 * CPUSER_ERR_TIMEOUT with op->state CPUSER_AZURE_OP_IN_PROGRESS (the delete
 * may still complete on the server). An operation URL that is not on the
 * client's own scheme, host and port is never requested (the bearer token
 * would go with it): CPUSER_ERR_HTTP_UNEXPECTED, and the URL is still in
 * cpuser_client_last(c)->async_operation / ->location. A URL longer than
 * CPUSER_OPERATION_URL_MAX is CPUSER_ERR_BUFFER_TOO_SMALL.
 *
 * Errors besides those: CPUSER_ERR_BAD_ARGUMENT (see the checks above;
 * nothing sent), CPUSER_ERR_HTTP_PRECONDITION_FAILED (412: the ETag no
 * longer matches the user; GET it again), the other CPUSER_ERR_HTTP_*
 * values with the ErrorResponse decoded into cpuser_client_last(c)
 * (message, error_code, error_target, details[] as field_errors), and the
 * client's transport, protocol and buffer errors. op (may be NULL) receives
 * the operation's outcome; cpuser_client_last(c) is the last response's
 * (the last poll's after a 202), with .err set to the call's result. */
cpuser_err cpuser_azure_apim_user_delete(cpuser_client *c, const cpuser_azure_user_delete *req,
                                         cpuser_azure_operation *op);

/* GET the user (?api-version=2024-05-01) -> 200. *etag (may be NULL)
 * receives the response's ETag header, a view into the working buffer
 * (empty when the server sent none; copy it to use it as the delete's
 * If-Match); the
 * user's JSON stays in cpuser_client_last(c)->body. Errors: as for the
 * delete (404 is CPUSER_ERR_HTTP_NOT_FOUND with the ErrorResponse decoded),
 * and CPUSER_ERR_HTTP_UNEXPECTED for a 2xx other than 200. */
cpuser_err cpuser_azure_apim_user_get(cpuser_client *c, const cpuser_azure_user_ref *ref,
                                      cpuser_view *etag);

/* "portal" -> CPUSER_AZURE_APP_PORTAL, "developerPortal" ->
 * CPUSER_AZURE_APP_DEVELOPER_PORTAL, else 0. And the name of a value (NULL
 * for CPUSER_AZURE_APP_DEFAULT or out of range). */
uint8_t cpuser_azure_app_type_parse(const char *name);
const char *cpuser_azure_app_type_name(uint8_t app_type);

/* "InProgress"... for an operation state (never NULL). */
const char *cpuser_azure_op_state_name(uint8_t state);

#endif /* CPUSER_AZURE_APIM_H */
