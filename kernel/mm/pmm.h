/*
 * pmm.h: the physical memory manager.
 *
 * Usable RAM from the boot memory map is split into three zones, each a buddy
 * allocator (mm/buddy.h):
 *   ZONE_DMA32  the lowest PMM_DMA32_RESERVE bytes of usable RAM above
 *               PMM_LOW_RESERVED, kept for devices that can only address
 *               32 bits; only explicit DMA32 requests (or a last resort) use it;
 *   ZONE_USER   the rest of usable RAM below PMM_DMA32_LIMIT: the default zone;
 *   ZONE_HIGH   usable RAM at or above PMM_DMA32_LIMIT.
 * Memory below PMM_LOW_RESERVED (AP trampoline, legacy areas) is never used.
 */
#ifndef BOXOS_MM_PMM_H
#define BOXOS_MM_PMM_H

#include <stdint.h>
#include <stdbool.h>
#include <boxos/bootinfo.h>
#include "mm/buddy.h"

#define PMM_LOW_RESERVED  0x100000ULL    /* [0, 1 MiB) is never handed out */
#define PMM_DMA32_LIMIT   0x100000000ULL /* 4 GiB: DMA32/USER below, HIGH above */
#define PMM_DMA32_RESERVE (64ULL << 20)  /* usable bytes kept for ZONE_DMA32 */

enum pmm_zone { ZONE_DMA32, ZONE_USER, ZONE_HIGH, ZONE_COUNT };

struct pmm_zone_stats {
	const char *name;
	uint64_t total_pages; /* pages the zone manages (metadata excluded) */
	uint64_t free_pages;
};

/*
 * Build the zones from the memory map; virt_offset maps physical to virtual
 * (physical p is at p + virt_offset, i.e. the direct map).  Only
 * BOOT_MEM_USABLE memory is used, and never where another entry overlaps it.
 * The zones' metadata is carved from usable memory.  Returns 0, or -1 when
 * there is no usable memory or no room for the metadata.
 */
int pmm_init(const struct boot_mem_region *map, uint32_t count, uintptr_t virt_offset);

/*
 * A block of 2^order pages (aligned to its size), or 0 when none is left.
 * Zones tried: DMA32 -> DMA32 only; USER -> USER, HIGH, DMA32;
 * HIGH -> HIGH, USER, DMA32.
 */
uint64_t pmm_alloc(enum pmm_zone preferred, unsigned order);
uint64_t pmm_alloc_page(void); /* pmm_alloc(ZONE_USER, 0) */

/* Return a block; the zone is found from the address.  0, or -1 on a bad free. */
int pmm_free(uint64_t phys, unsigned order);

void pmm_stats(struct pmm_zone_stats out[ZONE_COUNT]);
uint64_t pmm_free_pages_total(void);

/* buddy_check() on each zone: 0 when all are consistent. */
int pmm_check(void);

/*
 * Locking: every pmm call above except pmm_init runs between lock() and
 * unlock().  Both default to doing nothing (fine while one CPU runs with
 * interrupts off); the kernel installs real ones once it has spinlocks.
 * Passing NULL restores the no-op.
 */
void pmm_set_lock(void (*lock)(void), void (*unlock)(void));

#endif
