/* The azure-apim actions: arguments checked with the library's own
 * validation, the calls, their output. */
#include "commands_azure.h"

#include <stdio.h>
#include <string.h>

#include "cpuser/azure_apim.h"
#include "errors.h"
#include "json_line.h"
#include "output.h"
#include "usage.h"

enum { AZ_DELETE_USER, AZ_GET_USER };

#define B(o) OPT_BIT(o)
#define SCOPE_OPTS (B(OPT_SUBSCRIPTION) | B(OPT_RESOURCE_GROUP) | B(OPT_SERVICE))
#define DELETE_OPTS \
    (SCOPE_OPTS | B(OPT_IF_MATCH) | B(OPT_DELETE_SUBSCRIPTIONS) | B(OPT_NOTIFY) | B(OPT_APP_TYPE))
/* api-version is fixed (2024-05-01): --api-version belongs to the users API */
#define AZURE_GLOBAL (OPT_GLOBAL_MASK & ~B(OPT_API_VERSION))

static const struct {
    const char *name;
    uint8_t id;
    uint64_t options;
} actions[] = {
    {"delete-user", AZ_DELETE_USER, DELETE_OPTS},
    {"get-user", AZ_GET_USER, SCOPE_OPTS},
};

static struct {
    uint8_t act;
    cpuser_azure_user_delete req;
    bool fetch_etag;      /* no --if-match: GET the user's ETag first */
    char what[40];        /* "azure-apim ACTION" for error lines */
} cmd;

static int refuse_option(int id)
{
    out_text(stderr, "cpuser: ");
    out_text(stderr, cmd.what);
    out_text(stderr, " does not take ");
    out_text(stderr, args_name(id));
    out_text(stderr, " (see cpuser --help)\n");
    return 2;
}

static int need(const cli_args *a, int id)
{
    if (args_has(a, id)) {
        return 0;
    }
    out_text(stderr, "cpuser: ");
    out_text(stderr, cmd.what);
    out_text(stderr, " needs ");
    out_text(stderr, args_name(id));
    out_text(stderr, " (see cpuser --help)\n");
    return 2;
}

/* Find which value the library refuses: each one alone in a request that
 * is otherwise known to be valid. One rule, the library's, for both. */
static int check_values(const cli_args *a)
{
    static const struct {
        int option;   /* -1: the USER_ID positional */
        const char *why;
    } parts[] = {
        {OPT_SUBSCRIPTION, "--subscription is a UUID (8-4-4-4-12 hex digits)"},
        {OPT_RESOURCE_GROUP, "--resource-group is 1..90 letters, digits, - _ . ( ) and does not end in ."},
        {OPT_SERVICE, "--service is 1..50 letters, digits and -, starting with a letter and not ending in -"},
        {-1, "USER_ID is 1..80 bytes without control characters, and not . or .."},
        {OPT_IF_MATCH, "--if-match is an ETag or * (1..256 bytes, no control characters)"},
    };
    size_t i;
    for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        cpuser_azure_user_delete probe;
        cpuser_view v;
        memset(&probe, 0, sizeof probe);
        probe.user.subscription_id = cpuser_view_of("00000000-0000-0000-0000-000000000000");
        probe.user.resource_group = cpuser_view_of("rg");
        probe.user.service_name = cpuser_view_of("s");
        probe.user.user_id = cpuser_view_of("u");
        probe.if_match = cpuser_view_of("*");
        switch (parts[i].option) {
        case OPT_SUBSCRIPTION: probe.user.subscription_id = cmd.req.user.subscription_id; break;
        case OPT_RESOURCE_GROUP: probe.user.resource_group = cmd.req.user.resource_group; break;
        case OPT_SERVICE: probe.user.service_name = cmd.req.user.service_name; break;
        case OPT_IF_MATCH:
            if (cmd.fetch_etag) {
                continue;
            }
            probe.if_match = cmd.req.if_match;
            break;
        default: probe.user.user_id = cmd.req.user.user_id; break;
        }
        if (cpuser_azure_apim_user_delete_check(&probe) != CPUSER_OK) {
            v = parts[i].option >= 0 ? cpuser_view_of(a->value[parts[i].option])
                                     : cmd.req.user.user_id;
            out_text(stderr, "cpuser: ");
            out_text(stderr, parts[i].why);
            out_text(stderr, ": ");
            out_view(stderr, v);
            out_text(stderr, " (see cpuser --help)\n");
            return 2;
        }
    }
    return cpuser_azure_apim_user_delete_check(&cmd.req) == CPUSER_OK || cmd.fetch_etag
               ? 0
               : usage_error("the request is not valid", NULL);
}

