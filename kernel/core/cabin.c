/*
 * cabin.c: making, running and reclaiming Cabins.
 *
 * A Cabin gets a fresh page table whose kernel half (PML4 entries 256-511)
 * is copied from the kernel's, so every kernel mapping is shared and a notify
 * needs no CR3 switch.  Its user half holds the ELF's segments (checked by
 * the same elf_check_range() TagBoot uses for the kernel, here against the
 * user range), the Pocket, Result and inbox rings and the read-only start
 * page at their fixed addresses, and two ranges placed at random (RDRAND,
 * TSC when the CPU has no RDRAND) that fill with zeroed pages on first touch:
 * the stack (up to 1 MiB below its top, the rest a guard) and the heap
 * (1 GiB of address space).  First touch means a page fault from the Cabin
 * or a Crate the Guide checks (cabin_populate).  Every physical block the
 * Cabin owns, its kernel stack included, is recorded as it is allocated, so
 * releasing it returns exactly those blocks and the page-table pages;
 * `cabintest=N` (core/launch.c) checks the free-page count comes back.  No
 * fork: a Cabin starts fresh at its ELF entry point with RDI pointing at its
 * start page and every other register zero.
 *
 * Lifetime: spawn -> sched_add -> ... -> exit (or kill, or a fault) ->
 * its CPU calls cabin_release (state DONE, only the struct left) ->
 * cabin_destroy by whoever reaps it (the kernel launcher, proc.wait, or the
 * Guide for orphans).  Structs are freed only on the K-Core, so the Guide's
 * ops can hold a Cabin pointer for a whole pass.
 */
#include "core/cabin.h"
#include "core/guide.h"
#include "core/sched.h"
#include "boxos/abi/start.h"
#include "arch/x86_64/timer.h"
#include "boxos/ops.h"
#include "boxos/abi/notify.h"
#include "boxos/abi/pocket.h"
#include "boxos/abi/result.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/trap.h"
#include "boxos/abi/proc.h"
#include "elfcheck.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

__attribute__((noreturn)) void cabin_user_start(uint64_t rip, uint64_t rsp, uint64_t arg);

static uint32_t next_cabin_id = 1;


static struct cabin *table[CABIN_MAX];
static struct spinlock table_lock = SPINLOCK_INIT;

struct cabin *cabin_find(uint32_t id)
{
	struct cabin *found = NULL;
	spin_lock(&table_lock);
	for (unsigned i = 0; i < CABIN_MAX && !found; i++)
		if (table[i] && table[i]->id == id)
			found = table[i];
	spin_unlock(&table_lock);
	return found;
}

void cabin_foreach(void (*fn)(struct cabin *c, void *arg), void *arg)
{
	spin_lock(&table_lock);
	for (unsigned i = 0; i < CABIN_MAX; i++)
		if (table[i])
			fn(table[i], arg);
	spin_unlock(&table_lock);
}

static bool table_add(struct cabin *c)
{
	bool ok = false;
	spin_lock(&table_lock);
	for (unsigned i = 0; i < CABIN_MAX && !ok; i++)
		if (!table[i]) {
			table[i] = c;
			ok = true;
		}
	spin_unlock(&table_lock);
	return ok;
}

static void table_remove(struct cabin *c)
{
	spin_lock(&table_lock);
	for (unsigned i = 0; i < CABIN_MAX; i++)
		if (table[i] == c)
			table[i] = NULL;
	spin_unlock(&table_lock);
}

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

/* The new Cabin's kernel stack: a frame sched_switch() "returns" through
 * into cabin_first_entry, with a zero where its return address would be. */
static const char *make_kstack(struct cabin *c)
{
	uint64_t phys = own_block(c, CABIN_KSTACK_ORDER);
	if (!phys)
		return "out of memory for the kernel stack";
	c->kstack_top = (uint64_t)phys_to_virt(phys) + (PAGE_SIZE << CABIN_KSTACK_ORDER);
	uint64_t *sp = (uint64_t *)c->kstack_top;
	*--sp = 0;                              /* cabin_first_entry's return address */
	*--sp = (uint64_t)cabin_first_entry;    /* sched_switch's ret */
	for (int i = 0; i < 6; i++)
		*--sp = 0;                      /* rbp, rbx, r12-r15 */
	c->ksp = (uint64_t)sp;
	return NULL;
}

