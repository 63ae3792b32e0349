/* make bench: the smallest working buffer each operation succeeds with.
 *
 * usage: minbuf SIMDIR
 *
 * Starts the simulator (tests/sim/ampeco_sim.py --seed-users 100 --chunked,
 * its files in SIMDIR) and, for each operation, searches (binary search over
 * 256..65536 bytes, then checking that one byte less fails) the smallest
 * working buffer with which a fresh client completes it:
 *   read    users read of user 39 (the ~1 KB response of fixtures/read.http)
 *   create  the create of fixtures/create.http (a new email each try)
 *   list    one page of 100 users (fixtures/list.http's request)
 *   listall every page of the 100 users, 7 per page (cursor paging)
 * Prints one line per operation: "minbuf OP BYTES". The buffer is the
 * exact size under test (a heap block of that size, so a sanitizer or
 * valgrind would see any overrun). Exit 1 when an operation fails at the
 * largest size. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

#include "cpuser/ampeco_users.h"
#include "cpuser/posix.h"

static unsigned short sim_port;
static unsigned attempt_no;

static cpuser_err count_user(void *arg, const cpuser_user *u)
{
    unsigned *n = (unsigned *)arg;
    (*n)++;
    return u->email.len != 0u ? CPUSER_OK : CPUSER_ERR_JSON;
}

static int try_op(const char *op, size_t cap)
{
    static cpuser_client client;
    cpuser_posix_tcp tcp;
    cpuser_transport tp;
    cpuser_platform pf;
    cpuser_client_config cfg;
    cpuser_user u;
    cpuser_err err;
    char *work = malloc(cap);
    unsigned n = 0;
    if (work == NULL) {
        return 0;
    }
    cpuser_posix_tcp_init(&tcp, &tp);
    cpuser_posix_platform_init(&pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "127.0.0.1";
    cfg.port = sim_port;
    cfg.token = "sim-token";
    cfg.token_len = strlen(cfg.token);
    cfg.retry.max_attempts = 1;
    err = cpuser_client_init(&client, &cfg, &tp, &pf, work, cap);
    if (err == CPUSER_OK && strcmp(op, "read") == 0) {
        err = cpuser_users_read(&client, cpuser_view_of("39"), NULL, &u);
    } else if (err == CPUSER_OK && strcmp(op, "create") == 0) {
        char email[64];
        cpuser_user_fields f;
        memset(&f, 0, sizeof f);
        snprintf(email, sizeof email, "bench.minbuf.%u@example.com", ++attempt_no);
        cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, email);
        cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "secret-123");
        cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "Ana");
        cpuser_user_fields_set(&f, CPUSER_USER_LAST_NAME, "Petrova");
        cpuser_user_fields_set(&f, CPUSER_USER_PHONE, "+359888123456");
        cpuser_user_fields_set(&f, CPUSER_USER_COUNTRY, "BG");
        cpuser_user_fields_set(&f, CPUSER_USER_CITY, "Sofia");
        cpuser_user_fields_set(&f, CPUSER_USER_POST_CODE, "1000");
        cpuser_user_fields_set(&f, CPUSER_USER_ADDRESS, "1 Vitosha Blvd");
        cpuser_user_fields_set(&f, CPUSER_USER_LOCALE, "bg-BG");
        err = cpuser_users_create(&client, &f, &u);
    } else if (err == CPUSER_OK && strcmp(op, "list") == 0) {
        cpuser_page page;
        cpuser_page_init(&page, 100);
        err = cpuser_users_list(&client, NULL, &page, count_user, &n);
        if (err == CPUSER_OK && n != 100u) {
            err = CPUSER_ERR_JSON;
        }
    } else if (err == CPUSER_OK) {
        uint32_t total = 0;
        err = cpuser_users_list_all(&client, NULL, 7, count_user, &n, &total);
        if (err == CPUSER_OK && total < 100u) {
            err = CPUSER_ERR_JSON;
        }
    }
    cpuser_client_close(&client);
    free(work);
    return err == CPUSER_OK;
}

int main(int argc, char **argv)
{
    static const char *const extra[] = {"--seed-users", "100", "--chunked", NULL};
    static const char *const ops[] = {"read", "create", "list", "listall"};
    peer sim;
    size_t i;
    int rc = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: %s SIMDIR\n", argv[0]);
        return 2;
    }
    if (peer_start_sim(&sim, argv[1], extra) != 0) {
        fprintf(stderr, "minbuf: the simulator did not start\n");
        return 1;
    }
    sim_port = sim.port;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t lo = 256, hi = 65536; /* invariant: hi works; below lo nothing is tried */
        if (!try_op(ops[i], hi)) {
            fprintf(stderr, "minbuf: %s fails even with %zu bytes\n", ops[i], hi);
            rc = 1;
            continue;
        }
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (try_op(ops[i], mid)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        if (hi > 256 && try_op(ops[i], hi - 1)) {
            fprintf(stderr, "minbuf: %s: %zu works too (not monotonic)\n", ops[i], hi - 1);
        }
        printf("minbuf %s %zu\n", ops[i], hi);
    }
    peer_stop(&sim);
    return rc;
}
