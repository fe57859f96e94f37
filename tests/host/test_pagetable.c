/*
 * test_pagetable.c: host tests for the page-table code (kernel/mm/pagetable.c).
 *
 * Tables come from a pool of host pages posing as physical memory at
 * POOL_PHYS; the pool counts pages in use, catches bad or double frees, can
 * be told to fail after N allocations, and can be snapshotted to prove that a
 * failed call changed nothing.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "mm/pagetable.h"

#define POOL_PAGES 2048
#define POOL_PHYS  0x7000000000ULL
#define PAGE       0x1000ULL
#define MiB        (1ULL << 20)
#define GiB        (1ULL << 30)

struct pool {
	unsigned char *mem;
	bool used[POOL_PAGES];
	unsigned in_use;
	long allocs_left;   /* < 0: unlimited */
	unsigned bad_frees; /* frees of something not allocated */
};

static uint64_t pool_alloc(void *arg)
{
	struct pool *p = arg;
	if (p->allocs_left == 0)
		return 0;
	for (unsigned i = 0; i < POOL_PAGES; i++) {
		if (!p->used[i]) {
			p->used[i] = true;
			p->in_use++;
			if (p->allocs_left > 0)
				p->allocs_left--;
			memset(p->mem + i * PAGE, 0, PAGE);
			return POOL_PHYS + i * PAGE;
		}
	}
	return 0;
}

static void pool_free(void *arg, uint64_t phys)
{
	struct pool *p = arg;
	uint64_t i = (phys - POOL_PHYS) / PAGE;
	if (phys < POOL_PHYS || (phys & (PAGE - 1)) || i >= POOL_PAGES || !p->used[i]) {
		p->bad_frees++;
		return;
	}
	p->used[i] = false;
	p->in_use--;
	memset(p->mem + i * PAGE, 0xCC, PAGE); /* poison: use after free shows */
}

static void *pool_virt(void *arg, uint64_t phys)
{
	struct pool *p = arg;
	return p->mem + (phys - POOL_PHYS);
}

static struct pool pool;

static struct pt_ctx new_ctx(void)
{
	if (!pool.mem)
		pool.mem = aligned_alloc(PAGE, POOL_PAGES * PAGE);
	memset(pool.used, 0, sizeof pool.used);
	memset(pool.mem, 0xCC, POOL_PAGES * PAGE);
	pool.in_use = 0;
	pool.allocs_left = -1;
	pool.bad_frees = 0;
	struct pt_ctx c = {
		.alloc_table = pool_alloc,
		.free_table = pool_free,
		.phys_to_virt = pool_virt,
		.arg = &pool,
	};
	c.pml4 = pool_alloc(&pool);
	return c;
}

/* A copy of the pool, to prove that a failed call changed nothing. */
struct snapshot {
	unsigned char *mem;
	bool used[POOL_PAGES];
	unsigned in_use;
};

static void snap_take(struct snapshot *s)
{
	if (!s->mem)
		s->mem = malloc(POOL_PAGES * PAGE);
	memcpy(s->mem, pool.mem, POOL_PAGES * PAGE);
	memcpy(s->used, pool.used, sizeof s->used);
	s->in_use = pool.in_use;
}

static bool snap_same(const struct snapshot *s)
{
	if (s->in_use != pool.in_use || memcmp(s->used, pool.used, sizeof s->used))
		return false;
	for (unsigned i = 0; i < POOL_PAGES; i++)
		if (pool.used[i] && memcmp(s->mem + i * PAGE, pool.mem + i * PAGE, PAGE))
			return false;
	return true;
}

static uint64_t *table(uint64_t phys)
{
	return pool_virt(&pool, phys & PTE_ADDR_MASK);
}

/* The entry for va at `level`, walking down from the PML4 (0 if absent). */
static uint64_t entry_at(const struct pt_ctx *c, uint64_t va, int level)
{
	uint64_t t = c->pml4;
	for (int l = 4; l > level; l--) {
		uint64_t e = table(t)[pt_index(va, l)];
		if (!(e & PTE_P) || (l <= 3 && (e & PTE_PS)))
			return 0;
		t = e & PTE_ADDR_MASK;
	}
	return table(t)[pt_index(va, level)];
}

static bool translates(const struct pt_ctx *c, uint64_t va, uint64_t want_pa)
{
	uint64_t pa = 0, flags = 0;
	return pt_translate(c, va, &pa, &flags) == PT_OK && pa == want_pa;
}

