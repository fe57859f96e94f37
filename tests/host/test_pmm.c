/*
 * test_pmm.c: host tests for the physical memory manager (kernel/mm/pmm.c).
 *
 * Memory maps shaped like QEMU q35 + OVMF (MEM=512M and MEM=4G) are backed by
 * one big lazily-allocated anonymous mapping standing in for physical memory
 * (physical p is at mapping + p).  A page-by-page reference model computes
 * what should be usable; allocations are checked against it.  Tests exhaust
 * memory with large blocks first so that few host pages are ever touched.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "check.h"
#include "mm/pmm.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#define R(base, len, type) { (base), (len), (type), 0 }

/* QEMU q35 + OVMF, -m 512M, as TagBoot would translate it. */
static const struct boot_mem_region map_512m[] = {
	R(0x0, 0xA0000, BOOT_MEM_USABLE),
	R(0x100000, 0x700000, BOOT_MEM_USABLE),
	R(0x800000, 0x8000, BOOT_MEM_ACPI_NVS),
	R(0x808000, 0x3000, BOOT_MEM_USABLE),
	R(0x80B000, 0x1000, BOOT_MEM_ACPI_NVS),
	R(0x80C000, 0x5000, BOOT_MEM_USABLE),
	R(0x811000, 0xEF000, BOOT_MEM_ACPI_NVS),
	R(0x900000, 0x700000, BOOT_MEM_USABLE),
	R(0x1000000, 0x200000, BOOT_MEM_KERNEL),
	R(0x1200000, 0x1000000, BOOT_MEM_USABLE),
	R(0x2200000, 0x400000, BOOT_MEM_BOOT_DATA),
	R(0x2600000, 0x1E000000 - 0x2600000, BOOT_MEM_USABLE),
	R(0x1E000000, 0x100000, BOOT_MEM_ACPI_RECLAIM),
	R(0x1E100000, 0x1F000000 - 0x1E100000, BOOT_MEM_USABLE),
	R(0x1F000000, 0x1000000, BOOT_MEM_RESERVED),
	R(0xB0000000, 0x10000000, BOOT_MEM_MMIO),
	R(0xFFC00000, 0x400000, BOOT_MEM_RESERVED),
};

/* -m 4G: 2 GiB below the PCI hole, 2 GiB above 4 GiB. */
static const struct boot_mem_region map_4g[] = {
	R(0x0, 0xA0000, BOOT_MEM_USABLE),
	R(0x100000, 0x700000, BOOT_MEM_USABLE),
	R(0x800000, 0x8000, BOOT_MEM_ACPI_NVS),
	R(0x808000, 0x3000, BOOT_MEM_USABLE),
	R(0x80B000, 0x1000, BOOT_MEM_ACPI_NVS),
	R(0x80C000, 0x5000, BOOT_MEM_USABLE),
	R(0x811000, 0xEF000, BOOT_MEM_ACPI_NVS),
	R(0x900000, 0x700000, BOOT_MEM_USABLE),
	R(0x1000000, 0x200000, BOOT_MEM_KERNEL),
	R(0x1200000, 0x1000000, BOOT_MEM_USABLE),
	R(0x2200000, 0x400000, BOOT_MEM_BOOT_DATA),
	R(0x2600000, 0x7E000000 - 0x2600000, BOOT_MEM_USABLE),
	R(0x7E000000, 0x100000, BOOT_MEM_ACPI_RECLAIM),
	R(0x7E100000, 0x7F000000 - 0x7E100000, BOOT_MEM_USABLE),
	R(0x7F000000, 0x1000000, BOOT_MEM_RESERVED),
	R(0xB0000000, 0x10000000, BOOT_MEM_MMIO),
	R(0xFFC00000, 0x400000, BOOT_MEM_RESERVED),
	R(0x100000000, 2 * GiB, BOOT_MEM_USABLE),
	R(0xFD00000000, 0x300000000, BOOT_MEM_RESERVED),
};

#define COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ---- fake physical memory ---- */

