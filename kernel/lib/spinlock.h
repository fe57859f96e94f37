/*
 * spinlock.h: a ticket spinlock that also disables interrupts while held.
 *
 * Tickets make the lock fair (CPUs get it in arrival order), and masking
 * interrupts means an interrupt handler on the same CPU can never spin on a
 * lock its own CPU holds.  The saved interrupt flag lives in the lock, which
 * is safe because only the holder touches it.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <stdint.h>
#include "arch/x86_64/cpu.h"

struct spinlock {
	volatile uint32_t next;
	volatile uint32_t serving;
	uint64_t saved_flags;
};

#define SPINLOCK_INIT {0, 0, 0}

static inline void spin_lock(struct spinlock *l)
{
	uint64_t flags = irq_save();
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
	l->saved_flags = flags;
}

static inline void spin_unlock(struct spinlock *l)
{
	uint64_t flags = l->saved_flags;
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
	irq_restore(flags);
}

#endif
