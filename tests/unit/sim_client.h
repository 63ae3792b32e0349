/* A client against the backend simulator over loopback, for the end-to-end
 * resource tests: start the simulator in a temporary directory, connect a
 * client with the 4 KB working buffer a charge point would use, stop.
 * Header-only, test use only (see peer.h). */
#ifndef SIM_CLIENT_H
#define SIM_CLIENT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuser/client.h"
#include "cpuser/posix.h"
#include "peer.h"

static char sc_dir[64];
static peer sc_sim;
static cpuser_posix_tcp sc_tcp;
static cpuser_transport sc_tp;
static cpuser_platform sc_pf;
static cpuser_client client;
static char work[4096];

/* Start the simulator with --seed-users seed and up to two more arguments
 * (NULL: none), and connect the client with token. */
static void sc_start(const char *seed, const char *extra1, const char *extra2, const char *token)
{
    const char *extra[] = {"--seed-users", seed, extra1, extra2, NULL};
    cpuser_client_config cfg;
    if (extra1 == NULL) {
        extra[2] = NULL;
    }
    if (peer_start_sim(&sc_sim, sc_dir, extra) != 0) {
        fail_msg("simulator did not start, see %s/sim.out", sc_dir);
    }
    cpuser_posix_tcp_init(&sc_tcp, &sc_tp);
    cpuser_posix_platform_init(&sc_pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "127.0.0.1";
    cfg.port = sc_sim.port;
    cfg.token = token;
    cfg.token_len = strlen(token);
    cfg.total_timeout_ms = 20000;
    assert_int_equal(cpuser_client_init(&client, &cfg, &sc_tp, &sc_pf, work, sizeof work), CPUSER_OK);
}

static void sc_stop(void)
{
    cpuser_client_close(&client);
    peer_stop(&sc_sim);
}

/* Copy a view into a caller string (views die with the next call). */
static const char *sc_keep(cpuser_view v, char *into, size_t cap)
{
    assert_true(v.len < cap);
    memcpy(into, v.ptr, v.len);
    into[v.len] = '\0';
    return into;
}

static int sc_setup(void **state)
{
    (void)state;
    snprintf(sc_dir, sizeof sc_dir, "/tmp/cpuser-e2e-XXXXXX");
    return mkdtemp(sc_dir) != NULL ? 0 : -1;
}

static int sc_teardown(void **state)
{
    char cmd[128];
    (void)state;
    peer_stop(&sc_sim);
    snprintf(cmd, sizeof cmd, "rm -rf %s", sc_dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif /* SIM_CLIENT_H */
