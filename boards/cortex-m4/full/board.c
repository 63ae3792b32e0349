/*
 * board.c: see board.h. What a real board replaces is marked STAND-IN:
 * the millisecond tick (a SysTick interrupt counting fw_ticks), the MAC
 * (frames out through fw_mac_send, in through fw_mac_receive), the
 * hardware RNG and the calendar clock.
 */
#include "board.h"

#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "mbedtls/platform_util.h"

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

/* ---- time -------------------------------------------------------------------- */

/* STAND-IN: incremented by the SysTick handler every millisecond. */
volatile uint32_t fw_ticks;

u32_t sys_now(void)
{
    return fw_ticks;
}

/* STAND-IN: seconds since 1970 from the RTC once synchronised (SNTP);
 * mbedTLS checks certificate validity periods with it (time()). */
volatile uint32_t fw_rtc_seconds;

int _gettimeofday(struct timeval *tv, void *tz);
int _gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    if (tv != NULL) {
        tv->tv_sec = (time_t)fw_rtc_seconds;
        tv->tv_usec = 0;
    }
    return 0;
}

/* ---- randomness ------------------------------------------------------------ */

/* STAND-IN: a real board reads its TRNG here. (An xorshift keeps the
 * image honest in size; it is NOT a source for TLS.) */
static uint32_t fw_rng_state = 0x9e3779b9u;

uint32_t fw_lwip_rand(void)
{
    fw_rng_state ^= fw_rng_state << 13;
    fw_rng_state ^= fw_rng_state >> 17;
    fw_rng_state ^= fw_rng_state << 5;
    return fw_rng_state ^ fw_ticks;
}

/* ---- lwIP and mbedTLS hooks ------------------------------------------------- */

void fw_lwip_fatal(void)
{
    for (;;) {
    }
}

/* platform.c's pointers before mbedtls_memory_buffer_alloc_init(). */
void *fw_mbedtls_calloc_unset(size_t n, size_t size)
{
    (void)n;
    (void)size;
    return NULL;
}

void fw_mbedtls_free_unset(void *p)
{
    (void)p;
}

void fw_mbedtls_exit(int status)
{
    (void)status;
    fw_lwip_fatal();
}

/* MBEDTLS_PLATFORM_GMTIME_R_ALT (full/mbedtls/cpuser_mbedtls_config.h). */
struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
    time_t t = (time_t)*tt;

    return gmtime_r(&t, tm_buf);
}

/* ---- the Ethernet interface ------------------------------------------------- */

/* STAND-IN: the MAC driver. Send one frame; receive one into buf (0: none). */
static void fw_mac_send(const uint8_t *frame, uint16_t len)
{
    (void)frame;
    (void)len;
}

static uint16_t fw_mac_receive(uint8_t *buf, uint16_t cap)
{
    (void)buf;
    (void)cap;
    return 0;
}

static uint8_t fw_frame[1536];

static err_t fw_eth_output(struct netif *netif, struct pbuf *p)
{
    u16_t n = pbuf_copy_partial(p, fw_frame, (u16_t)sizeof fw_frame, 0);

    (void)netif;
    fw_mac_send(fw_frame, n);
    return ERR_OK;
}

err_t fw_eth_init(struct netif *netif)
{
    static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

    netif->name[0] = 'e';
    netif->name[1] = '0';
    netif->output = etharp_output;
    netif->linkoutput = fw_eth_output;
    netif->mtu = 1500;
    netif->hwaddr_len = 6;
    memcpy(netif->hwaddr, mac, sizeof mac);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

void fw_pump(void *arg)
{
    struct netif *netif = arg;
    uint16_t n;

    while ((n = fw_mac_receive(fw_frame, (uint16_t)sizeof fw_frame)) > 0u) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, n, PBUF_POOL);

        if (p == NULL) {
            break; /* pool empty: the frame is dropped, TCP resends */
        }
        (void)pbuf_take(p, fw_frame, n);
        if (netif->input(p, netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
    sys_check_timeouts();
}

/* ---- cpuser's platform ------------------------------------------------------ */

static uint32_t fw_now_ms(void *ctx)
{
    (void)ctx;
    return sys_now();
}

/* A backoff wait keeps the network served. */
static void fw_sleep_ms(void *ctx, uint32_t ms)
{
    uint32_t start = sys_now();

    while ((uint32_t)(sys_now() - start) < ms) {
        fw_pump(ctx);
    }
}

static cpuser_err fw_random(void *ctx, void *buf, size_t len)
{
    uint8_t *out = buf;

    (void)ctx;
    while (len > 0u) {
        uint32_t r = fw_lwip_rand();
        size_t n = len < sizeof r ? len : sizeof r;

        memcpy(out, &r, n);
        out += n;
        len -= n;
    }
    return CPUSER_OK;
}

void fw_platform_init(cpuser_platform *p, struct netif *netif)
{
    p->ctx = netif;
    p->now_ms = fw_now_ms;
    p->sleep_ms = fw_sleep_ms;
    p->random = fw_random;
}
