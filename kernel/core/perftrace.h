/*
 * perftrace.h: PerfTrace, a 256-slot lock-free ring of the last dispatches.
 *
 * The Manifest engine calls its exec_ctx trace callback after every handler
 * returns; the Guide points that at perftrace_hook() with the Cabin id as
 * the argument, so every dispatched op leaves one entry: the TSC, the
 * Cabin, the Deck, the op id and the status.  There is a single writer (the
 * Guide runs one pass at a time under its lock), so recording is a plain
 * fill of the next slot followed by a release store of that slot's 64-bit
 * sequence number, seqlock style.  Readers (system.trace.read) never lock:
 * perftrace_snapshot() copies the newest entries oldest-first and drops any
 * slot the writer reused while it was being copied (its sequence changed
 * between the check before and the check after the copy).
 *
 * The clock is a function pointer given to perftrace_init() (the kernel
 * passes an rdtsc wrapper), so this file stays portable; before init, or
 * with a NULL clock, entries carry TSC 0.
 *
 * Build flag: BOXOS_PERFTRACE (default 1).  With 0 nothing is recorded,
 * PERFTRACE_HOOK is NULL (the engine skips the call) and snapshots are
 * empty.  Portable: kernel and host tests compile the same file.
 */
#ifndef CORE_PERFTRACE_H
#define CORE_PERFTRACE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#ifndef BOXOS_PERFTRACE
#define BOXOS_PERFTRACE 1
#endif

#define PERFTRACE_SLOTS 256u

/* One dispatch, as system.trace.read writes it (little-endian, 32 bytes). */
struct perftrace_entry {
	uint64_t tsc;       /* the clock when the handler returned */
	uint32_t cabin;     /* the caller's Cabin id */
	uint8_t deck;       /* enum box_deck */
	uint8_t pad[3];     /* zero */
	uint64_t op_id;
	int32_t status;     /* the handler's status (after the engine's checks) */
	uint32_t seq_lo;    /* low 32 bits of the entry's sequence number */
};

_Static_assert(sizeof(struct perftrace_entry) == 32, "perftrace_entry is 32 bytes");
_Static_assert(offsetof(struct perftrace_entry, cabin) == 8, "perftrace_entry.cabin");
_Static_assert(offsetof(struct perftrace_entry, deck) == 12, "perftrace_entry.deck");
_Static_assert(offsetof(struct perftrace_entry, op_id) == 16, "perftrace_entry.op_id");
_Static_assert(offsetof(struct perftrace_entry, status) == 24, "perftrace_entry.status");
_Static_assert(offsetof(struct perftrace_entry, seq_lo) == 28, "perftrace_entry.seq_lo");
_Static_assert((PERFTRACE_SLOTS & (PERFTRACE_SLOTS - 1u)) == 0, "slot count is a power of two");

typedef uint64_t (*perftrace_clock_t)(void);

/* Empty the ring and set the clock (NULL: TSC 0). */
void perftrace_init(perftrace_clock_t clock);

/* Record one dispatch.  Single writer only. */
void perftrace_record(uint32_t cabin, uint8_t deck, uint64_t op_id, int32_t status);

/* The exec_ctx trace callback: arg is the Cabin id cast to a pointer. */
void perftrace_hook(void *arg, uint64_t op_id, uint8_t deck, int32_t status);

/*
 * Copy up to max of the newest entries into out, oldest first, without
 * locking; entries the writer overwrote during the copy are left out.
 * Returns the number written.  0 when compiled out.
 */
unsigned perftrace_snapshot(struct perftrace_entry *out, unsigned max);

/* Entries ever recorded (the next sequence number). */
uint64_t perftrace_count(void);

#if BOXOS_PERFTRACE
#define PERFTRACE_HOOK perftrace_hook
#else
#define PERFTRACE_HOOK NULL
#endif

#ifdef PERFTRACE_TEST_HOOKS
/* Host tests: called in perftrace_snapshot() between copying entry i and re-checking its slot. */
extern void (*perftrace_test_mid_copy)(unsigned i);
#endif

#endif
