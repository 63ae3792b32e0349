/*
 * `cpuser azure-apim ACTION ...`: Azure API Management users.
 *
 *   azure-apim delete-user --subscription ID --resource-group RG --service NAME
 *       [--if-match ETAG|*] [--delete-subscriptions] [--notify]
 *       [--app-type portal|developerPortal] USER_ID
 *   azure-apim get-user --subscription ID --resource-group RG --service NAME USER_ID
 *
 * Without --if-match, delete-user first GETs the user and sends its ETag.
 * The arguments are checked by the library's own validation before anything
 * is read or sent (azure_prepare), then run on a client (azure_run).
 */
#ifndef CPUSER_LINUX_COMMANDS_AZURE_H
#define CPUSER_LINUX_COMMANDS_AZURE_H

#include <stdbool.h>

#include "args.h"
#include "cpuser/client.h"

/* The server when --url is not given ($CPUSER_URL is the AMPECO backend's). */
#define AZURE_DEFAULT_URL "https://management.azure.com"

/* Check the action (a->pos[1]), its positionals and options, every value
 * (as cpuser_azure_apim_user_delete_check() would). Returns 0, or 2 after
 * printing why. */
int azure_prepare(const cli_args *a);

/* Run the prepared action. Returns the exit code; errors are reported. */
int azure_run(cpuser_client *c, bool json);

#endif /* CPUSER_LINUX_COMMANDS_AZURE_H */
