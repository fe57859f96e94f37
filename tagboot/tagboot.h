/*
 * tagboot.h: declarations shared by TagBoot's source files.
 *
 * tagboot.c runs the boot steps, memmap.c builds the BoxOS memory map and
 * exits boot services, pagetables.c builds the hand-off page tables.  All of
 * them allocate with tb_alloc() and give up through tb_fail().
 */
#ifndef TAGBOOT_H
#define TAGBOOT_H

#include <efi.h>
#include <efilib.h>

#include <boxos/bootinfo.h>
#include "elfcheck.h"

/* OS-defined UEFI memory types, so the final memory map marks what we hand over. */
#define TB_MEM_KERNEL    ((EFI_MEMORY_TYPE)0x80000001u) /* -> BOOT_MEM_KERNEL */
#define TB_MEM_BOOT_DATA ((EFI_MEMORY_TYPE)0x80000002u) /* -> BOOT_MEM_BOOT_DATA */

#define TB_PAGE 4096ull

/* Prints "TagBoot: cannot boot: <what>: <reason>", waits 5 s, powers off. */
void tb_fail(const CHAR16 *what, const char *reason) __attribute__((noreturn));

/* A short reason for an EFI error status ("file not found", ...). */
const char *tb_status_reason(EFI_STATUS st);

/* Allocates zeroed whole pages of `type` for `bytes`; fails the boot naming `what`. */
uint64_t tb_alloc(uint64_t bytes, EFI_MEMORY_TYPE type, const CHAR16 *what);

/* memmap.c: the final memory map and ExitBootServices. */
struct tb_memmap {
	EFI_MEMORY_DESCRIPTOR *uefi;     /* buffer for GetMemoryMap */
	UINTN uefi_size;                 /* its size in bytes */
	struct boot_mem_region *regions; /* BOOT_DATA array handed to the kernel */
	UINTN capacity;                  /* entries regions[] can hold */
	uint64_t top;                    /* highest end of any UEFI map entry */
};
void mm_prepare(struct tb_memmap *m);
UINTN mm_exit_boot_services(struct tb_memmap *m, EFI_HANDLE image);

/* pagetables.c: returns the PML4's physical address; *hhdm_size gets the
 * size of the identity and direct maps (phys_top rounded up, >= 4 GiB). */
uint64_t pt_build(uint64_t phys_top, const struct elf_kernel_info *k,
		  uint64_t kernel_phys, int use_nx, uint64_t *hhdm_size);

#endif
