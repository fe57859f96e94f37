/* gdt.h: selector values and per-CPU GDT/TSS setup (see gdt.c). */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_UDATA 0x18
#define GDT_UCODE 0x20
#define GDT_TSS   0x28

/* IST slots (1-based, as the IDT gate names them) */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLER__
struct cpu;
/* Build and load this CPU's GDT and TSS (reloads the segment registers; clears GS). */
void gdt_init_cpu(struct cpu *c);
#endif

#endif
