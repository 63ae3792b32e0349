/* ARM semihosting for the QEMU test images (tests/qemu/): the operations the
 * newlib system calls in semihost.c need, and the exit that hands a status
 * back to qemu-system-arm's exit code. Test use only. */
#ifndef QEMU_SEMIHOST_H
#define QEMU_SEMIHOST_H

#include <stdint.h>

/* Operation numbers (ARM "Semihosting for AArch32 and AArch64", v2). */
enum {
    SH_SYS_OPEN = 0x01,
    SH_SYS_CLOSE = 0x02,
    SH_SYS_WRITE0 = 0x04,
    SH_SYS_WRITE = 0x05,
    SH_SYS_READ = 0x06,
    SH_SYS_ISTTY = 0x09,
    SH_SYS_SEEK = 0x0a,
    SH_SYS_FLEN = 0x0c,
    SH_SYS_ERRNO = 0x13,
    SH_SYS_EXIT = 0x18,
    SH_SYS_EXIT_EXTENDED = 0x20
};

/* Reason codes for SYS_EXIT / SYS_EXIT_EXTENDED. */
#define SH_ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u
#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* One semihosting call: operation in r0, parameter in r1, result in r0.
 * On M-profile the trap is BKPT 0xAB. */
static inline int32_t sh_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

/* Write a NUL-terminated string to the debug console (no stdio involved:
 * safe in a fault handler). */
static inline void sh_write0(const char *s)
{
    (void)sh_call(SH_SYS_WRITE0, s);
}

/* Stop the emulator with `status` as qemu-system-arm's exit code. */
void sh_exit(int status) __attribute__((noreturn));

#endif /* QEMU_SEMIHOST_H */
