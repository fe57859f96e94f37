/*
 * pagetable.h: x86_64 4-level page tables, the pure part.
 *
 * Everything here only reads and writes table memory; the caller supplies how
 * to get a zeroed table page, free one, and reach a physical address, so the
 * same code runs in the kernel and in host tests.  Nothing here flushes the
 * TLB: the kernel wrapper does invlpg / CR3 reloads after a change.
 */
#ifndef BOXOS_MM_PAGETABLE_H
#define BOXOS_MM_PAGETABLE_H

#include <stdint.h>
#include <stdbool.h>

#define PTE_P   (1ULL << 0)  /* present */
#define PTE_W   (1ULL << 1)  /* writable */
#define PTE_U   (1ULL << 2)  /* user accessible */
#define PTE_PWT (1ULL << 3)  /* write-through */
#define PTE_PCD (1ULL << 4)  /* cache disable */
#define PTE_A   (1ULL << 5)  /* accessed */
#define PTE_D   (1ULL << 6)  /* dirty (leaf only) */
#define PTE_PS  (1ULL << 7)  /* 2 MiB / 1 GiB page (PD / PDPT entries) */
#define PTE_G   (1ULL << 8)  /* global (leaf only) */
#define PTE_NX  (1ULL << 63) /* no execute (needs EFER.NXE) */
#define PTE_PAT_LARGE (1ULL << 12) /* PAT bit of a 2 MiB / 1 GiB page (bit 7 in a 4 KiB one) */

#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ULL

#define PT_SIZE_4K (1ULL << 12)
#define PT_SIZE_2M (1ULL << 21)
#define PT_SIZE_1G (1ULL << 30)

enum pt_error {
	PT_OK = 0,
	PT_ERR_ALIGN = -1,     /* va, pa or size not 4 KiB aligned */
	PT_ERR_CANONICAL = -2, /* non-canonical va, or the range crosses the hole */
	PT_ERR_EXISTS = -3,    /* part of the range is already mapped */
	PT_ERR_NOMEM = -4,     /* alloc_table failed */
	PT_ERR_RANGE = -5,     /* range wraps around, or pa beyond 52 bits */
	PT_ERR_NOTMAPPED = -6, /* part of the range is not mapped */
};

struct pt_ctx {
	uint64_t (*alloc_table)(void *arg);          /* phys of a ZEROED 4 KiB page, or 0 */
	void (*free_table)(void *arg, uint64_t phys);
	void *(*phys_to_virt)(void *arg, uint64_t phys);
	void *arg;
	uint64_t pml4;                               /* phys of the top table */
	/*
	 * Set when the CPU lacks 1 GiB pages (CPUID 0x80000001 EDX bit 26,
	 * "pdpe1gb"; QEMU's default qemu64 model has none): pt_map then uses
	 * 2 MiB pages at most.
	 */
	bool no_1g_pages;
};

/* Index into the level-`level` table (4 = PML4 .. 1 = page table) for va. */
static inline unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)((va >> (12 + 9 * (level - 1))) & 511);
}

/* Whether bits 63..47 of va are all equal. */
bool pt_canonical(uint64_t va);

/*
 * Map [va, va + size) to [pa, pa + size) with flags (PTE_P implied; PTE_PS
 * and address bits in flags are ignored).  With allow_large, 1 GiB and 2 MiB
 * pages are used wherever va, pa and the remaining size allow.  Nothing
 * changes on error.  Intermediate entries are P|W (plus U when flags has
 * PTE_U) and never NX; existing ones on the way are widened the same way,
 * since the leaf entry is what sets the permissions.
 */
int pt_map(struct pt_ctx *c, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
	   bool allow_large);

/*
 * Unmap [va, va + size): PT_ERR_NOTMAPPED (and nothing changes) unless every
 * page in it is mapped.  A large page only partly inside the range is split
 * (which may need new tables: PT_ERR_NOMEM).  Tables that become empty are
 * freed, except the PML4 and the PDPTs under its kernel half (entries
 * 256..511), which address spaces share by copying PML4 entries.
 */
int pt_unmap(struct pt_ctx *c, uint64_t va, uint64_t size);

/*
 * Look up va.  *pa gets the physical address (page offset included);
 * *flags gets the leaf entry's low and high bits (PTE_PS set for a large
 * page) with PTE_W and PTE_U cleared and PTE_NX set when a level above says
 * so, i.e. the access the CPU would actually allow.  Either pointer may be
 * NULL.  0 or PT_ERR_NOTMAPPED.
 */
int pt_translate(const struct pt_ctx *c, uint64_t va, uint64_t *pa, uint64_t *flags);

/*
 * Free every table reachable from PML4 entries 0..255 (the user half) and
 * clear those entries.  The mapped frames themselves are not freed.
 */
void pt_destroy_lower_half(struct pt_ctx *c);

#endif
