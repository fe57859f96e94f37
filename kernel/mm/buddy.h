/*
 * buddy.h: a binary buddy allocator for one zone of physical memory.
 *
 * See buddy.c for how it works.  The caller provides the per-page metadata
 * (buddy_meta_bytes() tells how much) and a way to reach physical memory
 * (virt_offset), and does the locking: nothing here is thread-safe.
 */
#ifndef BOXOS_MM_BUDDY_H
#define BOXOS_MM_BUDDY_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE 4096ULL
#endif

/* Blocks are 2^order pages for order 0..BUDDY_MAX_ORDER (4 KiB .. 4 MiB). */
#define BUDDY_MAX_ORDER 10

/* A free block's first bytes, inside the free page itself. */
struct buddy_free_block {
	struct buddy_free_block *next;
	struct buddy_free_block *prev;
};

struct buddy_zone {
	const char *name;
	uint64_t base;        /* physical address of page 0 of the zone */
	uint64_t npages;      /* pages spanned, reserved holes included */
	uint64_t free_pages;  /* pages currently on the free lists */
	uintptr_t virt_offset; /* physical p is reachable at (void *)(p + virt_offset) */
	uint8_t *meta;        /* one state byte per page (see buddy.c) */
	struct buddy_free_block *free_list[BUDDY_MAX_ORDER + 1];
	uint64_t free_blocks[BUDDY_MAX_ORDER + 1]; /* length of each free list */
};

/* Bytes of metadata a zone of npages pages needs. */
size_t buddy_meta_bytes(uint64_t npages);

/*
 * Set up an empty zone: every page starts reserved (not free).  base_phys must
 * be page aligned and nonzero; meta must hold buddy_meta_bytes(npages) bytes.
 */
void buddy_init(struct buddy_zone *z, const char *name, uint64_t base_phys,
		uint64_t npages, void *meta, uintptr_t virt_offset);

/*
 * Give [phys, phys + npages pages) to the allocator, merging with free
 * neighbours.  Pages outside the zone, and pages that are already free or
 * allocated, are ignored.
 */
void buddy_add_free(struct buddy_zone *z, uint64_t phys, uint64_t npages);

/*
 * Physical address of a free block of 2^order pages, aligned to its size in
 * physical address terms; 0 when there is none (or order is too big).
 */
uint64_t buddy_alloc(struct buddy_zone *z, unsigned order);

/*
 * Return a block from buddy_alloc().  0, or -1 (and nothing changes) when phys
 * is not the start of an allocated block of exactly this order in this zone.
 */
int buddy_free(struct buddy_zone *z, uint64_t phys, unsigned order);

/* Whether phys lies inside the zone's span. */
bool buddy_contains(const struct buddy_zone *z, uint64_t phys);

/*
 * Full consistency walk: free lists well formed and matching the metadata,
 * counts adding up, no two free buddies left unmerged.  0 when all is well,
 * else a negative number saying which check failed first.
 */
int buddy_check(const struct buddy_zone *z);

#endif
