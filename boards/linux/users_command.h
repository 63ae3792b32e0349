/*
 * The prepared users command: what users_prepare() (users_prepare.c) checks
 * and fills in from the command line, and users_run() (commands_users.c)
 * sends. Internal to the users commands.
 */
#ifndef CPUSER_LINUX_USERS_COMMAND_H
#define CPUSER_LINUX_USERS_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/ampeco_users.h"

enum {
    ACT_LIST,
    ACT_GET,
    ACT_CREATE,
    ACT_UPDATE,
    ACT_DELETE,
    ACT_SET_STATUS,
    ACT_ADD_BALANCE,
    ACT_APPLY_FEE,
    ACT_ACTIVATE,
    ACT_CANCEL,
    ACT_CLEAR_DUE,
    ACT_REDEEM,
    ACT_EXPORT
};

typedef struct {
    const char *name;
    uint8_t id;
    uint8_t positionals; /* after RESOURCE ACTION */
    uint64_t options;
    bool fields;         /* takes the user field flags and --password-stdin */
} action;

typedef struct {
    const action *act;
    cpuser_view id;
    cpuser_user_fields fields;
    bool password;
    cpuser_user_filter filter;
    cpuser_user_read_opts read;
    uint8_t per_page;
    uint32_t limit;
    int64_t amount;
    uint8_t status;
    int64_t plan;
    int auto_renew;
    cpuser_view reason, app_info, description, payment_method, end_date, code;
    char what[48]; /* "users ACTION" for error lines */
} users_command;

/* The one prepared command of this process. */
extern users_command users_cmd;

#endif /* CPUSER_LINUX_USERS_COMMAND_H */
