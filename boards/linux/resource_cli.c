/* The CLI machinery shared by the resources after users (resource_cli.h). */
#include "resource_cli.h"

#include <string.h>

#include "cpuser/json_reader.h"
#include "errors.h"
#include "numbers.h"
#include "output.h"
#include "usage.h"

res_command res_cmd;

static const res_def *const defs[] = {&groups_def, &id_tags_def, &payment_methods_def,
                                      &invoice_details_def};
#define DEF_COUNT (sizeof defs / sizeof defs[0])

static const res_def *def_named(const char *name)
{
    size_t i;
    for (i = 0; i < DEF_COUNT; i++) {
        if (strcmp(defs[i]->name, name) == 0) {
            return defs[i];
        }
    }
    return NULL;
}

bool res_known(const char *name)
{
    return def_named(name) != NULL;
}

/* ---- messages -------------------------------------------------------------- */

static int say(const char *a, const char *b, const char *c)
{
    out_text(stderr, "cpuser: ");
    out_text(stderr, a);
    out_text(stderr, b);
    if (c != NULL) {
        out_str(stderr, c);
    }
    out_text(stderr, " (see cpuser --help)\n");
    return 2;
}

int res_need(const cli_args *a, int opt)
{
    if (args_has(a, opt) && a->value[opt][0] != '\0') {
        return 0;
    }
    return say(res_cmd.what, " needs ", args_name(opt));
}

int res_enum_option(const cli_args *a, int opt, uint8_t (*parse)(const char *), const char *names,
                    uint8_t *out)
{
    *out = 0;
    if (!args_has(a, opt)) {
        return 0;
    }
    *out = parse(a->value[opt]);
    if (*out != 0u) {
        return 0;
    }
    out_text(stderr, "cpuser: ");
    out_text(stderr, args_name(opt));
    out_text(stderr, " is one of ");
    out_text(stderr, names);
    out_text(stderr, ": ");
    out_str(stderr, a->value[opt]);
    out_text(stderr, "\n");
    return 2;
}

cpuser_view res_view(const cli_args *a, int opt)
{
    return cpuser_view_of(args_has(a, opt) ? a->value[opt] : NULL);
}

int res_failed(cpuser_client *c, cpuser_err err)
{
    err_report(res_cmd.what, err, cpuser_client_last(c));
    return err_exit_code(err, cpuser_client_last(c)->sent);
}

/* ---- preparing ----------------------------------------------------------------- */

static bool in_list(const uint8_t *list, int opt)
{
    for (; list != NULL && *list != OPT__COUNT; list++) {
        if (*list == opt) {
            return true;
        }
    }
    return false;
}

static bool flag_allowed(const res_flag *f)
{
    return ((res_cmd.act->fields >> f->field) & 1u) != 0u;
}

static bool option_allowed(int opt)
{
    size_t i;
    if ((opt < 64 && (OPT_GLOBAL_MASK & OPT_BIT(opt)) != 0u) || in_list(res_cmd.act->options, opt)) {
        return true;
    }
    if (res_cmd.act->fields == 0u) {
        return false;
    }
    if (opt == OPT_NULL) {
        return true;
    }
    for (i = 0; i < res_cmd.def->flag_count; i++) {
        if (res_cmd.def->flags[i].opt == opt && flag_allowed(&res_cmd.def->flags[i])) {
            return true;
        }
    }
    return false;
}

static uint64_t *mask(int which)
{
    return (uint64_t *)res_cmd.def->fields + which; /* set, then null */
}

/* One flag's value into its member. */
static int take_flag(const res_flag *f, const char *v)
{
    char *m = (char *)res_cmd.def->fields + f->offset;
    int64_t n;
    uint8_t e;
    bool b;
    switch (f->kind) {
    case RF_INT:
        if (!num_parse_int(v, 0, INT64_MAX, &n)) {
            return say(args_name(f->opt), " is a whole number: ", v);
        }
        memcpy(m, &n, sizeof n);
        break;
    case RF_ENUM:
        e = f->parse(v);
        if (e == 0u) {
            return say(args_name(f->opt), f->why, NULL);
        }
        memcpy(m, &e, sizeof e);
        break;
    case RF_BOOL:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
            return say(args_name(f->opt), " is true or false: ", v);
        }
        b = v[0] == 't';
        memcpy(m, &b, sizeof b);
        break;
    default: {
        cpuser_view s = cpuser_view_of(v);
        memcpy(m, &s, sizeof s);
        break;
    }
    }
    *mask(0) |= (uint64_t)1u << f->field;
    return 0;
}

