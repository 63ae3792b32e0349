/*
 * arch/cc.h: lwIP's compiler and platform glue for the Cortex-M4 full-stack
 * image (arm-none-eabi-gcc, newlib-nano, little endian; lwIP's arch.h
 * includes it first).
 *
 * lwIP's default diagnostics are printf() and abort(): printf would pull
 * newlib's stdio, and with it malloc, into the image. Instead assertions
 * stay checked but stop in fw_lwip_fatal() (full/board.c) without their
 * message strings, and the debug output (LWIP_DEBUG is off) prints nothing.
 * LWIP_RAND is the board's random source (DNS ids and ports, DHCP xid,
 * TCP initial sequence numbers): it must come from the hardware RNG.
 */
#ifndef FW_LWIP_ARCH_CC_H
#define FW_LWIP_ARCH_CC_H

#include <stdint.h>

void fw_lwip_fatal(void);
uint32_t fw_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) fw_lwip_fatal()
#define LWIP_RAND() fw_lwip_rand()

#endif /* FW_LWIP_ARCH_CC_H */
