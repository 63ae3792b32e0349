/*
 * `cpuser contasimples delete-user UUID`: the Conta Simples users API
 * (include/cpuser/contasimples.h). The bearer token is a static one
 * (--token-file FILE or $CPUSER_TOKEN) or comes from OAuth2 client
 * credentials (--token-url URL --client-id ID, the secret from
 * --client-secret-file FILE or $CPUSER_CLIENT_SECRET; optional --scope S).
 */
#ifndef CPUSER_LINUX_COMMANDS_CONTASIMPLES_H
#define CPUSER_LINUX_COMMANDS_CONTASIMPLES_H

#include "args.h"
#include "connection.h"

/* The whole command: check the action and its arguments offline (a bad
 * UUID is a usage error, exit 2, nothing sent), read the secrets, connect,
 * run, report. cfg is the caller's (static) connection config. Returns the
 * exit code (errors.h). */
int contasimples_main(const cli_args *a, cli_conn_config *cfg);

#endif /* CPUSER_LINUX_COMMANDS_CONTASIMPLES_H */
