/* The command-line scanner: one table, one pass, pointers into argv. */
#include "args.h"

#include <stdio.h>
#include <string.h>

#include "output.h"

#define TAKES_VALUE 1u
#define REPEATS 2u

typedef struct {
    const char *name;
    uint8_t id;
    uint8_t flags;
} option;

static const option options[] = {
    {"--url", OPT_URL, TAKES_VALUE},
    {"--token-file", OPT_TOKEN_FILE, TAKES_VALUE},
    {"--ca", OPT_CA, TAKES_VALUE},
    {"--cert", OPT_CERT, TAKES_VALUE},
    {"--key", OPT_KEY, TAKES_VALUE},
    {"--timeout", OPT_TIMEOUT, TAKES_VALUE},
    {"--retries", OPT_RETRIES, TAKES_VALUE},
    {"--json", OPT_JSON, 0},
    {"--api-version", OPT_API_VERSION, TAKES_VALUE},
    {"--help", OPT_HELP, 0},
    {"-h", OPT_HELP, 0},
    {"--memory-report", OPT_MEMORY_REPORT, 0},
    {"--email", OPT_EMAIL, TAKES_VALUE},
    {"--external-id", OPT_EXTERNAL_ID, TAKES_VALUE},
    {"--group", OPT_GROUP, TAKES_VALUE | REPEATS},
    {"--partner", OPT_PARTNER, TAKES_VALUE},
    {"--updated-after", OPT_UPDATED_AFTER, TAKES_VALUE},
    {"--updated-before", OPT_UPDATED_BEFORE, TAKES_VALUE},
    {"--per-page", OPT_PER_PAGE, TAKES_VALUE},
    {"--limit", OPT_LIMIT, TAKES_VALUE},
    {"--include", OPT_INCLUDE, TAKES_VALUE},
    {"--with-amount-due", OPT_WITH_AMOUNT_DUE, 0},
    {"--password-stdin", OPT_PASSWORD_STDIN, 0},
    {"--first-name", OPT_FIRST_NAME, TAKES_VALUE},
    {"--middle-name", OPT_MIDDLE_NAME, TAKES_VALUE},
    {"--last-name", OPT_LAST_NAME, TAKES_VALUE},
    {"--phone", OPT_PHONE, TAKES_VALUE},
    {"--country", OPT_COUNTRY, TAKES_VALUE},
    {"--state", OPT_STATE, TAKES_VALUE},
    {"--city", OPT_CITY, TAKES_VALUE},
    {"--post-code", OPT_POST_CODE, TAKES_VALUE},
    {"--address", OPT_ADDRESS, TAKES_VALUE},
    {"--vehicle-no", OPT_VEHICLE_NO, TAKES_VALUE},
    {"--personal-id", OPT_PERSONAL_ID, TAKES_VALUE},
    {"--locale", OPT_LOCALE, TAKES_VALUE},
    {"--sessions-allowed", OPT_SESSIONS_ALLOWED, TAKES_VALUE},
    {"--require-password-reset", OPT_REQUIRE_PASSWORD_RESET, 0},
    {"--news", OPT_NEWS, 0},
    {"--reason", OPT_REASON, TAKES_VALUE},
    {"--app-info", OPT_APP_INFO, TAKES_VALUE},
    {"--description", OPT_DESCRIPTION, TAKES_VALUE},
    {"--payment-method", OPT_PAYMENT_METHOD, TAKES_VALUE},
    {"--plan", OPT_PLAN, TAKES_VALUE},
    {"--end-date", OPT_END_DATE, TAKES_VALUE},
    {"--auto-renew", OPT_AUTO_RENEW, 0},
    {"--subscription", OPT_SUBSCRIPTION, TAKES_VALUE},
    {"--resource-group", OPT_RESOURCE_GROUP, TAKES_VALUE},
    {"--service", OPT_SERVICE, TAKES_VALUE},
    {"--if-match", OPT_IF_MATCH, TAKES_VALUE},
    {"--delete-subscriptions", OPT_DELETE_SUBSCRIPTIONS, 0},
    {"--notify", OPT_NOTIFY, 0},
    {"--app-type", OPT_APP_TYPE, TAKES_VALUE},
    {"--token-url", OPT_TOKEN_URL, TAKES_VALUE},
    {"--client-id", OPT_CLIENT_ID, TAKES_VALUE},
    {"--client-secret-file", OPT_CLIENT_SECRET_FILE, TAKES_VALUE},
    {"--scope", OPT_SCOPE, TAKES_VALUE},
    {"--name", OPT_NAME, TAKES_VALUE},
    {"--no-partner", OPT_NO_PARTNER, TAKES_VALUE},
    {"--null", OPT_NULL, TAKES_VALUE},
    {"--uid", OPT_UID, TAKES_VALUE},
    {"--label", OPT_LABEL, TAKES_VALUE},
    {"--expire-at", OPT_EXPIRE_AT, TAKES_VALUE},
    {"--status", OPT_STATUS, TAKES_VALUE},
    {"--type", OPT_TYPE, TAKES_VALUE},
    {"--vehicle-type", OPT_VEHICLE_TYPE, TAKES_VALUE},
    {"--user", OPT_USER, TAKES_VALUE},
    {"--tokenized-type", OPT_TOKENIZED_TYPE, TAKES_VALUE},
    {"--bank-transfer-type", OPT_BANK_TRANSFER_TYPE, TAKES_VALUE},
    {"--default", OPT_DEFAULT, TAKES_VALUE},
    {"--require-invoice", OPT_REQUIRE_INVOICE, TAKES_VALUE},
    {"--invoice-type", OPT_INVOICE_TYPE, TAKES_VALUE},
    {"--individual-name", OPT_INDIVIDUAL_NAME, TAKES_VALUE},
    {"--individual-personal-id", OPT_INDIVIDUAL_PERSONAL_ID, TAKES_VALUE},
    {"--individual-tax-id", OPT_INDIVIDUAL_TAX_ID, TAKES_VALUE},
    {"--company-name", OPT_COMPANY_NAME, TAKES_VALUE},
    {"--company-reg-no", OPT_COMPANY_REG_NO, TAKES_VALUE},
    {"--company-tax-id", OPT_COMPANY_TAX_ID, TAKES_VALUE},
    {"--company-tax-office", OPT_COMPANY_TAX_OFFICE, TAKES_VALUE},
    {"--region", OPT_REGION, TAKES_VALUE},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])