static uint64_t flags_of(const struct pt_ctx *c, uint64_t va)
{
	uint64_t flags = 0;
	if (pt_translate(c, va, NULL, &flags) != PT_OK)
		return ~0ULL;
	return flags;
}

static void test_index_canonical(void)
{
	uint64_t va = 0xFFFF8123456789ABULL;
	CHECK_EQ(pt_index(va, 4), (va >> 39) & 511);
	CHECK_EQ(pt_index(va, 3), (va >> 30) & 511);
	CHECK_EQ(pt_index(va, 2), (va >> 21) & 511);
	CHECK_EQ(pt_index(va, 1), (va >> 12) & 511);
	CHECK_EQ(pt_index(0xFFFFFFFF80000000ULL, 4), 511);
	CHECK_EQ(pt_index(0xFFFFFFFF80000000ULL, 3), 510);
	CHECK(pt_canonical(0));
	CHECK(pt_canonical(0x00007FFFFFFFFFFFULL));
	CHECK(!pt_canonical(0x0000800000000000ULL));
	CHECK(!pt_canonical(0xFFFF7FFFFFFFFFFFULL));
	CHECK(pt_canonical(0xFFFF800000000000ULL));
	CHECK(pt_canonical(0xFFFFFFFFFFFFFFFFULL));
	CHECK(!pt_canonical(0x8000000000000000ULL));
}

static void test_map_sizes(void)
{
	struct pt_ctx c = new_ctx();
	CHECK_EQ(pool.in_use, 1);

	/* 4 KiB */
	CHECK_EQ(pt_map(&c, 0x400000, 0x1234000, PAGE, PTE_W, true), PT_OK);
	CHECK_EQ(pool.in_use, 4); /* PDPT, PD, PT */
	CHECK(translates(&c, 0x400000, 0x1234000));
	CHECK(translates(&c, 0x400ABC, 0x1234ABC));
	CHECK_EQ(flags_of(&c, 0x400000), PTE_P | PTE_W);
	CHECK_EQ(pt_translate(&c, 0x401000, NULL, NULL), PT_ERR_NOTMAPPED);
	CHECK_EQ(pt_translate(&c, 0x3FF000, NULL, NULL), PT_ERR_NOTMAPPED);
	CHECK_EQ(pt_translate(&c, 0x0000800000000000ULL, NULL, NULL), PT_ERR_NOTMAPPED);

	/* 2 MiB: two large pages in the existing PDPT, one new PD */
	CHECK_EQ(pt_map(&c, 0x40000000, 0x80000000, 4 * MiB, PTE_W | PTE_NX, true), PT_OK);
	CHECK_EQ(pool.in_use, 5);
	CHECK(translates(&c, 0x40000000, 0x80000000));
	CHECK(translates(&c, 0x403FFFFF, 0x803FFFFF));
	CHECK(translates(&c, 0x40234567, 0x80234567));
	CHECK_EQ(flags_of(&c, 0x40200000), PTE_P | PTE_W | PTE_NX | PTE_PS);
	CHECK(entry_at(&c, 0x40000000, 2) & PTE_PS);

	/* 1 GiB: one entry in the PDPT */
	CHECK_EQ(pt_map(&c, 0x80000000, 0x140000000, GiB, 0, true), PT_OK);
	CHECK_EQ(pool.in_use, 5);
	CHECK(entry_at(&c, 0x80000000, 3) & PTE_PS);
	CHECK(translates(&c, 0x80000000, 0x140000000));
	CHECK(translates(&c, 0xBFFFFFFF, 0x17FFFFFFF));
	CHECK(translates(&c, 0x9ABCDEF0, 0x15ABCDEF0));
	CHECK_EQ(flags_of(&c, 0x80000000), PTE_P | PTE_PS);

	/* 1 GiB pages switched off: the same map needs a PD of 2 MiB pages */
	c.no_1g_pages = true;
	CHECK_EQ(pt_map(&c, 0xC0000000, 0x40000000, GiB, 0, true), PT_OK);
	CHECK_EQ(pool.in_use, 6);
	CHECK(!(entry_at(&c, 0xC0000000, 3) & PTE_PS));
	CHECK(entry_at(&c, 0xC0000000, 2) & PTE_PS);
	CHECK(translates(&c, 0xFFFFF000, 0x7FFFF000));
	c.no_1g_pages = false;

	/* large allowed but pa not aligned like va: 4 KiB pages only */
	CHECK_EQ(pt_map(&c, 0x200000000ULL, 0x300001000ULL, 2 * MiB, PTE_W, true), PT_OK);
	CHECK_EQ(pool.in_use, 8); /* PD and PT */
	CHECK(!(entry_at(&c, 0x200000000ULL, 2) & PTE_PS));
	CHECK(translates(&c, 0x2001FF000ULL, 0x300200000ULL));

	/* large not allowed: 4 KiB pages even though everything is aligned */
	CHECK_EQ(pt_map(&c, 0x240000000ULL, 0x40000000ULL, 4 * MiB, PTE_W, false), PT_OK);
	CHECK_EQ(pool.in_use, 11); /* PD, 2 PTs */
	CHECK_EQ(flags_of(&c, 0x240200000ULL), PTE_P | PTE_W);

	/* size 0 is a no-op */
	CHECK_EQ(pt_map(&c, 0x500000000ULL, 0, 0, PTE_W, true), PT_OK);
	CHECK_EQ(pool.in_use, 11);
	CHECK_EQ(pool.bad_frees, 0);
}

