/* paging.h: the kernel's address space (see paging.c). */
#ifndef MM_PAGING_H
#define MM_PAGING_H

#include <stdint.h>
#include "boxos/bootinfo.h"
#include "mm/pagetable.h"

/* Virtual layout of the kernel half. */
#define HHDM_BASE   BOOT_HHDM_BASE          /* direct map of physical memory */
#define MMIO_BASE   0xFFFFC00000000000ULL  /* device registers, mapped uncached */
#define MMIO_SIZE   (1ULL << 30)

static inline void *phys_to_virt(uint64_t phys) { return (void *)(phys + HHDM_BASE); }
static inline uint64_t virt_to_phys_direct(const void *v) { return (uint64_t)v - HHDM_BASE; }

/* Build the kernel page tables from BootInfo and switch to them (bootstrap CPU). */
void paging_init(const struct bootinfo *bi);
/* Load the kernel page tables on an AP (they are already built). */
void paging_load(void);
uint64_t paging_kernel_pml4(void);
/* Map device registers uncached; returns the virtual address. Panics when out of window. */
void *mmio_map(uint64_t phys, uint64_t size);
/* Temporarily identity-map [0, 2 MiB) so APs can turn paging on from the trampoline. */
void paging_identity_low(bool on);
/* Operate on the kernel's own tables (for self-tests). */
int paging_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
int paging_unmap(uint64_t va, uint64_t size);
int paging_translate(uint64_t va, uint64_t *pa, uint64_t *flags);

#endif
