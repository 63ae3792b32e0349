/* The users actions: the calls and their output. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "commands_users.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "connection.h"
#include "cpuser/ampeco_users.h"
#include "errors.h"
#include "json_line.h"
#include "numbers.h"
#include "output.h"
#include "user_print.h"
#include "users_command.h"

static int failed(cpuser_client *c, cpuser_err err)
{
    err_report(users_cmd.what, err, cpuser_client_last(c));
    return err_exit_code(err, cpuser_client_last(c)->sent);
}

static int output_failed(void)
{
    out_text(stderr, "cpuser: writing the output failed\n");
    return 1;
}

typedef struct {
    bool json;
    bool progress;     /* stderr is a terminal: show a running count */
    uint32_t limit;    /* 0: all */
    uint32_t count;
    bool stopped;      /* the limit was reached */
    bool output_error;
} list_state;

static cpuser_err on_user(void *arg, const cpuser_user *u)
{
    list_state *s = (list_state *)arg;
    if (!user_print_line(u, s->json)) {
        s->output_error = true;
        return CPUSER_ERR_IO;
    }
    s->count++;
    if (s->progress) {
        (void)fflush(stdout);
        out_text(stderr, "\r");
        out_u64(stderr, s->count);
        out_text(stderr, " users");
    }
    if (s->limit != 0u && s->count >= s->limit) {
        s->stopped = true;
        return CPUSER_ERR_STOPPED;
    }
    return CPUSER_OK;
}

static int run_list(cpuser_client *c, bool json)
{
    static cpuser_page page; /* holds two cursors: static, not on the stack */
    list_state s;
    cpuser_err err;

    memset(&s, 0, sizeof s);
    s.json = json;
    s.limit = users_cmd.limit;
    s.progress = isatty(STDERR_FILENO) != 0;
    cpuser_page_init(&page, users_cmd.per_page);
    do {
        err = cpuser_users_list(c, &users_cmd.filter, &page, on_user, &s);
    } while (err == CPUSER_OK && !s.stopped && page.more);
    if (s.progress) {
        out_text(stderr, "\n");
    }
    if (s.output_error) {
        return output_failed();
    }
    if (s.stopped) {
        cpuser_client_close(c); /* the page was left half read */
        return 0;
    }
    return err != CPUSER_OK ? failed(c, err) : 0;
}

static int show_user(cpuser_client *c, cpuser_err err, const cpuser_user *u, bool json)
{
    if (err != CPUSER_OK) {
        return failed(c, err);
    }
    return user_print(u, json) ? 0 : output_failed();
}

/* The confirmation of a delete or an action. */
static int done(cpuser_client *c, cpuser_err err, bool json, const char *text, const char *text2)
{
    const cpuser_result *last = cpuser_client_last(c);
    if (err != CPUSER_OK) {
        return failed(c, err);
    }
    if (json) {
        cpuser_json_writer *w = json_line_begin();
        cpuser_json_object_begin(w);
        cpuser_json_key(w, "id");
        cpuser_json_string(w, users_cmd.id.ptr, users_cmd.id.len);
        cpuser_json_key(w, "action");
        cpuser_json_cstring(w, users_cmd.act->name);
        cpuser_json_key(w, "httpStatus");
        cpuser_json_int(w, last->status);
        cpuser_json_object_end(w);
        return json_line_end() ? 0 : output_failed();
    }
    out_text(stdout, "user ");
    out_view(stdout, users_cmd.id);
    out_text(stdout, ": ");
    out_text(stdout, text);
    if (text2 != NULL) {
        out_str(stdout, text2);
    }
    out_text(stdout, "\n");
    return ferror(stdout) == 0 ? 0 : output_failed();
}

/* The export document, streamed: cleaned, redacted, never buffered whole. */
typedef struct {
    bool json;
    char last;
    bool any;
} export_state;

