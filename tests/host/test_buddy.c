/*
 * test_buddy.c: host tests for the buddy allocator (kernel/mm/buddy.c).
 *
 * "Physical memory" is a host buffer standing for fake physical addresses
 * from fake_base on, filled with a pattern: the allocator must never touch the
 * memory it manages (its lists live in the metadata), and every test checks
 * the pattern is intact at the end.  Besides directed cases, a long random run
 * is checked against a reference model that records which block owns each
 * page.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "mm/buddy.h"

struct fake_mem {
	struct buddy_zone zone;
	uint64_t base;
	uint64_t npages;
	unsigned char *mem;
	void *meta;
	bool owner_wrote; /* the test itself wrote into allocated blocks */
};

static void fake_init(struct fake_mem *f, uint64_t base, uint64_t npages)
{
	f->base = base;
	f->npages = npages;
	f->owner_wrote = false;
	f->mem = aligned_alloc(PAGE_SIZE, npages * PAGE_SIZE);
	memset(f->mem, 0xA5, npages * PAGE_SIZE);
	f->meta = malloc(buddy_meta_bytes(npages));
	buddy_init(&f->zone, "test", base, npages, f->meta);
}

static void fake_fini(struct fake_mem *f)
{
	size_t touched = 0;
	for (size_t i = 0; i < f->npages * PAGE_SIZE && !f->owner_wrote; i++)
		touched += f->mem[i] != 0xA5;
	CHECK_EQ(touched, 0); /* the allocator wrote into memory it manages */
	free(f->mem);
	free(f->meta);
}

static bool aligned(uint64_t phys, unsigned order)
{
	return (phys & ((PAGE_SIZE << order) - 1)) == 0;
}

/* Order-10 blocks that fit, 4 MiB aligned, in [base, base + npages pages). */
static uint64_t max_blocks_in(uint64_t base, uint64_t npages)
{
	uint64_t big = PAGE_SIZE << BUDDY_MAX_ORDER;
	uint64_t first = (base + big - 1) / big * big;
	uint64_t end = base + npages * PAGE_SIZE;
	return end > first ? (end - first) / big : 0;
}

static void test_basic(void)
{
	struct fake_mem f;
	fake_init(&f, 0x100000, 4096); /* 1 MiB .. 17 MiB */
	struct buddy_zone *z = &f.zone;

	CHECK_EQ(z->free_pages, 0);
	CHECK_EQ(buddy_alloc(z, 0), 0); /* everything starts reserved */
	CHECK_EQ(buddy_check(z), 0);

	buddy_add_free(z, f.base, f.npages);
	CHECK_EQ(z->free_pages, 4096);
	CHECK_EQ(buddy_check(z), 0);
	/* 1-2 MiB order 8, 2-4 MiB order 9, 4-16 MiB three order 10, 16-17 order 8 */
	CHECK_EQ(z->free_blocks[10], 3);
	CHECK_EQ(z->free_blocks[9], 1);
	CHECK_EQ(z->free_blocks[8], 2);

	CHECK(buddy_contains(z, 0x100000));
	CHECK(buddy_contains(z, 0x1100000 - 1));
	CHECK(!buddy_contains(z, 0x1100000));
	CHECK(!buddy_contains(z, 0xFF000));
	CHECK(!buddy_contains(z, 0));

	/* Every order, alone. */
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		uint64_t p = buddy_alloc(z, order);
		CHECK(p != 0);
		CHECK(aligned(p, order));
		CHECK(buddy_contains(z, p));
		CHECK(buddy_contains(z, p + (PAGE_SIZE << order) - 1));
		CHECK_EQ(z->free_pages, 4096 - (1u << order));
		CHECK_EQ(buddy_check(z), 0);
		/* the block is usable memory */
		memset(f.mem + (p - f.base), 0xAB, PAGE_SIZE << order);
		f.owner_wrote = true;
		CHECK_EQ(buddy_free(z, p, order), 0);
		CHECK_EQ(z->free_pages, 4096);
		CHECK_EQ(buddy_check(z), 0);
	}
	CHECK_EQ(buddy_alloc(z, BUDDY_MAX_ORDER + 1), 0);

	/* Three 4 MiB blocks exist, a fourth does not. */
	uint64_t big[4];
	for (int i = 0; i < 4; i++)
		big[i] = buddy_alloc(z, 10);
	CHECK(big[0] && big[1] && big[2]);
	CHECK_EQ(big[3], 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(buddy_free(z, big[i], 10), 0);
	CHECK_EQ(buddy_check(z), 0);
	fake_fini(&f);
}

