/*
 * elfcheck.h: validation of the BoxOS kernel ELF file, before TagBoot trusts it.
 *
 * elf_check() reads only through bounds-checked helpers and checks all of its
 * arithmetic for overflow, so it is safe on any bytes at all.  It is portable
 * C (no UEFI headers) so the host tests can build it with ASan and UBSan.
 */
#ifndef TAGBOOT_ELFCHECK_H
#define TAGBOOT_ELFCHECK_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS  16                      /* PT_LOAD entries we accept */
#define ELF_MAX_SPAN      (64ull * 1024 * 1024)   /* biggest kernel image */
#define ELF_KERNEL_HALF   0xFFFFFFFF80000000ull   /* = BOOT_KERNEL_BASE */
#define ELF_PAGE          4096ull

struct elf_segment {
	uint64_t vaddr;   /* link address of the first byte */
	uint64_t offset;  /* where its bytes start in the file */
	uint64_t filesz;  /* bytes copied from the file */
	uint64_t memsz;   /* bytes in memory (the rest is zero) */
	uint32_t flags;   /* PF_X | PF_W | PF_R */
};

struct elf_kernel_info {
	uint64_t entry;   /* e_entry, inside an executable segment */
	uint64_t lowest;  /* lowest segment vaddr, rounded down to a page */
	uint64_t span;    /* bytes from lowest to the page-rounded highest end */
	unsigned count;   /* entries used in seg[] */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/*
 * Checks that file[0..size) is an x86-64 ELF executable whose loadable
 * segments all lie in the kernel half, inside the file, without overlap, in a
 * span of at most 64 MiB, and whose entry point is in an executable segment.
 * Returns 0 and fills *out, or returns -1 and points *why at a short reason
 * (a static string).  PT_LOAD entries with memsz 0 are ignored.
 */
int elf_check(const void *file, size_t size, struct elf_kernel_info *out,
	      const char **why);

/*
 * The same checks for a program that must lie in [lo, hi) instead of the
 * kernel half (the kernel loading a Cabin); `outside` is the reason given
 * for a segment outside that range.
 */
int elf_check_range(const void *file, size_t size, uint64_t lo, uint64_t hi,
		    const char *outside, struct elf_kernel_info *out, const char **why);

#endif
