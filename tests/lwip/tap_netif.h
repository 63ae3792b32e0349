/* An lwIP netif on an existing Linux tap device, for tests (NO_SYS=0).
 *
 * Debian's liblwip has a tap driver (tapif), but it cannot be used:
 * liblwip 2.1.3+dfsg1-2 sizes its PBUF_POOL elements for TCP_MSS 536
 * (memp_PBUF_POOL: 592 data bytes) while its pbuf_alloc fills them as if
 * PBUF_POOL_BUFSIZE were 1536 (TCP_MSS 1460, from the shipped lwipopts.h),
 * so tapif, which receives into PBUF_POOL chains, writes past the heap
 * block for every frame longer than 592 bytes (valgrind: "Invalid write"
 * in pbuf_take under tapif's input thread; glibc: "malloc(): corrupted top
 * size"). This driver receives into PBUF_RAM pbufs of exactly the frame's
 * size instead, and never runs ifconfig: the device must exist (made by
 * tests/lwip/run_lwip_test.sh). */
#ifndef CPUSER_TEST_TAP_NETIF_H
#define CPUSER_TEST_TAP_NETIF_H

#include "lwip/err.h"
#include "lwip/netif.h"

typedef struct {
    const char *ifname;   /* the tap device to attach to, e.g. "cptap0" */
    int fd;               /* /dev/net/tun, attached; set by tap_netif_init */
    unsigned long frames_in;  /* frames handed to lwIP */
    unsigned long frames_out; /* frames lwIP wrote */
    unsigned long dropped;    /* frames lost: no pbuf, or short write */
} tap_netif_state;

/* netif_init_fn for netif_add(), with netif->state a tap_netif_state whose
 * ifname is set. Attaches to the device, sets up Ethernet (ARP, IPv6
 * neighbour discovery) and starts a thread that hands received frames to
 * netif->input. Call it through netif_add() in the tcpip thread (or with the
 * core lock held). */
err_t tap_netif_init(struct netif *netif);

#endif /* CPUSER_TEST_TAP_NETIF_H */
