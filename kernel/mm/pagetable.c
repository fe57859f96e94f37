/*
 * pagetable.c: building, changing and reading x86_64 4-level page tables.
 *
 * Levels are numbered as in the table names' order: 4 = PML4, 3 = PDPT
 * (an entry maps 1 GiB), 2 = PD (2 MiB), 1 = PT (4 KiB).  Every operation
 * walks the range level by level, taking at each level the piece of the range
 * that falls under one entry.
 *
 * pt_map() and pt_unmap() never leave a half-done change behind.  They first
 * validate the whole range (nothing mapped / everything mapped), then run the
 * same walk in "count" mode to learn how many new tables the change needs,
 * then allocate all of them up front (chained through their first word), and
 * only then walk again to make the change, which can no longer fail.  If an
 * allocation fails, the tables already obtained are returned and nothing else
 * was touched.
 */
#include <stddef.h>
#include "mm/pagetable.h"

#define TABLE_ENTRIES 512
#define KERNEL_HALF_FIRST_PML4 256 /* PML4 entries 256..511 map the upper half */
#define MAX_PHYS_ADDR 0x000FFFFFFFFFFFFFULL /* 52 bits, the architectural limit */

static uint64_t level_span(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/* Bytes of [va, va + remaining) that fall under va's entry at this level. */
static uint64_t chunk_size(uint64_t va, uint64_t remaining, int level)
{
	uint64_t span = level_span(level);
	uint64_t to_entry_end = span - (va & (span - 1));
	return to_entry_end < remaining ? to_entry_end : remaining;
}

static uint64_t *table_at(const struct pt_ctx *c, uint64_t phys)
{
	return c->phys_to_virt(c->arg, phys);
}

/* A leaf maps memory; anything else present points at a lower table. */
static bool is_leaf(uint64_t entry, int level)
{
	return level == 1 || (level <= 3 && (entry & PTE_PS));
}

static bool table_empty(const uint64_t *table)
{
	for (int i = 0; i < TABLE_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

bool pt_canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1FFFF;
}

static int check_va_range(uint64_t va, uint64_t size)
{
	if ((va | size) & (PT_SIZE_4K - 1))
		return PT_ERR_ALIGN;
	if (!pt_canonical(va))
		return PT_ERR_CANONICAL;
	if (size == 0)
		return PT_OK;
	uint64_t last = va + size - 1;
	if (last < va)
		return PT_ERR_RANGE;
	if (!pt_canonical(last) || (last >> 63) != (va >> 63))
		return PT_ERR_CANONICAL;
	return PT_OK;
}

/* ---- tables allocated before a change ---- */

static void release_tables(struct pt_ctx *c, uint64_t chain)
{
	while (chain) {
		uint64_t *t = table_at(c, chain);
		uint64_t next = t[0];
		t[0] = 0;
		c->free_table(c->arg, chain);
		chain = next;
	}
}

static int reserve_tables(struct pt_ctx *c, uint64_t count, uint64_t *chain)
{
	*chain = 0;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t phys = c->alloc_table(c->arg);
		if (!phys) {
			release_tables(c, *chain);
			*chain = 0;
			return PT_ERR_NOMEM;
		}
		/* The table is zeroed; borrow its first word as the chain link. */
		table_at(c, phys)[0] = *chain;
		*chain = phys;
	}
	return PT_OK;
}

static uint64_t take_table(const struct pt_ctx *c, uint64_t *chain)
{
	uint64_t phys = *chain;
	uint64_t *t = table_at(c, phys);
	*chain = t[0];
	t[0] = 0;
	return phys;
}

/* ---- pt_map ---- */

struct map_job {
	struct pt_ctx *c;
	uint64_t leaf_flags;  /* without P, PS and address bits */
	uint64_t table_flags; /* what intermediate entries need */
	bool allow_2m, allow_1g;
	bool apply;           /* false: only count tables_needed */
	uint64_t tables_needed;
	uint64_t chain;       /* reserved tables, used when applying */
};

/* Whether any page of [va, va + size) under `table` is mapped. */
static int check_unmapped(const struct pt_ctx *c, const uint64_t *table, int level,
			  uint64_t va, uint64_t size)
{
	while (size) {
		uint64_t chunk = chunk_size(va, size, level);
		uint64_t e = table[pt_index(va, level)];
		if (e & PTE_P) {
			if (is_leaf(e, level))
				return PT_ERR_EXISTS;
			int r = check_unmapped(c, table_at(c, e & PTE_ADDR_MASK), level - 1, va, chunk);
			if (r)
				return r;
		}
		va += chunk;
		size -= chunk;
	}
	return PT_OK;
}

static bool large_page_fits(const struct map_job *j, int level, uint64_t chunk, uint64_t pa)
{
	if (level == 3 && !j->allow_1g)
		return false;
	if (level == 2 && !j->allow_2m)
		return false;
	if (level != 2 && level != 3)
		return false;
	/* chunk covers the whole entry only when va is aligned to it */
	return chunk == level_span(level) && (pa & (level_span(level) - 1)) == 0;
}

/* table == NULL in count mode stands for a table this call would create. */
static void map_walk(struct map_job *j, uint64_t *table, int level, uint64_t va,
		     uint64_t pa, uint64_t size)
{
	while (size) {
		uint64_t chunk = chunk_size(va, size, level);
		unsigned i = pt_index(va, level);
		uint64_t e = table ? table[i] : 0;

		if (level == 1) {
			if (j->apply)
				table[i] = pa | j->leaf_flags | PTE_P;
		} else if (!(e & PTE_P) && large_page_fits(j, level, chunk, pa)) {
			if (j->apply)
				table[i] = pa | j->leaf_flags | PTE_P | PTE_PS;
		} else {
			uint64_t *child = NULL;
			if (e & PTE_P) {
				child = table_at(j->c, e & PTE_ADDR_MASK);
				/* widen: the leaf decides the access, not the levels above */
				if (j->apply)
					table[i] = (e | j->table_flags) & ~PTE_NX;
			} else if (j->apply) {
				uint64_t phys = take_table(j->c, &j->chain);
				table[i] = phys | j->table_flags;
				child = table_at(j->c, phys);
			} else {
				j->tables_needed++;
			}
			map_walk(j, child, level - 1, va, pa, chunk);
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
}

int pt_map(struct pt_ctx *c, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
	   bool allow_large)
{
	int r = check_va_range(va, size);
	if (r)
		return r;
	if (pa & (PT_SIZE_4K - 1))
		return PT_ERR_ALIGN;
	if (size == 0)
		return PT_OK;
	if (pa > MAX_PHYS_ADDR || size - 1 > MAX_PHYS_ADDR - pa)
		return PT_ERR_RANGE;

	uint64_t *pml4 = table_at(c, c->pml4);
	r = check_unmapped(c, pml4, 4, va, size);
	if (r)
		return r;

	struct map_job j = {
		.c = c,
		.leaf_flags = flags & ~(PTE_ADDR_MASK | PTE_PS | PTE_P),
		.table_flags = PTE_P | PTE_W | (flags & PTE_U),
		.allow_2m = allow_large,
		.allow_1g = allow_large && !c->no_1g_pages,
		.apply = false,
	};
	map_walk(&j, pml4, 4, va, pa, size);
	r = reserve_tables(c, j.tables_needed, &j.chain);
	if (r)
		return r;
	j.apply = true;
	map_walk(&j, pml4, 4, va, pa, size);
	release_tables(c, j.chain); /* empty unless the two walks disagreed */
	return PT_OK;
}

/* ---- pt_unmap ---- */

struct unmap_job {
	struct pt_ctx *c;
	bool apply;
	uint64_t tables_needed;
	uint64_t chain;
};

static int check_mapped(const struct pt_ctx *c, const uint64_t *table, int level,
			uint64_t va, uint64_t size)
{
	while (size) {
		uint64_t chunk = chunk_size(va, size, level);
		uint64_t e = table[pt_index(va, level)];
		if (!(e & PTE_P))
			return PT_ERR_NOTMAPPED;
		if (!is_leaf(e, level)) {
			int r = check_mapped(c, table_at(c, e & PTE_ADDR_MASK), level - 1, va, chunk);
			if (r)
				return r;
		}
		va += chunk;
		size -= chunk;
	}
	return PT_OK;
}

/*
 * Replace the large page in table[i] by a table of the next level down that
 * maps the same memory the same way.
 */
static void split_large_page(struct unmap_job *j, uint64_t *table, unsigned i, int level)
{
	uint64_t e = table[i];
	uint64_t child_span = level_span(level - 1);
	uint64_t base = e & PTE_ADDR_MASK & ~(level_span(level) - 1);
	uint64_t attrs = e & ~PTE_ADDR_MASK;
	if (level - 1 == 1) {
		/* 4 KiB entries have no PS bit and keep their PAT bit at bit 7 */
		attrs &= ~PTE_PS;
		if (e & PTE_PAT_LARGE)
			attrs |= PTE_PS;
	} else {
		attrs |= e & PTE_PAT_LARGE;
	}
	uint64_t phys = take_table(j->c, &j->chain);
	uint64_t *child = table_at(j->c, phys);
	for (unsigned k = 0; k < TABLE_ENTRIES; k++)
		child[k] = (base + k * child_span) | attrs;
	table[i] = phys | PTE_P | PTE_W | (e & PTE_U);
}

/* Tables needed to split a large page at `level` of which [va, va+size) goes. */
static uint64_t split_cost(uint64_t va, uint64_t size, int level)
{
	uint64_t tables = 1;
	if (level == 3) {
		/* the 2 MiB pieces only partly unmapped need a page table each */
		while (size) {
			uint64_t chunk = chunk_size(va, size, 2);
			if (chunk != PT_SIZE_2M)
				tables++;
			va += chunk;
			size -= chunk;
		}
	}
	return tables;
}

static void unmap_walk(struct unmap_job *j, uint64_t *table, int level, uint64_t va,
		       uint64_t size)
{
	while (size) {
		uint64_t chunk = chunk_size(va, size, level);
		unsigned i = pt_index(va, level);
		uint64_t e = table[i];

		if (is_leaf(e, level) && chunk == level_span(level)) {
			if (j->apply)
				table[i] = 0;
		} else if (is_leaf(e, level) && !j->apply) {
			j->tables_needed += split_cost(va, chunk, level);
		} else {
			if (is_leaf(e, level)) {
				split_large_page(j, table, i, level);
				e = table[i];
			}
			uint64_t child_phys = e & PTE_ADDR_MASK;
			uint64_t *child = table_at(j->c, child_phys);
			unmap_walk(j, child, level - 1, va, chunk);
			bool shared = level == 4 && i >= KERNEL_HALF_FIRST_PML4;
			if (j->apply && !shared && table_empty(child)) {
				table[i] = 0;
				j->c->free_table(j->c->arg, child_phys);
			}
		}
		va += chunk;
		size -= chunk;
	}
}

int pt_unmap(struct pt_ctx *c, uint64_t va, uint64_t size)
{
	int r = check_va_range(va, size);
	if (r || size == 0)
		return r;
	uint64_t *pml4 = table_at(c, c->pml4);
	r = check_mapped(c, pml4, 4, va, size);
	if (r)
		return r;

	struct unmap_job j = { .c = c, .apply = false };
	unmap_walk(&j, pml4, 4, va, size);
	r = reserve_tables(c, j.tables_needed, &j.chain);
	if (r)
		return r;
	j.apply = true;
	unmap_walk(&j, pml4, 4, va, size);
	release_tables(c, j.chain);
	return PT_OK;
}

/* ---- reading and tearing down ---- */

int pt_translate(const struct pt_ctx *c, uint64_t va, uint64_t *pa, uint64_t *flags)
{
	if (!pt_canonical(va))
		return PT_ERR_NOTMAPPED;
	const uint64_t *table = table_at(c, c->pml4);
	bool writable = true, user = true, no_exec = false;
	for (int level = 4; level >= 1; level--) {
		uint64_t e = table[pt_index(va, level)];
		if (!(e & PTE_P))
			return PT_ERR_NOTMAPPED;
		writable = writable && (e & PTE_W);
		user = user && (e & PTE_U);
		no_exec = no_exec || (e & PTE_NX);
		if (is_leaf(e, level)) {
			uint64_t span = level_span(level);
			if (pa)
				*pa = (e & PTE_ADDR_MASK & ~(span - 1)) | (va & (span - 1));
			if (flags) {
				uint64_t f = e & ~(PTE_ADDR_MASK | PTE_W | PTE_U | PTE_NX);
				*flags = f | (writable ? PTE_W : 0) | (user ? PTE_U : 0) |
					 (no_exec ? PTE_NX : 0);
			}
			return PT_OK;
		}
		table = table_at(c, e & PTE_ADDR_MASK);
	}
	return PT_ERR_NOTMAPPED; /* not reached: level 1 entries are leaves */
}

static void free_subtree(struct pt_ctx *c, uint64_t table_phys, int level)
{
	uint64_t *table = table_at(c, table_phys);
	for (unsigned i = 0; i < TABLE_ENTRIES; i++) {
		uint64_t e = table[i];
		if ((e & PTE_P) && !is_leaf(e, level))
			free_subtree(c, e & PTE_ADDR_MASK, level - 1);
	}
	c->free_table(c->arg, table_phys);
}

void pt_destroy_lower_half(struct pt_ctx *c)
{
	uint64_t *pml4 = table_at(c, c->pml4);
	for (unsigned i = 0; i < KERNEL_HALF_FIRST_PML4; i++) {
		if (pml4[i] & PTE_P)
			free_subtree(c, pml4[i] & PTE_ADDR_MASK, 3);
		pml4[i] = 0;
	}
}
