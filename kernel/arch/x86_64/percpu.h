/*
 * percpu.h: the per-CPU block.  Each CPU has one struct cpu; its GS base
 * points at it, and the first field points at itself, so this_cpu() is a
 * single `mov %gs:0`.  The GS base is set before any code that calls
 * this_cpu() runs on that CPU (a known pitfall on APs).
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/percpu_asm.h"

#define MAX_CPUS 64
#define KSTACK_SIZE (16 * 1024)
#define IST_STACK_SIZE (8 * 1024)

enum cpu_role {
	CPU_ROLE_NONE = 0,
	CPU_ROLE_KCORE = 1, /* runs the Guide */
	CPU_ROLE_APP = 2,   /* runs Cabins */
	CPU_ROLE_BOTH = 3,  /* a one-CPU machine */
};

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

#define GDT_ENTRIES 7 /* null, kcode, kdata, udata, ucode, tss (2 slots) */

struct cabin;

struct cpu {
	struct cpu *self;           /* %gs:0 */
	uint64_t syscall_rsp;       /* %gs:8: kernel stack top for SYSCALL and ring-3 interrupts */
	uint64_t user_rsp;          /* %gs:16: the Cabin's RSP, saved by syscall_entry */
	uint32_t id;                /* dense index, 0 = bootstrap CPU */
	uint32_t apic_id;
	uint32_t role;              /* enum cpu_role */
	volatile uint32_t online;   /* set by the CPU itself once it runs */
	volatile uint64_t ticks;    /* LAPIC timer interrupts taken */
	volatile uint64_t ipis;     /* test IPIs taken */
	uint64_t kstack_top;        /* the stack this CPU booted on */
	struct cabin *current;      /* the Cabin running here, or NULL */
	uint64_t sched_ksp;         /* the scheduler's RSP while a Cabin runs (core/sched.c) */
	volatile bool need_resched; /* the running Cabin's quantum is used up */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
};

extern struct cpu cpus[MAX_CPUS];
extern uint32_t cpu_count;

_Static_assert(__builtin_offsetof(struct cpu, syscall_rsp) == CPU_SYSCALL_RSP, "syscall.S");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "syscall.S");

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

const char *cpu_role_name(uint32_t role);
void percpu_install(struct cpu *c);

#endif