/* One range that needs 4K, 2M, 1G, 2M, 4K pages in that order. */
static void test_mixed(void)
{
	struct pt_ctx c = new_ctx();
	uint64_t va = 0x3FE00000 - 3 * PAGE;          /* 3 pages below a 2 MiB boundary */
	uint64_t end = 0x80200000 + 5 * PAGE;        /* 1 GiB + 4 MiB later, plus 5 */
	uint64_t pa = 0x1000000000ULL + (va & (GiB - 1)); /* same offset within 1 GiB */
	CHECK_EQ(pt_map(&c, va, pa, end - va, PTE_W | PTE_G, true), PT_OK);
	/* PDPT, PD for GiB 0, PT for its tail, PD for GiB 2, PT for its tail */
	CHECK_EQ(pool.in_use, 6);
	CHECK(!(flags_of(&c, va) & PTE_PS));
	CHECK(!(flags_of(&c, 0x3FDFF000) & PTE_PS));
	CHECK(entry_at(&c, 0x3FE00000, 2) & PTE_PS);
	CHECK(entry_at(&c, 0x40000000, 3) & PTE_PS);
	CHECK(entry_at(&c, 0x80000000, 2) & PTE_PS);
	CHECK(!(flags_of(&c, 0x80200000) & PTE_PS));
	CHECK_EQ(flags_of(&c, 0x80204000) & ~PTE_PS, PTE_P | PTE_W | PTE_G);

	/* every page translates to the right frame */
	unsigned wrong = 0;
	for (uint64_t v = va; v < end; v += PAGE)
		wrong += !translates(&c, v, pa + (v - va));
	CHECK_EQ(wrong, 0);
	CHECK_EQ(pt_translate(&c, va - PAGE, NULL, NULL), PT_ERR_NOTMAPPED);
	CHECK_EQ(pt_translate(&c, end, NULL, NULL), PT_ERR_NOTMAPPED);

	CHECK_EQ(pt_unmap(&c, va, end - va), PT_OK);
	CHECK_EQ(pool.in_use, 1);
	CHECK_EQ(pool.bad_frees, 0);
}

