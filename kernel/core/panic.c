/*
 * panic.c: the one way the kernel stops on a fatal error.
 *
 * The first CPU to panic claims it (an atomic flag) and prints; any other CPU
 * that faults meanwhile just stops.  The backtrace follows the frame-pointer
 * chain (the kernel is built with -fno-omit-frame-pointer) and names every
 * return address from the kernel's own ELF symbol table (lib/ksyms.c).
 * Every other CPU is stopped with an NMI, which gets through even with
 * interrupts masked.  In self-test mode the machine leaves QEMU with the
 * failure code instead of halting, so a test never waits for its timeout.
 */
#include "core/panic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "drivers/power.h"
#include "lib/fmt.h"
#include "lib/ksyms.h"
#include "lib/log.h"

static volatile int panic_owner = -1;
bool panic_exit_qemu; /* set by the self-test mode */

bool panic_in_progress(void)
{
	return panic_owner >= 0;
}

void panic_enter(void)
{
	irq_disable();
	int me = (int)this_cpu()->id;
	int expected = -1;
	if (!__atomic_compare_exchange_n(&panic_owner, &expected, me, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST) &&
	    expected != me)
		cpu_stop();
}

void panic_print_symbol(uint64_t addr)
{
	uint64_t offset;
	const char *name = ksyms_lookup(addr, &offset);
	if (name)
		kprintf_raw("<%s+0x%lx>", name, offset);
	else
		kprintf_raw("<?>");
}

static bool kernel_address(uint64_t a)
{
	return a >= 0xFFFF800000000000ULL;
}

void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	kprintf_raw("Backtrace:\n");
	uint64_t offset;
	const char *name = ksyms_lookup(rip, &offset);
	kprintf_raw("  #0 %016lx %s+0x%lx\n", rip, name ? name : "?", name ? offset : 0);
	for (int depth = 1; depth < 24 && kernel_address(rbp) && (rbp & 7) == 0; depth++) {
		uint64_t *frame = (uint64_t *)rbp;
		uint64_t ret = frame[1];
		if (!kernel_address(ret))
			break;
		name = ksyms_lookup(ret - 1, &offset); /* the call, not the next instruction */
		kprintf_raw("  #%d %016lx %s+0x%lx\n", depth, ret, name ? name : "?",
			    name ? offset + 1 : 0);
		if (frame[0] <= rbp) /* frames grow upwards; anything else is a broken chain */
			break;
		rbp = frame[0];
	}
}

void panic_halt_all(void)
{
	if (cpu_count > 1 && lapic_ready())
		lapic_send_nmi_all_but_self();
	kprintf_raw("System halted.\n");
	if (panic_exit_qemu)
		debug_exit(DEBUG_EXIT_FAIL);
	cpu_stop();
}

void panic(const char *fmt, ...)
{
	panic_enter();
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf_raw("\n!!! KERNEL PANIC on cpu%u: %s\n", this_cpu()->id, msg);
	/* start at our caller: its return address and the frame pointer it saved */
	uint64_t *frame = __builtin_frame_address(0);
	panic_backtrace(frame[1], frame[0]);
	panic_halt_all();
}
