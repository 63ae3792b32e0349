/* make bench: sizeof(cpuser_tls) on the target, with the small-RAM mbedTLS
 * configuration (boards/mbedtls/cpuser_mbedtls_config.h) and Debian's
 * mbedTLS headers; read back with `arm-none-eabi-nm -S` like sizes_m4.c. */
#include "cpuser/tls.h"

char bench_sizeof_cpuser_tls[sizeof(cpuser_tls)];