static void test_user_bits(void)
{
	struct pt_ctx c = new_ctx();
	uint64_t kva = 0x600000, uva = 0x800000;

	/* a kernel page first: intermediates without U */
	CHECK_EQ(pt_map(&c, kva, 0x100000, PAGE, PTE_W, true), PT_OK);
	CHECK(!(entry_at(&c, kva, 4) & PTE_U));
	CHECK(!(entry_at(&c, kva, 3) & PTE_U));
	CHECK(!(entry_at(&c, kva, 2) & PTE_U));

	/* a user page through the same PML4/PDPT entries: they gain U */
	CHECK_EQ(pt_map(&c, uva, 0x200000, PAGE, PTE_U | PTE_W | PTE_NX, true), PT_OK);
	for (int level = 4; level >= 1; level--) {
		uint64_t e = entry_at(&c, uva, level);
		CHECK(e & PTE_P);
		CHECK(e & PTE_U);
		CHECK(e & PTE_W);
		CHECK(!(e & PTE_NX) || level == 1);
	}
	CHECK(entry_at(&c, uva, 1) & PTE_NX);
	CHECK_EQ(flags_of(&c, uva), PTE_P | PTE_U | PTE_W | PTE_NX);
	/* the kernel leaf stays a kernel leaf */
	CHECK_EQ(flags_of(&c, kva), PTE_P | PTE_W);

	/* a user 2 MiB page and a user 1 GiB page */
	CHECK_EQ(pt_map(&c, 0x40000000, 0x40000000, 2 * MiB, PTE_U, true), PT_OK);
	CHECK(entry_at(&c, 0x40000000, 3) & PTE_U);
	CHECK_EQ(flags_of(&c, 0x40000000), PTE_P | PTE_U | PTE_PS);
	CHECK_EQ(pt_map(&c, 0x8000000000ULL, 0, GiB, PTE_U | PTE_W, true), PT_OK);
	CHECK(entry_at(&c, 0x8000000000ULL, 4) & PTE_U);
	CHECK(entry_at(&c, 0x8000000000ULL, 3) & PTE_U);

	/* translate reports what the CPU would allow: an upper level without
	 * U or W, or with NX, takes that away */
	uint64_t *pd_entry = &table(entry_at(&c, uva, 3))[pt_index(uva, 2)];
	*pd_entry &= ~PTE_U;
	CHECK_EQ(flags_of(&c, uva), PTE_P | PTE_W | PTE_NX);
	*pd_entry &= ~PTE_W;
	CHECK_EQ(flags_of(&c, uva), PTE_P | PTE_NX);
	*pd_entry |= PTE_U | PTE_W | PTE_NX;
	CHECK_EQ(pt_map(&c, uva + PAGE, 0x300000, PAGE, PTE_U | PTE_W, true), PT_OK);
	/* the map through it widened the entry again and dropped NX */
	CHECK_EQ(*pd_entry & (PTE_U | PTE_W | PTE_NX), PTE_U | PTE_W);
	CHECK_EQ(flags_of(&c, uva + PAGE), PTE_P | PTE_U | PTE_W);
	CHECK_EQ(pool.bad_frees, 0);
}