/* Allocate every page, one by one, then give them all back. */
static void test_exhaust(uint64_t base, uint64_t npages)
{
	struct fake_mem f;
	fake_init(&f, base, npages);
	struct buddy_zone *z = &f.zone;
	buddy_add_free(z, base, npages);
	CHECK_EQ(z->free_pages, npages);
	CHECK_EQ(buddy_check(z), 0);
	uint64_t start_blocks[BUDDY_MAX_ORDER + 1];
	memcpy(start_blocks, z->free_blocks, sizeof start_blocks);

	uint64_t *pages = malloc(npages * sizeof *pages);
	unsigned char *seen = calloc(npages, 1);
	uint64_t n = 0, dupes = 0, outside = 0;
	for (uint64_t p; (p = buddy_alloc(z, 0)) != 0; n++) {
		if (n >= npages)
			break;
		if (!buddy_contains(z, p) || (p & (PAGE_SIZE - 1))) {
			outside++;
			continue;
		}
		uint64_t idx = (p - base) / PAGE_SIZE;
		dupes += seen[idx];
		seen[idx] = 1;
		pages[n] = p;
	}
	CHECK_EQ(n, npages);
	CHECK_EQ(dupes, 0);
	CHECK_EQ(outside, 0);
	CHECK_EQ(z->free_pages, 0);
	CHECK_EQ(buddy_alloc(z, 0), 0);
	CHECK_EQ(buddy_alloc(z, 3), 0);
	CHECK_EQ(buddy_check(z), 0);

	/* Free in a scrambled order so merging happens in every pattern. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j = (i * 7919) % n;
		uint64_t t = pages[i];
		pages[i] = pages[j];
		pages[j] = t;
	}
	int bad = 0;
	for (uint64_t i = 0; i < n; i++)
		bad |= buddy_free(z, pages[i], 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(z->free_pages, npages);
	CHECK_EQ(buddy_check(z), 0);
	CHECK_EQ(memcmp(start_blocks, z->free_blocks, sizeof start_blocks), 0);

	/* Full coalescing: every 4 MiB block that fits is whole again. */
	uint64_t expect = max_blocks_in(base, npages);
	uint64_t got = 0;
	uint64_t blocks[64];
	for (uint64_t p; got < 64 && (p = buddy_alloc(z, 10)) != 0; got++) {
		CHECK(aligned(p, 10));
		blocks[got] = p;
	}
	CHECK_EQ(got, expect);
	for (uint64_t i = 0; i < got; i++)
		CHECK_EQ(buddy_free(z, blocks[i], 10), 0);
	CHECK_EQ(buddy_check(z), 0);

	/* Exhaust with each order: all blocks aligned, count as expected. */
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		uint64_t count = 0, misaligned = 0;
		for (uint64_t p; (p = buddy_alloc(z, order)) != 0; count++) {
			misaligned += !aligned(p, order);
			pages[count] = p;
		}
		/* aligned blocks of this order that fit in the zone */
		uint64_t sz = PAGE_SIZE << order;
		uint64_t first = (base + sz - 1) / sz * sz;
		uint64_t end = base + npages * PAGE_SIZE;
		CHECK_EQ(count, end > first ? (end - first) / sz : 0);
		CHECK_EQ(misaligned, 0);
		CHECK_EQ(buddy_check(z), 0);
		for (uint64_t i = 0; i < count; i++)
			bad |= buddy_free(z, pages[i], order);
		CHECK_EQ(bad, 0);
		CHECK_EQ(z->free_pages, npages);
	}
	CHECK_EQ(buddy_check(z), 0);
	free(pages);
	free(seen);
	fake_fini(&f);
}

