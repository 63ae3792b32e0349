/*
 * app_all.c: the "every users operation" size image: the same client as
 * app_read.c, with every function of ampeco_users.h called (all_ops.c)
 * over the canned transport (stubs.c).
 */
#include "all_ops.h"
#include "stubs.h"

static cpuser_client fw_client;
static char fw_work[4096];
static cpuser_transport fw_tp;
static cpuser_platform fw_pf;

volatile int fw_result;

int main(void)
{
    cpuser_client_config cfg = {0};
    cpuser_err err;

    fw_stub_transport_init(&fw_tp);
    fw_stub_platform_init(&fw_pf);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.token = "token";
    cfg.token_len = 5;
    err = cpuser_client_init(&fw_client, &cfg, &fw_tp, &fw_pf, fw_work, sizeof fw_work);
    if (err == CPUSER_OK) {
        err = fw_all_ops(&fw_client);
    }
    fw_result = (int)err;
    return 0;
}