static cpuser_err export_write(void *arg, char *data, size_t len, bool final, size_t *consumed)
{
    export_state *s = (export_state *)arg;
    unsigned flags = s->json ? OUT_JSON_LINE : OUT_KEEP_NEWLINES;
    *consumed = out_clean(stdout, data, len, flags, !final);
    if (*consumed != 0u) {
        s->last = data[*consumed - 1u];
        s->any = true;
    }
    return ferror(stdout) == 0 ? CPUSER_OK : CPUSER_ERR_IO;
}

static int run_export(cpuser_client *c, bool json)
{
    export_state s;
    cpuser_sink sink;
    cpuser_view url = {NULL, 0};
    cpuser_err err;

    memset(&s, 0, sizeof s);
    s.json = json;
    sink.write = export_write;
    sink.arg = &s;
    err = cpuser_users_export(c, users_cmd.id, &sink, &url);
    if (s.any && (s.last != '\n' || json)) {
        (void)fputc('\n', stdout);
    }
    if (err == CPUSER_ERR_HTTP_UNEXPECTED && url.len != 0u) {
        out_text(stderr, "cpuser: users export: the download URL is on another host and was not "
                         "fetched (the bearer token would go with it): ");
        out_view(stderr, url);
        out_text(stderr, "\n");
        return EXIT_RESPONSE;
    }
    if (err != CPUSER_OK) {
        return failed(c, err);
    }
    return ferror(stdout) == 0 ? 0 : output_failed();
}

int users_run(cpuser_client *c, bool json)
{
    static cpuser_user user; /* large: static, not on the stack */
    char amount[24];
    cpuser_err err;

    switch (users_cmd.act->id) {
    case ACT_LIST:
        return run_list(c, json);
    case ACT_GET:
        err = cpuser_users_read(c, users_cmd.id, &users_cmd.read, &user);
        return show_user(c, err, &user, json);
    case ACT_CREATE:
        err = cpuser_users_create(c, &users_cmd.fields, &user);
        return show_user(c, err, &user, json);
    case ACT_UPDATE:
        err = cpuser_users_update(c, users_cmd.id, &users_cmd.fields, &user);
        return show_user(c, err, &user, json);
    case ACT_DELETE:
        return done(c, cpuser_users_delete(c, users_cmd.id), json, "deleted", NULL);
    case ACT_SET_STATUS:
        err = cpuser_users_change_status(c, users_cmd.id, users_cmd.status, users_cmd.reason);
        return done(c, err, json, "status set to ", cpuser_user_status_name(users_cmd.status));
    case ACT_ADD_BALANCE:
        err = cpuser_users_add_balance(c, users_cmd.id, users_cmd.amount, users_cmd.reason, users_cmd.app_info);
        (void)num_format_amount(users_cmd.amount, amount);
        return done(c, err, json, "balance changed by ", amount);
    case ACT_APPLY_FEE:
        err = cpuser_users_apply_custom_fee(c, users_cmd.id, users_cmd.amount, users_cmd.description,
                                            users_cmd.payment_method);
        (void)num_format_amount(users_cmd.amount, amount);
        return done(c, err, json, "fee applied: ", amount);
    case ACT_ACTIVATE:
        err = cpuser_users_activate_subscription(c, users_cmd.id, users_cmd.plan, users_cmd.end_date,
                                                 users_cmd.auto_renew, users_cmd.reason);
        return done(c, err, json, "subscription activated", NULL);
    case ACT_CANCEL:
        return done(c, cpuser_users_cancel_subscription(c, users_cmd.id, users_cmd.reason), json,
                    "subscription cancelled", NULL);
    case ACT_CLEAR_DUE:
        return done(c, cpuser_users_clear_subscription_amount_due(c, users_cmd.id), json,
                    "subscription amount due cleared", NULL);
    case ACT_REDEEM:
        return done(c, cpuser_users_redeem_voucher(c, users_cmd.id, users_cmd.code), json,
                    "voucher redeemed", NULL);
    case ACT_EXPORT:
    default:
        return run_export(c, json);
    }
}