int azure_prepare(const cli_args *a)
{
    size_t i;
    int id;
    int rc;
    bool found = false;

    memset(&cmd, 0, sizeof cmd);
    if (a->pos_count < 2u) {
        return usage_error("azure-apim needs an ACTION (delete-user, get-user)", NULL);
    }
    for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(actions[i].name, a->pos[1]) == 0) {
            cmd.act = actions[i].id;
            found = true;
            break;
        }
    }
    if (!found) {
        return usage_error("unknown azure-apim action", a->pos[1]);
    }
    (void)snprintf(cmd.what, sizeof cmd.what, "azure-apim %s", actions[i].name);
    if (a->pos_count != 3u) {
        return usage_error(a->pos_count < 3u ? "missing USER_ID for" : "too many arguments for",
                           cmd.what);
    }
    for (id = 0; id < OPT__COUNT; id++) {
        if (args_has(a, id) && (id >= 64 || ((AZURE_GLOBAL | actions[i].options) & OPT_BIT(id)) == 0u)) {
            return refuse_option(id);
        }
    }
    if ((rc = need(a, OPT_SUBSCRIPTION)) != 0 || (rc = need(a, OPT_RESOURCE_GROUP)) != 0 ||
        (rc = need(a, OPT_SERVICE)) != 0) {
        return rc;
    }
    cmd.req.user.subscription_id = cpuser_view_of(a->value[OPT_SUBSCRIPTION]);
    cmd.req.user.resource_group = cpuser_view_of(a->value[OPT_RESOURCE_GROUP]);
    cmd.req.user.service_name = cpuser_view_of(a->value[OPT_SERVICE]);
    cmd.req.user.user_id = cpuser_view_of(a->pos[2]);
    cmd.fetch_etag = cmd.act == AZ_GET_USER || !args_has(a, OPT_IF_MATCH);
    if (args_has(a, OPT_IF_MATCH)) {
        cmd.req.if_match = cpuser_view_of(a->value[OPT_IF_MATCH]);
    }
    cmd.req.delete_subscriptions = args_has(a, OPT_DELETE_SUBSCRIPTIONS) ? CPUSER_AZURE_TRUE
                                                                          : CPUSER_AZURE_OMIT;
    cmd.req.notify = args_has(a, OPT_NOTIFY) ? CPUSER_AZURE_TRUE : CPUSER_AZURE_OMIT;
    if (args_has(a, OPT_APP_TYPE)) {
        cmd.req.app_type = cpuser_azure_app_type_parse(a->value[OPT_APP_TYPE]);
        if (cmd.req.app_type == 0u) {
            return usage_error("--app-type is portal or developerPortal", a->value[OPT_APP_TYPE]);
        }
    }
    return check_values(a);
}

/* ---- running ----------------------------------------------------------------- */

static int failed(cpuser_client *c, cpuser_err err)
{
    err_report(cmd.what, err, cpuser_client_last(c));
    return err_exit_code(err, cpuser_client_last(c)->sent);
}

static int output_failed(void)
{
    out_text(stderr, "cpuser: writing the output failed\n");
    return 1;
}

static int show_etag(cpuser_view etag, bool json)
{
    if (json) {
        cpuser_json_writer *w = json_line_begin();
        cpuser_json_object_begin(w);
        cpuser_json_key(w, "id");
        cpuser_json_string(w, cmd.req.user.user_id.ptr, cmd.req.user.user_id.len);
        cpuser_json_key(w, "etag");
        cpuser_json_string(w, etag.ptr, etag.len);
        cpuser_json_object_end(w);
        return json_line_end() ? 0 : output_failed();
    }
    out_text(stdout, "user ");
    out_view(stdout, cmd.req.user.user_id);
    out_text(stdout, ": etag ");
    out_view(stdout, etag);
    out_text(stdout, "\n");
    return ferror(stdout) == 0 ? 0 : output_failed();
}

