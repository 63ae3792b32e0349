/* The --help text. */
#include "usage.h"

#include "output.h"
#include "resource_cli.h"

static const char *const text[] = {
    "usage: cpuser [--url URL] [--token-file FILE] [--ca FILE] [--cert FILE --key FILE]\n",
    "              [--timeout MS] [--retries N] [--json] [--api-version v1.0]\n",
    "              RESOURCE ACTION [ARGS]\n",
    "\n",
    "Manage users (and their groups, id tags, payment methods and invoice details)\n",
    "on an AMPECO.CHARGE Public API backend; delete users on Azure API Management\n",
    "(azure-apim; --url defaults to https://management.azure.com) and on Conta\n",
    "Simples (contasimples).\n",
    "\n",
    "  users list [--email E] [--external-id X] [--group ID] [--partner ID]\n",
    "             [--updated-after TS] [--updated-before TS] [--per-page N] [--limit N]\n",
    "             [--include LIST]\n",
    "  users get ID [--with-amount-due] [--include LIST]\n",
    "  users create --email E --password-stdin [--first-name S] [--middle-name S]\n",
    "             [--last-name S] [--phone S] [--country CC] [--state S] [--city S]\n",
    "             [--post-code S] [--address S] [--vehicle-no S] [--personal-id S]\n",
    "             [--locale S] [--external-id S] [--group ID]... [--sessions-allowed MODE]\n",
    "             [--require-password-reset] [--news]\n",
    "  users update ID [the same optional flags; --password-stdin allowed;\n",
    "             --personal-id and --locale are refused: the API cannot update them]\n",
    "  users delete ID\n",
    "  users set-status ID enabled|disabled --reason R\n",
    "  users add-balance ID AMOUNT --reason R [--app-info S]\n",
    "  users apply-fee ID AMOUNT --description D [--payment-method PM]\n",
    "  users activate-subscription ID --plan ID [--end-date YYYY-MM-DD] [--auto-renew]\n",
    "             [--reason R]\n",
    "  users cancel-subscription ID --reason R\n",
    "  users clear-amount-due ID\n",
    "  users redeem-voucher ID CODE\n",
    "  users export ID\n",
    "  azure-apim delete-user --subscription UUID --resource-group RG --service NAME\n",
    "             [--if-match ETAG|*] [--delete-subscriptions] [--notify]\n",
    "             [--app-type portal|developerPortal] USER_ID\n",
    "             without --if-match the user is read first and its ETag sent; a 202\n",
    "             is followed (Azure-AsyncOperation, else Location) until the\n",
    "             operation ends or --timeout passes (exit 7; it may still complete)\n",
    "  azure-apim get-user --subscription UUID --resource-group RG --service NAME USER_ID\n",
    "             prints the user's ETag\n",
    "\n",
    "Conta Simples (--url https://api-sandbox.contasimples.com for its sandbox):\n",
    "  contasimples delete-user UUID   the ID must be a v4 UUID (checked before\n",
    "                    sending); a 500 is retried with backoff (--retries)\n",
    "  --token-url URL   OAuth2 client credentials instead of --token-file: the token\n",
    "                    endpoint (same scheme as --url; any host, port and path)\n",
    "  --client-id ID    its client id; the secret from --client-secret-file FILE\n",
    "                    (first line) or $CPUSER_CLIENT_SECRET, never the command line\n",
    "  --scope S         optional scope of the token request\n",
    NULL, /* the other resources' lines (resource_cli.c) */
    "\n",
    "Connection:\n",
    "  --url URL         [https://|http://]host[:port][/]; default $CPUSER_URL. https is the\n",
    "                    default scheme, http is for local testing; IPv6 literals in\n",
    "                    brackets. A path prefix is not supported yet.\n",
    "  --token-file FILE the bearer token (first line); default $CPUSER_TOKEN. Never on\n",
    "                    the command line.\n",
    "  --ca FILE         trusted CA certificates, PEM or DER; default\n",
    "                    /etc/ssl/certs/ca-certificates.crt. Certificates and host names\n",
    "                    are always verified; there is no switch to skip that.\n",
    "  --cert FILE --key FILE   client certificate and key for mutual TLS\n",
    "  --timeout MS      the whole call's deadline and each read/write's (default 60000\n",
    "                    and 15000)\n",
    "  --retries N       0..10 (default 2): retries after a connect failure, timeout,\n",
    "                    reset, 429, 502, 503 or 504, with backoff or the server's\n",
    "                    Retry-After; a create (POST) is never sent twice once it\n",
    "                    may have reached the server\n",
    "  --api-version V   users API version: only v1.0 (azure-apim always sends\n",
    "                    api-version=2024-05-01)\n",
    "\n",
    "Input and output:\n",
    "  --password-stdin  read the password from stdin (one line with echo off on a\n",
    "                    terminal, else everything up to EOF minus a final newline)\n",
    "  AMOUNT            a decimal with up to 3 decimals: 12.5, -0.005\n",
    "  --include LIST    comma list of partnerInvites,externalAppData\n",
    "  --limit N         stop a list after N users; --per-page N is 1..100\n",
    "  --sessions-allowed MODE  single_session, multiple_simultaneous_sessions_per_idtag,\n",
    "                    simultaneous_use_of_idtags,\n",
    "                    multiple_simultaneous_sessions_remotely_and_idtags\n",
    "  --json            one JSON object per line (users as the API names their fields)\n",
    "                    instead of text; a list prints one user per line either way\n",
    "  --memory-report   print the client's RAM (struct, working buffer, TLS context)\n",
    "\n",
    "Exit codes: 0 ok, 2 usage or invalid input (nothing sent), 3 not found,\n",
    "  4 validation (422; also the server's other refusals: 400, 406, 409, 412),\n",
    "  5 auth (401/403), 6 rate limited after retries, 7 network or timeout,\n",
    "  8 TLS or certificate, 9 server error (and an Azure operation that Failed or\n",
    "  was Canceled), 10 malformed response, 1 output failed.\n",
};

void usage_print(FILE *f)
{
    size_t i;
    for (i = 0; i < sizeof text / sizeof text[0]; i++) {
        if (text[i] == NULL) {
            res_usage(f);
        } else {
            (void)fputs(text[i], f);
        }
    }
}

int usage_error(const char *what, const char *detail)
{
    out_text(stderr, "cpuser: ");
    out_text(stderr, what);
    if (detail != NULL) {
        out_text(stderr, ": ");
        out_str(stderr, detail);
    }
    out_text(stderr, " (see cpuser --help)\n");
    return 2;
}
