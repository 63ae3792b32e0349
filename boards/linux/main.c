/*
 * cpuser: the Linux board application. Parses the command line, checks
 * everything that can be checked offline, reads the secrets, sets up the
 * connection, runs one users action, cleans up. See usage.c for the
 * interface and errors.h for the exit codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands_azure.h"
#include "commands_contasimples.h"
#include "commands_users.h"
#include "connection.h"
#include "numbers.h"
#include "output.h"
#include "resource_cli.h"
#include "secrets.h"
#include "usage.h"

static void report_row(const char *name, unsigned long long v, const char *note)
{
    out_text(stdout, name);
    out_text(stdout, " ");
    out_u64(stdout, v);
    out_text(stdout, note);
    out_text(stdout, "\n");
}

static int memory_report(void)
{
    size_t client = conn_client_size();
    report_row("sizeof(cpuser_client)", client, " bytes");
    report_row("working_buffer", CLI_WORK_SIZE, " bytes");
    report_row("client_ram_total", (unsigned long long)client + CLI_WORK_SIZE,
               " bytes (struct + working buffer)");
    report_row("sizeof(cpuser_tls)", conn_tls_size(),
               " bytes (https only; mbedTLS's own heap comes on top)");
    report_row("CPUSER_JSON_MAX_TOKENS", CPUSER_JSON_MAX_TOKENS, "");
    return fflush(stdout) == 0 ? 0 : 1;
}

/* The global options, into the connection config. Without --url: the
 * resource's default_url, or (NULL) $CPUSER_URL. */
int connection_options(const cli_args *a, cli_conn_config *cfg, const char *default_url)
{
    const char *url = args_has(a, OPT_URL)    ? a->value[OPT_URL]
                      : default_url != NULL ? default_url
                                            : getenv("CPUSER_URL");
    const char *why = NULL;
    int64_t v;

    memset(cfg, 0, sizeof *cfg);
    if (url == NULL || url[0] == '\0') {
        return usage_error("no server: use --url URL or set $CPUSER_URL", NULL);
    }
    if (!url_parse(url, &cfg->url, &why)) {
        return usage_error(why, url);
    }
    if (args_has(a, OPT_TIMEOUT)) {
        if (!num_parse_int(a->value[OPT_TIMEOUT], 1, 86400000, &v)) {
            return usage_error("--timeout is 1..86400000 milliseconds", a->value[OPT_TIMEOUT]);
        }
        cfg->timeout_ms = (uint32_t)v;
    }
    if (args_has(a, OPT_RETRIES)) {
        if (!num_parse_int(a->value[OPT_RETRIES], 0, 10, &v)) {
            return usage_error("--retries is 0..10", a->value[OPT_RETRIES]);
        }
        cfg->attempts = (uint8_t)(v + 1);
    }
    if (args_has(a, OPT_API_VERSION) && strcmp(a->value[OPT_API_VERSION], "v1.0") != 0) {
        return usage_error("--api-version: users are only available in v1.0",
                           a->value[OPT_API_VERSION]);
    }
    cfg->ca_file = args_has(a, OPT_CA) ? a->value[OPT_CA] : NULL;
    cfg->cert_file = args_has(a, OPT_CERT) ? a->value[OPT_CERT] : NULL;
    cfg->key_file = args_has(a, OPT_KEY) ? a->value[OPT_KEY] : NULL;
    if ((cfg->cert_file == NULL) != (cfg->key_file == NULL)) {
        return usage_error("--cert and --key go together", NULL);
    }
    return 0;
}

static int run(int argc, char **argv)
{
    static cli_args args;
    static cli_conn_config cfg;
    cpuser_client *client = NULL;
    enum { RUN_USERS, RUN_AZURE, RUN_RESOURCE } kind;
    int rc;

    if (!args_parse(argc, argv, &args)) {
        return 2;
    }
    if (args_has(&args, OPT_HELP)) {
        usage_print(stdout);
        return 0;
    }
    if (args_has(&args, OPT_MEMORY_REPORT)) {
        return memory_report();
    }
    if (args.pos_count == 0u) {
        return usage_error("no command given", NULL);
    }
    if (strcmp(args.pos[0], "contasimples") == 0) {
        return contasimples_main(&args, &cfg);
    }
    if (strcmp(args.pos[0], "users") == 0) {
        kind = RUN_USERS;
        rc = users_prepare(&args);
    } else if (strcmp(args.pos[0], "azure-apim") == 0) {
        kind = RUN_AZURE;
        rc = azure_prepare(&args);
    } else if (res_known(args.pos[0])) {
        kind = RUN_RESOURCE;
        rc = res_prepare(&args);
    } else {
        return usage_error("unknown resource", args.pos[0]);
    }
    if (rc == 0) {
        rc = connection_options(&args, &cfg, kind == RUN_AZURE ? AZURE_DEFAULT_URL : NULL);
    }
    if (rc == 0) {
        rc = secret_token(args_has(&args, OPT_TOKEN_FILE) ? args.value[OPT_TOKEN_FILE] : NULL,
                          &cfg.token, &cfg.token_len);
    }
    if (rc == 0 && kind == RUN_USERS && users_wants_password()) {
        const char *pw = NULL;
        size_t len = 0;
        rc = secret_password(&pw, &len);
        if (rc == 0) {
            rc = users_set_password(pw, len);
        }
    }
    if (rc == 0) {
        rc = conn_open(&cfg, &client);
    }
    if (rc == 0) {
        bool json = args_has(&args, OPT_JSON);
        rc = kind == RUN_USERS   ? users_run(client, json)
             : kind == RUN_AZURE ? azure_run(client, json)
                                 : res_run(client, json);
    }
    conn_close();
    return rc;
}

int main(int argc, char **argv)
{
    int rc;
    out_init();
    rc = run(argc, argv);
    secret_wipe();
    if (fflush(stdout) != 0 && rc == 0) {
        rc = 1;
    }
    return rc;
}
