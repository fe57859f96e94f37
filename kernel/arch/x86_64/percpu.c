/*
 * percpu.c: point GS at a CPU's struct cpu.  GS_BASE is the kernel's view;
 * KERNEL_GS_BASE is what SWAPGS will exchange it with on the way to user
 * mode, so it starts at 0 (no user GS yet).
 */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/cpu.h"

void percpu_install(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
