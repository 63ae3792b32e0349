/*
 * app_read.c: the "read one user" size image. One client, one working
 * buffer, one GET of a user over the canned transport (stubs.c). What it
 * links is what a board that only looks users up pays for.
 */
#include "cpuser/ampeco_users.h"
#include "stubs.h"

static cpuser_client fw_client;
static char fw_work[4096];
static cpuser_transport fw_tp;
static cpuser_platform fw_pf;
static cpuser_user fw_user;

/* Kept so the results are used; a debugger can read them. */
volatile int fw_result;
volatile size_t fw_email_len;

int main(void)
{
    cpuser_client_config cfg = {0};
    cpuser_view id = {"42", 2};
    cpuser_err err;

    fw_stub_transport_init(&fw_tp);
    fw_stub_platform_init(&fw_pf);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.token = "token";
    cfg.token_len = 5;
    err = cpuser_client_init(&fw_client, &cfg, &fw_tp, &fw_pf, fw_work, sizeof fw_work);
    if (err == CPUSER_OK) {
        err = cpuser_users_read(&fw_client, id, NULL, &fw_user);
    }
    fw_result = (int)err;
    fw_email_len = fw_user.email.len;
    return 0;
}
