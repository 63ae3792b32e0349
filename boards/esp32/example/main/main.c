/*
 * The ESP-IDF example: once the station has an address (the usual
 * esp_netif / esp_wifi bring-up, elided to example_connect-style code of
 * your own), read one user over HTTPS: cpuser -> port/mbedtls on
 * ESP-IDF's mbedTLS -> port/lwip on ESP-IDF's lwIP sockets.
 * NOT BUILT HERE: this machine has no ESP-IDF.
 *
 * Configure: CPUSER_EXAMPLE_HOST, CPUSER_EXAMPLE_TOKEN, CPUSER_EXAMPLE_USER
 * below, and the backend's CA in ca_pem (PEM, NUL included). mbedTLS
 * takes its memory from ESP-IDF's heap here (ESP-IDF's choice); for a
 * fixed budget enable CONFIG_MBEDTLS_CUSTOM_MEM_ALLOC with a static buffer.
 * cpuser itself allocates nothing: its client and working buffer are
 * static below.
 */
#include <stdio.h>
#include <string.h>

#include "cpuser/ampeco_users.h"
#include "cpuser/lwip.h"
#include "cpuser/tls.h"
#include "cpuser_esp32.h"

#define CPUSER_EXAMPLE_HOST "api.example.com"
#define CPUSER_EXAMPLE_TOKEN "replace-with-your-token"
#define CPUSER_EXAMPLE_USER "42"

static const unsigned char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n(your backend's CA)\n-----END CERTIFICATE-----\n";

static cpuser_client client;
static char work[4096];
static cpuser_lwip_tcp tcp;
static cpuser_tls tls;
static cpuser_transport tcp_tp, tls_tp;
static cpuser_platform pf;
static cpuser_user user;

/* Call after the network is up (IP_EVENT_STA_GOT_IP). */
void cpuser_example_read(void)
{
    cpuser_tls_config tc = {0};
    cpuser_client_config cfg = {0};
    cpuser_err err;

    cpuser_esp32_platform_init(&pf);
    cpuser_lwip_tcp_init(&tcp, &tcp_tp);
    tc.ca = ca_pem;
    tc.ca_len = sizeof ca_pem;
    err = cpuser_tls_init(&tls, &tc, &tcp_tp, &pf, &tls_tp);
    if (err == CPUSER_OK) {
        cfg.host = CPUSER_EXAMPLE_HOST;
        cfg.https = true;
        cfg.token = CPUSER_EXAMPLE_TOKEN;
        cfg.token_len = strlen(CPUSER_EXAMPLE_TOKEN);
        err = cpuser_client_init(&client, &cfg, &tls_tp, &pf, work, sizeof work);
    }
    if (err == CPUSER_OK) {
        err = cpuser_users_read(&client, cpuser_view_of(CPUSER_EXAMPLE_USER), NULL, &user);
    }
    if (err == CPUSER_OK) {
        printf("user %.*s: %.*s\n", (int)user.id.len, user.id.ptr, (int)user.email.len,
               user.email.ptr);
    } else {
        printf("cpuser: %s (HTTP %d)\n", cpuser_strerror(err), cpuser_client_last(&client)->status);
    }
}

void app_main(void)
{
    /* Bring up NVS, esp_netif and Wi-Fi here as the board does, wait for
     * IP_EVENT_STA_GOT_IP, then: */
    cpuser_example_read();
}
