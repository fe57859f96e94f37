/* trap.h: the saved register frame, interrupt vectors and handler registration (see trap.c). */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout matches isr.S");

/* Interrupt vectors the kernel owns. */
#define VEC_TIMER     0x20
#define VEC_IRQ_BASE  0x30 /* IO-APIC lines start here */
#define VEC_TEST_IPI  0xF0
#define VEC_WAKE      0xF1 /* "look at your mailbox": only wakes a halted App-Core */
#define VEC_HALT      0xF2 /* hardware.cpu.halt: stop this CPU for good */
#define VEC_SPURIOUS  0xFF

typedef void (*irq_handler_t)(struct trap_frame *f);

void idt_init(void);     /* build the shared IDT once */
void idt_load(void);     /* load it on this CPU */
void irq_register(uint8_t vector, irq_handler_t handler);
/* Interrupts taken on this vector since boot, all CPUs together. */
uint64_t irq_count(uint8_t vector);

/* Print a full register dump and backtrace, stop every CPU.  Never returns. */
__attribute__((noreturn)) void trap_fatal(struct trap_frame *f, const char *why);

#endif
