/*
 * listen.h: the Listen table, who wants which events.
 *
 * Events (system.notify.send, and the kernel's own) travel a separate,
 * low-rate path from the Pocket rings: an event carries a tag mask and goes
 * only to the Cabins that registered a matching entry here, as a message on
 * their inbox ring.  The table has LISTEN_SLOTS entries, open-addressed and
 * hashed on (cabin, tag mask), so add and remove cost a probe or two and a
 * full table answers BOX_ERR_FULL.  Entries of Cabins that are gone are
 * dropped by listen_forget() when the Cabin ends.
 *
 * Portable (host tests compile it); the caller serializes access (in the
 * kernel only the Guide touches it).
 */
#ifndef CORE_LISTEN_H
#define CORE_LISTEN_H

#include <stdint.h>

#define LISTEN_SLOTS 1024

struct listen_entry {
	uint32_t cabin;      /* 0 = free */
	uint32_t state;      /* LISTEN_FREE, LISTEN_USED, LISTEN_GONE (tombstone) */
	uint64_t mask;
};

struct listen_table {
	struct listen_entry e[LISTEN_SLOTS];
	unsigned used;
};

void listen_init(struct listen_table *t);
/* BOX_OK (also when already there), BOX_ERR_INVALID for mask 0 or cabin 0, BOX_ERR_FULL. */
int32_t listen_add(struct listen_table *t, uint32_t cabin, uint64_t mask);
/* BOX_OK or BOX_ERR_NOENT. */
int32_t listen_remove(struct listen_table *t, uint32_t cabin, uint64_t mask);
/* Drop every entry of a Cabin; returns how many. */
unsigned listen_forget(struct listen_table *t, uint32_t cabin);
/* Call fn once per Cabin with an entry whose mask meets `mask` (a Cabin
 * with several matching entries gets one call); returns the calls made. */
unsigned listen_match(const struct listen_table *t, uint64_t mask,
		      void (*fn)(uint32_t cabin, void *arg), void *arg);

#endif
