/*
 * pmm.c: physical memory manager: three buddy zones over the boot memory map.
 *
 * pmm_init() never trusts the map to be sorted, disjoint or page aligned.  It
 * looks at the map as a set of boundaries: between two neighbouring
 * boundaries every address is covered by the same entries, and a stretch is
 * usable when a USABLE entry covers it and no other entry does (usable
 * entries are rounded inward to whole pages, all others outward, so a
 * conflict always goes to "not usable").  next_usable_range() walks these
 * stretches in address order; the map is small, so quadratic work is fine.
 *
 * Then:
 *   1. the DMA32/USER cut is placed where the first PMM_DMA32_RESERVE bytes of
 *      usable memory above PMM_LOW_RESERVED end;
 *   2. each zone spans its lowest..highest usable page; holes stay reserved;
 *   3. one metadata block for all zones is carved from the top of a usable
 *      range, preferring USER, then HIGH, then DMA32 (so DMA32 keeps its size);
 *   4. every usable range, minus the metadata, is given to its zone.
 */
#include "mm/pmm.h"

static const char *const zone_names[ZONE_COUNT] = { "DMA32", "USER", "HIGH" };

static struct {
	struct buddy_zone zone[ZONE_COUNT];
	bool present[ZONE_COUNT];
	uint64_t total_pages[ZONE_COUNT];
} pmm;

static void lock_noop(void)
{
}

static void (*pmm_lock)(void) = lock_noop;
static void (*pmm_unlock)(void) = lock_noop;

void pmm_set_lock(void (*lock)(void), void (*unlock)(void))
{
	pmm_lock = lock ? lock : lock_noop;
	pmm_unlock = unlock ? unlock : lock_noop;
}

/* ---- reading the memory map ---- */

static uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE_SIZE - 1);
}

/* Round up; an address in the last page of the address space saturates. */
static uint64_t page_up(uint64_t a)
{
	if (a > UINT64_MAX - (PAGE_SIZE - 1))
		return UINT64_MAX;
	return page_down(a + PAGE_SIZE - 1);
}

/*
 * The page-granular extent [*start, *end) of one entry: usable memory
 * rounded inward, anything else outward.  false for an empty entry.
 */
static bool region_extent(const struct boot_mem_region *r, uint64_t *start, uint64_t *end)
{
	if (r->length == 0)
		return false;
	uint64_t last = r->length > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->length;
	if (r->type == BOOT_MEM_USABLE) {
		*start = page_up(r->base);
		*end = page_down(last);
	} else {
		*start = page_down(r->base);
		*end = page_up(last);
	}
	return *start < *end;
}

/* Whether page-aligned address a is usable (see the comment at the top). */
static bool usable_at(const struct boot_mem_region *map, uint32_t count, uint64_t a)
{
	bool usable = false;
	if (a < PMM_LOW_RESERVED)
		return false;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t s, e;
		if (!region_extent(&map[i], &s, &e) || a < s || a >= e)
			continue;
		if (map[i].type != BOOT_MEM_USABLE)
			return false;
		usable = true;
	}
	return usable;
}

/* The smallest boundary above a, or UINT64_MAX when there is none. */
static uint64_t next_boundary(const struct boot_mem_region *map, uint32_t count, uint64_t a)
{
	uint64_t next = UINT64_MAX;
	if (a < PMM_LOW_RESERVED)
		next = PMM_LOW_RESERVED;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t s, e;
		if (!region_extent(&map[i], &s, &e))
			continue;
		if (s > a && s < next)
			next = s;
		if (e > a && e < next)
			next = e;
	}
	return next;
}

/*
 * The first maximal usable range that ends above `from`, clipped to start at
 * `from` or later.  Calling it again with from = *end walks all of them.
 */
static bool next_usable_range(const struct boot_mem_region *map, uint32_t count,
			      uint64_t from, uint64_t *start, uint64_t *end)
{
	uint64_t a = page_up(from);
	while (a != UINT64_MAX) {
		uint64_t next = next_boundary(map, count, a);
		if (usable_at(map, count, a)) {
			*start = a;
			while (next != UINT64_MAX && usable_at(map, count, next))
				next = next_boundary(map, count, next);
			*end = next;
			return true;
		}
		a = next;
	}
	return false;
}