static void test_bad_frees(void)
{
	struct fake_mem f;
	fake_init(&f, 0x123000, 3000);
	struct buddy_zone *z = &f.zone;
	buddy_add_free(z, f.base, 1000);
	buddy_add_free(z, f.base + 2000 * PAGE_SIZE, 1000); /* pages 1000..1999 reserved */
	uint64_t start = z->free_pages;
	CHECK_EQ(start, 2000);

	uint64_t a = buddy_alloc(z, 2);
	uint64_t b = buddy_alloc(z, 0);
	CHECK(a && b);
	uint64_t after = z->free_pages;

	CHECK_EQ(buddy_free(z, a, 1), -1);                    /* wrong order (smaller) */
	CHECK_EQ(buddy_free(z, a, 3), -1);                    /* wrong order (larger) */
	CHECK_EQ(buddy_free(z, a + PAGE_SIZE, 0), -1);        /* tail of a block */
	CHECK_EQ(buddy_free(z, a + 8, 2), -1);                /* misaligned */
	CHECK_EQ(buddy_free(z, a + 1, 0), -1);
	CHECK_EQ(buddy_free(z, 0, 0), -1);                    /* null */
	CHECK_EQ(buddy_free(z, f.base - PAGE_SIZE, 0), -1);   /* below the zone */
	CHECK_EQ(buddy_free(z, f.base + 3000 * PAGE_SIZE, 0), -1); /* above */
	CHECK_EQ(buddy_free(z, UINT64_MAX & ~(PAGE_SIZE - 1), 0), -1);
	CHECK_EQ(buddy_free(z, f.base + 1500 * PAGE_SIZE, 0), -1); /* reserved hole */
	CHECK_EQ(buddy_free(z, a, BUDDY_MAX_ORDER + 1), -1);
	CHECK_EQ(buddy_free(z, a, 99), -1);
	CHECK_EQ(z->free_pages, after);
	CHECK_EQ(buddy_check(z), 0);

	/* a free page, and the head of a free block, cannot be freed again */
	uint64_t c = buddy_alloc(z, 0);
	CHECK_EQ(buddy_free(z, c, 0), 0);
	CHECK_EQ(buddy_free(z, c, 0), -1);

	CHECK_EQ(buddy_free(z, a, 2), 0);
	CHECK_EQ(buddy_free(z, a, 2), -1); /* double free */
	CHECK_EQ(buddy_free(z, b, 0), 0);
	CHECK_EQ(buddy_free(z, b, 0), -1);
	CHECK_EQ(z->free_pages, start);
	CHECK_EQ(buddy_check(z), 0);

	/* Free the head of a merged free block at its natural order: still bad. */
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++)
		if (z->free_list[order] != BUDDY_NIL) {
			uint64_t p = z->base + (uint64_t)z->free_list[order] * PAGE_SIZE;
			CHECK_EQ(buddy_free(z, p, order), -1);
		}
	CHECK_EQ(z->free_pages, start);
	CHECK_EQ(buddy_check(z), 0);
	fake_fini(&f);
}

static void test_add_free_ranges(void)
{
	struct fake_mem f;
	fake_init(&f, 0x100000, 2048); /* 1 MiB .. 9 MiB */
	struct buddy_zone *z = &f.zone;

	/* Holes at pages [10, 20), [300, 301), [1024, 1500) */
	buddy_add_free(z, f.base, 10);
	buddy_add_free(z, f.base + 20 * PAGE_SIZE, 280);
	buddy_add_free(z, f.base + 301 * PAGE_SIZE, 723);
	buddy_add_free(z, f.base + 1500 * PAGE_SIZE, 548);
	uint64_t managed = 10 + 280 + 723 + 548;
	CHECK_EQ(z->free_pages, managed);
	CHECK_EQ(buddy_check(z), 0);

	/* Overlapping and repeated ranges add nothing new. */
	buddy_add_free(z, f.base, 300);
	CHECK_EQ(z->free_pages, managed + 10);
	managed += 10;
	buddy_add_free(z, f.base, 300);
	CHECK_EQ(z->free_pages, managed);
	/* Outside the zone: ignored; straddling: clipped. */
	buddy_add_free(z, 0, 256);
	buddy_add_free(z, f.base + 2048 * PAGE_SIZE, 100);
	buddy_add_free(z, f.base - 5 * PAGE_SIZE, 5);
	CHECK_EQ(z->free_pages, managed);
	buddy_add_free(z, f.base + 1490 * PAGE_SIZE, 1000);
	managed += 10;
	CHECK_EQ(z->free_pages, managed);
	/* Unaligned start rounds up to the next page. */
	buddy_add_free(z, f.base + 1480 * PAGE_SIZE + 1, 3); /* pages 1481, 1482 */
	managed += 2;
	CHECK_EQ(z->free_pages, managed);
	buddy_add_free(z, f.base, 0);
	buddy_add_free(z, f.base, UINT64_MAX); /* huge count clips to the zone */
	CHECK_EQ(z->free_pages, 2048); /* every hole is now filled */
	CHECK_EQ(buddy_check(z), 0);
	fake_fini(&f);

	/* Allocations never land in a hole. */
	fake_init(&f, 0x123000, 1500);
	z = &f.zone;
	unsigned char *usable = calloc(1500, 1);
	for (uint64_t i = 0; i < 1500; i++)
		usable[i] = (i % 97) < 60 && !(i >= 700 && i < 900);
	for (uint64_t i = 0; i < 1500; i++) {
		uint64_t j = i;
		while (j < 1500 && usable[j])
			j++;
		if (j > i)
			buddy_add_free(z, f.base + i * PAGE_SIZE, j - i);
		i = j;
	}
	uint64_t expect = 0;
	for (uint64_t i = 0; i < 1500; i++)
		expect += usable[i];
	CHECK_EQ(z->free_pages, expect);
	CHECK_EQ(buddy_check(z), 0);
	uint64_t in_hole = 0, n = 0;
	for (uint64_t p; (p = buddy_alloc(z, 0)) != 0; n++)
		in_hole += !usable[(p - f.base) / PAGE_SIZE];
	CHECK_EQ(n, expect);
	CHECK_EQ(in_hole, 0);
	CHECK_EQ(buddy_check(z), 0);
	free(usable);
	fake_fini(&f);
}