static void test_errors(void)
{
	struct pt_ctx c = new_ctx();
	struct snapshot s = { 0 };

	CHECK_EQ(pt_map(&c, 0x400000, 0x1000000, 16 * PAGE, PTE_W, true), PT_OK);
	CHECK_EQ(pt_map(&c, 0x40000000, 0x40000000, 2 * MiB, PTE_W, true), PT_OK);
	snap_take(&s);

	/* overlap with 4 KiB pages: at the start, in the middle, at the end, around */
	CHECK_EQ(pt_map(&c, 0x3F0000, 0, 16 * PAGE + PAGE, PTE_W, true), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&c, 0x405000, 0, PAGE, PTE_W, true), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&c, 0x40F000, 0, 4 * PAGE, PTE_W, true), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&c, 0x200000, 0x200000, 4 * MiB, PTE_U, true), PT_ERR_EXISTS);
	/* overlap with a 2 MiB page, from inside and from a bigger range */
	CHECK_EQ(pt_map(&c, 0x40100000, 0, PAGE, PTE_W, true), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&c, 0x3FFFF000, 0, 2 * PAGE, PTE_W, true), PT_ERR_EXISTS);
	CHECK_EQ(pt_map(&c, 0, 0, 2 * GiB, PTE_U, true), PT_ERR_EXISTS);
	CHECK(snap_same(&s));

	/* alignment */
	CHECK_EQ(pt_map(&c, 0x1001, 0, PAGE, 0, true), PT_ERR_ALIGN);
	CHECK_EQ(pt_map(&c, 0x1000, 0x10, PAGE, 0, true), PT_ERR_ALIGN);
	CHECK_EQ(pt_map(&c, 0x1000, 0, 0x800, 0, true), PT_ERR_ALIGN);
	/* canonical */
	CHECK_EQ(pt_map(&c, 0x0000800000000000ULL, 0, PAGE, 0, true), PT_ERR_CANONICAL);
	CHECK_EQ(pt_map(&c, 0xFFFF7FFFFFFFF000ULL, 0, PAGE, 0, true), PT_ERR_CANONICAL);
	CHECK_EQ(pt_map(&c, 0x00007FFFFFFFF000ULL, 0, 2 * PAGE, 0, true), PT_ERR_CANONICAL);
	CHECK_EQ(pt_map(&c, 0x00007FFFFFFFF000ULL, 0, 0xFFFF800000001000ULL - 0x00007FFFFFFFF000ULL,
			0, true), PT_ERR_CANONICAL);
	/* ranges: wrapping past 2^64, physical beyond 52 bits */
	CHECK_EQ(pt_map(&c, 0xFFFFFFFFFFFFF000ULL, 0, 2 * PAGE, 0, true), PT_ERR_RANGE);
	CHECK_EQ(pt_map(&c, 0x1000, 0x000FFFFFFFFFF000ULL, 2 * PAGE, 0, true), PT_ERR_RANGE);
	CHECK_EQ(pt_map(&c, 0x1000, 0x0010000000000000ULL, PAGE, 0, true), PT_ERR_RANGE);
	CHECK(snap_same(&s));

	/* unmap errors */
	CHECK_EQ(pt_unmap(&c, 0x3FF000, 2 * PAGE), PT_ERR_NOTMAPPED);
	CHECK_EQ(pt_unmap(&c, 0x40F000, 2 * PAGE), PT_ERR_NOTMAPPED);
	CHECK_EQ(pt_unmap(&c, 0x400000, 32 * PAGE), PT_ERR_NOTMAPPED);
	CHECK_EQ(pt_unmap(&c, 0x401000, 0x1000 + 1), PT_ERR_ALIGN);
	CHECK_EQ(pt_unmap(&c, 0x0000800000000000ULL, PAGE), PT_ERR_CANONICAL);
	CHECK_EQ(pt_unmap(&c, 0x401000, 0), PT_OK);
	CHECK(snap_same(&s));

	/* the top page of the address space works, including the wrap to 0 */
	CHECK_EQ(pt_map(&c, 0xFFFFFFFFFFFFF000ULL, 0x5000, PAGE, PTE_W, true), PT_OK);
	CHECK(translates(&c, 0xFFFFFFFFFFFFFFFFULL, 0x5FFF));
	CHECK_EQ(pt_map(&c, 0xFFFFFFFFFFE00000ULL, 0x200000, 2 * MiB - PAGE, PTE_W, true), PT_OK);
	CHECK(translates(&c, 0xFFFFFFFFFFE00000ULL, 0x200000));
	CHECK_EQ(pt_unmap(&c, 0xFFFFFFFFFFE00000ULL, 2 * MiB), PT_OK);
	CHECK_EQ(pt_translate(&c, 0xFFFFFFFFFFFFF000ULL, NULL, NULL), PT_ERR_NOTMAPPED);
	free(s.mem);
	CHECK_EQ(pool.bad_frees, 0);
}

