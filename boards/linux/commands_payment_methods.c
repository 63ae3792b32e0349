/* `cpuser payment-methods USER ...`: a user's payment methods on
 * resource_cli.c's machinery, with the two-step create as create + finish. */
#include <stddef.h>
#include <string.h>

#include "cpuser/ampeco_payment_methods.h"
#include "files.h"
#include "resource_cli.h"
#include "usage.h"

enum { LIST, GET, CREATE, FINISH, UPDATE, DELETE };

static const uint8_t list_opts[] = {OPT_PER_PAGE, OPT_LIMIT, OPT__COUNT};

static const res_action actions[] = {
    {"list", LIST, 0, 0, false, list_opts},
    {"get", GET, 1, 0, false, NULL},
    {"create", CREATE, 0,
     CPUSER_BIT(CPUSER_PM_TOKENIZED_TYPE) | CPUSER_BIT(CPUSER_PM_BANK_TRANSFER_TYPE), true, NULL},
    {"finish", FINISH, 1, 0, false, NULL},
    {"update", UPDATE, 1, CPUSER_BIT(CPUSER_PM_DEFAULT), false, NULL},
    {"delete", DELETE, 1, 0, false, NULL},
};

static uint8_t parse_tokenized(const char *s)
{
    return cpuser_payment_method_enum_parse(CPUSER_PM_TOKENIZED_TYPE, s);
}

static uint8_t parse_bank(const char *s)
{
    return cpuser_payment_method_enum_parse(CPUSER_PM_BANK_TRANSFER_TYPE, s);
}

#define PF cpuser_payment_method_fields
static const res_flag flags[] = {
    {OPT_TOKENIZED_TYPE, CPUSER_PM_TOKENIZED_TYPE, RF_ENUM, offsetof(PF, tokenized_type), "tokenizedType",
     parse_tokenized, " is card or bank_transfer"},
    {OPT_BANK_TRANSFER_TYPE, CPUSER_PM_BANK_TRANSFER_TYPE, RF_ENUM, offsetof(PF, bank_transfer_type),
     "bankTransferType", parse_bank, " is sepa, and only with --tokenized-type bank_transfer"},
    {OPT_DEFAULT, CPUSER_PM_DEFAULT, RF_BOOL, offsetof(PF, is_default), "default", NULL, NULL},
};

static cpuser_payment_method_fields fields;
static char step1[4096]; /* finish: step 1's answer, from the argument or stdin */
static size_t step1_len;

#define FINISH_NEEDS "payment-methods finish takes step 1's answer: a JSON object, or - to read it from stdin"

static cpuser_err check(const void *f, bool creating, int *bad)
{
    return cpuser_payment_method_fields_check((const cpuser_payment_method_fields *)f, creating, bad);
}

static int prepare(const cli_args *a)
{
    (void)a;
    if (res_cmd.act->id != FINISH) {
        return 0;
    }
    if (cpuser_view_eq(res_cmd.id, "-")) {
        long n = file_read("/dev/stdin", (unsigned char *)step1, sizeof step1);
        if (n <= 0) {
            return usage_error(FINISH_NEEDS, NULL);
        }
        step1_len = (size_t)n;
    } else {
        step1_len = res_cmd.id.len < sizeof step1 ? res_cmd.id.len : 0u;
        memcpy(step1, res_cmd.id.ptr, step1_len);
    }
    while (step1_len != 0u && (step1[step1_len - 1u] == '\n' || step1[step1_len - 1u] == '\r')) {
        step1_len--;
    }
    if (step1_len == 0u || !cpuser_json_valid(step1, step1_len) || step1[0] != '{') {
        return usage_error(FINISH_NEEDS, NULL);
    }
    return 0;
}

static void write(cpuser_json_writer *w, const void *obj)
{
    cpuser_payment_method_write_json(w, (const cpuser_payment_method *)obj);
}

static const char *const cols[] = {"id", "type", "name", "default", NULL};

static cpuser_err on_pm(void *arg, const cpuser_payment_method *pm)
{
    return res_list_item((res_list *)arg, pm);
}

static int show(cpuser_client *c, cpuser_err err, const cpuser_payment_method *pm, bool json)
{
    return err != CPUSER_OK ? res_failed(c, err) : res_print(write, pm, json);
}

static int run(cpuser_client *c, bool json)
{
    static cpuser_payment_method pm;
    static cpuser_payment_method_setup setup;
    static cpuser_page page;
    res_list l;
    cpuser_err err;
    cpuser_view answer;
    switch (res_cmd.act->id) {
    case LIST:
        res_list_init(&l, json, write, cols);
        cpuser_page_init(&page, res_cmd.per_page);
        do {
            err = cpuser_payment_methods_list(c, res_cmd.user, &page, on_pm, &l);
        } while (err == CPUSER_OK && page.more);
        return res_list_end(c, &l, err);
    case GET:
        return show(c, cpuser_payment_methods_read(c, res_cmd.user, res_cmd.id, &pm), &pm, json);
    case CREATE:
        err = cpuser_payment_methods_create(c, res_cmd.user, &fields, &setup);
        /* the answer as it came: what finish takes back */
        return err != CPUSER_OK ? res_failed(c, err) : res_print_text(setup.raw.ptr, setup.raw.len, json);
    case FINISH:
        answer.ptr = step1;
        answer.len = step1_len;
        return show(c, cpuser_payment_methods_finish(c, res_cmd.user, answer, &pm), &pm, json);
    case UPDATE:
        return show(c, cpuser_payment_methods_update(c, res_cmd.user, res_cmd.id, &fields, &pm), &pm, json);
    default:
        err = cpuser_payment_methods_delete(c, res_cmd.user, res_cmd.id);
        return err != CPUSER_OK ? res_failed(c, err) : res_done(c, json, "deleted");
    }
}

const res_def payment_methods_def = {
    "payment-methods", "payment method", true, actions, sizeof actions / sizeof actions[0],
    flags, sizeof flags / sizeof flags[0], &fields, sizeof fields, check, prepare, run,
};