#define for_each_usable_range(map, count, s, e)                                  \
	for (bool more_ = next_usable_range(map, count, 0, &(s), &(e)); more_;   \
	     more_ = next_usable_range(map, count, e, &(s), &(e)))

/* ---- building the zones ---- */

struct zone_layout {
	uint64_t window_start[ZONE_COUNT]; /* a zone owns usable pages in its window */
	uint64_t window_end[ZONE_COUNT];
	uint64_t span_start[ZONE_COUNT];   /* lowest usable page in the window */
	uint64_t span_end[ZONE_COUNT];     /* end of the highest usable page */
};

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Where the first PMM_DMA32_RESERVE bytes of usable memory below 4 GiB end. */
static uint64_t dma32_cut(const struct boot_mem_region *map, uint32_t count)
{
	uint64_t s, e, wanted = PMM_DMA32_RESERVE;
	for_each_usable_range(map, count, s, e) {
		if (s >= PMM_DMA32_LIMIT)
			break;
		e = min_u64(e, PMM_DMA32_LIMIT);
		if (e - s >= wanted)
			return s + wanted;
		wanted -= e - s;
	}
	return PMM_DMA32_LIMIT; /* less than the reserve below 4 GiB: all DMA32 */
}

static void compute_layout(const struct boot_mem_region *map, uint32_t count,
			   struct zone_layout *l)
{
	uint64_t cut = dma32_cut(map, count);
	l->window_start[ZONE_DMA32] = PMM_LOW_RESERVED;
	l->window_end[ZONE_DMA32] = cut;
	l->window_start[ZONE_USER] = cut;
	l->window_end[ZONE_USER] = PMM_DMA32_LIMIT;
	l->window_start[ZONE_HIGH] = PMM_DMA32_LIMIT;
	l->window_end[ZONE_HIGH] = UINT64_MAX;

	for (int z = 0; z < ZONE_COUNT; z++) {
		l->span_start[z] = UINT64_MAX;
		l->span_end[z] = 0;
	}
	uint64_t s, e;
	for_each_usable_range(map, count, s, e) {
		for (int z = 0; z < ZONE_COUNT; z++) {
			uint64_t zs = max_u64(s, l->window_start[z]);
			uint64_t ze = min_u64(e, l->window_end[z]);
			if (zs >= ze)
				continue;
			l->span_start[z] = min_u64(l->span_start[z], zs);
			l->span_end[z] = max_u64(l->span_end[z], ze);
		}
	}
}

static uint64_t span_pages(const struct zone_layout *l, int z)
{
	if (l->span_start[z] >= l->span_end[z])
		return 0;
	return (l->span_end[z] - l->span_start[z]) >> PAGE_SHIFT;
}

/*
 * Physical address of `bytes` (page multiple) carved from the top of a usable
 * range, trying the zones' windows in the order given; 0 when nothing fits.
 */
static uint64_t carve_metadata(const struct boot_mem_region *map, uint32_t count,
			       const struct zone_layout *l, uint64_t bytes)
{
	static const int preference[ZONE_COUNT] = { ZONE_USER, ZONE_HIGH, ZONE_DMA32 };
	for (int i = 0; i < ZONE_COUNT; i++) {
		int z = preference[i];
		uint64_t s, e, found = 0;
		for_each_usable_range(map, count, s, e) {
			uint64_t zs = max_u64(s, l->window_start[z]);
			uint64_t ze = min_u64(e, l->window_end[z]);
			if (zs < ze && ze - zs >= bytes)
				found = ze - bytes; /* keep the highest fit */
		}
		if (found)
			return found;
	}
	return 0;
}

