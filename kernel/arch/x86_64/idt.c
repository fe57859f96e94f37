/*
 * idt.c: the interrupt descriptor table, shared by every CPU.
 *
 * All 256 gates point at the stubs in isr.S.  Double fault, NMI and machine
 * check switch to their own IST stacks (see gdt.c); everything else runs on
 * the current kernel stack.  Gates are interrupt gates, so IF is clear on
 * entry and handlers are never re-entered by a device interrupt.
 */
#include <stdint.h>
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/trap.h"

struct __attribute__((packed)) idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

extern const uint64_t isr_stub_table[256];
static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(int vector, uint64_t handler, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = handler & 0xFFFF,
		.selector = GDT_KCODE,
		.ist = ist,
		.type_attr = 0x8E, /* present, DPL 0, 64-bit interrupt gate */
		.offset_mid = (handler >> 16) & 0xFFFF,
		.offset_high = handler >> 32,
	};
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, isr_stub_table[v], 0);
	set_gate(2, isr_stub_table[2], IST_NMI);
	set_gate(8, isr_stub_table[8], IST_DOUBLE_FAULT);
	set_gate(18, isr_stub_table[18], IST_MACHINE_CHECK);
}

void idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}