/* buddy_check notices damage (and the damage is then undone). */
static void test_check_detects(void)
{
	struct fake_mem f;
	fake_init(&f, 0x100000, 1024);
	struct buddy_zone *z = &f.zone;
	buddy_add_free(z, f.base, 1024);
	uint64_t a = buddy_alloc(z, 0);
	uint64_t b = buddy_alloc(z, 3);
	CHECK_EQ(buddy_check(z), 0);
	uint8_t *meta = f.meta;
	uint64_t ia = (a - f.base) / PAGE_SIZE, ib = (b - f.base) / PAGE_SIZE;

	uint8_t saved = meta[ib + 1];
	meta[ib + 1] = meta[ia];            /* a head inside another block */
	CHECK(buddy_check(z) != 0);
	meta[ib + 1] = saved;

	z->free_pages++;                    /* count off by one */
	CHECK(buddy_check(z) != 0);
	z->free_pages--;

	uint32_t head = z->free_list[0];
	CHECK(head != BUDDY_NIL);
	uint32_t next = z->next[head];
	z->next[head] = head;               /* a cycle */
	CHECK(buddy_check(z) != 0);
	z->next[head] = next;
	z->prev[head] = head;               /* a broken back link */
	CHECK(buddy_check(z) != 0);
	z->prev[head] = BUDDY_NIL;
	CHECK_EQ(buddy_check(z), 0);

	/* two free buddies left unmerged: free a by hand, without merging */
	uint64_t buddy = a ^ PAGE_SIZE;
	uint8_t *ma = &meta[ia], *mbud = &meta[(buddy - f.base) / PAGE_SIZE];
	CHECK((*mbud & 0xC0) == 0x80);     /* the buddy is a free order-0 head */
	uint8_t saved_a = *ma;
	*ma = *mbud;                        /* looks free, but is on no list */
	CHECK(buddy_check(z) != 0);
	*ma = saved_a;
	CHECK_EQ(buddy_check(z), 0);
	CHECK_EQ(buddy_free(z, a, 0), 0);
	CHECK_EQ(buddy_free(z, b, 3), 0);
	CHECK_EQ(z->free_pages, 1024);
	CHECK_EQ(buddy_check(z), 0);
	fake_fini(&f);
}

/* --- random stress against a reference model --- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void)
{
	/* xorshift64: fixed seed, so failures reproduce */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct live_block {
	uint64_t phys;
	unsigned order;
};

