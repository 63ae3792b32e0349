/*
 * stubs.h: the board side of the boards/cortex-m4 size images: a transport
 * that answers every request with one canned HTTP response from flash, and
 * a platform with a counting clock and a fixed "random" source. They stand
 * in for a network stack so that the images hold cpuser and nothing else
 * that is not the application's; the full-stack image (full/) replaces
 * them with lwIP and mbedTLS.
 */
#ifndef FW_STUBS_H
#define FW_STUBS_H

#include "cpuser/port.h"

/* Fill the two tables; they stay valid for the life of the program. */
void fw_stub_transport_init(cpuser_transport *t);
void fw_stub_platform_init(cpuser_platform *p);

#endif /* FW_STUBS_H */
