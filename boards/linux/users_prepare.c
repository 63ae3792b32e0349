/* The users actions: their arguments, checked before anything is read or
 * sent, into the prepared command (users_command.h). */
#include <stdio.h>
#include <string.h>

#include "commands_users.h"
#include "numbers.h"
#include "output.h"
#include "usage.h"
#include "user_fields.h"
#include "users_command.h"

users_command users_cmd;

#define B(o) OPT_BIT(o)
#define LIST_OPTS                                                                             \
    (B(OPT_EMAIL) | B(OPT_EXTERNAL_ID) | B(OPT_GROUP) | B(OPT_PARTNER) | B(OPT_UPDATED_AFTER) | \
     B(OPT_UPDATED_BEFORE) | B(OPT_PER_PAGE) | B(OPT_LIMIT) | B(OPT_INCLUDE))

static const action actions[] = {
    {"list", ACT_LIST, 0, LIST_OPTS, false},
    {"get", ACT_GET, 1, B(OPT_WITH_AMOUNT_DUE) | B(OPT_INCLUDE), false},
    {"create", ACT_CREATE, 0, 0, true},
    {"update", ACT_UPDATE, 1, 0, true},
    {"delete", ACT_DELETE, 1, 0, false},
    {"set-status", ACT_SET_STATUS, 2, B(OPT_REASON), false},
    {"add-balance", ACT_ADD_BALANCE, 2, B(OPT_REASON) | B(OPT_APP_INFO), false},
    {"apply-fee", ACT_APPLY_FEE, 2, B(OPT_DESCRIPTION) | B(OPT_PAYMENT_METHOD), false},
    {"activate-subscription", ACT_ACTIVATE, 1,
     B(OPT_PLAN) | B(OPT_END_DATE) | B(OPT_AUTO_RENEW) | B(OPT_REASON), false},
    {"cancel-subscription", ACT_CANCEL, 1, B(OPT_REASON), false},
    {"clear-amount-due", ACT_CLEAR_DUE, 1, 0, false},
    {"redeem-voucher", ACT_REDEEM, 2, 0, false},
    {"export", ACT_EXPORT, 1, 0, false},
};

static cpuser_view opt_view(const cli_args *a, int id)
{
    return args_has(a, id) ? cpuser_view_of(a->value[id]) : cpuser_view_of(NULL);
}

/* A required option: given, and with a value unless it is a flag. */
static int need(const cli_args *a, int id, bool flag)
{
    if (args_has(a, id) && (flag || a->value[id][0] != '\0')) {
        return 0;
    }
    out_text(stderr, "cpuser: ");
    out_text(stderr, users_cmd.what);
    out_text(stderr, " needs ");
    out_text(stderr, args_name(id));
    out_text(stderr, " (see cpuser --help)\n");
    return 2;
}

/* --include partnerInvites,externalAppData */
static int parse_include(const char *list, bool *partner_invites, bool *app_data)
{
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        if (n == strlen("partnerInvites") && memcmp(p, "partnerInvites", n) == 0) {
            *partner_invites = true;
        } else if (n == strlen("externalAppData") && memcmp(p, "externalAppData", n) == 0) {
            *app_data = true;
        } else {
            return usage_error("--include takes a comma list of partnerInvites,externalAppData", list);
        }
        if (p[n] == '\0') {
            return 0;
        }
        p += n + 1u;
    }
}

