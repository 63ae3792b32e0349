/* See tap_netif.h: an lwIP netif on an existing tap device, for tests. */
#define _DEFAULT_SOURCE /* struct ifreq */

#include "tap_netif.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "lwip/opt.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "netif/ethernet.h"

#define FRAME_MAX 1518 /* 1500 + Ethernet header + a VLAN tag */

/* lwIP -> tap: one write per frame (a tap takes whole frames only). */
static err_t tap_linkoutput(struct netif *netif, struct pbuf *p)
{
    tap_netif_state *st = netif->state;
    unsigned char frame[FRAME_MAX];
    u16_t len;
    ssize_t n;
    if (p->tot_len > sizeof frame) {
        st->dropped++;
        return ERR_BUF;
    }
    len = pbuf_copy_partial(p, frame, p->tot_len, 0);
    do {
        n = write(st->fd, frame, len);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)len) {
        st->dropped++;
        return ERR_IF;
    }
    st->frames_out++;
    return ERR_OK;
}

/* tap -> lwIP, in a thread of its own: netif->input (tcpip_input) queues
 * each frame for the tcpip thread. */
static void tap_reader(void *arg)
{
    struct netif *netif = arg;
    tap_netif_state *st = netif->state;
    unsigned char frame[FRAME_MAX];
    for (;;) {
        struct pbuf *p;
        ssize_t n = read(st->fd, frame, sizeof frame);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* the device went away */
        }
        p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM); /* one piece, exact size */
        if (p == NULL) {
            st->dropped++;
            continue;
        }
        memcpy(p->payload, frame, (size_t)n);
        if (netif->input(p, netif) != ERR_OK) {
            pbuf_free(p);
            st->dropped++;
            continue;
        }
        st->frames_in++;
    }
}

err_t tap_netif_init(struct netif *netif)
{
    tap_netif_state *st = netif->state;
    struct ifreq ifr;
    size_t n;
    if (st == NULL || st->ifname == NULL || (n = strlen(st->ifname)) == 0 || n >= IFNAMSIZ) {
        return ERR_ARG;
    }
    st->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (st->fd < 0) {
        return ERR_IF;
    }
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, st->ifname, n);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(st->fd, TUNSETIFF, &ifr) != 0) {
        close(st->fd);
        st->fd = -1;
        return ERR_IF;
    }
    netif->name[0] = 't';
    netif->name[1] = 'p';
#if LWIP_IPV4
    netif->output = etharp_output;
#endif
#if LWIP_IPV6
    netif->output_ip6 = ethip6_output;
#endif
    netif->linkoutput = tap_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = 6;
    netif->hwaddr[0] = 0x02; /* locally administered */
    netif->hwaddr[1] = 0x00;
    netif->hwaddr[2] = 0x0a;
    netif->hwaddr[3] = 0x4d;
    netif->hwaddr[4] = 0x00;
    netif->hwaddr[5] = 0x02;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    netif_set_link_up(netif);
    if (sys_thread_new("tap_reader", tap_reader, netif, 0, 0) == NULL) {
        return ERR_MEM;
    }
    return ERR_OK;
}
