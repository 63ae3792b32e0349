/*
 * board.h: the board services of the full-stack image (board.c): the
 * Ethernet interface, the main-loop pump, and cpuser's platform table.
 * The MAC driver, the tick and the RNG are stand-ins marked as such: the
 * image is linked for its size, not run.
 */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include "cpuser/port.h"
#include "lwip/err.h"
#include "lwip/netif.h"

/* netif_add() init function of the Ethernet interface. */
err_t fw_eth_init(struct netif *netif);

/* One round of the main loop: received frames into lwIP, lwIP's timers.
 * arg: the struct netif. */
void fw_pump(void *arg);

/* cpuser's platform: lwIP's clock, waits that keep pumping, the RNG. */
void fw_platform_init(cpuser_platform *p, struct netif *netif);

#endif /* FW_BOARD_H */
