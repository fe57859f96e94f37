/* sched.h: the App-Cores' scheduler, per-core MLFQ with work stealing (see sched.c). */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct cabin;

#define SCHED_LEVELS 3
#define SCHED_BOOST_TICKS 100  /* every second every Cabin goes back to level 0 */

/* Make a new Cabin runnable on the least-loaded App-Core. */
void sched_add(struct cabin *c);
/* Give the CPU away, staying runnable (YIELD, or preempted when demote). */
void sched_yield(bool demote);
/* Sleep until sched_wake() or the TSC passes deadline (0 = no deadline).
 * ready() is checked under the run-queue lock right before sleeping, so a
 * wake that races with the decision is never lost. */
void sched_block(uint64_t deadline, bool (*ready)(struct cabin *c));
/* Make a BLOCKED Cabin runnable again; nothing happens in any other state. */
void sched_wake(struct cabin *c);
/* The current Cabin leaves for good; its CPU releases it. */
__attribute__((noreturn)) void sched_exit(void);
/* Run one Cabin from this CPU's queue (or one stolen) until it switches
 * away; false when there was none. */
bool sched_run_one(void);
/* A new Cabin's first instructions on its own stack (cabin_first_entry). */
void sched_first_entry(void);
/* Called by the timer tick on every CPU. */
void sched_tick(void);
/* Called on the way back to ring 3 from an interrupt or a notify. */
void sched_user_return(void);
/* The use context's tag mask: Cabins with a matching tag are boosted. */
void sched_set_boost_mask(uint64_t mask);
/* Queued (READY) Cabins on a CPU, for ps and tests. */
unsigned sched_queued(unsigned cpu);
/* An App-Core's loop: run Cabins, steal when idle, halt when there is nothing. */
__attribute__((noreturn)) void sched_app_core_loop(void);

#endif