static void test_unmap_split(void)
{
	struct pt_ctx c = new_ctx();

	/* split a 2 MiB page */
	CHECK_EQ(pt_map(&c, 0x40000000, 0x80000000, 2 * MiB, PTE_W | PTE_NX | PTE_G, true), PT_OK);
	unsigned before = pool.in_use;
	CHECK_EQ(pt_unmap(&c, 0x40001000, PAGE), PT_OK);
	CHECK_EQ(pool.in_use, before + 1);
	CHECK_EQ(pt_translate(&c, 0x40001000, NULL, NULL), PT_ERR_NOTMAPPED);
	unsigned wrong = 0;
	for (uint64_t v = 0x40000000; v < 0x40200000; v += PAGE)
		if (v != 0x40001000)
			wrong += !translates(&c, v, 0x80000000 + (v - 0x40000000)) ||
				 flags_of(&c, v) != (PTE_P | PTE_W | PTE_NX | PTE_G);
	CHECK_EQ(wrong, 0);
	/* the rest, in two pieces: the tables go away */
	CHECK_EQ(pt_unmap(&c, 0x40000000, PAGE), PT_OK);
	CHECK_EQ(pt_unmap(&c, 0x40002000, 2 * MiB - 2 * PAGE), PT_OK);
	CHECK_EQ(pool.in_use, 1);

	/* split a 1 GiB page in the middle of a 2 MiB piece: PD + PT */
	CHECK_EQ(pt_map(&c, 0x40000000, 0x80000000, GiB, PTE_W, true), PT_OK);
	CHECK_EQ(pool.in_use, 2);
	CHECK_EQ(pt_unmap(&c, 0x40345000, 3 * PAGE), PT_OK);
	CHECK_EQ(pool.in_use, 4);
	CHECK(entry_at(&c, 0x40000000, 2) & PTE_PS);  /* untouched 2 MiB pieces stay large */
	CHECK(!(entry_at(&c, 0x40200000, 2) & PTE_PS));
	CHECK(translates(&c, 0x40344FFF, 0x80344FFF));
	CHECK(translates(&c, 0x40348000, 0x80348000));
	CHECK(translates(&c, 0x7FFFFFFF, 0xBFFFFFFF));
	CHECK_EQ(pt_translate(&c, 0x40346000, NULL, NULL), PT_ERR_NOTMAPPED);
	/* a range spanning two partial 2 MiB pieces of another 1 GiB page */
	CHECK_EQ(pt_map(&c, 0x80000000, 0xC0000000, GiB, 0, true), PT_OK);
	before = pool.in_use;
	CHECK_EQ(pt_unmap(&c, 0x801FF000, 3 * MiB), PT_OK);
	CHECK_EQ(pool.in_use, before + 3);
	CHECK(translates(&c, 0x801FE000, 0xC01FE000));
	CHECK(translates(&c, 0x804FF000, 0xC04FF000));
	CHECK_EQ(pt_translate(&c, 0x804FE000, NULL, NULL), PT_ERR_NOTMAPPED);
	/* unmap both GiBs entirely (around the holes): back to the PML4 only */
	CHECK_EQ(pt_unmap(&c, 0x40000000, 0x345000), PT_OK);
	CHECK_EQ(pt_unmap(&c, 0x40348000, 0x801FF000 - 0x40348000), PT_OK);
	CHECK_EQ(pt_unmap(&c, 0x804FF000, 0xC0000000 - 0x804FF000), PT_OK);
	CHECK_EQ(pool.in_use, 1);

	/* PAT moves between bit 12 (large) and bit 7 (4 KiB) when splitting */
	uint64_t *pd;
	CHECK_EQ(pt_map(&c, 0x40000000, 0x80000000, 2 * MiB, PTE_W, true), PT_OK);
	pd = table(entry_at(&c, 0x40000000, 3));
	pd[pt_index(0x40000000, 2)] |= PTE_PAT_LARGE;
	CHECK_EQ(pt_unmap(&c, 0x40000000, PAGE), PT_OK);
	CHECK_EQ(entry_at(&c, 0x40001000, 1), 0x80001000 | PTE_P | PTE_W | PTE_PS);
	CHECK(translates(&c, 0x40001000, 0x80001000));
	CHECK_EQ(pt_unmap(&c, 0x40001000, 2 * MiB - PAGE), PT_OK);
	CHECK_EQ(pool.in_use, 1);
	CHECK_EQ(pool.bad_frees, 0);
}

static void test_free_tables(void)
{
	struct pt_ctx c = new_ctx();
	uint64_t vas[] = { 0x1000, 0x7FFFFFFFF000ULL, 0x12345678000ULL, 0x400000000ULL, 0x1FF000 };
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(pt_map(&c, vas[i], 0x1000000 + i * PAGE, PAGE, PTE_U | PTE_W, true), PT_OK);
	CHECK(pool.in_use > 5);
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(pt_unmap(&c, vas[i], PAGE), PT_OK);
	CHECK_EQ(pool.in_use, 1);
	unsigned nonzero = 0;
	for (unsigned i = 0; i < 512; i++)
		nonzero += table(c.pml4)[i] != 0;
	CHECK_EQ(nonzero, 0);

	/* kernel half: the PDPT stays (it is shared between address spaces) */
	CHECK_EQ(pt_map(&c, 0xFFFF800000000000ULL, 0, 4 * PAGE, PTE_W, true), PT_OK);
	CHECK_EQ(pool.in_use, 4);
	CHECK_EQ(pt_unmap(&c, 0xFFFF800000000000ULL, 4 * PAGE), PT_OK);
	CHECK_EQ(pool.in_use, 2);
	CHECK(table(c.pml4)[256] & PTE_P);
	CHECK_EQ(pool.bad_frees, 0);
}

