/*
 * gdt.c: per-CPU GDT and TSS.
 *
 * Every CPU gets its own GDT because the TSS descriptor (which names that
 * CPU's TSS) differs.  Selector layout is fixed by SYSCALL/SYSRET, which
 * derive the user selectors from STAR: kernel code 0x08, kernel data 0x10,
 * user data 0x18, user code 0x20, TSS 0x28.  The TSS carries the interrupt
 * stacks (IST) for double fault, NMI and machine check, so those still run
 * on a good stack when the kernel stack is the thing that broke.
 */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "core/panic.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "lib/log.h"

struct cpu cpus[MAX_CPUS];
uint32_t cpu_count = 1;

const char *cpu_role_name(uint32_t role)
{
	switch (role) {
	case CPU_ROLE_KCORE: return "K-Core";
	case CPU_ROLE_APP:   return "App-Core";
	case CPU_ROLE_BOTH:  return "K-Core and App-Core (single CPU)";
	default:             return "offline";
	}
}

static uint64_t segment(uint32_t flags)
{
	/* base 0, limit ignored in long mode except for the data granularity bits */
	return ((uint64_t)flags << 40) | 0x000F00000000FFFFULL;
}

struct __attribute__((packed)) descriptor_pointer {
	uint16_t limit;
	uint64_t base;
};

void gdt_init_cpu(struct cpu *c)
{
	c->gdt[0] = 0;
	c->gdt[GDT_KCODE >> 3] = segment(0xA09A); /* L=1, P, DPL0, code, readable */
	c->gdt[GDT_KDATA >> 3] = segment(0xC092); /* P, DPL0, data, writable */
	c->gdt[GDT_UDATA >> 3] = segment(0xC0F2); /* P, DPL3, data, writable */
	c->gdt[GDT_UCODE >> 3] = segment(0xA0FA); /* L=1, P, DPL3, code */

	/* The bootstrap CPU loads its GDT before the heap exists: static stacks. */
	static uint8_t bsp_ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
	for (int i = 0; i < 3; i++) {
		uint8_t *stack = bsp_ist_stacks[i];
		if (c->id != 0) {
			uint64_t phys = pmm_alloc(ZONE_USER, 1); /* 8 KiB, straight from the zone */
			if (!phys)
				panic("gdt: no memory for cpu%u's interrupt stacks", c->id);
			stack = phys_to_virt(phys);
		}
		c->tss.ist[i] = (uint64_t)stack + IST_STACK_SIZE;
	}
	c->tss.iomap_base = sizeof(struct tss); /* no I/O bitmap: user port access faults */

	uint64_t base = (uint64_t)&c->tss, limit = sizeof(struct tss) - 1;
	c->gdt[GDT_TSS >> 3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ULL << 40) |
			       (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	c->gdt[(GDT_TSS >> 3) + 1] = base >> 32;

	struct descriptor_pointer gdtr = {sizeof(c->gdt) - 1, (uint64_t)c->gdt};
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %2, %%ax\n\t"
		"mov %%ax, %%ds\n\t"
		"mov %%ax, %%es\n\t"
		"mov %%ax, %%ss\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%ax, %%fs\n\t"
		"mov %%ax, %%gs\n\t"
		"ltr %w3\n\t"
		:
		: "m"(gdtr), "i"((uint64_t)GDT_KCODE), "i"(GDT_KDATA), "r"(GDT_TSS)
		: "rax", "memory");
}
