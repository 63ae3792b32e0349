/* The contasimples commands: delete-user, with a static or OAuth2 token. */
#include "commands_contasimples.h"

#include <stdio.h>
#include <string.h>

#include "cpuser/contasimples.h"
#include "cpuser/oauth2.h"
#include "errors.h"
#include "json_line.h"
#include "output.h"
#include "secrets.h"
#include "url.h"
#include "usage.h"

#define B(o) OPT_BIT(o)
#define OAUTH_OPTS (B(OPT_TOKEN_URL) | B(OPT_CLIENT_ID) | B(OPT_CLIENT_SECRET_FILE) | B(OPT_SCOPE))

static cpuser_oauth2 oauth;  /* holds the access token: static, wiped at the end */
static cli_url token_url;

static int refuse_option(int id)
{
    out_text(stderr, "cpuser: contasimples delete-user does not take ");
    out_text(stderr, args_name(id));
    out_text(stderr, " (see cpuser --help)\n");
    return 2;
}

/* The action, its UUID and which options go together. */
static int prepare(const cli_args *a, cpuser_view *id)
{
    int opt;
    if (a->pos_count < 2u) {
        return usage_error("contasimples needs an ACTION (delete-user)", NULL);
    }
    if (strcmp(a->pos[1], "delete-user") != 0) {
        return usage_error("unknown contasimples action", a->pos[1]);
    }
    if (a->pos_count != 3u) {
        return usage_error(a->pos_count < 3u ? "missing arguments for" : "too many arguments for",
                           "contasimples delete-user");
    }
    for (opt = 0; opt < OPT__COUNT; opt++) {
        if (args_has(a, opt) && (opt >= 64 || ((OPT_GLOBAL_MASK | OAUTH_OPTS) & B(opt)) == 0u)) {
            return refuse_option(opt);
        }
    }
    *id = cpuser_view_of(a->pos[2]);
    if (!cpuser_uuid_v4_valid(*id)) {
        return usage_error("the user ID is not a v4 UUID (xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx)",
                           a->pos[2]);
    }
    if (args_has(a, OPT_TOKEN_URL)) {
        if (args_has(a, OPT_TOKEN_FILE)) {
            return usage_error("--token-file and --token-url exclude each other", NULL);
        }
        if (!args_has(a, OPT_CLIENT_ID) || a->value[OPT_CLIENT_ID][0] == '\0') {
            return usage_error("--token-url needs --client-id", NULL);
        }
    } else if (args_has(a, OPT_CLIENT_ID) || args_has(a, OPT_CLIENT_SECRET_FILE) ||
               args_has(a, OPT_SCOPE)) {
        return usage_error("--client-id, --client-secret-file and --scope go with --token-url", NULL);
    }
    return 0;
}

/* --token-url [https://|http://]host[:port]/path: the host part as any
 * --url, the path as it is (visible ASCII). */
static int parse_token_url(const char *s, bool https, const char **path)
{
    static char head[CPUSER_MAX_HOST + 32u];
    const char *start = strstr(s, "://");
    const char *slash = strchr(start != NULL ? start + 3 : s, '/');
    const char *why = NULL;
    size_t n;
    if (slash == NULL || slash[1] == '\0') {
        return usage_error("--token-url needs a path (https://host/oauth2/token)", s);
    }
    n = (size_t)(slash - s);
    if (n >= sizeof head) {
        return usage_error("--token-url: the host part is too long", s);
    }
    memcpy(head, s, n);
    head[n] = '\0';
    if (!url_parse(head, &token_url, &why)) {
        return usage_error(why, s);
    }
    if (token_url.https != https) {
        return usage_error("--token-url must use the scheme of --url (one transport serves both)", s);
    }
    *path = slash;
    return 0;
}

static int setup_auth(const cli_args *a, cli_conn_config *cfg)
{
    cpuser_oauth2_config oc;
    const char *path = NULL;
    const char *secret = NULL;
    size_t secret_len = 0;
    int rc;

    if (!args_has(a, OPT_TOKEN_URL)) {
        return secret_token(args_has(a, OPT_TOKEN_FILE) ? a->value[OPT_TOKEN_FILE] : NULL,
                            &cfg->token, &cfg->token_len);
    }
    rc = parse_token_url(a->value[OPT_TOKEN_URL], cfg->url.https, &path);
    if (rc == 0) {
        rc = secret_client_secret(args_has(a, OPT_CLIENT_SECRET_FILE) ? a->value[OPT_CLIENT_SECRET_FILE]
                                                                     : NULL,
                                  &secret, &secret_len);
    }
    if (rc != 0) {
        return rc;
    }
    memset(&oc, 0, sizeof oc);
    oc.host = token_url.host;
    oc.port = token_url.port;
    oc.path = path;
    oc.client_id = a->value[OPT_CLIENT_ID];
    oc.client_id_len = strlen(oc.client_id);
    oc.client_secret = secret;
    oc.client_secret_len = secret_len;
    if (args_has(a, OPT_SCOPE)) {
        oc.scope = a->value[OPT_SCOPE];
        oc.scope_len = strlen(oc.scope);
    }
    if (cpuser_oauth2_init(&oauth, &oc) != CPUSER_OK) {
        return usage_error("--token-url: the path has a space or a control character", path);
    }
    cfg->auth = cpuser_oauth2_auth(&oauth);
    return 0;
}

static int report(cpuser_client *c, cpuser_err err, cpuser_view id, bool json)
{
    const cpuser_result *last = cpuser_client_last(c);
    out_secret(3, oauth.token, oauth.token_len); /* the access token, when there is one */
    if (err != CPUSER_OK) {
        err_report("contasimples delete-user", err, last);
        return err_exit_code(err, last->sent);
    }
    if (json) {
        cpuser_json_writer *w = json_line_begin();
        cpuser_json_object_begin(w);
        cpuser_json_key(w, "id");
        cpuser_json_string(w, id.ptr, id.len);
        cpuser_json_key(w, "action");
        cpuser_json_cstring(w, "delete-user");
        cpuser_json_key(w, "httpStatus");
        cpuser_json_int(w, last->status);
        cpuser_json_object_end(w);
        return json_line_end() ? 0 : 1;
    }
    out_text(stdout, "user ");
    out_view(stdout, id);
    out_text(stdout, ": deleted\n");
    return ferror(stdout) == 0 ? 0 : 1;
}

int contasimples_main(const cli_args *a, cli_conn_config *cfg)
{
    cpuser_client *client = NULL;
    cpuser_view id = {NULL, 0};
    int rc = prepare(a, &id);
    if (rc == 0) {
        rc = connection_options(a, cfg, NULL);
    }
    if (rc == 0) {
        rc = setup_auth(a, cfg);
    }
    if (rc == 0) {
        rc = conn_open(cfg, &client);
    }
    if (rc == 0) {
        rc = report(client, cpuser_contasimples_delete_user(client, id), id, args_has(a, OPT_JSON));
    }
    conn_close();
    out_secret(3, NULL, 0);
    cpuser_oauth2_forget(&oauth);
    return rc;
}
