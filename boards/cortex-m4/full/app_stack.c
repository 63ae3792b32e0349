/*
 * app_stack.c: the full-stack image: the "every users operation" app
 * (../all_ops.c) over HTTPS: cpuser -> TLS (port/mbedtls, mbedTLS with the
 * small-RAM config, all its memory in tls_heap) -> TCP (lwip_raw.c, lwIP
 * NO_SYS 1 raw API) -> Ethernet (board.c). Linked for the bill of
 * materials; the MAC, RNG and CA below are stand-ins, so it is not run.
 */
#include <stdint.h>

#include "mbedtls/memory_buffer_alloc.h"

#include "all_ops.h"
#include "board.h"
#include "cpuser/tls.h"
#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "lwip_raw.h"
#include "netif/ethernet.h"

/* mbedTLS's heap: the small-RAM config's figure for an RSA chain with
 * 4 KB records (boards/mbedtls/cpuser_mbedtls_config.h), on 32-bit. */
static unsigned char fw_tls_heap[24 * 1024];

/* STAND-IN: the backend's CA certificate(s), PEM with its NUL, as the
 * board provisions them. */
static const unsigned char fw_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n(provisioned CA)\n-----END CERTIFICATE-----\n";

static struct netif fw_netif;
static cpuser_lwip_raw fw_tcp;
static cpuser_tls fw_tls;
static cpuser_transport fw_tcp_tp, fw_tls_tp;
static cpuser_platform fw_pf;
static cpuser_client fw_client;
static char fw_work[4096];

volatile int fw_result;

int main(void)
{
    cpuser_tls_config tc = {0};
    cpuser_client_config cfg = {0};
    cpuser_err err;
    uint32_t start;

    mbedtls_memory_buffer_alloc_init(fw_tls_heap, sizeof fw_tls_heap);
    lwip_init();
    (void)netif_add(&fw_netif, NULL, NULL, NULL, NULL, fw_eth_init, ethernet_input);
    netif_set_default(&fw_netif);
    netif_set_up(&fw_netif);
    (void)dhcp_start(&fw_netif);
    start = sys_now();
    while (!dhcp_supplied_address(&fw_netif) && (uint32_t)(sys_now() - start) < 30000u) {
        fw_pump(&fw_netif);
    }

    fw_platform_init(&fw_pf, &fw_netif);
    cpuser_lwip_raw_init(&fw_tcp, fw_pump, &fw_netif, &fw_tcp_tp);
    tc.ca = fw_ca_pem;
    tc.ca_len = sizeof fw_ca_pem;
    tc.max_fragment = 4096;
    err = cpuser_tls_init(&fw_tls, &tc, &fw_tcp_tp, &fw_pf, &fw_tls_tp);
    if (err == CPUSER_OK) {
        cfg.host = "api.example.com";
        cfg.https = true;
        cfg.token = "token";
        cfg.token_len = 5;
        err = cpuser_client_init(&fw_client, &cfg, &fw_tls_tp, &fw_pf, fw_work, sizeof fw_work);
    }
    if (err == CPUSER_OK) {
        err = fw_all_ops(&fw_client);
    }
    fw_result = (int)err;
    for (;;) {
        fw_pump(&fw_netif);
    }
}