static int prepare_list(const cli_args *a)
{
    int64_t v;
    if (a->group_count > 1u) {
        return usage_error("users list takes one --group", NULL);
    }
    users_cmd.filter.email = opt_view(a, OPT_EMAIL);
    users_cmd.filter.external_id = opt_view(a, OPT_EXTERNAL_ID);
    users_cmd.filter.user_group_id = cpuser_view_of(a->group_count != 0u ? a->group[0] : NULL);
    users_cmd.filter.partner_id = opt_view(a, OPT_PARTNER);
    users_cmd.filter.last_updated_after = opt_view(a, OPT_UPDATED_AFTER);
    users_cmd.filter.last_updated_before = opt_view(a, OPT_UPDATED_BEFORE);
    if (args_has(a, OPT_PER_PAGE)) {
        if (!num_parse_int(a->value[OPT_PER_PAGE], 1, 100, &v)) {
            return usage_error("--per-page is 1..100", a->value[OPT_PER_PAGE]);
        }
        users_cmd.per_page = (uint8_t)v;
    }
    if (args_has(a, OPT_LIMIT)) {
        if (!num_parse_int(a->value[OPT_LIMIT], 1, UINT32_MAX, &v)) {
            return usage_error("--limit is a positive number", a->value[OPT_LIMIT]);
        }
        users_cmd.limit = (uint32_t)v;
        if (!args_has(a, OPT_PER_PAGE) && users_cmd.limit < 100u) {
            users_cmd.per_page = (uint8_t)users_cmd.limit; /* fetch no more than asked for */
        }
    }
    if (args_has(a, OPT_INCLUDE)) {
        return parse_include(a->value[OPT_INCLUDE], &users_cmd.filter.partner_invites,
                             &users_cmd.filter.external_app_data);
    }
    return 0;
}

static int prepare_fields(const cli_args *a, bool creating)
{
    int rc;
    if (creating && (rc = need(a, OPT_EMAIL, false)) != 0) {
        return rc;
    }
    if (creating && (rc = need(a, OPT_PASSWORD_STDIN, true)) != 0) {
        return rc;
    }
    rc = user_fields_from_args(a, creating, &users_cmd.fields);
    if (rc != 0) {
        return rc;
    }
    users_cmd.password = args_has(a, OPT_PASSWORD_STDIN);
    if (!creating && users_cmd.fields.set == 0u && !users_cmd.password) {
        return usage_error("users update: nothing to change", NULL);
    }
    /* everything but the password is checked now, before stdin is read */
    return user_fields_check(&users_cmd.fields, creating, true);
}

static int prepare_amount(const cli_args *a)
{
    if (!num_parse_amount(a->pos[3], &users_cmd.amount)) {
        return usage_error("AMOUNT is a decimal number with up to 3 decimals", a->pos[3]);
    }
    return 0;
}

static bool date_shape(const char *d)
{
    size_t i;
    if (strlen(d) != 10u || d[4] != '-' || d[7] != '-') {
        return false;
    }
    for (i = 0; i < 10u; i++) {
        if (i != 4u && i != 7u && (d[i] < '0' || d[i] > '9')) {
            return false;
        }
    }
    return true;
}

static int prepare_action(const cli_args *a)
{
    int rc = 0;
    users_cmd.reason = opt_view(a, OPT_REASON);
    switch (users_cmd.act->id) {
    case ACT_SET_STATUS:
        users_cmd.status = cpuser_user_status_parse(a->pos[3]);
        if (users_cmd.status == CPUSER_USER_STATUS_UNKNOWN) {
            return usage_error("the status is enabled or disabled", a->pos[3]);
        }
        return need(a, OPT_REASON, false);
    case ACT_ADD_BALANCE:
        users_cmd.app_info = opt_view(a, OPT_APP_INFO);
        if (users_cmd.app_info.len > 2000u) {
            return usage_error("--app-info is at most 2000 bytes", NULL);
        }
        return (rc = prepare_amount(a)) != 0 ? rc : need(a, OPT_REASON, false);
    case ACT_APPLY_FEE:
        users_cmd.description = opt_view(a, OPT_DESCRIPTION);
        users_cmd.payment_method = opt_view(a, OPT_PAYMENT_METHOD);
        return (rc = prepare_amount(a)) != 0 ? rc : need(a, OPT_DESCRIPTION, false);
    case ACT_ACTIVATE:
        if ((rc = need(a, OPT_PLAN, false)) != 0) {
            return rc;
        }
        if (!num_parse_int(a->value[OPT_PLAN], 1, INT64_MAX, &users_cmd.plan)) {
            return usage_error("--plan is a positive integer id", a->value[OPT_PLAN]);
        }
        users_cmd.end_date = opt_view(a, OPT_END_DATE);
        if (args_has(a, OPT_END_DATE) && !date_shape(a->value[OPT_END_DATE])) {
            return usage_error("--end-date is YYYY-MM-DD", a->value[OPT_END_DATE]);
        }
        users_cmd.auto_renew = args_has(a, OPT_AUTO_RENEW) ? 1 : -1;
        return 0;
    case ACT_CANCEL:
        return need(a, OPT_REASON, false);
    case ACT_REDEEM:
        users_cmd.code = cpuser_view_of(a->pos[3]);
        return users_cmd.code.len == 0u ? usage_error("the voucher CODE is empty", NULL) : 0;
    default:
        return 0;
    }
}

