/*
 * The CLI machinery shared by the resources after users (user groups, id
 * tags, payment methods, invoice details): a resource is a definition (its
 * actions, its field flags, its fields struct and check) plus a handful of
 * small functions in its commands_*.c. Here: finding the resource and the
 * action, the positionals and the options each action takes, flags into
 * the library's fields struct (with --null), the library's check with the
 * refused flag named, --per-page/--limit, printing any object (a text
 * block, a list line, or JSON) from the library's *_write_json, and the
 * error report.
 *
 *   cpuser groups ACTION [ID] ...
 *   cpuser payment-methods USER ACTION [ID] ...    (per_user resources)
 */
#ifndef CPUSER_LINUX_RESOURCE_CLI_H
#define CPUSER_LINUX_RESOURCE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "args.h"
#include "cpuser/client.h"
#include "cpuser/json_writer.h"
#include "cpuser/view.h"

/* How a flag's value is read into its member. */
enum { RF_TEXT, RF_INT, RF_ENUM, RF_BOOL };

/* One field flag: --opt VALUE into the member at `offset` of the fields
 * struct (which starts with uint64_t set, null), bit `field` set. */
typedef struct {
    uint8_t opt;
    uint8_t field;                     /* the library's field number */
    uint8_t kind;                      /* RF_* */
    uint16_t offset;                   /* of the member */
    const char *api;                   /* the API's name: for --null */
    uint8_t (*parse)(const char *);    /* RF_ENUM: 0 when unknown */
    const char *why;                   /* what the library wants (a refusal) */
} res_flag;

typedef struct {
    const char *name;
    uint8_t id;             /* the resource's own action number */
    uint8_t positionals;    /* words after ACTION (an id, a step 1 answer) */
    uint64_t fields;        /* the library fields its flags may set (0: none) */
    bool creating;          /* the fields are checked as a create */
    const uint8_t *options; /* other options it takes, ended by OPT__COUNT; may be NULL */
} res_action;

typedef struct res_def {
    const char *name;       /* "groups" */
    const char *what;       /* "group": error lines, confirmations */
    bool per_user;          /* cpuser NAME USER ACTION ... */
    const res_action *actions;
    size_t action_count;
    const res_flag *flags;
    size_t flag_count;
    void *fields;           /* the static fields struct the flags fill */
    size_t fields_size;
    /* the library's check of the fields (creating or not) */
    cpuser_err (*check)(const void *fields, bool creating, int *bad_field);
    /* the resource's own preparation after the common one (may be NULL):
     * filters, enum options. 0 or 2 */
    int (*prepare)(const cli_args *a);
    /* run the prepared action; returns the exit code */
    int (*run)(cpuser_client *c, bool json);
} res_def;

/* The prepared command (what res_prepare checked, for run()). */
typedef struct {
    const res_def *def;
    const res_action *act;
    cpuser_view user;       /* per_user resources */
    cpuser_view id;         /* the first positional after ACTION */
    uint8_t per_page;
    uint32_t limit;
    char what[64];          /* "groups list": error lines */
} res_command;

extern res_command res_cmd;

/* The resources (commands_*.c). */
extern const res_def groups_def;
extern const res_def id_tags_def;
extern const res_def payment_methods_def;
extern const res_def invoice_details_def;

/* Whether name is one of these resources. */
bool res_known(const char *name);

/* Check everything that can be checked offline into res_cmd and the
 * resource's statics. 0, or 2 after printing why. */
int res_prepare(const cli_args *a);

/* Run it. The exit code; errors are reported. */
int res_run(cpuser_client *c, bool json);

/* The --help lines of these resources. */
void res_usage(FILE *f);

/* ---- for the commands_*.c ------------------------------------------------ */

/* A "usage" line naming the action: "cpuser: groups create needs --name". */
int res_need(const cli_args *a, int opt);

/* An enum option: *out = parse(value); 2 with the names listed when unknown. */
int res_enum_option(const cli_args *a, int opt, uint8_t (*parse)(const char *), const char *names,
                    uint8_t *out);

/* A filter option as a view (empty when not given). */
cpuser_view res_view(const cli_args *a, int opt);

/* The error line and exit code of a failed call. */
int res_failed(cpuser_client *c, cpuser_err err);

/* Print an object through its library writer: a text block of its
 * non-null members, or one JSON line. 0, or 1 when the output failed. */
typedef void (*res_writer)(cpuser_json_writer *w, const void *obj);
int res_print(res_writer write, const void *obj, bool json);

/* One list line: the members named in cols (NULL-terminated), tab
 * separated; or one JSON line. false when the output failed. */
bool res_print_line(res_writer write, const void *obj, bool json, const char *const *cols);

/* Print JSON text given whole (a server's answer): a text block, or the
 * line as it is with --json. */
int res_print_text(const char *json, size_t len, bool json_out);

/* The confirmation of a delete: "group 7: deleted" or a JSON line. */
int res_done(cpuser_client *c, bool json, const char *text);

/* The listing state every list callback shares: counts, --limit, output
 * failure. res_list_item() prints one element and says whether to go on. */
typedef struct {
    bool json;
    const char *const *cols;
    res_writer write;
    uint32_t count;
    bool stopped;
    bool output_error;
} res_list;

void res_list_init(res_list *l, bool json, res_writer write, const char *const *cols);
cpuser_err res_list_item(res_list *l, const void *obj);

/* After a list loop: the exit code (closes a half-read page on --limit). */
int res_list_end(cpuser_client *c, res_list *l, cpuser_err err);

#endif /* CPUSER_LINUX_RESOURCE_CLI_H */
