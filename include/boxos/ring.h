/*
 * ring.h: portable single-producer single-consumer ring operations.
 *
 * Works on the shared layout of boxos/abi/ring.h (a header with free-running
 * 64-bit head and tail, then a slot array).  The same code runs in the
 * kernel, in boxlib and in the host tests.
 *
 * The header lives in memory the other side can write, so it is never
 * trusted for geometry: each side keeps its own `struct ring` (header and
 * slot pointers, slot count, slot size), set up once by ring_attach() or
 * ring_init(), and the header's slot_count/slot_size/magic are only
 * informative.  Every slot access is masked with slot_count - 1, so no index
 * value can lead outside the slot array.
 *
 * Protocol (see docs/abi.md):
 *   push: h = own head (relaxed); t = tail (acquire);
 *         h - t >  count -> BOX_ERR_INVALID (corrupted), nothing written
 *         h - t == count -> BOX_ERR_FULL at once, nothing written
 *         else copy the item into slot h & mask, then store head = h + 1 (release)
 *   pop:  t = own tail (relaxed); h = head (acquire);
 *         h - t >  count -> BOX_ERR_INVALID, nothing read or written
 *         h == t         -> BOX_ERR_NOENT (empty), nothing read or written
 *         else copy slot t & mask out, then store tail = t + 1 (release)
 * The differences are computed in uint64_t, so wrap-around of the counters at
 * 2^64 is harmless; "head behind tail" shows up as a huge difference and is
 * reported as corruption.  Copies are done in 64-bit words, each word read
 * exactly once (the other side may be scribbling over the slot concurrently;
 * the copy is what gets validated and used); items and slots must be 8-byte
 * aligned.
 */
#ifndef BOXOS_RING_H
#define BOXOS_RING_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#include "boxos/abi/ring.h"
#include "boxos/abi/status.h"

struct ring {
	struct box_ring_header *hdr;
	void *slots;          /* slot_count * slot_size bytes */
	uint32_t slot_count;  /* power of two, >= 1 */
	uint32_t slot_size;   /* multiple of 8, >= 8 */
};

static inline bool ring_geometry_ok(uint32_t slot_count, uint32_t slot_size)
{
	return slot_count != 0 && (slot_count & (slot_count - 1)) == 0 &&
	       slot_size != 0 && (slot_size & 7u) == 0;
}

/* Describe an existing ring (trusted geometry).  BOX_ERR_INVALID if the geometry is bad. */
static inline int ring_attach(struct ring *r, struct box_ring_header *hdr, void *slots,
			      uint32_t slot_count, uint32_t slot_size)
{
	if (!ring_geometry_ok(slot_count, slot_size))
		return BOX_ERR_INVALID;
	r->hdr = hdr;
	r->slots = slots;
	r->slot_count = slot_count;
	r->slot_size = slot_size;
	return BOX_OK;
}

/* Attach and reset the shared header: empty ring, indices 0, geometry published. */
static inline int ring_init(struct ring *r, struct box_ring_header *hdr, void *slots,
			    uint32_t slot_count, uint32_t slot_size)
{
	int rc = ring_attach(r, hdr, slots, slot_count, slot_size);
	if (rc != BOX_OK)
		return rc;
	__atomic_store_n(&hdr->head, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&hdr->tail, 0, __ATOMIC_RELAXED);
	hdr->slot_count = slot_count;
	hdr->slot_size = slot_size;
	hdr->magic = BOX_RING_MAGIC;
	hdr->reserved = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return BOX_OK;
}

static inline void *ring_slot(const struct ring *r, uint64_t index)
{
	return (uint8_t *)r->slots + (size_t)(index & (r->slot_count - 1)) * r->slot_size;
}

/* Word copy in which each source word is loaded exactly once. */
static inline void ring_copy_words(void *dst, const void *src, uint32_t bytes)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;
	for (uint32_t i = 0; i < bytes / 8; i++)
		__atomic_store_n(&d[i], __atomic_load_n(&s[i], __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

/*
 * Entries between tail and head: 0..slot_count, or BOX_ERR_INVALID when
 * corrupted.  Call it from the producer or the consumer: one of the two
 * indices is then the caller's own and stable, so the answer is exact at the
 * moment of the other load.  (A third party reading both while both sides
 * move could see a difference above slot_count.)
 */
static inline int64_t ring_count(const struct ring *r)
{
	uint64_t t = __atomic_load_n(&r->hdr->tail, __ATOMIC_ACQUIRE);
	uint64_t h = __atomic_load_n(&r->hdr->head, __ATOMIC_ACQUIRE);
	uint64_t d = h - t;
	if (d > r->slot_count)
		return BOX_ERR_INVALID;
	return (int64_t)d;
}

/* Producer: copy slot_size bytes from item into the ring.  Never waits. */
static inline int ring_push(const struct ring *r, const void *item)
{
	uint64_t h = __atomic_load_n(&r->hdr->head, __ATOMIC_RELAXED);
	uint64_t t = __atomic_load_n(&r->hdr->tail, __ATOMIC_ACQUIRE);
	uint64_t d = h - t;
	if (d > r->slot_count)
		return BOX_ERR_INVALID;
	if (d == r->slot_count)
		return BOX_ERR_FULL;
	ring_copy_words(ring_slot(r, h), item, r->slot_size);
	__atomic_store_n(&r->hdr->head, h + 1, __ATOMIC_RELEASE);
	return BOX_OK;
}

/* Consumer: copy the oldest entry (slot_size bytes) into item and release its slot. */
static inline int ring_pop(const struct ring *r, void *item)
{
	uint64_t t = __atomic_load_n(&r->hdr->tail, __ATOMIC_RELAXED);
	uint64_t h = __atomic_load_n(&r->hdr->head, __ATOMIC_ACQUIRE);
	uint64_t d = h - t;
	if (d > r->slot_count)
		return BOX_ERR_INVALID;
	if (d == 0)
		return BOX_ERR_NOENT;
	ring_copy_words(item, ring_slot(r, t), r->slot_size);
	__atomic_store_n(&r->hdr->tail, t + 1, __ATOMIC_RELEASE);
	return BOX_OK;
}

#endif
