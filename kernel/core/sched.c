/*
 * sched.c: the App-Cores' scheduler, a multi-level feedback queue per core.
 *
 * Every App-Core owns a run queue with SCHED_LEVELS levels.  A Cabin starts
 * at level 0 (quantum 1 tick); using up its quantum moves it one level down
 * (2, then 4 ticks), so CPU-bound Cabins sink and Cabins that block in WAIT
 * stay on top.  Every SCHED_BOOST_TICKS ticks everything on a core goes back
 * to level 0, so nothing starves.  Cabins with a tag in the use context
 * (system.ctx.use) are queued one level higher than their own: the small
 * boost the shell's `use` gives.  A core whose queue is empty steals one
 * Cabin from the busiest other queue before it halts; a new Cabin goes to the
 * App-Core with the least work.
 *
 * Each Cabin has its own kernel stack, so switching is xv6's: the Cabin
 * calls sched_switch() into its CPU's scheduler context and some scheduler
 * later switches back.  Across every switch the CPU's run-queue lock is held
 * (taken by the side that leaves, dropped by the side that arrives), so a
 * Cabin that is queued but still saving its registers cannot be stolen, and
 * a wake-up cannot slip between "the ring is empty" and "asleep".  A Cabin
 * that exits switches away for the last time; its CPU, back on its own
 * stack, releases every page (cabin_release) and signals the Guide.
 *
 * On a one-CPU machine CPU 0 is both K-Core and App-Core: the same queue,
 * run from the K-Core's loop (core/launch.c) between Guide passes.
 */
#include "core/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "core/cabin.h"
#include "core/guide.h"
#include "core/op.h"
#include "lib/spinlock.h"
#include "mm/paging.h"

void sched_switch(uint64_t *save_rsp, uint64_t next_rsp);

struct runqueue {
	struct spinlock lock;
	struct cabin *head[SCHED_LEVELS], *tail[SCHED_LEVELS];
	unsigned queued;             /* READY Cabins in the queue */
	bool busy;                   /* a Cabin is running on this core */
	volatile bool idle;          /* halted with nothing to run: wake with an IPI */
	struct cabin *sleepers;      /* BLOCKED with a deadline */
	uint32_t boost_countdown;
};

static struct runqueue rqs[MAX_CPUS];
static const uint32_t quantum[SCHED_LEVELS] = {1, 2, 4};
static uint64_t boost_mask;

static bool is_app_core(unsigned cpu)
{
	return cpu_count == 1 || cpu != 0;
}

void sched_set_boost_mask(uint64_t mask)
{
	__atomic_store_n(&boost_mask, mask, __ATOMIC_RELAXED);
}

unsigned sched_queued(unsigned cpu)
{
	return cpu < MAX_CPUS ? __atomic_load_n(&rqs[cpu].queued, __ATOMIC_RELAXED) : 0;
}

/* Under rq->lock. */
static void enqueue(struct runqueue *rq, struct cabin *c)
{
	unsigned level = c->level;
	if (level > 0 && (c->tags & __atomic_load_n(&boost_mask, __ATOMIC_RELAXED)))
		level--;
	c->rq_next = NULL;
	c->state = CABIN_READY;
	if (rq->tail[level])
		rq->tail[level]->rq_next = c;
	else
		rq->head[level] = c;
	rq->tail[level] = c;
	rq->queued++;
}

/* Under rq->lock: the first Cabin of the highest level (lowest when steal). */
static struct cabin *dequeue(struct runqueue *rq, bool lowest)
{
	for (unsigned i = 0; i < SCHED_LEVELS; i++) {
		unsigned level = lowest ? SCHED_LEVELS - 1 - i : i;
		struct cabin *c = rq->head[level];
		if (!c)
			continue;
		rq->head[level] = c->rq_next;
		if (!rq->head[level])
			rq->tail[level] = NULL;
		c->rq_next = NULL;
		rq->queued--;
		return c;
	}
	return NULL;
}

/* Under rq->lock. */
static void unlink_sleeper(struct runqueue *rq, struct cabin *c)
{
	for (struct cabin **p = &rq->sleepers; *p; p = &(*p)->sleep_next)
		if (*p == c) {
			*p = c->sleep_next;
			c->sleep_next = NULL;
			return;
		}
}

