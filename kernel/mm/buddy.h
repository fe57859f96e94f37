/*
 * buddy.h: a binary buddy allocator for one zone of physical memory.
 *
 * See buddy.c for how it works.  The caller provides the per-page metadata
 * (buddy_meta_bytes() tells how much) and does the locking: nothing here is
 * thread-safe.
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

/* "No block" in the free-list links, which are page indices within the zone. */
#define BUDDY_NIL 0xFFFFFFFFu
/* Page indices are 32-bit: a zone spans at most this many pages (16 TiB). */
#define BUDDY_MAX_PAGES 0xFFFFFFFEull

struct buddy_zone {
	const char *name;
	uint64_t base;        /* physical address of page 0 of the zone */
	uint64_t npages;      /* pages spanned, reserved holes included */
	uint64_t free_pages;  /* pages currently on the free lists */
	uint8_t *meta;        /* one state byte per page (see buddy.c) */
	uint32_t *next;       /* free-list links of block heads, by page index */
	uint32_t *prev;
	uint32_t free_list[BUDDY_MAX_ORDER + 1]; /* head page index, or BUDDY_NIL */
	uint64_t free_blocks[BUDDY_MAX_ORDER + 1]; /* length of each free list */
};

/* Bytes of metadata a zone of npages pages needs. */
size_t buddy_meta_bytes(uint64_t npages);

/*
 * Set up an empty zone: every page starts reserved (not free).  base_phys must
 * be page aligned and nonzero, npages at most BUDDY_MAX_PAGES; meta must hold
 * buddy_meta_bytes(npages) bytes, 4-byte aligned.  The allocator never reads
 * or writes the memory it manages, only this metadata.
 */
void buddy_init(struct buddy_zone *z, const char *name, uint64_t base_phys,
		uint64_t npages, void *meta);

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