/* --null a,b: the API names of fields to send as null. */
static int take_nulls(const char *list)
{
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        size_t i;
        bool found = false;
        for (i = 0; i < res_cmd.def->flag_count; i++) {
            const res_flag *f = &res_cmd.def->flags[i];
            if (flag_allowed(f) && strlen(f->api) == n && memcmp(f->api, p, n) == 0) {
                *mask(0) |= (uint64_t)1u << f->field;
                *mask(1) |= (uint64_t)1u << f->field;
                found = true;
            }
        }
        if (!found) {
            return say("--null takes a comma list of the API names of this action's fields", ": ", list);
        }
        if (p[n] == '\0') {
            return 0;
        }
        p += n + 1u;
    }
}

/* The library's check; a refusal names the flag. */
static int check_fields(void)
{
    int bad = -1;
    size_t i;
    if (res_cmd.def->check(res_cmd.def->fields, res_cmd.act->creating, &bad) == CPUSER_OK) {
        return 0;
    }
    for (i = 0; i < res_cmd.def->flag_count; i++) {
        const res_flag *f = &res_cmd.def->flags[i];
        if (f->field != bad) {
            continue;
        }
        if (((*mask(1) >> bad) & 1u) != 0u) {
            return say("--null ", f->api, ": this field cannot be null here");
        }
        if (((*mask(0) >> bad) & 1u) == 0u) {
            return say(res_cmd.what, " needs ", args_name(f->opt));
        }
        return say(args_name(f->opt), f->why != NULL ? f->why : ": refused", NULL);
    }
    return say(res_cmd.what, ": the fields were refused", NULL);
}

static int id_word(const char *w, const char *what, cpuser_view *out)
{
    if (w[0] == '\0' || strcmp(w, ".") == 0 || strcmp(w, "..") == 0) {
        return say("the ", what, " is empty, . or ..");
    }
    *out = cpuser_view_of(w);
    return 0;
}

static int list_options(const cli_args *a)
{
    int64_t v;
    if (args_has(a, OPT_PER_PAGE)) {
        if (!num_parse_int(a->value[OPT_PER_PAGE], 1, 100, &v)) {
            return say("--per-page is 1..100", ": ", a->value[OPT_PER_PAGE]);
        }
        res_cmd.per_page = (uint8_t)v;
    }
    if (args_has(a, OPT_LIMIT)) {
        if (!num_parse_int(a->value[OPT_LIMIT], 1, UINT32_MAX, &v)) {
            return say("--limit is a positive number", ": ", a->value[OPT_LIMIT]);
        }
        res_cmd.limit = (uint32_t)v;
        if (!args_has(a, OPT_PER_PAGE) && res_cmd.limit < 100u) {
            res_cmd.per_page = (uint8_t)res_cmd.limit;
        }
    }
    return 0;
}

int res_prepare(const cli_args *a)
{
    const res_def *d = def_named(a->pos[0]);
    size_t base;
    size_t i;
    int id;
    int rc;

    memset(&res_cmd, 0, sizeof res_cmd);
    if (d == NULL) {
        return say("unknown resource", ": ", a->pos[0]);
    }
    res_cmd.def = d;
    base = d->per_user ? 2u : 1u;
    if (a->pos_count < base + 1u) {
        return say(d->name, d->per_user ? " needs a USER and an ACTION" : " needs an ACTION", NULL);
    }
    if (d->per_user && (rc = id_word(a->pos[1], "USER id", &res_cmd.user)) != 0) {
        return rc;
    }
    for (i = 0; i < d->action_count; i++) {
        if (strcmp(d->actions[i].name, a->pos[base]) == 0) {
            res_cmd.act = &d->actions[i];
        }
    }
    if (res_cmd.act == NULL) {
        return say(d->name, ": unknown action: ", a->pos[base]);
    }
    (void)snprintf(res_cmd.what, sizeof res_cmd.what, "%s %s", d->name, res_cmd.act->name);
    if ((size_t)a->pos_count != base + 1u + res_cmd.act->positionals) {
        return say((size_t)a->pos_count < base + 1u + res_cmd.act->positionals ? "missing arguments for "
                                                                                : "too many arguments for ",
                   res_cmd.what, NULL);
    }
    if (res_cmd.act->positionals != 0u &&
        (rc = id_word(a->pos[base + 1u], "id", &res_cmd.id)) != 0) {
        return rc;
    }
    for (id = 0; id < OPT__COUNT; id++) {
        if (args_has(a, id) && !option_allowed(id)) {
            return say(res_cmd.what, " does not take ", args_name(id));
        }
    }
    if ((rc = list_options(a)) != 0) {
        return rc;
    }
    if (res_cmd.act->fields != 0u) {
        memset(d->fields, 0, d->fields_size);
        for (i = 0; i < d->flag_count; i++) {
            const res_flag *f = &d->flags[i];
            if (flag_allowed(f) && args_has(a, f->opt) && (rc = take_flag(f, a->value[f->opt])) != 0) {
                return rc;
            }
        }
        if (args_has(a, OPT_NULL) && (rc = take_nulls(a->value[OPT_NULL])) != 0) {
            return rc;
        }
        if (!res_cmd.act->creating && *mask(0) == 0u) {
            return say(res_cmd.what, ": nothing to change", NULL);
        }
        if ((rc = check_fields()) != 0) {
            return rc;
        }
    }
    return d->prepare != NULL ? d->prepare(a) : 0;
}