/* Every option has a bit in cli_args.given (two uint64_t words); the
 * options that OPT_BIT() masks name (users, azure-apim, contasimples)
 * come before id 64. */
typedef char option_ids_fit_the_mask[OPT__COUNT <= 128 ? 1 : -1];
typedef char masked_options_below_64[OPT_SCOPE < 64 ? 1 : -1];

const char *args_name(int id)
{
    size_t i;
    for (i = 0; i < OPTION_COUNT; i++) {
        if (options[i].id == id && options[i].name[1] == '-') {
            return options[i].name;
        }
    }
    return "?";
}

bool args_has(const cli_args *a, int id)
{
    return id >= 0 && id < OPT__COUNT && ((a->given[id / 64] >> (id % 64)) & 1u) != 0u;
}

static void complain(const char *what, const char *word, size_t word_len)
{
    out_text(stderr, "cpuser: ");
    out_text(stderr, what);
    if (word != NULL) {
        out_text(stderr, ": ");
        (void)out_clean(stderr, word, word_len, 0u, false);
    }
    out_text(stderr, " (see cpuser --help)\n");
}

/* The option named by word[0..n), or NULL. */
static const option *find(const char *word, size_t n)
{
    size_t i;
    for (i = 0; i < OPTION_COUNT; i++) {
        if (strlen(options[i].name) == n && memcmp(options[i].name, word, n) == 0) {
            return &options[i];
        }
    }
    return NULL;
}

static bool is_positional(const char *w)
{
    return w[0] != '-' || w[1] == '\0' || (w[1] >= '0' && w[1] <= '9') || w[1] == '.';
}

static bool add_positional(cli_args *out, const char *w)
{
    if (out->pos_count == CLI_MAX_POSITIONAL) {
        complain("too many arguments", w, strlen(w));
        return false;
    }
    out->pos[out->pos_count++] = w;
    return true;
}

/* One option word at argv[*i]; may take the next word as its value. */
static bool take_option(int argc, char **argv, int *i, cli_args *out)
{
    const char *w = argv[*i];
    const char *eq = strchr(w, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - w) : strlen(w);
    const option *o = find(w, name_len);
    const char *value = "";

    if (o == NULL) {
        complain("unknown option", w, name_len);
        return false;
    }
    if ((o->flags & TAKES_VALUE) != 0u) {
        if (eq != NULL) {
            value = eq + 1;
        } else if (*i + 1 < argc) {
            value = argv[++*i];
        } else {
            complain("missing value for", o->name, strlen(o->name));
            return false;
        }
    } else if (eq != NULL) {
        complain("takes no value", o->name, strlen(o->name));
        return false;
    }
    if ((o->flags & REPEATS) != 0u) {
        if (out->group_count == CLI_MAX_GROUPS) {
            complain("given too many times", o->name, strlen(o->name));
            return false;
        }
        out->group[out->group_count++] = value;
    } else if (args_has(out, o->id)) {
        complain("given twice", o->name, strlen(o->name));
        return false;
    }
    out->given[o->id / 64u] |= (uint64_t)1u << (o->id % 64u);
    out->value[o->id] = value;
    return true;
}

bool args_parse(int argc, char **argv, cli_args *out)
{
    int i;
    bool options_done = false;
    memset(out, 0, sizeof *out);
    for (i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (options_done || is_positional(w)) {
            if (!add_positional(out, w)) {
                return false;
            }
        } else if (strcmp(w, "--") == 0) {
            options_done = true;
        } else if (!take_option(argc, argv, &i, out)) {
            return false;
        }
    }
    return true;
}
