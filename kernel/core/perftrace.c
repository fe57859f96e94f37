/*
 * perftrace.c: the PerfTrace ring (see perftrace.h).
 *
 * Slot k holds the entry with sequence number s where s % 256 == k, and
 * slot_seq[k] says which: s + 1 once the entry is complete, 0 while the
 * writer is filling it (or before the slot was ever used).  The writer
 * zeroes slot_seq, fills the entry, then publishes s + 1 with a release
 * store and advances head.  A reader loads head, and for each wanted
 * sequence s checks slot_seq == s + 1 (acquire), copies, and checks again
 * after an acquire fence: a changed value means the writer reused the slot
 * in between, and the copy is dropped.
 */
#include "core/perftrace.h"

#ifdef PERFTRACE_TEST_HOOKS
void (*perftrace_test_mid_copy)(unsigned i);
#endif

#if BOXOS_PERFTRACE

static struct perftrace_entry slots[PERFTRACE_SLOTS];
static uint64_t slot_seq[PERFTRACE_SLOTS];
static uint64_t head;                  /* entries ever recorded */
static perftrace_clock_t clock_fn;

void perftrace_init(perftrace_clock_t clock)
{
	for (unsigned i = 0; i < PERFTRACE_SLOTS; i++)
		__atomic_store_n(&slot_seq[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&head, 0, __ATOMIC_RELAXED);
	clock_fn = clock;
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* Every dispatch pays for this: in the kernel a bare RDTSC, in host tests
 * the clock the test installed. */
static inline uint64_t now(void)
{
#ifdef BOXOS_HOST_TEST
	return clock_fn ? clock_fn() : 0;
#else
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
#endif
}

static inline __attribute__((always_inline)) void record(uint32_t cabin, uint8_t deck,
							 uint64_t op_id, int32_t status)
{
	uint64_t s = __atomic_load_n(&head, __ATOMIC_RELAXED);
	unsigned k = (unsigned)(s & (PERFTRACE_SLOTS - 1u));
	struct perftrace_entry *e = &slots[k];

	__atomic_store_n(&slot_seq[k], 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the 0 is visible before any new byte */
	e->tsc = now();
	e->cabin = cabin;
	e->deck = deck;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	e->op_id = op_id;
	e->status = status;
	e->seq_lo = (uint32_t)s;
	__atomic_store_n(&slot_seq[k], s + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&head, s + 1, __ATOMIC_RELEASE);
}

void perftrace_record(uint32_t cabin, uint8_t deck, uint64_t op_id, int32_t status)
{
	record(cabin, deck, op_id, status);
}

unsigned perftrace_snapshot(struct perftrace_entry *out, unsigned max)
{
	if (!out || !max)
		return 0;
	uint64_t h = __atomic_load_n(&head, __ATOMIC_ACQUIRE);
	uint64_t n = h < PERFTRACE_SLOTS ? h : PERFTRACE_SLOTS;
	if (n > max)
		n = max;
	unsigned got = 0;
	for (uint64_t s = h - n; s < h; s++) {
		unsigned k = (unsigned)(s & (PERFTRACE_SLOTS - 1u));
		if (__atomic_load_n(&slot_seq[k], __ATOMIC_ACQUIRE) != s + 1)
			continue; /* already reused (or being filled) */
		volatile const struct perftrace_entry *src = &slots[k];
		struct perftrace_entry e;
		e.tsc = src->tsc;
		e.cabin = src->cabin;
		e.deck = src->deck;
		e.pad[0] = e.pad[1] = e.pad[2] = 0;
		e.op_id = src->op_id;
		e.status = src->status;
		e.seq_lo = src->seq_lo;
#ifdef PERFTRACE_TEST_HOOKS
		if (perftrace_test_mid_copy)
			perftrace_test_mid_copy(got);
#endif
		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the copy happens before the re-check */
		if (__atomic_load_n(&slot_seq[k], __ATOMIC_RELAXED) != s + 1)
			continue; /* the writer reused the slot during the copy */
		out[got++] = e;
	}
	return got;
}

uint64_t perftrace_count(void)
{
	return __atomic_load_n(&head, __ATOMIC_ACQUIRE);
}

#else /* !BOXOS_PERFTRACE */

void perftrace_init(perftrace_clock_t clock)
{
	(void)clock;
}

void perftrace_record(uint32_t cabin, uint8_t deck, uint64_t op_id, int32_t status)
{
	(void)cabin, (void)deck, (void)op_id, (void)status;
}

unsigned perftrace_snapshot(struct perftrace_entry *out, unsigned max)
{
	(void)out, (void)max;
	return 0;
}

uint64_t perftrace_count(void)
{
	return 0;
}

#endif

void perftrace_hook(void *arg, uint64_t op_id, uint8_t deck, int32_t status)
{
#if BOXOS_PERFTRACE
	record((uint32_t)(uintptr_t)arg, deck, op_id, status); /* one call per op, not two */
#else
	(void)arg, (void)op_id, (void)deck, (void)status;
#endif
}
