/*
 * cabin.c: making, running and reclaiming Cabins.
 *
 * A Cabin gets a fresh page table whose kernel half (PML4 entries 256-511)
 * is copied from the kernel's, so every kernel mapping is shared and a notify
 * needs no CR3 switch.  Its user half holds the ELF's segments (checked by
 * the same elf_check_range() TagBoot uses for the kernel, here against the
 * user range), a stack whose top is placed at random (RDRAND, TSC when the
 * CPU has no RDRAND) with an unmapped guard below, and the Pocket and Result
 * rings at their fixed addresses.  Every physical block the Cabin owns is
 * recorded as it is allocated, so destroying it returns exactly those blocks
 * and the page-table pages; `cabintest=N` (core/launch.c) checks the
 * free-page count comes back to its value before the spawns.  No fork: a Cabin starts fresh at its
 * ELF entry point, with every register zero.
 */
#include "core/cabin.h"
#include "core/guide.h"
#include "boxos/ops.h"
#include "boxos/abi/notify.h"
#include "boxos/abi/pocket.h"
#include "boxos/abi/result.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "elfcheck.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

int cabin_enter(uint64_t rip, uint64_t rsp, struct kernel_context *ctx);
__attribute__((noreturn)) void kernel_resume(struct kernel_context *ctx, int status);

static uint32_t next_cabin_id = 1;

static uint64_t table_alloc(void *arg)
{
	struct cabin *c = arg;
	uint64_t phys = pmm_alloc(ZONE_USER, 0);
	if (phys) {
		memset(phys_to_virt(phys), 0, PAGE_SIZE);
		c->table_pages++;
	}
	return phys;
}

static void table_free(void *arg, uint64_t phys)
{
	struct cabin *c = arg;
	pmm_free(phys, 0);
	c->table_pages--;
}

static void *table_virt(void *arg, uint64_t phys)
{
	(void)arg;
	return phys_to_virt(phys);
}

/* Allocate a zeroed block of 2^order pages and remember it; 0 when out of memory. */
static uint64_t own_block(struct cabin *c, unsigned order)
{
	if (c->block_count == c->block_cap) {
		uint32_t cap = c->block_cap ? c->block_cap * 2 : 16;
		uint64_t *grown = kmalloc(cap * sizeof(uint64_t));
		if (!grown)
			return 0;
		if (c->blocks)
			memcpy(grown, c->blocks, c->block_count * sizeof(uint64_t));
		kfree(c->blocks);
		c->blocks = grown;
		c->block_cap = cap;
	}
	uint64_t phys = pmm_alloc(ZONE_USER, order);
	if (!phys)
		return 0;
	memset(phys_to_virt(phys), 0, PAGE_SIZE << order);
	c->blocks[c->block_count++] = phys | order;
	return phys;
}

static int map_user(struct cabin *c, uint64_t va, uint64_t phys, uint64_t pages, uint64_t flags)
{
	int err = pt_map(&c->pt, va, phys, pages * PAGE_SIZE, flags | PTE_U, false);
	if (!err)
		c->user_pages += pages;
	return err;
}

static uint64_t random_u64(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (r[2] & (1u << 30)) { /* RDRAND */
		for (int tries = 0; tries < 10; tries++) {
			uint64_t v;
			uint8_t ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
			if (ok)
				return v;
		}
	}
	uint64_t t = rdtsc();
	return t ^ (t >> 29) ^ (t << 17) ^ 0x9E3779B97F4A7C15ULL;
}

static const char *load_segments(struct cabin *c, const uint8_t *elf, const struct elf_kernel_info *info)
{
	for (unsigned i = 0; i < info->count; i++) {
		const struct elf_segment *s = &info->seg[i];
		uint64_t flags = 0;
		if (s->flags & 2)
			flags |= PTE_W;
		if (!(s->flags & 1))
			flags |= PTE_NX;
		uint64_t first = s->vaddr & ~(PAGE_SIZE - 1);
		for (uint64_t va = first; va < s->vaddr + s->memsz; va += PAGE_SIZE) {
			uint64_t existing;
			if (pt_translate(&c->pt, va, &existing, NULL) == 0)
				return "two segments share a page (link apps with page-aligned segments)";
			uint64_t phys = own_block(c, 0);
			if (!phys)
				return "out of memory";
			/* copy the part of [vaddr, vaddr + filesz) that falls in this page */
			uint64_t lo = va > s->vaddr ? va : s->vaddr;
			uint64_t hi = va + PAGE_SIZE < s->vaddr + s->filesz ? va + PAGE_SIZE
									   : s->vaddr + s->filesz;
			if (lo < hi)
				memcpy((uint8_t *)phys_to_virt(phys) + (lo - va),
				       elf + s->offset + (lo - s->vaddr), hi - lo);
			if (map_user(c, va, phys, 1, flags))
				return "cannot map a segment";
		}
	}
	return NULL;
}