int users_prepare(const cli_args *a)
{
    size_t i;
    uint64_t allowed;
    int id;

    memset(&users_cmd, 0, sizeof users_cmd);
    if (a->pos_count < 2u) {
        return usage_error("users needs an ACTION", NULL);
    }
    for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (strcmp(actions[i].name, a->pos[1]) == 0) {
            users_cmd.act = &actions[i];
        }
    }
    if (users_cmd.act == NULL) {
        return usage_error("unknown users action", a->pos[1]);
    }
    (void)snprintf(users_cmd.what, sizeof users_cmd.what, "users %s", users_cmd.act->name);
    if ((size_t)a->pos_count != 2u + users_cmd.act->positionals) {
        return usage_error(a->pos_count < 2u + users_cmd.act->positionals ? "missing arguments for"
                                                              : "too many arguments for",
                     users_cmd.what);
    }
    allowed = OPT_GLOBAL_MASK | users_cmd.act->options;
    if (users_cmd.act->fields) {
        allowed |= user_fields_options() | OPT_BIT(OPT_PASSWORD_STDIN);
    }
    for (id = 0; id < OPT__COUNT; id++) {
        if (args_has(a, id) && (id >= 64 || (allowed & OPT_BIT(id)) == 0u)) {
            out_text(stderr, "cpuser: ");
            out_text(stderr, users_cmd.what);
            out_text(stderr, " does not take ");
            out_text(stderr, args_name(id));
            out_text(stderr, " (see cpuser --help)\n");
            return 2;
        }
    }
    if (users_cmd.act->positionals != 0u) {
        users_cmd.id = cpuser_view_of(a->pos[2]);
        if (users_cmd.id.len == 0u) {
            return usage_error("the user ID is empty", NULL);
        }
        if (strcmp(a->pos[2], ".") == 0 || strcmp(a->pos[2], "..") == 0) {
            return usage_error("the user ID cannot be . or ..", NULL);
        }
    }
    switch (users_cmd.act->id) {
    case ACT_LIST:
        return prepare_list(a);
    case ACT_GET:
        users_cmd.read.with_amount_due = args_has(a, OPT_WITH_AMOUNT_DUE);
        return args_has(a, OPT_INCLUDE)
                   ? parse_include(a->value[OPT_INCLUDE], &users_cmd.read.partner_invites,
                                   &users_cmd.read.external_app_data)
                   : 0;
    case ACT_CREATE:
        return prepare_fields(a, true);
    case ACT_UPDATE:
        return prepare_fields(a, false);
    default:
        return prepare_action(a);
    }
}

bool users_wants_password(void)
{
    return users_cmd.password;
}

int users_set_password(const char *pw, size_t len)
{
    bool creating = users_cmd.act->id == ACT_CREATE;
    user_fields_password(&users_cmd.fields, pw, len);
    return user_fields_check(&users_cmd.fields, creating, false);
}