/* Every allocation failure point: NOMEM and nothing changed. */
static void test_out_of_memory(void)
{
	struct snapshot s = { 0 };
	struct pt_ctx c = new_ctx();
	/* some existing state the failed calls must leave alone */
	CHECK_EQ(pt_map(&c, 0x3FC00000, 0x1000, PAGE, PTE_W, true), PT_OK);
	CHECK_EQ(pt_map(&c, 0xFFFFFFFF80000000ULL, 0x100000, 2 * MiB, PTE_W, true), PT_OK);

	uint64_t va = 0x3FE00000 - 3 * PAGE, end = 0x80200000 + 5 * PAGE;
	uint64_t pa = 0x1000000000ULL + (va & (GiB - 1));
	snap_take(&s);
	unsigned base = pool.in_use;
	long needed = -1;
	for (long n = 0; n < 20; n++) {
		pool.allocs_left = n;
		int r = pt_map(&c, va, pa, end - va, PTE_U | PTE_W, true);
		pool.allocs_left = -1;
		if (r == PT_OK) {
			needed = n;
			break;
		}
		CHECK_EQ(r, PT_ERR_NOMEM);
		CHECK(snap_same(&s));
		/* no U was added to the shared intermediate entries */
		CHECK(!(entry_at(&c, 0x3FC00000, 4) & PTE_U));
	}
	CHECK_EQ(needed, 2); /* GiB 0's PD and PT exist already: a PD and a PT for GiB 2 */
	CHECK_EQ(pool.in_use, base + (unsigned)needed);
	CHECK(translates(&c, va, pa));
	CHECK(translates(&c, end - PAGE, pa + (end - va) - PAGE));

	/* splitting a 1 GiB page in unmap needs a PD and a PT */
	CHECK_EQ(pt_map(&c, 0x100000000ULL, 0, GiB, PTE_W, true), PT_OK);
	snap_take(&s);
	for (long n = 0; n < 2; n++) {
		pool.allocs_left = n;
		CHECK_EQ(pt_unmap(&c, 0x100001000ULL, PAGE), PT_ERR_NOMEM);
		pool.allocs_left = -1;
		CHECK(snap_same(&s));
	}
	pool.allocs_left = 2;
	CHECK_EQ(pt_unmap(&c, 0x100001000ULL, PAGE), PT_OK);
	pool.allocs_left = -1;
	CHECK_EQ(pt_translate(&c, 0x100001000ULL, NULL, NULL), PT_ERR_NOTMAPPED);
	CHECK(translates(&c, 0x100002000ULL, 0x2000));

	/* from an empty PML4 the same range needs 5 tables: fail at each */
	struct pt_ctx fresh = new_ctx();
	snap_take(&s);
	for (long n = 0; n < 5; n++) {
		pool.allocs_left = n;
		CHECK_EQ(pt_map(&fresh, va, pa, end - va, PTE_W, true), PT_ERR_NOMEM);
		pool.allocs_left = -1;
		CHECK(snap_same(&s));
	}
	pool.allocs_left = 5;
	CHECK_EQ(pt_map(&fresh, va, pa, end - va, PTE_W, true), PT_OK);
	pool.allocs_left = -1;
	CHECK_EQ(pool.in_use, 6);

	/* a pool that is simply full */
	pool.allocs_left = 0;
	CHECK_EQ(pt_map(&fresh, 0x7000000000ULL, 0, PAGE, 0, true), PT_ERR_NOMEM);
	pool.allocs_left = -1;
	free(s.mem);
	CHECK_EQ(pool.bad_frees, 0);
}

