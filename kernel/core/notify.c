/*
 * notify.c: the notify verbs, the only way a Cabin traps into the kernel.
 *
 * SYSCALL lands in syscall.S, which builds a struct trap_frame and calls
 * notify_dispatch().  The verb is in RAX and its arguments in RDI, RSI and
 * RDX; the result goes back in RAX and every other register the Cabin had is
 * restored as it was (RCX and R11 belong to the SYSCALL instruction).  Every
 * other request is an op in a Manifest on the Pocket ring, not a verb.
 *
 * EXIT ends the Cabin; DOORBELL tells the Guide the Pocket ring has work
 * (core/guide.c); YIELD gives the App-Core to the next Cabin in its queue
 * (core/sched.c).  WAIT returns when the Result ring (with BOX_WAIT_INBOX,
 * or the inbox) has an entry or the timeout passes: it first spins for WAIT_SPIN_US, since the
 * K-Core usually answers within microseconds and sleeping costs two
 * switches, then blocks; the Guide wakes it when it posts (sched_wake).
 */
#include "boxos/abi/notify.h"
#include "boxos/abi/status.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "core/cabin.h"
#include "core/guide.h"
#include "core/sched.h"
#include "core/panic.h"
#include "mm/paging.h"
#include "mm/pmm.h"

extern char syscall_entry[];

#define SYSCALL_STACK_ORDER 2 /* 16 KiB */

void notify_init_cpu(void)
{
	struct cpu *cpu = this_cpu();
	uint64_t stack = pmm_alloc(ZONE_USER, SYSCALL_STACK_ORDER);
	if (!stack)
		panic("notify: no memory for cpu%u's kernel stack", cpu->id);
	cpu->syscall_rsp = (uint64_t)phys_to_virt(stack) + (PAGE_SIZE << SYSCALL_STACK_ORDER);
	cpu->tss.rsp[0] = cpu->syscall_rsp;
	/* SYSCALL loads CS 0x08/SS 0x10; SYSRET loads CS 0x20|3 and SS 0x18|3. */
	wrmsr(MSR_STAR, ((uint64_t)GDT_KDATA << 48) | ((uint64_t)GDT_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* IF, DF, TF and AC are cleared on entry: no interrupts until the frame is saved */
	wrmsr(MSR_SFMASK, (1u << 9) | (1u << 10) | (1u << 8) | (1u << 18));
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

#define WAIT_MAX_US (60ULL * 1000000) /* longer waits are cut to a minute */
#define WAIT_SPIN_US 20

static bool has_result(struct cabin *c)
{
	return ring_count(&c->results) != 0;
}

static bool has_news(struct cabin *c)
{
	return ring_count(&c->results) != 0 || ring_count(&c->inbox) != 0;
}

static int64_t notify_wait(struct cabin *c, uint64_t timeout_us, uint64_t flags)
{
	if (flags & ~(uint64_t)BOX_WAIT_FLAGS)
		return BOX_ERR_INVALID;
	bool (*ready)(struct cabin *) = (flags & BOX_WAIT_INBOX) ? has_news : has_result;
	if (timeout_us > WAIT_MAX_US)
		timeout_us = WAIT_MAX_US;
	uint64_t per_us = timer_tsc_hz() / 1000000;
	uint64_t now = rdtsc();
	uint64_t deadline = now + timeout_us * per_us;
	uint64_t spin_end = now + WAIT_SPIN_US * per_us;
	for (;;) {
		if (ready(c))
			return BOX_OK;
		if (c->killed)
			return BOX_ERR_TIMEOUT; /* sched_user_return ends it on the way out */
		now = rdtsc();
		if (now >= deadline)
			return BOX_ERR_TIMEOUT;
		if (now < spin_end && cpu_count > 1)
			cpu_relax();
		else {
			guide_leaving(c); /* Pockets it queued while the Guide polled */
			sched_block(deadline, ready);
		}
	}
}

void notify_dispatch(struct trap_frame *f)
{
	struct cabin *c = this_cpu()->current;
	switch (f->rax) {
	case BOX_NOTIFY_EXIT:
		cabin_exit_current((int32_t)f->rdi);
	case BOX_NOTIFY_DOORBELL:
		guide_doorbell(c);
		f->rax = BOX_OK;
		break;
	case BOX_NOTIFY_WAIT:
		f->rax = (uint64_t)notify_wait(c, f->rdi, f->rsi);
		break;
	case BOX_NOTIFY_YIELD:
		f->rax = BOX_OK;
		guide_leaving(c);
		sched_yield(false);
		break;
	case BOX_NOTIFY_NOP:
		f->rax = BOX_OK;
		break;
	default:
		f->rax = (uint64_t)(int64_t)BOX_ERR_INVALID;
		break;
	}
	sched_user_return();
}

void notify_bad_return(void)
{
	cabin_kill_current("kernel produced a non-canonical return address");
}

