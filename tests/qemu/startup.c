/* Reset and fault handling for the QEMU test images (mps2-an386, Cortex-M4).
 *
 * The core reads the initial stack pointer and the reset handler from the
 * vector table at address 0 (mps2_an386.ld puts .vectors first). Reset
 * copies .data, zeroes .bss, turns on the traps the tests should hear about
 * (integer division by zero; with -DQEMU_UNALIGN_TRP=1 any unaligned
 * halfword/word access too), opens the standard streams over semihosting
 * and runs main(); its return value goes to exit() and so to QEMU's exit
 * status. Any fault prints where it happened and stops QEMU with status 3.
 * Test use only. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "semihost.h"

#ifndef QEMU_UNALIGN_TRP
#define QEMU_UNALIGN_TRP 0
#endif

int main(void);
void qemu_stdio_init(void);
void qemu_reset(void) __attribute__((noreturn));
void qemu_fault(void);
void _init(void);
void _fini(void);
void qemu_fault_report(const uint32_t *frame, uint32_t ipsr, uint32_t exc_return) __attribute__((noreturn, used));

extern char qemu_stack_top[];
extern char qemu_data_load[];
extern char qemu_data_start[];
extern char qemu_data_end[];
extern char qemu_bss_start[];
extern char qemu_bss_end[];

/* System Control Block registers used here. */
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define SCB_BFAR (*(volatile uint32_t *)0xE000ED38u)
#define CCR_UNALIGN_TRP (1u << 3)
#define CCR_DIV_0_TRP (1u << 4)
#define SHCSR_FAULTS_ENABLE ((1u << 16) | (1u << 17) | (1u << 18)) /* MemManage, BusFault, UsageFault */

union qemu_vector {
    void *stack;
    void (*handler)(void);
};

/* Initial SP, Reset, NMI, HardFault, MemManage, BusFault, UsageFault, four
 * reserved, SVCall, DebugMonitor, reserved, PendSV, SysTick. No interrupt is
 * enabled, so no external vectors follow. */
__attribute__((section(".vectors"), used))
const union qemu_vector qemu_vectors[16] = {
    { .stack = qemu_stack_top },
    { .handler = qemu_reset },
    { .handler = qemu_fault },
    { .handler = qemu_fault },
    { .handler = qemu_fault },
    { .handler = qemu_fault },
    { .handler = qemu_fault },
    { .handler = 0 },
    { .handler = 0 },
    { .handler = 0 },
    { .handler = 0 },
    { .handler = qemu_fault },
    { .handler = qemu_fault },
    { .handler = 0 },
    { .handler = qemu_fault },
    { .handler = qemu_fault },
};

void qemu_reset(void)
{
    memcpy(qemu_data_start, qemu_data_load, (size_t)(qemu_data_end - qemu_data_start));
    memset(qemu_bss_start, 0, (size_t)(qemu_bss_end - qemu_bss_start));
    SCB_CCR |= CCR_DIV_0_TRP | (QEMU_UNALIGN_TRP ? CCR_UNALIGN_TRP : 0u);
    SCB_SHCSR |= SHCSR_FAULTS_ENABLE;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    qemu_stdio_init();
    exit(main());
}

/* newlib's __libc_init_array / __libc_fini_array call these (crti/crtn
 * would provide them; the images link with -nostartfiles). C needs
 * nothing from them. */
void _init(void)
{
}

void _fini(void)
{
}

/* Every exception lands here: find the frame the core stacked (MSP or PSP,
 * from EXC_RETURN bit 2) and report it. */
__attribute__((naked)) void qemu_fault(void)
{
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mrs r1, ipsr\n\t"
        "mov r2, lr\n\t"
        "b qemu_fault_report\n\t");
}

static void put_hex(char *out, uint32_t v)
{
    static const char hex[] = "0123456789abcdef";
    int i;
    for (i = 7; i >= 0; i--) {
        out[i] = hex[v & 0xfu];
        v >>= 4;
    }
}

static void put_field(const char *name, uint32_t v)
{
    char text[24];
    size_t n = strlen(name);
    if (n > sizeof text - 11u) {
        n = sizeof text - 11u;
    }
    memcpy(text, name, n);
    text[n] = '=';
    put_hex(text + n + 1u, v);
    text[n + 9u] = ' ';
    text[n + 10u] = '\0';
    sh_write0(text);
}

void qemu_fault_report(const uint32_t *frame, uint32_t ipsr, uint32_t exc_return)
{
    static const char *const names[16] = {
        "?", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault", "?",
        "?", "?", "?", "SVCall", "DebugMonitor", "?", "PendSV", "SysTick",
    };
    uint32_t n = ipsr & 0x1ffu;
    sh_write0("\nqemu: ");
    sh_write0(n < 16u ? names[n] : "interrupt");
    sh_write0(": ");
    put_field("pc", frame[6]);
    put_field("lr", frame[5]);
    put_field("sp", (uint32_t)(uintptr_t)frame);
    put_field("exc_return", exc_return);
    put_field("cfsr", SCB_CFSR);
    put_field("hfsr", SCB_HFSR);
    put_field("mmfar", SCB_MMFAR);
    put_field("bfar", SCB_BFAR);
    sh_write0("\n");
    sh_exit(3);
}