/* Under rq->lock: wake the sleepers whose deadline passed. */
static void wake_expired(struct runqueue *rq)
{
	uint64_t now = rdtsc();
	struct cabin **p = &rq->sleepers;
	while (*p) {
		struct cabin *c = *p;
		if (c->wake_tsc && now >= c->wake_tsc) {
			*p = c->sleep_next;
			c->sleep_next = NULL;
			enqueue(rq, c);
		} else {
			p = &c->sleep_next;
		}
	}
}

static void kick(unsigned cpu)
{
	if (cpu != this_cpu()->id && __atomic_load_n(&rqs[cpu].idle, __ATOMIC_ACQUIRE))
		lapic_send_ipi(cpus[cpu].apic_id, VEC_WAKE);
}

void sched_add(struct cabin *c)
{
	/* the least-loaded App-Core; ties go round robin so idle cores share */
	static unsigned rotor;
	unsigned best = 0, best_load = ~0u, first = __atomic_fetch_add(&rotor, 1, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < cpu_count; k++) {
		unsigned i = (first + k) % cpu_count;
		if (!is_app_core(i) || !cpus[i].online)
			continue;
		unsigned load = rqs[i].queued + (rqs[i].busy ? 1 : 0);
		if (load < best_load) {
			best = i;
			best_load = load;
		}
	}
	c->core = best;
	c->level = 0;
	spin_lock(&rqs[best].lock);
	enqueue(&rqs[best], c);
	spin_unlock(&rqs[best].lock);
	kick(best);
}

/* Take one READY Cabin from the busiest other App-Core; NULL when none. */
static struct cabin *steal(unsigned me)
{
	unsigned victim = me, most = 0;
	for (unsigned i = 0; i < cpu_count; i++)
		if (i != me && is_app_core(i) && rqs[i].queued > most) {
			most = rqs[i].queued;
			victim = i;
		}
	if (victim == me)
		return NULL;
	struct runqueue *rq = &rqs[victim];
	spin_lock(&rq->lock);
	struct cabin *c = dequeue(rq, true);
	if (c)
		c->core = me;
	spin_unlock(&rq->lock);
	return c;
}

/* The arriving side of a switch: drop the lock the leaving side took. */
static void finish_switch(void)
{
	spin_unlock(&rqs[this_cpu()->id].lock);
}

/* Under the CPU's rq lock, which the scheduler drops after the switch. */
static void switch_out(struct cabin *c)
{
	sched_switch(&c->ksp, this_cpu()->sched_ksp);
	finish_switch(); /* back, maybe on another CPU */
}

bool sched_run_one(void)
{
	uint64_t flags = irq_save();
	struct cpu *cpu = this_cpu();
	struct runqueue *rq = &rqs[cpu->id];
	spin_lock(&rq->lock);
	wake_expired(rq);
	struct cabin *c = dequeue(rq, false);
	if (!c) {
		spin_unlock(&rq->lock);
		c = steal(cpu->id);
		spin_lock(&rq->lock);
		if (!c) {
			rq->idle = true; /* the caller halts; sched_add and sched_wake IPI us */
			spin_unlock(&rq->lock);
			irq_restore(flags);
			return false;
		}
	}
	rq->idle = false;
	rq->busy = true;
	c->state = CABIN_RUNNING;
	c->slice_left = quantum[c->level];
	c->runs++;
	cpu->current = c;
	cpu->need_resched = false;
	cpu->syscall_rsp = c->kstack_top;
	cpu->tss.rsp[0] = c->kstack_top;
	write_cr3(c->pt.pml4);
	sched_switch(&cpu->sched_ksp, c->ksp);
	/* back with rq->lock held by the Cabin that left */
	write_cr3(paging_kernel_pml4());
	cpu->current = NULL;
	rq->busy = false;
	bool exited = c->state == CABIN_EXITING;
	spin_unlock(&rq->lock);
	if (exited) {
		cabin_release(c);                    /* sets CABIN_DONE last */
		guide_signal(OP_WAKE_CABIN_EXIT);
	}
	irq_restore(flags);
	return true;
}

