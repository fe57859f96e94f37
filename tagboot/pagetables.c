/*
 * pagetables.c: builds the 4-level page tables TagBoot hands to the kernel.
 *
 * Physical [0, size) is mapped twice with 2 MiB pages, at 0 (identity, so
 * TagBoot keeps running after loading CR3) and at BOOT_HHDM_BASE (the direct
 * map); the two use separate tables, so the kernel can drop the identity map
 * by clearing its PML4 entries.  The kernel's PT_LOAD segments get 4 KiB
 * pages at their link addresses: writable only with PF_W, NX unless PF_X.
 * All tables come from one BOOT_DATA allocation sized for the worst case.
 */
#include "tagboot.h"

#define PTE_P     0x1ull
#define PTE_W     0x2ull
#define PTE_PS    0x80ull                 /* 2 MiB page in a PD entry */
#define PTE_NX    (1ull << 63)
#define PTE_ADDR  0x000FFFFFFFFFF000ull
#define GIB       (1ull << 30)
#define MIB2      (1ull << 21)
#define MAX_MAP   (64ull << 40)           /* 64 TiB: PML4 slots 0..127, 256..383 */

static uint64_t pool_next, pool_end;      /* bump allocator over the table pages */

static uint64_t *new_table(void)
{
	if (pool_next >= pool_end)
		tb_fail(L"page tables", "table pool exhausted");
	uint64_t *t = (uint64_t *)(UINTN)pool_next;
	pool_next += TB_PAGE;
	return t; /* tb_alloc zeroed the pool */
}

/* Returns the table entry `table[idx]` points to, creating it if absent.
 * Upper levels are always present+writable; the leaf decides access. */
static uint64_t *next_table(uint64_t *table, unsigned idx)
{
	if (!(table[idx] & PTE_P))
		table[idx] = (uint64_t)(UINTN)new_table() | PTE_P | PTE_W;
	return (uint64_t *)(UINTN)(table[idx] & PTE_ADDR);
}

static unsigned idx(uint64_t va, unsigned shift) { return (va >> shift) & 511; }

static void map_2m(uint64_t *pml4, uint64_t va, uint64_t pa)
{
	uint64_t *pd = next_table(next_table(pml4, idx(va, 39)), idx(va, 30));
	pd[idx(va, 21)] = pa | PTE_P | PTE_W | PTE_PS;
}

/* Maps one 4 KiB page.  A page shared by two segments gets the union of
 * their rights (writable if either is, executable if either is). */
static void map_4k(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pd = next_table(next_table(pml4, idx(va, 39)), idx(va, 30));
	uint64_t *pte = &next_table(pd, idx(va, 21))[idx(va, 12)];
	if (*pte & PTE_P) {
		uint64_t nx = *pte & flags & PTE_NX;
		flags = ((*pte | flags) & ~PTE_NX) | nx;
	}
	*pte = pa | PTE_P | flags;
}

uint64_t pt_build(uint64_t phys_top, const struct elf_kernel_info *k,
		  uint64_t kernel_phys, int use_nx, uint64_t *hhdm_size)
{
	uint64_t size = phys_top < 4 * GIB ? 4 * GIB : phys_top;
	if (size > MAX_MAP)
		size = MAX_MAP;
	size = (size + GIB - 1) & ~(GIB - 1);
	*hhdm_size = size;

	/* Worst case: PML4 + per map (PDPTs + one PD per GiB) + kernel PDPT,
	 * 2 PDs (the span may cross a 1 GiB line) and one PT per 2 MiB + 2. */
	uint64_t gib = size / GIB;
	uint64_t pages = 1 + 2 * ((gib + 511) / 512 + gib) + 1 + 2 + k->span / MIB2 + 2;
	pool_next = tb_alloc(pages * TB_PAGE, TB_MEM_BOOT_DATA, L"page tables");
	pool_end = pool_next + pages * TB_PAGE;

	uint64_t *pml4 = new_table();
	for (uint64_t pa = 0; pa < size; pa += MIB2) {
		map_2m(pml4, pa, pa);
		map_2m(pml4, BOOT_HHDM_BASE + pa, pa);
	}

	for (unsigned i = 0; i < k->count; i++) {
		const struct elf_segment *s = &k->seg[i];
		uint64_t flags = 0;
		if (s->flags & 2) /* PF_W */
			flags |= PTE_W;
		if (!(s->flags & 1) && use_nx) /* PF_X */
			flags |= PTE_NX;
		uint64_t va = s->vaddr & ~(TB_PAGE - 1);
		for (; va < s->vaddr + s->memsz; va += TB_PAGE)
			map_4k(pml4, va, kernel_phys + (va - k->lowest), flags);
	}
	return (uint64_t)(UINTN)pml4;
}