static void test_destroy_lower_half(void)
{
	struct pt_ctx c = new_ctx();
	CHECK_EQ(pt_map(&c, 0x400000, 0x100000, 64 * PAGE, PTE_U | PTE_W, true), PT_OK);
	CHECK_EQ(pt_map(&c, 0x40000000, 0x40000000, 6 * MiB, PTE_U, true), PT_OK);
	CHECK_EQ(pt_map(&c, 0x8000000000ULL, 0, 2 * GiB, PTE_U, true), PT_OK);
	CHECK_EQ(pt_map(&c, 0x7FFFFFE00000ULL, 0x9000000, 2 * MiB, PTE_U | PTE_W, false), PT_OK);
	CHECK_EQ(pt_map(&c, 0xFFFFFFFF80000000ULL, 0x1000000, 4 * MiB + PAGE, PTE_W, true), PT_OK);
	unsigned kernel_tables = 3; /* PDPT, PD, PT of the kernel mapping */
	CHECK(pool.in_use > 1 + kernel_tables);
	pt_destroy_lower_half(&c);
	CHECK_EQ(pool.in_use, 1 + kernel_tables);
	CHECK_EQ(pool.bad_frees, 0); /* mapped frames were not "freed" */
	unsigned nonzero = 0;
	for (unsigned i = 0; i < 256; i++)
		nonzero += table(c.pml4)[i] != 0;
	CHECK_EQ(nonzero, 0);
	CHECK_EQ(pt_translate(&c, 0x400000, NULL, NULL), PT_ERR_NOTMAPPED);
	CHECK(translates(&c, 0xFFFFFFFF80400000ULL, 0x1400000));
	pt_destroy_lower_half(&c); /* again: nothing to do */
	CHECK_EQ(pool.in_use, 1 + kernel_tables);
}

/* ---- random map/unmap against a per-page model ---- */

#define WINDOW_PAGES 8192 /* 32 MiB at WINDOW_VA */
#define WINDOW_VA    0x7FFFFE000000ULL /* just below the canonical hole */

static uint64_t rng_state = 0x243F6A8885A308D3ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_random(void)
{
	struct pt_ctx c = new_ctx();
	static uint64_t model[WINDOW_PAGES]; /* pa + 1, or 0 when unmapped */
	unsigned mismatches = 0, wrong_results = 0;

	for (int op = 0; op < 4000; op++) {
		uint64_t r = rng();
		/* sizes from one page up to 4 MiB, often 2 MiB-aligned */
		uint64_t first = (r >> 8) % WINDOW_PAGES;
		uint64_t count = 1 + (r >> 24) % ((r & 1) ? 16 : 1024);
		if ((r >> 40) % 3 == 0) {
			first &= ~511ULL;
			count = 512 * (1 + (r >> 44) % 2);
		}
		if (first + count > WINDOW_PAGES)
			count = WINDOW_PAGES - first;
		uint64_t va = WINDOW_VA + first * PAGE;
		bool any = false, all = true;
		for (uint64_t i = first; i < first + count; i++) {
			any = any || model[i];
			all = all && model[i];
		}
		if ((r >> 50) % 2) {
			uint64_t pa = 0x40000000ULL + ((r >> 52) % 4) * 0x200000 + first * PAGE;
			int got = pt_map(&c, va, pa, count * PAGE, PTE_W | PTE_U, (r >> 60) & 1);
			wrong_results += got != (any ? PT_ERR_EXISTS : PT_OK);
			if (!any)
				for (uint64_t i = 0; i < count; i++)
					model[first + i] = pa + i * PAGE + 1;
		} else {
			int got = pt_unmap(&c, va, count * PAGE);
			wrong_results += got != (all ? PT_OK : PT_ERR_NOTMAPPED);
			if (all)
				for (uint64_t i = 0; i < count; i++)
					model[first + i] = 0;
		}
		if (op % 200 == 0)
			for (uint64_t i = 0; i < WINDOW_PAGES; i++) {
				uint64_t pa;
				int t = pt_translate(&c, WINDOW_VA + i * PAGE, &pa, NULL);
				if (model[i] ? (t != PT_OK || pa != model[i] - 1) : t != PT_ERR_NOTMAPPED)
					mismatches++;
			}
	}
	CHECK_EQ(wrong_results, 0);
	CHECK_EQ(mismatches, 0);
	/* unmap every mapped run: all tables go */
	for (uint64_t i = 0; i < WINDOW_PAGES;) {
		if (!model[i]) {
			i++;
			continue;
		}
		uint64_t j = i;
		while (j < WINDOW_PAGES && model[j])
			j++;
		CHECK_EQ(pt_unmap(&c, WINDOW_VA + i * PAGE, (j - i) * PAGE), PT_OK);
		i = j;
	}
	CHECK_EQ(pool.in_use, 1);
	CHECK_EQ(pool.bad_frees, 0);
}

int main(void)
{
	test_index_canonical();
	test_map_sizes();
	test_mixed();
	test_user_bits();
	test_errors();
	test_unmap_split();
	test_free_tables();
	test_out_of_memory();
	test_destroy_lower_half();
	test_random();
	free(pool.mem);
	return check_report();
}
