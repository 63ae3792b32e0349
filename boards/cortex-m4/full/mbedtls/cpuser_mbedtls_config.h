/*
 * boards/cortex-m4/full/mbedtls/cpuser_mbedtls_config.h: the small-RAM
 * mbedTLS configuration (boards/mbedtls/cpuser_mbedtls_config.h, included
 * whole) with the two changes a bare-metal Cortex-M4 image needs. It is
 * found first because `make firmware-stack` puts -Iboards/cortex-m4/full/mbedtls
 * ahead of -Iboards/mbedtls; the name stays cpuser_mbedtls_config.h so the
 * shared MBEDTLS_CONFIG_FILE definition still applies.
 *
 *  - No MBEDTLS_MEMORY_DEBUG: its _status() report pulls in fprintf, and
 *    with it newlib's stdio and malloc. The board sizes the buffer on the
 *    host (`make check-mbedtls-small`) instead.
 *  - The initial calloc/free pointers of platform.c are the board's
 *    fw_mbedtls_calloc_unset / fw_mbedtls_free_unset (full/board.c: they
 *    return NULL and do nothing) instead of the C library's calloc and
 *    free, which would otherwise be linked as the pointers' initial values.
 *    mbedtls_memory_buffer_alloc_init() replaces them before first use.
 *  - mbedtls_exit() (the buffer allocator's reaction to a corrupted block)
 *    is the board's fw_mbedtls_exit, a fault stop: newlib's exit() would
 *    bring its atexit and stdio machinery.
 *  - MBEDTLS_PLATFORM_GMTIME_R_ALT: the board's mbedtls_platform_gmtime_r
 *    calls newlib's gmtime_r(). mbedTLS would otherwise use gmtime()
 *    (newlib does not announce POSIX.1-2008), whose per-thread buffer
 *    newlib-nano allocates with malloc, and whose assert pulls fprintf.
 */
#ifndef FW_M4_MBEDTLS_CONFIG_H
#define FW_M4_MBEDTLS_CONFIG_H

#include <stddef.h>

#include "../../../mbedtls/cpuser_mbedtls_config.h"

#undef MBEDTLS_MEMORY_DEBUG

void *fw_mbedtls_calloc_unset(size_t n, size_t size);
void fw_mbedtls_free_unset(void *p);
#define MBEDTLS_PLATFORM_STD_CALLOC fw_mbedtls_calloc_unset
#define MBEDTLS_PLATFORM_STD_FREE fw_mbedtls_free_unset

void fw_mbedtls_exit(int status);
#define MBEDTLS_PLATFORM_EXIT_MACRO fw_mbedtls_exit

#define MBEDTLS_PLATFORM_GMTIME_R_ALT

#endif /* FW_M4_MBEDTLS_CONFIG_H */