static void test_stress(uint64_t base, uint64_t npages, unsigned ops)
{
	struct fake_mem f;
	fake_init(&f, base, npages);
	struct buddy_zone *z = &f.zone;

	/* owner[i]: 0 = reserved hole, 1 = free, 2 = allocated */
	unsigned char *owner = calloc(npages, 1);
	uint64_t managed = 0;
	for (uint64_t i = 0; i < npages; i++) {
		bool hole = (i % 1031) < 13 || (i >= npages / 3 && i < npages / 3 + 77);
		owner[i] = hole ? 0 : 1;
		managed += !hole;
	}
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t j = i;
		while (j < npages && owner[j])
			j++;
		if (j > i)
			buddy_add_free(z, base + i * PAGE_SIZE, j - i);
		i = j;
	}
	CHECK_EQ(z->free_pages, managed);
	uint64_t start_blocks[BUDDY_MAX_ORDER + 1];
	memcpy(start_blocks, z->free_blocks, sizeof start_blocks);

	struct live_block *live = malloc(npages * sizeof *live);
	uint64_t nlive = 0, allocated_pages = 0;
	unsigned errors = 0, check_errors = 0, failed_allocs = 0;

	for (unsigned op = 0; op < ops; op++) {
		uint64_t r = rng();
		bool do_alloc = nlive == 0 || (r % 100) < 55;
		if (do_alloc) {
			/* mostly small blocks, sometimes large ones */
			unsigned order = (r >> 8) % 4 == 0 ? (r >> 16) % (BUDDY_MAX_ORDER + 1)
							   : (r >> 16) % 3;
			uint64_t p = buddy_alloc(z, order);
			if (!p) {
				failed_allocs++;
				/* legitimate only if no free aligned run of that size exists */
				for (uint64_t i = 0; i < npages; i++) {
					uint64_t phys = base + i * PAGE_SIZE;
					if (!aligned(phys, order) || i + (1ULL << order) > npages)
						continue;
					bool all_free = true;
					for (uint64_t k = 0; k < (1ULL << order) && all_free; k++)
						all_free = owner[i + k] == 1;
					if (all_free) {
						errors++;
						break;
					}
				}
				continue;
			}
			uint64_t idx = (p - base) / PAGE_SIZE;
			if (!aligned(p, order) || p < base || idx + (1ULL << order) > npages) {
				errors++;
				continue;
			}
			for (uint64_t k = 0; k < (1ULL << order); k++) {
				if (owner[idx + k] != 1)
					errors++; /* overlap with a hole or a live block */
				owner[idx + k] = 2;
			}
			((volatile unsigned char *)f.mem)[p - base] = (unsigned char)op;
			f.owner_wrote = true;
			live[nlive++] = (struct live_block){ p, order };
			allocated_pages += 1ULL << order;
		} else {
			uint64_t pick = (r >> 8) % nlive;
			struct live_block b = live[pick];
			live[pick] = live[--nlive];
			/* sometimes try a wrong order first: must be refused */
			if ((r >> 40) % 8 == 0) {
				unsigned wrong = (b.order + 1 + (r >> 44) % BUDDY_MAX_ORDER) % (BUDDY_MAX_ORDER + 1);
				if (wrong != b.order && buddy_free(z, b.phys, wrong) != -1)
					errors++;
			}
			if (buddy_free(z, b.phys, b.order) != 0)
				errors++;
			if ((r >> 48) % 16 == 0 && buddy_free(z, b.phys, b.order) != -1)
				errors++; /* double free */
			uint64_t idx = (b.phys - base) / PAGE_SIZE;
			for (uint64_t k = 0; k < (1ULL << b.order); k++)
				owner[idx + k] = 1;
			allocated_pages -= 1ULL << b.order;
		}
		if (z->free_pages != managed - allocated_pages)
			errors++;
		if (op % 512 == 0 && buddy_check(z) != 0)
			check_errors++;
	}
	CHECK_EQ(errors, 0);
	CHECK_EQ(check_errors, 0);
	CHECK(failed_allocs > 0); /* the run did reach exhaustion sometimes */
	CHECK_EQ(buddy_check(z), 0);

	while (nlive) {
		nlive--;
		if (buddy_free(z, live[nlive].phys, live[nlive].order) != 0)
			errors++;
	}
	CHECK_EQ(errors, 0);
	CHECK_EQ(z->free_pages, managed);
	CHECK_EQ(buddy_check(z), 0);
	CHECK_EQ(memcmp(start_blocks, z->free_blocks, sizeof start_blocks), 0);
	free(live);
	free(owner);
	fake_fini(&f);
}

int main(void)
{
	test_basic();
	test_exhaust(0x100000, 4096);
	test_exhaust(0x123000, 3000);   /* base not aligned to anything big */
	test_exhaust(0x3FF000, 1025);   /* just below a 4 MiB boundary */
	test_exhaust(0x200000, 1);
	test_bad_frees();
	test_add_free_ranges();
	test_check_detects();
	test_stress(0x123000, 5000, 60000);
	test_stress(0x100000, 3000, 40000);
	return check_report();
}
