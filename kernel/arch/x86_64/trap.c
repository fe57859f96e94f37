/*
 * trap.c: where every interrupt and exception lands (from isr.S).
 *
 * Exceptions in the kernel are fatal: trap_fatal() prints the vector, the
 * error code, every register, CR2/CR3 and a symbolized backtrace, then stops
 * every CPU (core/panic.c).  NMIs are the "stop now" signal a panicking CPU
 * sends the others.  Device and IPI vectors go to the handler registered for
 * them and are acknowledged at the Local APIC afterwards.
 */
#include "arch/x86_64/trap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/lapic.h"
#include "core/cabin.h"
#include "core/sched.h"
#include "core/panic.h"
#include "lib/fmt.h"
#include "lib/log.h"

static irq_handler_t irq_handlers[256];

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 floating point", "#AC alignment check",
	"#MC machine check", "#XM SIMD floating point", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

void irq_register(uint8_t vector, irq_handler_t handler)
{
	irq_handlers[vector] = handler;
}

void trap_entry(struct trap_frame *f)
{
	if (f->vector == 2) {
		if (panic_in_progress())
			cpu_stop();
		log_warn("cpu%u: unexpected NMI", this_cpu()->id);
		return;
	}
	if (f->vector == 14 && (f->cs & 3) && this_cpu()->current && !(f->error & 1) &&
	    cabin_populate(this_cpu()->current, read_cr2()) == BOX_OK)
		return; /* first touch of its heap or stack: now backed, run on */
	if (f->vector < 32 && (f->cs & 3) && this_cpu()->current) {
		/* a Cabin's fault is the Cabin's end, never the kernel's */
		char why[80];
		if (f->vector == 14)
			fmt_snprintf(why, sizeof(why), "%s at 0x%lx (rip 0x%lx)", exception_names[14],
				     read_cr2(), f->rip);
		else
			fmt_snprintf(why, sizeof(why), "%s (rip 0x%lx)", exception_names[f->vector],
				     f->rip);
		cabin_kill_current(why);
	}
	if (f->vector < 32)
		trap_fatal(f, exception_names[f->vector]);
	if (f->vector == VEC_SPURIOUS)
		return; /* spurious interrupts are never acknowledged */

	irq_handler_t handler = irq_handlers[f->vector];
	if (handler)
		handler(f);
	else
		log_warn("cpu%u: unhandled interrupt vector %lu", this_cpu()->id, f->vector);
	lapic_eoi();
	if (f->cs & 3)
		sched_user_return(); /* preempted, or killed meanwhile */
}

static void dump_registers(const struct trap_frame *f)
{
	kprintf_raw("  RIP %016lx ", f->rip);
	panic_print_symbol(f->rip);
	kprintf_raw("\n  CS  %04lx  SS %04lx  RFLAGS %016lx\n", f->cs, f->ss, f->rflags);
	kprintf_raw("  RAX %016lx  RBX %016lx  RCX %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf_raw("  RDX %016lx  RSI %016lx  RDI %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf_raw("  RBP %016lx  RSP %016lx  R8  %016lx\n", f->rbp, f->rsp, f->r8);
	kprintf_raw("  R9  %016lx  R10 %016lx  R11 %016lx\n", f->r9, f->r10, f->r11);
	kprintf_raw("  R12 %016lx  R13 %016lx  R14 %016lx\n", f->r12, f->r13, f->r14);
	kprintf_raw("  R15 %016lx\n", f->r15);
	kprintf_raw("  CR0 %016lx  CR2 %016lx  CR3 %016lx\n", read_cr0(), read_cr2(), read_cr3());
	kprintf_raw("  CR4 %016lx\n", read_cr4());
}

void trap_fatal(struct trap_frame *f, const char *why)
{
	panic_enter();
	kprintf_raw("\n!!! KERNEL FAULT on cpu%u: %s (vector %lu, error code 0x%lx)\n",
		    this_cpu()->id, why, f->vector, f->error);
	if (f->vector == 14)
		kprintf_raw("  page fault at %016lx: %s, %s, %s mode\n", read_cr2(),
			    (f->error & 1) ? "protection violation" : "page not present",
			    (f->error & 2) ? "write" : ((f->error & 16) ? "instruction fetch" : "read"),
			    (f->error & 4) ? "user" : "kernel");
	dump_registers(f);
	panic_backtrace(f->rip, f->rbp);
	panic_halt_all();
}