static int show_deleted(const cpuser_azure_operation *op, bool json)
{
    if (json) {
        cpuser_json_writer *w = json_line_begin();
        cpuser_json_object_begin(w);
        cpuser_json_key(w, "id");
        cpuser_json_string(w, cmd.req.user.user_id.ptr, cmd.req.user.user_id.len);
        cpuser_json_key(w, "action");
        cpuser_json_cstring(w, "delete-user");
        cpuser_json_key(w, "httpStatus");
        cpuser_json_int(w, op->accepted_status);
        cpuser_json_key(w, "operation");
        cpuser_json_cstring(w, cpuser_azure_op_state_name(op->state));
        cpuser_json_key(w, "polls");
        cpuser_json_int(w, op->polls);
        cpuser_json_object_end(w);
        return json_line_end() ? 0 : output_failed();
    }
    out_text(stdout, "user ");
    out_view(stdout, cmd.req.user.user_id);
    out_text(stdout, ": deleted");
    if (op->accepted_status == 202) {
        out_text(stdout, " (accepted, operation succeeded after ");
        out_u64(stdout, op->polls);
        out_text(stdout, op->polls == 1u ? " poll)" : " polls)");
    }
    out_text(stdout, "\n");
    return ferror(stdout) == 0 ? 0 : output_failed();
}

static int run_delete(cpuser_client *c, bool json)
{
    static char etag_copy[260]; /* If-Match is at most 256 bytes */
    cpuser_azure_operation op;
    const cpuser_result *last;
    cpuser_err err;

    if (cmd.fetch_etag) {
        cpuser_view etag;
        err = cpuser_azure_apim_user_get(c, &cmd.req.user, &etag);
        if (err != CPUSER_OK) {
            return failed(c, err);
        }
        if (etag.len == 0u || etag.len >= sizeof etag_copy) {
            out_text(stderr, "cpuser: azure-apim delete-user: the server gave the user no usable ETag; "
                             "use --if-match ETAG or --if-match '*'\n");
            return EXIT_RESPONSE;
        }
        memcpy(etag_copy, etag.ptr, etag.len); /* the view dies with the next call */
        cmd.req.if_match.ptr = etag_copy;
        cmd.req.if_match.len = etag.len;
    }
    err = cpuser_azure_apim_user_delete(c, &cmd.req, &op);
    last = cpuser_client_last(c);
    if (err == CPUSER_ERR_HTTP_UNEXPECTED && op.accepted_status == 202 && op.polls == 0u &&
        (last->async_operation.len != 0u || last->location.len != 0u)) {
        out_text(stderr, "cpuser: azure-apim delete-user: accepted (202), but the operation URL is on "
                         "another host and was not polled (the bearer token would go with it): ");
        out_view(stderr, last->async_operation.len != 0u ? last->async_operation : last->location);
        out_text(stderr, "\n");
        return EXIT_RESPONSE;
    }
    if (err != CPUSER_OK) {
        int rc = failed(c, err);
        if (op.state == CPUSER_AZURE_OP_IN_PROGRESS) {
            out_text(stderr, "cpuser: the delete was accepted (202) and may still complete on the "
                             "server; polled ");
            out_u64(stderr, op.polls);
            out_text(stderr, " times\n");
        }
        return rc;
    }
    return show_deleted(&op, json);
}

int azure_run(cpuser_client *c, bool json)
{
    cpuser_view etag;
    cpuser_err err;
    if (cmd.act == AZ_GET_USER) {
        err = cpuser_azure_apim_user_get(c, &cmd.req.user, &etag);
        if (err != CPUSER_OK) {
            return failed(c, err);
        }
        return show_etag(etag, json);
    }
    return run_delete(c, json);
}
