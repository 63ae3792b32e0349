/* A client against a backend simulator over loopback, for the end-to-end
 * tests (tests/e2e): a temporary directory per test group (sc_setup,
 * sc_teardown), a simulator started there, a client with the 4 KB working
 * buffer a charge point would use, the simulator's request log, stop.
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

/* Start the simulator `script` (tests/sim/..._sim.py, see
 * peer_start_sim_script) with the NULL-terminated arguments `extra` (may
 * be NULL); its port file, request log and output go to sc_dir. */
static inline void sc_start_script(const char *script, const char *const *extra)
{
    if (peer_start_sim_script(&sc_sim, sc_dir, script, extra) != 0) {
        fail_msg("simulator did not start, see %s/sim.out", sc_dir);
    }
}

/* Fresh POSIX TCP transport (sc_tp) and platform (sc_pf). */
static inline void sc_transport(void)
{
    cpuser_posix_tcp_init(&sc_tcp, &sc_tp);
    cpuser_posix_platform_init(&sc_pf);
}

/* A client configuration for the simulator on 127.0.0.1 with a static
 * token (NULL: none) and a whole-call deadline of total_ms. */
static inline void sc_config(cpuser_client_config *cfg, const char *token, uint32_t total_ms)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->host = "127.0.0.1";
    cfg->port = sc_sim.port;
    cfg->token = token;
    cfg->token_len = token != NULL ? strlen(token) : 0u;
    cfg->total_timeout_ms = total_ms;
}

/* Connect the client with cfg over a fresh TCP transport. */
static inline void sc_connect_config(const cpuser_client_config *cfg)
{
    sc_transport();
    assert_int_equal(cpuser_client_init(&client, cfg, &sc_tp, &sc_pf, work, sizeof work), CPUSER_OK);
}

/* Connect the client to the running simulator with token (NULL: none). */
static inline void sc_connect(const char *token, uint32_t total_ms)
{
    cpuser_client_config cfg;
    sc_config(&cfg, token, total_ms);
    sc_connect_config(&cfg);
}

/* Start the AMPECO simulator with --seed-users seed and up to two more
 * arguments (NULL: none), and connect the client with token. */
static inline void sc_start(const char *seed, const char *extra1, const char *extra2, const char *token)
{
    const char *extra[] = {"--seed-users", seed, extra1, extra2, NULL};
    if (extra1 == NULL) {
        extra[2] = NULL;
    }
    sc_start_script("tests/sim/ampeco_sim.py", extra);
    sc_connect(token, 20000);
}

static inline void sc_stop(void)
{
    cpuser_client_close(&client);
    peer_stop(&sc_sim);
}

/* Lines of the simulator's request log ("METHOD TARGET STATUS") that contain
 * `what` (all of them: NULL or ""). */
static inline int sc_logged(const char *what)
{
    static char text[65536];
    char path[128];
    char *line = text;
    int n = 0;
    snprintf(path, sizeof path, "%s/requests.log", sc_dir);
    if (peer_read_file(path, text, sizeof text) == 0) {
        return 0;
    }
    while (*line != '\0') {
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = '\0';
        }
        n += what == NULL || strstr(line, what) != NULL;
        if (end == NULL) {
            break;
        }
        line = end + 1;
    }
    return n;
}

/* Copy a view into a caller string (views die with the next call). */
static inline const char *sc_keep(cpuser_view v, char *into, size_t cap)
{
    assert_true(v.len < cap);
    memcpy(into, v.ptr, v.len);
    into[v.len] = '\0';
    return into;
}

static inline int sc_setup(void **state)
{
    (void)state;
    snprintf(sc_dir, sizeof sc_dir, "/tmp/cpuser-e2e-XXXXXX");
    return mkdtemp(sc_dir) != NULL ? 0 : -1;
}

static inline int sc_teardown(void **state)
{
    char cmd[128];
    (void)state;
    peer_stop(&sc_sim);
    snprintf(cmd, sizeof cmd, "rm -rf %s", sc_dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif /* SIM_CLIENT_H */
