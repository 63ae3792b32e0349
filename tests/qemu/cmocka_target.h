/* What cmocka's CMake configuration (config.h) would find on bare-metal
 * arm-none-eabi with newlib, forced into src/cmocka.c with -include when
 * tests/qemu/qemu.mk builds it for the QEMU images. Headers newlib has are
 * declared; no POSIX signals or sigsetjmp (plain setjmp/longjmp), no
 * clock_gettime (so no per-test timing), no thread-local storage (one
 * thread), little-endian with 4-byte pointers. */
#ifndef QEMU_CMOCKA_TARGET_H
#define QEMU_CMOCKA_TARGET_H

#define HAVE_MALLOC_H 1
#define HAVE_INTTYPES_H 1
#define HAVE_SIGNAL_H 1
#define HAVE_STRINGS_H 1
#define HAVE_SETJMP_H 1
#define HAVE_STDARG_H 1
#define HAVE_STDDEF_H 1
#define HAVE_STDINT_H 1
#define HAVE_STDIO_H 1
#define HAVE_STDLIB_H 1
#define HAVE_STRING_H 1
#define HAVE_SNPRINTF 1
#define HAVE_VSNPRINTF 1
#define HAVE_MALLOC 1
#define HAVE_CALLOC 1
#define HAVE_FREE 1
#define HAVE_SETJMP 1
#define HAVE_LONGJMP 1
#define HAVE_SIGNAL 1
#define WORDS_SIZEOF_VOID_P 4

#endif /* QEMU_CMOCKA_TARGET_H */