static const char *make_start_page(struct cabin *c, const char *args, uint32_t args_size,
				   uint32_t argc)
{
	if (args_size > BOX_START_ARGS_MAX)
		return "arguments too long";
	uint64_t phys = own_block(c, 0);
	if (!phys)
		return "out of memory";
	c->start_page = phys;
	struct box_start *st = phys_to_virt(phys);
	st->magic = BOX_START_MAGIC;
	st->version = BOX_START_VERSION;
	st->cabin = c->id;
	st->parent = c->parent;
	st->heap_base = c->heap_base;
	st->heap_size = CABIN_HEAP_MAX;
	st->tsc_hz = timer_tsc_hz();
	st->argc = argc;
	st->args_size = args_size;
	st->auth = c->auth;
	memcpy(st->args, args, args_size);
	if (map_user(c, BOX_START_VA, phys, 1, PTE_NX))
		return "cannot map the start page";
	/* the shared, read-only kernel info page: mapped, never owned */
	if (pt_map(&c->pt, BOX_KINFO_VA, guide_kinfo_phys(), PAGE_SIZE, PTE_U | PTE_NX, false))
		return "cannot map the kernel info page";
	return NULL;
}

/* Where the stack and heap go: both page aligned, random, apart. */
static void place_ranges(struct cabin *c)
{
	uint64_t r = random_u64();
	/* stack top: in the 1 GiB below the user limit, minus room for the stack */
	c->stack_top = BOX_USER_HI - (2ULL << 20) - ((r % (1ULL << 18)) << 12);
	c->stack_lo = c->stack_top - CABIN_STACK_MAX;
	/* heap: somewhere in [64 GiB, 64 GiB + 16 TiB), far from the ELF and the stack */
	c->heap_base = (64ULL << 30) + (((r >> 20) % (1ULL << 14)) << 30);
}

struct cabin *cabin_spawn(const char *name, const void *elf, size_t size, const char *args,
			  uint32_t args_size, uint32_t argc, const char **why)
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
	c->inbox_lock = (struct spinlock)SPINLOCK_INIT;
	c->mm_lock = (struct spinlock)SPINLOCK_INIT;
	c->auth = BOX_AUTH_APP;
	c->id = __atomic_fetch_add(&next_cabin_id, 1, __ATOMIC_RELAXED);
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

	place_ranges(c);
	*why = load_segments(c, elf, &info);
	if (!*why)
		*why = map_ring(c, &c->pockets, BOX_POCKET_RING_VA, sizeof(struct box_pocket));
	if (!*why)
		*why = map_ring(c, &c->results, BOX_RESULT_RING_VA, sizeof(struct box_result));
	if (!*why)
		*why = map_ring(c, &c->inbox, BOX_INBOX_RING_VA, sizeof(struct box_message));
	if (!*why)
		*why = make_start_page(c, args, args_size, argc);
	if (!*why && cabin_populate(c, c->stack_top - PAGE_SIZE) != BOX_OK)
		*why = "out of memory for the stack";
	if (!*why)
		*why = make_kstack(c);
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
	if (!table_add(c)) {
		*why = "too many Cabins";
		cabin_destroy(c);
		return NULL;
	}
	c->entry = info.entry;
	c->state = CABIN_NEW;
	return c;
}

void cabin_set_origin(struct cabin *c, uint8_t auth, uint32_t parent)
{
	struct box_start *st = phys_to_virt(c->start_page);
	c->auth = st->auth = auth;
	c->parent = st->parent = parent;
}

int32_t cabin_populate(struct cabin *c, uint64_t va)
{
	va &= ~(PAGE_SIZE - 1);
	bool in_heap = va >= c->heap_base && va < c->heap_base + CABIN_HEAP_MAX;
	bool in_stack = va >= c->stack_lo && va < c->stack_top;
	if (!in_heap && !in_stack)
		return BOX_ERR_FAULT;
	int32_t st = BOX_OK;
	spin_lock(&c->mm_lock);
	uint64_t pa;
	if (pt_translate(&c->pt, va, &pa, NULL) != 0) {
		uint64_t phys = own_block(c, 0);
		if (!phys || map_user(c, va, phys, 1, PTE_W | PTE_NX))
			st = BOX_ERR_NOMEM;
	}
	spin_unlock(&c->mm_lock);
	return st;
}

