/* newlib's system calls over ARM semihosting, for the QEMU test images.
 *
 * Only what the unit tests and cmocka reach: the three standard streams
 * (opened as ":tt", which QEMU maps to its own stdin/stdout/stderr), a
 * heap for newlib's malloc between the end of .bss and the stack reserve
 * (the linker script's qemu_heap_start / qemu_heap_limit), and exit with a
 * status. No files: open() fails. Test use only. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "semihost.h"

/* The system call entry points newlib's libc calls. */
int _write(int fd, const void *buf, size_t len);
int _read(int fd, void *buf, size_t len);
int _close(int fd);
off_t _lseek(int fd, off_t off, int whence);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
void *_sbrk(ptrdiff_t incr);
int _open(const char *path, int flags, ...);
int _getpid(void);
int _kill(int pid, int sig);
void _exit(int status) __attribute__((noreturn));
void qemu_stdio_init(void);

extern char qemu_heap_start[];
extern char qemu_heap_limit[];

/* Semihosting handles behind file descriptors 0, 1 and 2 (-1: not open). */
static int32_t std_handle[3] = { -1, -1, -1 };

static int32_t open_tt(uint32_t mode)
{
    /* SYS_OPEN: { name, mode (0 "r", 4 "w", 8 "a"), length of name } */
    static const char tt[] = ":tt";
    uint32_t block[3];
    block[0] = (uint32_t)(uintptr_t)tt;
    block[1] = mode;
    block[2] = sizeof tt - 1u;
    return sh_call(SH_SYS_OPEN, block);
}

void qemu_stdio_init(void)
{
    std_handle[0] = open_tt(0u);
    std_handle[1] = open_tt(4u);
    std_handle[2] = open_tt(8u);
}

static int32_t handle_of(int fd)
{
    if (fd < 0 || fd > 2 || std_handle[fd] < 0) {
        return -1;
    }
    return std_handle[fd];
}

/* SYS_WRITE and SYS_READ take { handle, data, length } and return the
 * bytes NOT transferred. */
static int transfer(uint32_t op, int fd, const void *buf, size_t len)
{
    uint32_t block[3];
    int32_t h = handle_of(fd);
    int32_t left;
    if (h < 0) {
        errno = EBADF;
        return -1;
    }
    block[0] = (uint32_t)h;
    block[1] = (uint32_t)(uintptr_t)buf;
    block[2] = (uint32_t)len;
    left = sh_call(op, block);
    if (left < 0 || (uint32_t)left > len) {
        errno = EIO;
        return -1;
    }
    return (int)(len - (size_t)left);
}

int _write(int fd, const void *buf, size_t len)
{
    return transfer(SH_SYS_WRITE, fd, buf, len);
}

int _read(int fd, void *buf, size_t len)
{
    return transfer(SH_SYS_READ, fd, buf, len);
}

int _close(int fd)
{
    /* The standard streams stay open for the life of the image. */
    if (handle_of(fd) < 0) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

off_t _lseek(int fd, off_t off, int whence)
{
    (void)off;
    (void)whence;
    errno = handle_of(fd) < 0 ? EBADF : ESPIPE;
    return (off_t)-1;
}

int _fstat(int fd, struct stat *st)
{
    if (handle_of(fd) < 0) {
        errno = EBADF;
        return -1;
    }
    /* A character device: newlib then line-buffers stdout. */
    st->st_mode = S_IFCHR;
    st->st_size = 0;
    st->st_blksize = 0;
    return 0;
}

int _isatty(int fd)
{
    if (handle_of(fd) < 0) {
        errno = EBADF;
        return 0;
    }
    return 1;
}

int _open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    errno = ENOSYS;
    return -1;
}

void *_sbrk(ptrdiff_t incr)
{
    static char *brk = qemu_heap_start;
    char *old = brk;
    if (incr < 0 ? (size_t)-incr > (size_t)(brk - qemu_heap_start)
                 : (size_t)incr > (size_t)(qemu_heap_limit - brk)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    brk += incr;
    return old;
}

int _getpid(void)
{
    return 1;
}

/* raise() ends here (abort() raises SIGABRT): report and stop, the way a
 * host shell reports a signal, with 128 + the signal number. */
int _kill(int pid, int sig)
{
    static const char digits[] = "0123456789";
    char msg[] = "qemu: signal   \n";
    (void)pid;
    msg[13] = digits[(sig / 10) % 10];
    msg[14] = digits[sig % 10];
    sh_write0(msg);
    sh_exit(128 + sig);
}

void _exit(int status)
{
    sh_exit(status);
}

void sh_exit(int status)
{
    /* SYS_EXIT_EXTENDED: { reason, subcode }, and the subcode of an
     * application exit becomes QEMU's exit status. It is an extension of
     * semihosting v2 that QEMU implements; should it return (not supported),
     * plain SYS_EXIT on AArch32 carries only the reason, so a failing status
     * goes out as a run-time error (QEMU exits with 1). */
    uint32_t block[2];
    block[0] = SH_ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)status;
    (void)sh_call(SH_SYS_EXIT_EXTENDED, block);
    (void)sh_call(SH_SYS_EXIT, (const void *)(uintptr_t)(status == 0
                                   ? SH_ADP_STOPPED_APPLICATION_EXIT
                                   : SH_ADP_STOPPED_RUNTIME_ERROR_UNKNOWN));
    for (;;) {
        __asm__ volatile("wfi");
    }
}