static const char *map_ring(struct cabin *c, struct ring *r, uint64_t va, uint32_t slot_size)
{
	uint64_t slot_bytes = (uint64_t)BOX_RING_SLOTS * slot_size;
	unsigned order = 0;
	while ((PAGE_SIZE << order) < slot_bytes)
		order++;
	uint64_t header = own_block(c, 0), slots = own_block(c, order);
	if (!header || !slots)
		return "out of memory for the rings";
	if (map_user(c, va, header, 1, PTE_W | PTE_NX) ||
	    map_user(c, va + BOX_RING_HEADER_SIZE, slots, 1u << order, PTE_W | PTE_NX))
		return "cannot map a ring";
	if (ring_init(r, phys_to_virt(header), phys_to_virt(slots), BOX_RING_SLOTS, slot_size))
		return "bad ring geometry";
	return NULL;
}

struct cabin *cabin_spawn(const char *name, const void *elf, size_t size, const char **why)
{
	struct elf_kernel_info info;
	if (elf_check_range(elf, size, BOX_USER_LO, BOX_USER_HI, "segment outside the user range",
			    &info, why) != 0)
		return NULL;

	struct cabin *c = kzalloc(sizeof(*c));
	if (!c) {
		*why = "out of memory";
		return NULL;
	}
	kstrlcpy(c->name, name, sizeof(c->name));
	c->pt = (struct pt_ctx){
		.alloc_table = table_alloc,
		.free_table = table_free,
		.phys_to_virt = table_virt,
		.arg = c,
		.no_1g_pages = true,
	};
	c->pt.pml4 = table_alloc(c);
	if (!c->pt.pml4) {
		kfree(c);
		*why = "out of memory";
		return NULL;
	}
	uint64_t *pml4 = phys_to_virt(c->pt.pml4);
	const uint64_t *kernel = phys_to_virt(paging_kernel_pml4());
	for (int i = 256; i < 512; i++)
		pml4[i] = kernel[i];

	*why = load_segments(c, elf, &info);
	if (!*why)
		*why = map_ring(c, &c->pockets, BOX_POCKET_RING_VA, sizeof(struct box_pocket));
	if (!*why)
		*why = map_ring(c, &c->results, BOX_RESULT_RING_VA, sizeof(struct box_result));
	if (!*why) {
		/* stack top: somewhere in the 1 GiB below the user limit, page aligned */
		uint64_t top = BOX_USER_HI - (2ULL << 20) - ((random_u64() % (1ULL << 18)) << 12);
		uint64_t base = top - CABIN_STACK_PAGES * PAGE_SIZE;
		for (uint64_t va = base; va < top && !*why; va += PAGE_SIZE) {
			uint64_t phys = own_block(c, 0);
			if (!phys || map_user(c, va, phys, 1, PTE_W | PTE_NX))
				*why = "out of memory for the stack";
		}
		c->stack_top = top;
	}
	if (*why) {
		cabin_destroy(c);
		return NULL;
	}
	if (!guide_attach(c)) {
		*why = "too many Cabins";
		cabin_destroy(c);
		return NULL;
	}
	c->attached = true;
	c->auth = BOX_AUTH_APP;
	c->entry = info.entry;
	c->id = __atomic_fetch_add(&next_cabin_id, 1, __ATOMIC_RELAXED);
	c->state = CABIN_READY;
	return c;
}

void cabin_destroy(struct cabin *c)
{
	if (c->attached)
		guide_detach(c);
	/* The tables go first (they only point at the blocks), then the blocks. */
	pt_destroy_lower_half(&c->pt);
	pmm_free(c->pt.pml4, 0);
	for (uint32_t i = 0; i < c->block_count; i++)
		pmm_free(c->blocks[i] & ~(PAGE_SIZE - 1), c->blocks[i] & (PAGE_SIZE - 1));
	kfree(c->blocks);
	kfree(c);
}

int32_t cabin_run(struct cabin *c)
{
	struct cpu *cpu = this_cpu();
	struct kernel_context ctx;
	uint64_t flags = irq_save(); /* a Cabin's end arrives with interrupts off */
	c->core = cpu->id;
	c->state = CABIN_RUNNING;
	cpu->current = c;
	cpu->resume = &ctx;
	cpu->tss.rsp[0] = cpu->syscall_rsp; /* interrupts from ring 3 land on this stack */
	write_cr3(c->pt.pml4);
	int status = cabin_enter(c->entry, c->stack_top, &ctx);
	write_cr3(paging_kernel_pml4());
	cpu->current = NULL;
	cpu->resume = NULL;
	c->exit_status = status;
	__atomic_store_n(&c->state, CABIN_DONE, __ATOMIC_RELEASE);
	irq_restore(flags);
	return status;
}

void cabin_exit_current(int32_t status)
{
	struct cpu *cpu = this_cpu();
	kernel_resume(cpu->resume, status);
}

void cabin_kill_current(const char *why)
{
	struct cpu *cpu = this_cpu();
	kstrlcpy(cpu->current->why, why, sizeof(cpu->current->why));
	kernel_resume(cpu->resume, CABIN_KILLED);
}