static unsigned char *phys_mem;
static uint64_t phys_size;

static void phys_map(uint64_t size)
{
	phys_size = size;
	phys_mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (phys_mem == MAP_FAILED) {
		printf("mmap of %llu bytes failed\n", (unsigned long long)size);
		exit(2);
	}
}

static void phys_unmap(void)
{
	munmap(phys_mem, phys_size);
}

/* ---- reference model: one byte per page ---- */

struct model {
	uint64_t npages;       /* pages up to the top usable byte */
	unsigned char *usable; /* page fully inside USABLE, touching nothing else, >= 1 MiB */
	unsigned char *taken;  /* handed out by the pmm */
	uint64_t usable_below_4g, usable_high;
	uint64_t cut;          /* where the first 64 MiB of usable pages end */
	uint64_t meta_pages;   /* what the pmm's metadata must cost */
};

static void model_build(struct model *m, const struct boot_mem_region *map, uint32_t count)
{
	uint64_t top = 0;
	for (uint32_t i = 0; i < count; i++)
		if (map[i].type == BOOT_MEM_USABLE && map[i].base + map[i].length > top)
			top = map[i].base + map[i].length;
	m->npages = top / PAGE_SIZE;
	m->usable = calloc(m->npages + 1, 1);
	m->taken = calloc(m->npages + 1, 1);
	for (uint32_t i = 0; i < count; i++) {
		if (map[i].type != BOOT_MEM_USABLE)
			continue;
		for (uint64_t p = (map[i].base + PAGE_SIZE - 1) / PAGE_SIZE;
		     (p + 1) * PAGE_SIZE <= map[i].base + map[i].length; p++)
			m->usable[p] = 1;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (map[i].type == BOOT_MEM_USABLE || map[i].length == 0)
			continue;
		for (uint64_t p = map[i].base / PAGE_SIZE;
		     p < m->npages && p * PAGE_SIZE < map[i].base + map[i].length; p++)
			m->usable[p] = 0;
	}
	for (uint64_t p = 0; p < MiB / PAGE_SIZE && p < m->npages; p++)
		m->usable[p] = 0;

	/* zone spans, the DMA32 cut, and so the metadata size */
	uint64_t first[3] = { UINT64_MAX, UINT64_MAX, UINT64_MAX }, last[3] = { 0, 0, 0 };
	uint64_t seen = 0;
	m->cut = 4 * GiB;
	m->usable_below_4g = m->usable_high = 0;
	for (uint64_t p = 0; p < m->npages; p++) {
		if (!m->usable[p])
			continue;
		int z;
		if (p * PAGE_SIZE >= 4 * GiB) {
			z = 2;
			m->usable_high++;
		} else {
			z = seen < PMM_DMA32_RESERVE / PAGE_SIZE ? 0 : 1;
			if (++seen == PMM_DMA32_RESERVE / PAGE_SIZE)
				m->cut = (p + 1) * PAGE_SIZE;
			m->usable_below_4g++;
		}
		if (first[z] == UINT64_MAX)
			first[z] = p;
		last[z] = p;
	}
	uint64_t meta_bytes = 0;
	for (int z = 0; z < 3; z++)
		if (first[z] != UINT64_MAX)
			meta_bytes += buddy_meta_bytes(last[z] - first[z] + 1);
	m->meta_pages = (meta_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void model_free(struct model *m)
{
	free(m->usable);
	free(m->taken);
}

static int zone_of(const struct model *m, uint64_t phys)
{
	if (phys >= 4 * GiB)
		return ZONE_HIGH;
	return phys < m->cut ? ZONE_DMA32 : ZONE_USER;
}

/* ---- allocation bookkeeping ---- */

struct block {
	uint64_t phys;
	unsigned order;
};

static struct block *blocks;
static uint64_t nblocks;
static unsigned bad_blocks; /* outside usable memory, overlapping, misaligned */

/* Record a block the pmm handed out and check it against the model. */
static void take(struct model *m, uint64_t phys, unsigned order)
{
	uint64_t n = 1ULL << order;
	if (phys & ((PAGE_SIZE << order) - 1) || phys < MiB) {
		bad_blocks++;
		return;
	}
	for (uint64_t p = phys / PAGE_SIZE; p < phys / PAGE_SIZE + n; p++) {
		if (p >= m->npages || !m->usable[p] || m->taken[p])
			bad_blocks++;
		else
			m->taken[p] = 1;
	}
	/* the block is real memory: write to both ends */
	phys_mem[phys] = 0x5A;
	phys_mem[phys + (PAGE_SIZE << order) - 1] = 0xA5;
	blocks[nblocks++] = (struct block){ phys, order };
}

static void release_all(struct model *m)
{
	unsigned bad = 0;
	while (nblocks) {
		struct block b = blocks[--nblocks];
		bad += pmm_free(b.phys, b.order) != 0;
		for (uint64_t p = b.phys / PAGE_SIZE; p < b.phys / PAGE_SIZE + (1ULL << b.order); p++)
			m->taken[p] = 0;
	}
	CHECK_EQ(bad, 0);
}

static const int fallback_list[ZONE_COUNT][ZONE_COUNT] = {
	[ZONE_DMA32] = { ZONE_DMA32, -1, -1 },
	[ZONE_USER] = { ZONE_USER, ZONE_HIGH, ZONE_DMA32 },
	[ZONE_HIGH] = { ZONE_HIGH, ZONE_USER, ZONE_DMA32 },
};

static int fallback_rank(enum pmm_zone pref, int zone)
{
	for (int i = 0; i < ZONE_COUNT; i++)
		if (fallback_list[pref][i] == zone)
			return i;
	return 99;
}

/*
 * Allocate everything `pref` can get, biggest blocks first.  Within one order
 * the zones must come in fallback order (a zone that ran out of blocks of
 * that order cannot get new ones while nothing is freed); for single pages a
 * fallback zone is only legitimate once the better zones are empty.
 */
static uint64_t exhaust(struct model *m, enum pmm_zone pref)
{
	uint64_t pages = 0;
	unsigned order_violations = 0, page_violations = 0;
	for (int order = BUDDY_MAX_ORDER; order >= 0; order--) {
		int rank = 0;
		for (uint64_t p; (p = pmm_alloc(pref, (unsigned)order)) != 0;) {
			int r = fallback_rank(pref, zone_of(m, p));
			if (r < rank || r == 99)
				order_violations++;
			rank = r;
			if (order == 0 && r > 0) {
				struct pmm_zone_stats st[ZONE_COUNT];
				pmm_stats(st);
				for (int i = 0; i < r; i++)
					page_violations += st[fallback_list[pref][i]].free_pages != 0;
			}
			take(m, p, (unsigned)order);
			pages += 1ULL << order;
		}
	}
	CHECK_EQ(order_violations, 0);
	CHECK_EQ(page_violations, 0);
	return pages;
}

static void expect_stats(const uint64_t total[ZONE_COUNT], const uint64_t free_pages[ZONE_COUNT])
{
	struct pmm_zone_stats st[ZONE_COUNT];
	pmm_stats(st);
	CHECK(strcmp(st[ZONE_DMA32].name, "DMA32") == 0);
	CHECK(strcmp(st[ZONE_USER].name, "USER") == 0);
	CHECK(strcmp(st[ZONE_HIGH].name, "HIGH") == 0);
	for (int z = 0; z < ZONE_COUNT; z++) {
		CHECK_EQ(st[z].total_pages, total[z]);
		CHECK_EQ(st[z].free_pages, free_pages[z]);
	}
}

static uint64_t map_top(const struct boot_mem_region *map, uint32_t count)
{
	uint64_t top = 0;
	for (uint32_t i = 0; i < count; i++)
		if (map[i].type == BOOT_MEM_USABLE && map[i].base + map[i].length > top)
			top = map[i].base + map[i].length;
	return (top + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* Everything about one realistic map. */
static void test_map(const struct boot_mem_region *map, uint32_t count, uint64_t expect_high)
{
	struct model m;
	phys_map(map_top(map, count));
	model_build(&m, map, count);
	CHECK_EQ(pmm_init(map, count, (uintptr_t)phys_mem), 0);
	CHECK_EQ(pmm_check(), 0);

	uint64_t dma32 = PMM_DMA32_RESERVE / PAGE_SIZE;
	uint64_t total[ZONE_COUNT] = {
		dma32, m.usable_below_4g - dma32 - m.meta_pages, m.usable_high
	};
	CHECK_EQ(total[ZONE_HIGH], expect_high);
	expect_stats(total, total);
	uint64_t all = total[0] + total[1] + total[2];
	CHECK_EQ(pmm_free_pages_total(), all);

	/* DMA32 requests only ever get DMA32, and all 64 MiB of it. */
	uint64_t got = exhaust(&m, ZONE_DMA32);
	CHECK_EQ(got, dma32);
	CHECK_EQ(pmm_alloc(ZONE_DMA32, 0), 0);
	CHECK(pmm_free_pages_total() == all - dma32);
	CHECK_EQ(pmm_check(), 0);
	release_all(&m);
	expect_stats(total, total);

	/* USER (and HIGH) requests drain USER and HIGH before touching DMA32. */
	for (int pref = ZONE_USER; pref <= ZONE_HIGH; pref++) {
		uint64_t first = pmm_alloc((enum pmm_zone)pref, 0);
		CHECK_EQ(zone_of(&m, first), expect_high && pref == ZONE_HIGH ? ZONE_HIGH : ZONE_USER);
		CHECK_EQ(pmm_free(first, 0), 0);
		got = exhaust(&m, (enum pmm_zone)pref);
		CHECK_EQ(got, all);
		CHECK_EQ(bad_blocks, 0);
		CHECK_EQ(pmm_free_pages_total(), 0);
		CHECK_EQ(pmm_alloc_page(), 0);
		CHECK_EQ(pmm_check(), 0);
		release_all(&m);
		CHECK_EQ(pmm_check(), 0);
		expect_stats(total, total);
	}

	/* pmm_alloc_page is a USER page */
	uint64_t page = pmm_alloc_page();
	CHECK_EQ(zone_of(&m, page), ZONE_USER);

	/* Bad frees change nothing. */
	CHECK_EQ(pmm_free(0, 0), -1);
	CHECK_EQ(pmm_free(0x1000, 0), -1);
	CHECK_EQ(pmm_free(0x9F000, 0), -1);        /* below 1 MiB, usable in the map */
	CHECK_EQ(pmm_free(0x800000, 0), -1);       /* ACPI NVS hole */
	CHECK_EQ(pmm_free(0x1000000, 0), -1);      /* the kernel image */
	CHECK_EQ(pmm_free(0x2200000, 0), -1);      /* boot data */
	CHECK_EQ(pmm_free(0xB0000000, 0), -1);     /* MMIO */
	CHECK_EQ(pmm_free(0xFFFFFFFFF000ULL, 0), -1);
	CHECK_EQ(pmm_free(page + 1, 0), -1);
	CHECK_EQ(pmm_free(page, 1), -1);
	CHECK_EQ(pmm_free(page, 99), -1);
	CHECK_EQ(pmm_free_pages_total(), all - 1);
	CHECK_EQ(pmm_free(page, 0), 0);
	CHECK_EQ(pmm_free(page, 0), -1);           /* double free */
	CHECK_EQ(pmm_alloc(ZONE_COUNT, 0), 0);
	CHECK_EQ(pmm_alloc(ZONE_USER, BUDDY_MAX_ORDER + 1), 0);
	CHECK_EQ(pmm_free_pages_total(), all);
	CHECK_EQ(pmm_check(), 0);

	model_free(&m);
	phys_unmap();
}

/* The 512M map, shuffled, with overlaps, empty and unaligned entries. */
static void test_messy_map(void)
{
	struct boot_mem_region map[64];
	uint32_t n = 0;
	for (uint32_t i = COUNT(map_512m); i-- > 0;)
		map[n++] = map_512m[i];
	struct boot_mem_region extra[] = {
		R(0x4000000, 0, BOOT_MEM_USABLE),          /* empty */
		R(0x5000000, 0, BOOT_MEM_RESERVED),        /* empty */
		R(0x2000000, 0x1000000, BOOT_MEM_USABLE),  /* overlaps the kernel end and boot data */
		R(0x3000000, 0x2000000, BOOT_MEM_USABLE),  /* duplicate of usable memory */
		R(0x5000800, 0x100, BOOT_MEM_BAD),         /* unaligned bad bytes kill page 0x5000000 */
		R(0x6000000, 0x1000, BOOT_MEM_MMIO),       /* a page taken out of the middle */
		R(0x1E0FF800, 0x1800, BOOT_MEM_USABLE),    /* unaligned, half inside ACPI memory */
		R(0x30000100, 0x3000, BOOT_MEM_USABLE),    /* unaligned: only 2 whole pages */
		R(0x30010000, 0xFFF, BOOT_MEM_USABLE),     /* less than a page */
		R(0x80000, 0x100000, BOOT_MEM_USABLE),     /* straddles 1 MiB */
		R(0x7000000, 0x2000, BOOT_MEM_BOOT_DATA),
		R(0x7000000, 0x2000, BOOT_MEM_BOOT_DATA),  /* same entry twice */
	};
	for (uint32_t i = 0; i < COUNT(extra); i++)
		map[n++] = extra[i];
	/* mix the order further */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = (i * 7 + 3) % n;
		struct boot_mem_region t = map[i];
		map[i] = map[j];
		map[j] = t;
	}

	struct model m;
	phys_map(map_top(map, n));
	model_build(&m, map, n);
	CHECK(!m.usable[0x5000000 / PAGE_SIZE]);
	CHECK(m.usable[0x30001000 / PAGE_SIZE] && m.usable[0x30002000 / PAGE_SIZE]);
	CHECK_EQ(pmm_init(map, n, (uintptr_t)phys_mem), 0);
	CHECK_EQ(pmm_check(), 0);
	uint64_t dma32 = PMM_DMA32_RESERVE / PAGE_SIZE;
	uint64_t total[ZONE_COUNT] = { dma32, m.usable_below_4g - dma32 - m.meta_pages, 0 };
	expect_stats(total, total);
	uint64_t got = exhaust(&m, ZONE_USER);
	CHECK_EQ(got, total[0] + total[1]);
	CHECK_EQ(bad_blocks, 0);
	CHECK(m.taken[0x30001000 / PAGE_SIZE] && m.taken[0x30002000 / PAGE_SIZE]);
	release_all(&m);
	CHECK_EQ(pmm_check(), 0);
	expect_stats(total, total);
	model_free(&m);
	phys_unmap();
}

static void test_small_maps(void)
{
	phys_map(4 * GiB + 8 * MiB);
	uintptr_t off = (uintptr_t)phys_mem;
	uint64_t zero[ZONE_COUNT] = { 0, 0, 0 };

	CHECK_EQ(pmm_init(NULL, 0, off), -1);
	CHECK_EQ(pmm_init(map_512m, 0, off), -1);
	const struct boot_mem_region reserved_only[] = {
		R(0x100000, 0x1000000, BOOT_MEM_RESERVED),
		R(0x2000000, 0x1000000, BOOT_MEM_KERNEL),
	};
	CHECK_EQ(pmm_init(reserved_only, 2, off), -1);
	expect_stats(zero, zero);
	CHECK_EQ(pmm_alloc_page(), 0);
	CHECK_EQ(pmm_free(0x100000, 0), -1);
	const struct boot_mem_region low_only[] = {
		R(0x1000, 0x9F000, BOOT_MEM_USABLE),
		R(0xF0000, 0x10000, BOOT_MEM_USABLE),
	};
	CHECK_EQ(pmm_init(low_only, 2, off), -1);
	/* two lone pages far apart: metadata for the span fits nowhere */
	const struct boot_mem_region sparse[] = {
		R(0x200000, 0x1000, BOOT_MEM_USABLE),
		R(0xC0000000, 0x1000, BOOT_MEM_USABLE),
	};
	CHECK_EQ(pmm_init(sparse, 2, off), -1);
	CHECK_EQ(pmm_free_pages_total(), 0);

	/* under 64 MiB of RAM: everything is DMA32, USER requests fall back to it */
	const struct boot_mem_region tiny[] = {
		R(0, 0xA0000, BOOT_MEM_USABLE),
		R(0x100000, 0x2F00000, BOOT_MEM_USABLE), /* 1 .. 48 MiB */
	};
	CHECK_EQ(pmm_init(tiny, 2, off), 0);
	uint64_t pages = 0x2F00000 / PAGE_SIZE;
	uint64_t meta = (buddy_meta_bytes(pages) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t t1[ZONE_COUNT] = { pages - meta, 0, 0 };
	expect_stats(t1, t1);
	uint64_t p = pmm_alloc(ZONE_USER, 0);
	CHECK(p >= 0x100000 && p < 0x3000000);
	CHECK_EQ(pmm_free(p, 0), 0);
	p = pmm_alloc(ZONE_HIGH, 5);
	CHECK(p >= 0x100000 && p < 0x3000000);
	CHECK_EQ(pmm_free(p, 5), 0);
	CHECK_EQ(pmm_check(), 0);

	/* only high memory (and a little below 1 MiB) */
	const struct boot_mem_region high_only[] = {
		R(0x1000, 0x9F000, BOOT_MEM_USABLE),
		R(0x100000000, 8 * MiB, BOOT_MEM_USABLE),
	};
	CHECK_EQ(pmm_init(high_only, 2, off), 0);
	pages = 8 * MiB / PAGE_SIZE;
	meta = (buddy_meta_bytes(pages) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t t2[ZONE_COUNT] = { 0, 0, pages - meta };
	expect_stats(t2, t2);
	CHECK_EQ(pmm_alloc(ZONE_DMA32, 0), 0);
	p = pmm_alloc_page();
	CHECK(p >= 0x100000000);
	CHECK_EQ(pmm_free(p, 0), 0);
	CHECK_EQ(pmm_check(), 0);
	phys_unmap();
}

static int lock_depth, lock_calls, lock_errors;
static void test_lock(void)
{
	if (lock_depth++ != 0)
		lock_errors++;
	lock_calls++;
}
static void test_unlock(void)
{
	if (--lock_depth != 0)
		lock_errors++;
}

static void test_locking(void)
{
	phys_map(map_top(map_512m, COUNT(map_512m)));
	pmm_set_lock(test_lock, test_unlock);
	CHECK_EQ(pmm_init(map_512m, COUNT(map_512m), (uintptr_t)phys_mem), 0);
	struct pmm_zone_stats st[ZONE_COUNT];
	int before = lock_calls;
	uint64_t p = pmm_alloc_page();
	CHECK_EQ(pmm_free(p, 0), 0);
	CHECK_EQ(pmm_free(p, 0), -1);
	pmm_stats(st);
	(void)pmm_free_pages_total();
	CHECK_EQ(pmm_check(), 0);
	CHECK_EQ(lock_calls - before, 6);
	CHECK_EQ(lock_depth, 0);
	CHECK_EQ(lock_errors, 0);
	pmm_set_lock(NULL, NULL);
	before = lock_calls;
	CHECK(pmm_alloc_page() != 0);
	CHECK_EQ(lock_calls, before);
	phys_unmap();
}

int main(void)
{
	blocks = malloc((1u << 21) * sizeof *blocks);
	test_map(map_512m, COUNT(map_512m), 0);
	test_map(map_4g, COUNT(map_4g), 2 * GiB / PAGE_SIZE);
	test_messy_map();
	test_small_maps();
	test_locking();
	free(blocks);
	return check_report();
}
