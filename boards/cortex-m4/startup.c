/*
 * startup.c: the reset path of the boards/cortex-m4 size images (Cortex-M4
 * and Cortex-M0+; Armv6-M and Armv7-M share this shape).
 *
 * The vector table holds the initial stack pointer (the top of RAM, from
 * cortex-m.ld), the reset handler and the other fifteen system exceptions;
 * every exception but reset parks the CPU in fw_fault(). No device
 * interrupts are listed: the images measure code size, they drive no
 * peripheral. The reset handler copies .data's initial values from flash,
 * zeroes .bss, calls main() and parks if it returns. There is no
 * __libc_init_array() call (nothing here has C++ constructors) and no
 * semihosting: the images are for `size`, `nm` and the link map.
 */
#include <stdint.h>

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

int main(void);
void fw_reset(void);
void fw_fault(void);

void fw_fault(void)
{
    for (;;) {
    }
}

void fw_reset(void)
{
    const uint32_t *src = __data_load;
    uint32_t *dst = __data_start;

    while (dst < __data_end) {
        *dst++ = *src++;
    }
    for (dst = __bss_start; dst < __bss_end; dst++) {
        *dst = 0u;
    }
    (void)main();
    fw_fault();
}

typedef void (*fw_handler)(void);

/* The stack top, then 15 handlers: reset, NMI, HardFault, MemManage,
 * BusFault, UsageFault, four reserved, SVCall, DebugMonitor, a reserved
 * one, PendSV and SysTick. */
typedef struct {
    uint32_t *stack_top;
    fw_handler handler[15];
} fw_vector_table;

__attribute__((section(".isr_vector"), used))
const fw_vector_table fw_vectors = {
    __stack_top,
    {
        fw_reset,
        fw_fault, fw_fault, fw_fault, fw_fault, fw_fault,
        0, 0, 0, 0,
        fw_fault, fw_fault, 0,
        fw_fault, fw_fault,
    },
};
