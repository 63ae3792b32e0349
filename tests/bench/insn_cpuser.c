/* make bench: cpuser's instructions per operation, under callgrind.
 *
 * usage: insn_cpuser PORT read|list|create N
 *
 * One client over the POSIX port, one kept-alive connection to the replay
 * server on 127.0.0.1:PORT (tests/bench/replay.py). One operation first
 * (connect and warm-up, not counted), then callgrind's collection is turned
 * on for exactly the N operations of the loop and off again (run it with
 * valgrind --tool=callgrind --collect-atstart=no). Every user is decoded
 * into a cpuser_user by the library; the program checks the result of each
 * operation and prints what it did. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include "cpuser/ampeco_users.h"
#include "cpuser/posix.h"

static cpuser_client client;
static char work[4096];
static cpuser_posix_tcp tcp;
static cpuser_transport tp;
static cpuser_platform pf;

typedef struct {
    unsigned users;
    size_t bytes; /* of the email views: the decoded fields are used */
} tally;

static cpuser_err on_user(void *arg, const cpuser_user *u)
{
    tally *t = (tally *)arg;
    t->users++;
    t->bytes += u->email.len + u->id.len;
    return CPUSER_OK;
}

static cpuser_err one(const char *op, tally *t)
{
    cpuser_user u;
    cpuser_err err;
    if (strcmp(op, "read") == 0) {
        err = cpuser_users_read(&client, cpuser_view_of("39"), NULL, &u);
        if (err == CPUSER_OK) {
            err = on_user(t, &u);
        }
    } else if (strcmp(op, "list") == 0) {
        cpuser_page page;
        unsigned before = t->users;
        cpuser_page_init(&page, 100);
        err = cpuser_users_list(&client, NULL, &page, on_user, t);
        if (err == CPUSER_OK && t->users - before != 100u) {
            err = CPUSER_ERR_JSON;
        }
    } else {
        cpuser_user_fields f;
        memset(&f, 0, sizeof f);
        cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, "bench.create@example.com");
        cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "secret-123");
        cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "Ana");
        cpuser_user_fields_set(&f, CPUSER_USER_LAST_NAME, "Petrova");
        cpuser_user_fields_set(&f, CPUSER_USER_PHONE, "+359888123456");
        cpuser_user_fields_set(&f, CPUSER_USER_COUNTRY, "BG");
        cpuser_user_fields_set(&f, CPUSER_USER_CITY, "Sofia");
        cpuser_user_fields_set(&f, CPUSER_USER_POST_CODE, "1000");
        cpuser_user_fields_set(&f, CPUSER_USER_ADDRESS, "1 Vitosha Blvd");
        cpuser_user_fields_set(&f, CPUSER_USER_LOCALE, "bg-BG");
        cpuser_user_fields_set(&f, CPUSER_USER_EXTERNAL_ID, "bench-0001");
        err = cpuser_users_create(&client, &f, &u);
        if (err == CPUSER_OK) {
            err = on_user(t, &u);
        }
    }
    return err;
}

int main(int argc, char **argv)
{
    cpuser_client_config cfg;
    tally t = {0, 0};
    long n, i;
    cpuser_err err;
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT read|list|create N\n", argv[0]);
        return 2;
    }
    n = strtol(argv[3], NULL, 10);
    cpuser_posix_tcp_init(&tcp, &tp);
    cpuser_posix_platform_init(&pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "127.0.0.1";
    cfg.port = (uint16_t)atoi(argv[1]);
    cfg.token = "sim-token";
    cfg.token_len = strlen(cfg.token);
    cfg.retry.max_attempts = 1;
    if (cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work) != CPUSER_OK) {
        fprintf(stderr, "insn_cpuser: client init failed\n");
        return 1;
    }
    err = one(argv[2], &t); /* connect + warm-up, not counted */
    CALLGRIND_TOGGLE_COLLECT;
    for (i = 0; i < n && err == CPUSER_OK; i++) {
        err = one(argv[2], &t);
    }
    CALLGRIND_TOGGLE_COLLECT;
    if (err != CPUSER_OK) {
        fprintf(stderr, "insn_cpuser: %s failed: %s (status %d)\n", argv[2], cpuser_strerror(err),
                cpuser_client_last(&client)->status);
        return 1;
    }
    printf("insn_cpuser: %s x %ld: %u users decoded, %zu bytes of id+email\n", argv[2], n + 1,
           t.users, t.bytes);
    cpuser_client_close(&client);
    return 0;
}