int res_run(cpuser_client *c, bool json)
{
    return res_cmd.def->run(c, json);
}

/* ---- printing ------------------------------------------------------------------ */

#define LABEL_WIDTH 26u

static char text[8192];
static cpuser_json doc;

/* obj through its writer into text[]; its length, or 0 when it failed. */
static size_t render(res_writer write, const void *obj)
{
    cpuser_json_writer w;
    size_t len = 0;
    cpuser_json_writer_init(&w, text, sizeof text);
    write(&w, obj);
    if (cpuser_json_writer_finish(&w, &len) != CPUSER_OK) {
        out_text(stderr, "cpuser: cannot write the output\n");
        return 0;
    }
    return len;
}

/* The value at token i as text: strings unescaped, others as written. */
static void value(int i)
{
    cpuser_view v;
    if (cpuser_json_type(&doc, i) == JSMN_STRING && cpuser_json_get_string(&doc, i, &v) == CPUSER_OK) {
        out_view(stdout, v);
        return;
    }
    (void)out_clean(stdout, doc.text + doc.tok[i].start, (size_t)(doc.tok[i].end - doc.tok[i].start),
                    OUT_JSON_LINE, false);
}

static int block(char *json, size_t len)
{
    int n;
    int k;
    if (cpuser_json_parse(&doc, json, len) != CPUSER_OK || cpuser_json_type(&doc, 0) != JSMN_OBJECT) {
        out_text(stderr, "cpuser: the answer is not a JSON object\n");
        return EXIT_RESPONSE;
    }
    for (n = 0; (k = cpuser_json_member(&doc, 0, n)) >= 0; n++) {
        cpuser_view key = cpuser_json_key_view(&doc, k);
        size_t w;
        if (cpuser_json_is_null(&doc, k + 1)) {
            continue;
        }
        out_view(stdout, key);
        (void)fputc(':', stdout);
        for (w = key.len + 1u; w < LABEL_WIDTH || w == key.len + 1u; w++) {
            (void)fputc(' ', stdout);
        }
        value(k + 1);
        (void)fputc('\n', stdout);
    }
    return ferror(stdout) == 0 ? 0 : 1;
}

static bool json_line(const char *json, size_t len)
{
    (void)out_clean(stdout, json, len, OUT_JSON_LINE, false);
    (void)fputc('\n', stdout);
    return ferror(stdout) == 0;
}

int res_print(res_writer write, const void *obj, bool json)
{
    size_t len = render(write, obj);
    if (len == 0u) {
        return 1;
    }
    if (json) {
        return json_line(text, len) ? 0 : 1;
    }
    return block(text, len);
}

int res_print_text(const char *json, size_t len, bool json_out)
{
    if (json_out) {
        return json_line(json, len) ? 0 : 1;
    }
    if (len > sizeof text) {
        out_text(stderr, "cpuser: the answer is too long to print\n");
        return EXIT_RESPONSE;
    }
    memcpy(text, json, len);
    return block(text, len);
}

bool res_print_line(res_writer write, const void *obj, bool json, const char *const *cols)
{
    size_t len = render(write, obj);
    size_t i;
    if (len == 0u) {
        return false;
    }
    if (json) {
        return json_line(text, len);
    }
    if (cpuser_json_parse(&doc, text, len) != CPUSER_OK) {
        return false;
    }
    for (i = 0; cols[i] != NULL; i++) {
        int v = cpuser_json_find(&doc, 0, cols[i]);
        if (i != 0u) {
            (void)fputc('\t', stdout);
        }
        if (v >= 0 && !cpuser_json_is_null(&doc, v)) {
            value(v);
        }
    }
    (void)fputc('\n', stdout);
    return ferror(stdout) == 0;
}

