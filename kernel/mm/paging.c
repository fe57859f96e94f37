/*
 * paging.c: the kernel's own page tables, replacing TagBoot's.
 *
 * Layout of the kernel half (PML4 entries 256-511, shared by every future
 * Cabin page table):
 *   HHDM_BASE   all physical memory TagBoot's direct map covered, RW, NX,
 *               global, with the largest pages the CPU offers;
 *   MMIO_BASE   device registers (LAPIC, IO-APIC, reset register), 4 KiB
 *               pages, cache disabled, handed out by a bump allocator
 *               (mmio_map); ACPI tables and the framebuffer are read and
 *               drawn through the direct map;
 *   -2 GiB      the kernel image: text read-only+exec, rodata read-only,
 *               data and bss read-write+NX.
 * TagBoot's identity map is gone after the switch, so a null pointer faults.
 * Every kernel-half PML4 entry gets its PDPT up front: a Cabin's page table
 * copies these 256 entries once and then sees every later kernel mapping.
 * The PML4 lives below 4 GiB because APs load it from 32-bit code.
 * The table-walking logic itself is the portable mm/pagetable.c.
 */
#include "mm/paging.h"
#include "mm/pmm.h"
#include "arch/x86_64/cpu.h"
#include "core/panic.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[];

static struct pt_ctx kernel_pt;
static uint64_t nx_bit = PTE_NX; /* 0 on a CPU without no-execute support */
static struct spinlock paging_lock = SPINLOCK_INIT;
static uint64_t mmio_next = MMIO_BASE;
static uint64_t kernel_phys, kernel_virt;

static uint64_t alloc_table(void *arg)
{
	(void)arg;
	uint64_t phys = pmm_alloc(ZONE_USER, 0);
	if (phys)
		memset(phys_to_virt(phys), 0, PAGE_SIZE);
	return phys;
}

static void free_table(void *arg, uint64_t phys)
{
	(void)arg;
	pmm_free(phys, 0);
}

static void *table_virt(void *arg, uint64_t phys)
{
	(void)arg;
	return phys_to_virt(phys);
}

uint64_t paging_kernel_pml4(void)
{
	return kernel_pt.pml4;
}

static void map_or_panic(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags, bool large,
			 const char *what)
{
	int err = pt_map(&kernel_pt, va, pa, size, flags, large);
	if (err)
		panic("paging: cannot map %s (%#lx, %lu bytes): error %d", what, va, size, err);
}

static void map_kernel_range(char *start, char *end, uint64_t flags, const char *what)
{
	uint64_t va = (uint64_t)start;
	uint64_t size = ((uint64_t)end - va + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	map_or_panic(va, kernel_phys + (va - kernel_virt), size, flags, false, what);
}

void paging_init(const struct bootinfo *bi)
{
	uint32_t r[4];
	cpuid(0x80000001, 0, r);
	bool have_nx = r[3] & (1u << 20);
	if (!have_nx)
		nx_bit = 0; /* NX is a reserved bit there: setting it would fault */
	kernel_pt = (struct pt_ctx){
		.alloc_table = alloc_table,
		.free_table = free_table,
		.phys_to_virt = table_virt,
		.no_1g_pages = !(r[3] & (1u << 26)),
	};
	kernel_pt.pml4 = pmm_alloc(ZONE_DMA32, 0);
	if (!kernel_pt.pml4)
		panic("paging: no page below 4 GiB for the PML4");
	memset(phys_to_virt(kernel_pt.pml4), 0, PAGE_SIZE);
	kernel_phys = bi->kernel_phys;
	kernel_virt = bi->kernel_virt;

	map_or_panic(HHDM_BASE, 0, bi->hhdm_size, PTE_W | nx_bit | PTE_G, true, "direct map");
	map_kernel_range(__text_start, __text_end, PTE_G, "kernel text");
	map_kernel_range(__rodata_start, __rodata_end, nx_bit | PTE_G, "kernel rodata");
	map_kernel_range(__data_start, __kernel_end, PTE_W | nx_bit | PTE_G, "kernel data");

	uint64_t *pml4 = phys_to_virt(kernel_pt.pml4);
	for (int i = 256; i < 512; i++) {
		if (pml4[i])
			continue;
		uint64_t pdpt = alloc_table(NULL);
		if (!pdpt)
			panic("paging: out of memory for kernel-half tables");
		pml4[i] = pdpt | PTE_P | PTE_W;
	}

	if (have_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	paging_load();
	log_info("paging: kernel tables at %#lx, direct map %lu MiB with %s pages", kernel_pt.pml4,
		 bi->hhdm_size >> 20, kernel_pt.no_1g_pages ? "2 MiB" : "1 GiB");
}

void paging_load(void)
{
	write_cr0(read_cr0() | CR0_WP);
	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(kernel_pt.pml4);
}

static void flush_range(uint64_t va, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		invlpg(va + off);
}

void *mmio_map(uint64_t phys, uint64_t size)
{
	uint64_t base = phys & ~(PAGE_SIZE - 1);
	uint64_t span = (phys + size - base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	spin_lock(&paging_lock);
	uint64_t va = mmio_next;
	if (va + span > MMIO_BASE + MMIO_SIZE) {
		spin_unlock(&paging_lock);
		panic("paging: MMIO window full mapping %#lx", phys);
	}
	mmio_next += span + PAGE_SIZE; /* a guard page between devices */
	int err = pt_map(&kernel_pt, va, base, span, PTE_W | PTE_PCD | PTE_PWT | nx_bit | PTE_G, false);
	spin_unlock(&paging_lock);
	if (err)
		panic("paging: cannot map MMIO %#lx: error %d", phys, err);
	return (void *)(va + (phys - base));
}

void paging_identity_low(bool on)
{
	spin_lock(&paging_lock);
	int err = on ? pt_map(&kernel_pt, 0, 0, 2ULL << 20, PTE_W, false)
		     : pt_unmap(&kernel_pt, 0, 2ULL << 20);
	spin_unlock(&paging_lock);
	if (err)
		panic("paging: identity map of low memory %s failed: %d", on ? "on" : "off", err);
	if (!on)
		write_cr3(read_cr3()); /* drop the stale low translations everywhere on this CPU */
}

int paging_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	if (!nx_bit)
		flags &= ~PTE_NX;
	spin_lock(&paging_lock);
	int err = pt_map(&kernel_pt, va, pa, size, flags, false);
	spin_unlock(&paging_lock);
	return err;
}

int paging_unmap(uint64_t va, uint64_t size)
{
	spin_lock(&paging_lock);
	int err = pt_unmap(&kernel_pt, va, size);
	spin_unlock(&paging_lock);
	if (!err)
		flush_range(va, size);
	return err;
}

int paging_translate(uint64_t va, uint64_t *pa, uint64_t *flags)
{
	return pt_translate(&kernel_pt, va, pa, flags);
}
