/*
 * listen.c: the Listen table (see listen.h).  Linear probing from a hash of
 * (cabin, mask); removed entries become tombstones so later probes still
 * find what lies behind them, and an add reuses the first tombstone it met.
 */
#include <stdbool.h>

#include "core/listen.h"
#include "boxos/abi/status.h"

enum { LISTEN_FREE = 0, LISTEN_USED, LISTEN_GONE };

static unsigned slot_of(uint32_t cabin, uint64_t mask)
{
	uint64_t h = (mask ^ ((uint64_t)cabin << 32) ^ cabin) * 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> 54) & (LISTEN_SLOTS - 1);
}

_Static_assert((LISTEN_SLOTS & (LISTEN_SLOTS - 1)) == 0, "slot count is a power of two");
_Static_assert(LISTEN_SLOTS <= 1024, "slot_of uses the top 10 bits");

void listen_init(struct listen_table *t)
{
	for (unsigned i = 0; i < LISTEN_SLOTS; i++)
		t->e[i] = (struct listen_entry){0, LISTEN_FREE, 0};
	t->used = 0;
}

/* The entry's index, or -1; *reuse gets the first free or tombstone slot. */
static int find(const struct listen_table *t, uint32_t cabin, uint64_t mask, int *reuse)
{
	unsigned i = slot_of(cabin, mask);
	*reuse = -1;
	for (unsigned n = 0; n < LISTEN_SLOTS; n++, i = (i + 1) & (LISTEN_SLOTS - 1)) {
		const struct listen_entry *e = &t->e[i];
		if (e->state == LISTEN_FREE) {
			if (*reuse < 0)
				*reuse = (int)i;
			return -1;
		}
		if (e->state == LISTEN_GONE) {
			if (*reuse < 0)
				*reuse = (int)i;
			continue;
		}
		if (e->cabin == cabin && e->mask == mask)
			return (int)i;
	}
	return -1;
}

int32_t listen_add(struct listen_table *t, uint32_t cabin, uint64_t mask)
{
	if (cabin == 0 || mask == 0)
		return BOX_ERR_INVALID;
	int reuse;
	if (find(t, cabin, mask, &reuse) >= 0)
		return BOX_OK;
	if (reuse < 0 || t->used == LISTEN_SLOTS)
		return BOX_ERR_FULL;
	t->e[reuse] = (struct listen_entry){cabin, LISTEN_USED, mask};
	t->used++;
	return BOX_OK;
}

int32_t listen_remove(struct listen_table *t, uint32_t cabin, uint64_t mask)
{
	int reuse;
	int i = find(t, cabin, mask, &reuse);
	if (i < 0)
		return BOX_ERR_NOENT;
	t->e[i] = (struct listen_entry){0, LISTEN_GONE, 0};
	t->used--;
	return BOX_OK;
}

unsigned listen_forget(struct listen_table *t, uint32_t cabin)
{
	unsigned n = 0;
	for (unsigned i = 0; i < LISTEN_SLOTS; i++)
		if (t->e[i].state == LISTEN_USED && t->e[i].cabin == cabin) {
			t->e[i] = (struct listen_entry){0, LISTEN_GONE, 0};
			t->used--;
			n++;
		}
	return n;
}

unsigned listen_match(const struct listen_table *t, uint64_t mask,
		      void (*fn)(uint32_t cabin, void *arg), void *arg)
{
	unsigned calls = 0;
	for (unsigned i = 0; i < LISTEN_SLOTS; i++) {
		const struct listen_entry *e = &t->e[i];
		if (e->state != LISTEN_USED || !(e->mask & mask))
			continue;
		/* one call per Cabin: skip if an earlier matching entry had it */
		bool seen = false;
		for (unsigned k = 0; k < i && !seen; k++)
			seen = t->e[k].state == LISTEN_USED && t->e[k].cabin == e->cabin &&
			       (t->e[k].mask & mask);
		if (!seen) {
			fn(e->cabin, arg);
			calls++;
		}
	}
	return calls;
}