int res_done(cpuser_client *c, bool json, const char *done_text)
{
    const cpuser_result *last = cpuser_client_last(c);
    if (json) {
        cpuser_json_writer w;
        size_t len = 0;
        cpuser_json_writer_init(&w, text, sizeof text);
        cpuser_json_object_begin(&w);
        if (res_cmd.def->per_user) {
            cpuser_json_key(&w, "user");
            cpuser_json_string(&w, res_cmd.user.ptr, res_cmd.user.len);
        }
        cpuser_json_key(&w, "id");
        cpuser_json_string(&w, res_cmd.id.ptr, res_cmd.id.len);
        cpuser_json_key(&w, "action");
        cpuser_json_cstring(&w, res_cmd.act->name);
        cpuser_json_key(&w, "httpStatus");
        cpuser_json_int(&w, last->status);
        cpuser_json_object_end(&w);
        if (cpuser_json_writer_finish(&w, &len) != CPUSER_OK) {
            return 1;
        }
        return json_line(text, len) ? 0 : 1;
    }
    out_text(stdout, res_cmd.def->what);
    out_text(stdout, " ");
    out_view(stdout, res_cmd.id);
    out_text(stdout, ": ");
    out_text(stdout, done_text);
    out_text(stdout, "\n");
    return ferror(stdout) == 0 ? 0 : 1;
}

/* ---- lists ------------------------------------------------------------------------ */

void res_list_init(res_list *l, bool json, res_writer write, const char *const *cols)
{
    memset(l, 0, sizeof *l);
    l->json = json;
    l->write = write;
    l->cols = cols;
}

cpuser_err res_list_item(res_list *l, const void *obj)
{
    if (!res_print_line(l->write, obj, l->json, l->cols)) {
        l->output_error = true;
        return CPUSER_ERR_IO;
    }
    l->count++;
    if (res_cmd.limit != 0u && l->count >= res_cmd.limit) {
        l->stopped = true;
        return CPUSER_ERR_STOPPED;
    }
    return CPUSER_OK;
}

int res_list_end(cpuser_client *c, res_list *l, cpuser_err err)
{
    if (l->output_error) {
        out_text(stderr, "cpuser: writing the output failed\n");
        return 1;
    }
    if (l->stopped) {
        cpuser_client_close(c); /* the page was left half read */
        return 0;
    }
    return err != CPUSER_OK ? res_failed(c, err) : 0;
}

/* ---- help ------------------------------------------------------------------------- */

static const char *const help[] = {
    "  groups list [--no-partner true|false] [--partner ID] [--updated-after TS]\n",
    "             [--updated-before TS] [--per-page N] [--limit N]\n",
    "  groups get ID | delete ID\n",
    "  groups create --name S [--partner ID] [--description S] [--external-id S]\n",
    "  groups update ID --name S [the same optional flags] [--null LIST]\n",
    "  idtags list [--uid S] [--label S] [--user ID] [--expire-at TS] [--status S]\n",
    "             [--type rfid|mac_address|emaid] [--partner ID|null] [--updated-after TS]\n",
    "             [--updated-before TS] [--per-page N] [--limit N]\n",
    "  idtags get ID | delete ID\n",
    "  idtags create --uid S --status enabled|disabled|suspended --type rfid|mac_address\n",
    "             [--label S] [--expire-at TS] [--vehicle-type company_car|private_car]\n",
    "             [--payment-method PM|auto] [--user ID] [--external-id S] [--partner ID]\n",
    "  idtags update ID [the same flags] [--null LIST]\n",
    "  payment-methods USER list [--per-page N] [--limit N]\n",
    "  payment-methods USER get PM | delete PM\n",
    "  payment-methods USER create [--tokenized-type card|bank_transfer]\n",
    "             [--bank-transfer-type sepa]   (step 1: prints the processor's answer)\n",
    "  payment-methods USER finish ANSWER|-     (step 2: step 1's JSON answer, or - for\n",
    "             stdin; e.g. cpuser --json payment-methods 7 create | ... finish -)\n",
    "  payment-methods USER update PM --default true|false\n",
    "  invoice-details USER get\n",
    "  invoice-details USER set --require-invoice true|false --invoice-type individual|company\n",
    "             [--individual-name S] [--individual-personal-id S] [--individual-tax-id S]\n",
    "             [--company-name S] [--company-reg-no S] [--company-tax-id S]\n",
    "             [--company-tax-office S] [--country CC] [--state S] [--region S]\n",
    "             [--city S] [--post-code S] [--address S] [--null LIST]\n",
    "  --null LIST       the API names of fields to send as null, comma separated\n",
    "                    (e.g. --null description,externalId; --null invoiceType)\n",
};

void res_usage(FILE *f)
{
    size_t i;
    for (i = 0; i < sizeof help / sizeof help[0]; i++) {
        (void)fputs(help[i], f);
    }
}
