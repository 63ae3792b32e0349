/*
 * lwipopts.h: lwIP 2.1 for the Cortex-M4 full-stack image: bare metal
 * (NO_SYS 1), the raw TCP API driven from the main loop through the shim
 * transport full/lwip_raw.c, IPv4 over Ethernet with DHCP and DNS, and
 * every byte of lwIP's memory static. Sized for one cpuser client with its
 * 4 KB working buffer and mbedTLS's 4 KB records (port/lwip/README.md,
 * "Sizing").
 */
#ifndef FW_LWIPOPTS_H
#define FW_LWIPOPTS_H

/* Bare metal: no threads, no sys_arch. The board supplies sys_now() and
 * runs sys_check_timeouts() from its loop (full/board.c: fw_pump()).
 * SYS_LIGHTWEIGHT_PROT 0: lwIP is only ever entered from the main loop
 * (the MAC is polled there too, never from an interrupt). */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1

/* Only the raw API: no netconn, no sockets (both need NO_SYS 0). */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_RAW 0
#define LWIP_ALTCP 0

/* IPv4 on one Ethernet interface: ARP, ICMP (answering pings), DHCP for
 * the address, DNS (over UDP) for the backend's name. No IPv6, IGMP,
 * AutoIP or IP fragment reassembly (the backend traffic is TCP). */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_DHCP 1
#define LWIP_DNS 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define IP_REASSEMBLY 0
#define IP_FRAG 0
#define LWIP_SINGLE_NETIF 1
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define DNS_MAX_SERVERS 2

/* Memory: all static. mem_malloc manages MEM_SIZE bytes of its own heap
 * (PBUF_RAM: what tcp_write copies into); the pools are static arrays. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 4
#define MEM_SIZE (10 * 1024)

/* TCP: a full Ethernet MSS; a 4-segment send buffer takes a whole 4 KB
 * request in one tcp_write; a 4-segment window keeps a TLS record
 * flowing. One connection (cpuser) plus one spare PCB for TIME_WAIT. */
#define TCP_MSS 1460
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_WND (4 * TCP_MSS)
#define MEMP_NUM_TCP_PCB 2
#define MEMP_NUM_TCP_PCB_LISTEN 1
#define MEMP_NUM_TCP_SEG TCP_SND_QUEUELEN
#define MEMP_NUM_UDP_PCB 2
#define MEMP_NUM_PBUF 4
/* Receive pool (the MAC driver's frames): the window plus two frames. */
#define PBUF_POOL_SIZE 6

/* No statistics; no debug output (LWIP_DEBUG stays undefined: lwIP tests
 * it with #ifdef, so even 0 would turn it on). Checksums in software. */
#define LWIP_STATS 0

#endif /* FW_LWIPOPTS_H */