void sched_yield(bool demote)
{
	struct cpu *cpu = this_cpu();
	struct cabin *c = cpu->current;
	struct runqueue *rq = &rqs[cpu->id];
	spin_lock(&rq->lock);
	if (demote && c->level + 1 < SCHED_LEVELS)
		c->level++;
	enqueue(rq, c);
	switch_out(c);
}

void sched_block(uint64_t deadline, bool (*ready)(struct cabin *c))
{
	struct cpu *cpu = this_cpu();
	struct cabin *c = cpu->current;
	struct runqueue *rq = &rqs[cpu->id];
	spin_lock(&rq->lock);
	if (c->killed || ready(c) || (deadline && rdtsc() >= deadline)) {
		spin_unlock(&rq->lock);
		return;
	}
	c->state = CABIN_BLOCKED;
	c->wake_tsc = deadline;
	if (deadline) {
		c->sleep_next = rq->sleepers;
		rq->sleepers = c;
	}
	switch_out(c);
}

void sched_wake(struct cabin *c)
{
	for (;;) {
		unsigned core = __atomic_load_n(&c->core, __ATOMIC_ACQUIRE);
		struct runqueue *rq = &rqs[core];
		spin_lock(&rq->lock);
		if (c->core != core) { /* stolen meanwhile: only READY Cabins move, try again */
			spin_unlock(&rq->lock);
			continue;
		}
		bool woke = c->state == CABIN_BLOCKED;
		if (woke) {
			if (c->wake_tsc)
				unlink_sleeper(rq, c);
			c->wake_tsc = 0;
			enqueue(rq, c);
		}
		spin_unlock(&rq->lock);
		if (woke)
			kick(core);
		return;
	}
}

void sched_exit(void)
{
	struct cpu *cpu = this_cpu();
	struct cabin *c = cpu->current;
	spin_lock(&rqs[cpu->id].lock);
	c->state = CABIN_EXITING;
	sched_switch(&c->ksp, cpu->sched_ksp);
	__builtin_unreachable();
}

void sched_tick(void)
{
	struct cpu *cpu = this_cpu();
	if (!is_app_core(cpu->id))
		return;
	struct runqueue *rq = &rqs[cpu->id];
	struct cabin *c = cpu->current;
	if (c) {
		c->ticks++;
		if (c->slice_left > 0)
			c->slice_left--;
		if (c->slice_left == 0)
			cpu->need_resched = true;
	}
	spin_lock(&rq->lock);
	wake_expired(rq);
	if (++rq->boost_countdown >= SCHED_BOOST_TICKS) {
		rq->boost_countdown = 0;
		for (unsigned level = 1; level < SCHED_LEVELS; level++) {
			for (struct cabin *q = rq->head[level]; q; q = q->rq_next)
				q->level = 0;
			if (rq->head[level]) {
				if (rq->tail[0])
					rq->tail[0]->rq_next = rq->head[level];
				else
					rq->head[0] = rq->head[level];
				rq->tail[0] = rq->tail[level];
				rq->head[level] = rq->tail[level] = NULL;
			}
		}
		if (c)
			c->level = 0;
	}
	/* nobody waits: keep running (on one CPU the K-Core's loop always gets a turn) */
	if (c && rq->queued == 0 && cpu_count > 1)
		cpu->need_resched = false;
	spin_unlock(&rq->lock);
}

void sched_user_return(void)
{
	struct cpu *cpu = this_cpu();
	struct cabin *c = cpu->current;
	if (!c)
		return;
	if (c->killed)
		cabin_exit_current(c->kill_status); /* proc.exit's code, or killed */
	if (cpu->need_resched) {
		guide_leaving(c); /* Pockets it queued while the Guide polled */
		sched_yield(true);
	}
}

void sched_first_entry(void)
{
	finish_switch();
}

void sched_app_core_loop(void)
{
	for (;;) {
		irq_disable();
		if (!sched_run_one())
			irq_enable_and_halt(); /* an IPI or the next tick ends the nap */
	}
}