int32_t cabin_populate_range(struct cabin *c, uint64_t va, uint64_t len)
{
	if (len == 0 || va + len < va)
		return BOX_OK;
	for (uint64_t page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
		int32_t st = cabin_populate(c, page);
		if (st == BOX_ERR_NOMEM)
			return st;
	}
	return BOX_OK; /* pages outside the demand ranges are uaccess_check's to judge */
}

static void orphan_child(struct cabin *child, void *parent)
{
	if (child->parent == ((struct cabin *)parent)->id)
		child->autoreap = true; /* nobody is left to proc.wait for it */
}

void cabin_release(struct cabin *c)
{
	cabin_foreach(orphan_child, c);
	if (c->attached) {
		guide_detach(c);
		c->attached = false;
	}
	/* The tables go first (they only point at the blocks), then the blocks. */
	if (c->pt.pml4) {
		pt_destroy_lower_half(&c->pt);
		pmm_free(c->pt.pml4, 0);
		c->pt.pml4 = 0;
	}
	for (uint32_t i = 0; i < c->block_count; i++)
		pmm_free(c->blocks[i] & ~(PAGE_SIZE - 1), c->blocks[i] & (PAGE_SIZE - 1));
	kfree(c->blocks);
	c->blocks = NULL;
	c->block_count = c->block_cap = 0;
	c->user_pages = 0;
	__atomic_store_n(&c->state, CABIN_DONE, __ATOMIC_RELEASE);
}

void cabin_destroy(struct cabin *c)
{
	if (c->state != CABIN_DONE)
		cabin_release(c);
	table_remove(c);
	kfree(c);
}

void cabin_first_entry(void)
{
	sched_first_entry(); /* drop the run-queue lock the scheduler held */
	struct cabin *c = this_cpu()->current;
	if (c->killed)
		cabin_exit_current(c->kill_status);
	cabin_user_start(c->entry, c->stack_top, BOX_START_VA);
}

void cabin_stop(struct cabin *c, int32_t status, const char *why)
{
	if (c->killed || c->state >= CABIN_EXITING)
		return;
	if (why)
		kstrlcpy(c->why, why, sizeof(c->why));
	c->kill_status = status;
	__atomic_store_n(&c->killed, true, __ATOMIC_RELEASE);
	if (c->state == CABIN_BLOCKED)
		sched_wake(c);
	else if (c->state == CABIN_RUNNING && c->core != this_cpu()->id)
		lapic_send_ipi(cpus[c->core].apic_id, VEC_WAKE); /* leave user mode now */
}

int32_t cabin_deliver(struct cabin *c, const struct box_message *m)
{
	if (c->state >= CABIN_EXITING || !c->attached)
		return BOX_ERR_NOENT;
	spin_lock(&c->inbox_lock);
	int st = ring_push(&c->inbox, m);
	spin_unlock(&c->inbox_lock);
	if (st != BOX_OK)
		return st == BOX_ERR_FULL ? BOX_ERR_FULL : BOX_ERR_INVALID;
	if (c->state == CABIN_BLOCKED)
		sched_wake(c);
	return BOX_OK;
}

uint64_t cabin_kernel_bytes(const struct cabin *c)
{
	uint64_t ring_pages = 0;
	for (uint32_t i = 0; i < c->block_count; i++)
		ring_pages += 1ull << (c->blocks[i] & (PAGE_SIZE - 1));
	/* everything it owns that is not mapped for it, plus tables and the struct */
	uint64_t owned_unmapped = ring_pages > c->user_pages ? ring_pages - c->user_pages : 0;
	return (owned_unmapped + c->table_pages) * PAGE_SIZE + sizeof(*c) +
	       c->block_cap * sizeof(uint64_t);
}

void cabin_exit_current(int32_t status)
{
	struct cabin *c = this_cpu()->current;
	c->exit_status = status;
	sched_exit();
}

void cabin_kill_current(const char *why)
{
	struct cabin *c = this_cpu()->current;
	kstrlcpy(c->why, why, sizeof(c->why));
	cabin_exit_current(CABIN_KILLED);
}
