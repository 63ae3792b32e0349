/*
 * The CLI's command line: one table of every option (global and per action),
 * parsed in one pass into a cli_args that only points into argv.
 *
 * Options may come anywhere after the program name: `--name VALUE`,
 * `--name=VALUE`, or a bare `--flag`. A word that does not start with '-',
 * a word that starts with '-' and a digit (a negative amount), a lone "-",
 * and every word after "--" are positional. Which options an action accepts
 * is checked later by the command (see commands_users.c).
 */
#ifndef CPUSER_LINUX_ARGS_H
#define CPUSER_LINUX_ARGS_H

#include <stdbool.h>
#include <stdint.h>

enum {
    /* global */
    OPT_URL = 0,
    OPT_TOKEN_FILE,
    OPT_CA,
    OPT_CERT,
    OPT_KEY,
    OPT_TIMEOUT,
    OPT_RETRIES,
    OPT_JSON,
    OPT_API_VERSION,
    OPT_HELP,
    OPT_MEMORY_REPORT,
    /* users list / get */
    OPT_EMAIL,
    OPT_EXTERNAL_ID,
    OPT_GROUP,
    OPT_PARTNER,
    OPT_UPDATED_AFTER,
    OPT_UPDATED_BEFORE,
    OPT_PER_PAGE,
    OPT_LIMIT,
    OPT_INCLUDE,
    OPT_WITH_AMOUNT_DUE,
    /* users create / update */
    OPT_PASSWORD_STDIN,
    OPT_FIRST_NAME,
    OPT_MIDDLE_NAME,
    OPT_LAST_NAME,
    OPT_PHONE,
    OPT_COUNTRY,
    OPT_STATE,
    OPT_CITY,
    OPT_POST_CODE,
    OPT_ADDRESS,
    OPT_VEHICLE_NO,
    OPT_PERSONAL_ID,
    OPT_LOCALE,
    OPT_SESSIONS_ALLOWED,
    OPT_REQUIRE_PASSWORD_RESET,
    OPT_NEWS,
    /* actions */
    OPT_REASON,
    OPT_APP_INFO,
    OPT_DESCRIPTION,
    OPT_PAYMENT_METHOD,
    OPT_PLAN,
    OPT_END_DATE,
    OPT_AUTO_RENEW,
    /* azure-apim */
    OPT_SUBSCRIPTION,
    OPT_RESOURCE_GROUP,
    OPT_SERVICE,
    OPT_IF_MATCH,
    OPT_DELETE_SUBSCRIPTIONS,
    OPT_NOTIFY,
    OPT_APP_TYPE,
    /* contasimples: OAuth2 client credentials */
    OPT_TOKEN_URL,
    OPT_CLIENT_ID,
    OPT_CLIENT_SECRET_FILE,
    OPT_SCOPE,
    /* user groups, id tags, payment methods, invoice details
       (resource_cli.c); OPT_BIT() is only used for ids below 64 (args.c
       asserts that the users, azure-apim and contasimples options are) */
    OPT_NAME,
    OPT_NO_PARTNER,
    OPT_NULL,
    OPT_UID,
    OPT_LABEL,
    OPT_EXPIRE_AT,
    OPT_STATUS,
    OPT_TYPE,
    OPT_VEHICLE_TYPE,
    OPT_USER,
    OPT_TOKENIZED_TYPE,
    OPT_BANK_TRANSFER_TYPE,
    OPT_DEFAULT,
    OPT_REQUIRE_INVOICE,
    OPT_INVOICE_TYPE,
    OPT_INDIVIDUAL_NAME,
    OPT_INDIVIDUAL_PERSONAL_ID,
    OPT_INDIVIDUAL_TAX_ID,
    OPT_COMPANY_NAME,
    OPT_COMPANY_REG_NO,
    OPT_COMPANY_TAX_ID,
    OPT_COMPANY_TAX_OFFICE,
    OPT_REGION,
    OPT__COUNT
};

/* The bit of an option id below 64 in the users commands' masks. */
#define OPT_BIT(id) ((uint64_t)1u << (id))

/* The options every command accepts. */
#define OPT_GLOBAL_MASK                                                                   \
    (OPT_BIT(OPT_URL) | OPT_BIT(OPT_TOKEN_FILE) | OPT_BIT(OPT_CA) | OPT_BIT(OPT_CERT) |   \
     OPT_BIT(OPT_KEY) | OPT_BIT(OPT_TIMEOUT) | OPT_BIT(OPT_RETRIES) | OPT_BIT(OPT_JSON) | \
     OPT_BIT(OPT_API_VERSION) | OPT_BIT(OPT_HELP) | OPT_BIT(OPT_MEMORY_REPORT))

#define CLI_MAX_POSITIONAL 8u
#define CLI_MAX_GROUPS 16u /* --group may repeat; CPUSER_MAX_LIST_INTS by default */

typedef struct {
    uint64_t given[2];                /* bit id % 64 of word id / 64: each option seen */
    const char *value[OPT__COUNT];    /* its value ("" for a flag) */
    const char *group[CLI_MAX_GROUPS];
    uint8_t group_count;
    const char *pos[CLI_MAX_POSITIONAL];
    uint8_t pos_count;
} cli_args;

/* Parse argv[1..argc). On a usage error prints one line to stderr and
 * returns false. */
bool args_parse(int argc, char **argv, cli_args *out);

/* True when option id was given. */
bool args_has(const cli_args *a, int id);

/* "--name" of option id. */
const char *args_name(int id);

#endif /* CPUSER_LINUX_ARGS_H */