int pmm_init(const struct boot_mem_region *map, uint32_t count, uintptr_t virt_offset)
{
	struct zone_layout layout;
	uint64_t meta_bytes[ZONE_COUNT], meta_total = 0;
	int result = -1;

	pmm_lock();
	for (int z = 0; z < ZONE_COUNT; z++) {
		pmm.present[z] = false;
		pmm.total_pages[z] = 0;
	}
	if (!map || count == 0)
		goto out;

	compute_layout(map, count, &layout);
	for (int z = 0; z < ZONE_COUNT; z++) {
		meta_bytes[z] = buddy_meta_bytes(span_pages(&layout, z));
		meta_total += meta_bytes[z];
	}
	if (meta_total == 0)
		goto out; /* no usable memory at all */
	meta_total = page_up(meta_total);
	uint64_t meta_phys = carve_metadata(map, count, &layout, meta_total);
	if (!meta_phys)
		goto out;
	uint64_t meta_end = meta_phys + meta_total;

	uint64_t meta_cursor = meta_phys;
	for (int z = 0; z < ZONE_COUNT; z++) {
		uint64_t npages = span_pages(&layout, z);
		if (!npages)
			continue;
		buddy_init(&pmm.zone[z], zone_names[z], layout.span_start[z], npages,
			   (void *)(uintptr_t)(meta_cursor + virt_offset));
		meta_cursor += meta_bytes[z];
		pmm.present[z] = true;
	}

	/* Hand every usable page except the metadata to its zone. */
	uint64_t s, e;
	for_each_usable_range(map, count, s, e) {
		for (int z = 0; z < ZONE_COUNT; z++) {
			uint64_t zs = max_u64(s, layout.window_start[z]);
			uint64_t ze = min_u64(e, layout.window_end[z]);
			/* the metadata block splits [zs, ze) into below and above */
			uint64_t piece_start[2] = { zs, max_u64(zs, meta_end) };
			uint64_t piece_end[2] = { min_u64(ze, meta_phys), ze };
			for (int p = 0; p < 2; p++) {
				if (piece_start[p] >= piece_end[p])
					continue;
				uint64_t n = (piece_end[p] - piece_start[p]) >> PAGE_SHIFT;
				buddy_add_free(&pmm.zone[z], piece_start[p], n);
				pmm.total_pages[z] += n;
			}
		}
	}
	result = 0;
out:
	pmm_unlock();
	return result;
}

/* ---- allocation ---- */

uint64_t pmm_alloc(enum pmm_zone preferred, unsigned order)
{
	static const int fallback[ZONE_COUNT][ZONE_COUNT] = {
		[ZONE_DMA32] = { ZONE_DMA32, -1, -1 },
		[ZONE_USER] = { ZONE_USER, ZONE_HIGH, ZONE_DMA32 },
		[ZONE_HIGH] = { ZONE_HIGH, ZONE_USER, ZONE_DMA32 },
	};
	uint64_t phys = 0;

	if ((unsigned)preferred >= ZONE_COUNT)
		return 0;
	pmm_lock();
	for (int i = 0; i < ZONE_COUNT && !phys; i++) {
		int z = fallback[preferred][i];
		if (z >= 0 && pmm.present[z])
			phys = buddy_alloc(&pmm.zone[z], order);
	}
	pmm_unlock();
	return phys;
}

uint64_t pmm_alloc_page(void)
{
	return pmm_alloc(ZONE_USER, 0);
}

int pmm_free(uint64_t phys, unsigned order)
{
	int result = -1;
	pmm_lock();
	for (int z = 0; z < ZONE_COUNT; z++) {
		if (pmm.present[z] && buddy_contains(&pmm.zone[z], phys)) {
			result = buddy_free(&pmm.zone[z], phys, order);
			break;
		}
	}
	pmm_unlock();
	return result;
}

void pmm_stats(struct pmm_zone_stats out[ZONE_COUNT])
{
	pmm_lock();
	for (int z = 0; z < ZONE_COUNT; z++) {
		out[z].name = zone_names[z];
		out[z].total_pages = pmm.total_pages[z];
		out[z].free_pages = pmm.present[z] ? pmm.zone[z].free_pages : 0;
	}
	pmm_unlock();
}

uint64_t pmm_free_pages_total(void)
{
	uint64_t total = 0;
	pmm_lock();
	for (int z = 0; z < ZONE_COUNT; z++)
		if (pmm.present[z])
			total += pmm.zone[z].free_pages;
	pmm_unlock();
	return total;
}

int pmm_check(void)
{
	int result = 0;
	pmm_lock();
	for (int z = 0; z < ZONE_COUNT && !result; z++) {
		if (!pmm.present[z])
			continue;
		result = buddy_check(&pmm.zone[z]);
		if (!result && pmm.zone[z].free_pages > pmm.total_pages[z])
			result = -100;
	}
	pmm_unlock();
	return result;
}
