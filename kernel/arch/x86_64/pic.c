/*
 * pic.c: silence the legacy 8259 PICs.
 *
 * The firmware may leave them live.  They are remapped to vectors 0xE0-0xEF
 * (so a stray legacy interrupt can never look like a CPU exception) and every
 * line is masked; from then on the IO-APIC delivers device interrupts.
 */
#include "arch/x86_64/pic.h"
#include "arch/x86_64/cpu.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); io_wait();  /* ICW1: init, expect ICW4 */
	outb(PIC2_CMD, 0x11); io_wait();
	outb(PIC1_DATA, 0xE0); io_wait(); /* ICW2: vector offsets */
	outb(PIC2_DATA, 0xE8); io_wait();
	outb(PIC1_DATA, 4); io_wait();    /* ICW3: slave on line 2 */
	outb(PIC2_DATA, 2); io_wait();
	outb(PIC1_DATA, 1); io_wait();    /* ICW4: 8086 mode */
	outb(PIC2_DATA, 1); io_wait();
	outb(PIC1_DATA, 0xFF);            /* mask everything */
	outb(PIC2_DATA, 0xFF);
}
