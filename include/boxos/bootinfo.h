/*
 * BootInfo: the one structure TagBoot hands the kernel.
 *
 * TagBoot fills it in while UEFI boot services still run, then exits boot
 * services and jumps to the kernel entry with RDI = the BootInfo's address in
 * the direct map (BOOT_HHDM_BASE + physical address).  Every address *inside*
 * BootInfo is physical; the kernel reaches it through the direct map.
 *
 * The layout is versioned: a kernel refuses a BootInfo whose magic, version or
 * size it does not know.  Fields are only ever appended, and `size` says how
 * much of the structure the loader filled in.  Every offset is pinned below.
 *
 * Address-space contract at the hand-off (page tables built by TagBoot):
 *   - physical [0, max(4 GiB, top of RAM)) identity-mapped (2 MiB pages);
 *   - the same range mapped at BOOT_HHDM_BASE (the direct map);
 *   - the kernel's PT_LOAD segments mapped at their link addresses;
 *   - interrupts off, CR0.WP set, EFER.NXE set, a 64 KiB stack for the entry.
 */
#ifndef BOXOS_BOOTINFO_H
#define BOXOS_BOOTINFO_H

#include <stdint.h>
#include <stddef.h>

#define BOOTINFO_MAGIC   0x4F464E49544F4F42ULL /* "BOOTINFO" little-endian */
#define BOOTINFO_VERSION 1u

/* Virtual base of the direct map of all physical memory. */
#define BOOT_HHDM_BASE 0xFFFF800000000000ULL
/* Link address of the kernel image (top 2 GiB, -mcmodel=kernel). */
#define BOOT_KERNEL_BASE 0xFFFFFFFF80000000ULL

/* Where TagBoot finds its files on the EFI system partition. */
#define BOOT_PATH_KERNEL  L"\\boxos\\kernel.elf"
#define BOOT_PATH_BUNDLE  L"\\boxos\\bundle.bin"
#define BOOT_PATH_CMDLINE L"\\boxos\\cmdline.txt"

/* Memory-map region kinds (TagBoot translates UEFI's types into these). */
enum boot_mem_type {
	BOOT_MEM_USABLE       = 1, /* free RAM, including boot-services memory */
	BOOT_MEM_RESERVED     = 2, /* firmware-owned: never touch */
	BOOT_MEM_ACPI_RECLAIM = 3, /* ACPI tables: read them first */
	BOOT_MEM_ACPI_NVS     = 4, /* ACPI non-volatile storage */
	BOOT_MEM_MMIO         = 5, /* device registers */
	BOOT_MEM_BAD          = 6, /* unusable RAM */
	BOOT_MEM_KERNEL       = 7, /* the loaded kernel image */
	BOOT_MEM_BOOT_DATA    = 8, /* BootInfo, memory map, bundle, ELF copy, page tables */
};

struct boot_mem_region {
	uint64_t base;   /* physical, 4 KiB aligned */
	uint64_t length; /* bytes, multiple of 4 KiB */
	uint32_t type;   /* enum boot_mem_type */
	uint32_t reserved;
};

enum boot_fb_format {
	BOOT_FB_NONE = 0,
	BOOT_FB_RGBX = 1, /* byte 0 red */
	BOOT_FB_BGRX = 2, /* byte 0 blue (OVMF's usual) */
};

struct boot_framebuffer {
	uint64_t base;   /* physical address, 0 when there is no framebuffer */
	uint64_t size;   /* bytes */
	uint32_t width;  /* pixels */
	uint32_t height; /* pixels */
	uint32_t pitch;  /* bytes per scan line */
	uint32_t format; /* enum boot_fb_format; 4 bytes per pixel */
};

#define BOOTINFO_CMDLINE_MAX 256

struct bootinfo {
	uint64_t magic;             /* BOOTINFO_MAGIC */
	uint32_t version;           /* BOOTINFO_VERSION */
	uint32_t size;              /* sizeof(struct bootinfo) as the loader knew it */

	uint64_t tsc_loader_entry;  /* RDTSC at TagBoot's first instruction of efi_main */
	uint64_t tsc_handoff;       /* RDTSC just before the jump to the kernel */

	uint64_t acpi_rsdp;         /* physical address of the RSDP, 0 if none */

	uint64_t mem_map;           /* physical address of struct boot_mem_region[] */
	uint32_t mem_map_count;     /* entries, sorted by base, non-overlapping */
	uint32_t pad0;

	uint64_t kernel_phys;       /* physical base of the loaded image (page aligned) */
	uint64_t kernel_virt;       /* virtual address kernel_phys is mapped at */
	uint64_t kernel_size;       /* bytes of the image mapping */

	uint64_t kernel_elf;        /* physical address of a copy of the kernel ELF file */
	uint64_t kernel_elf_size;   /* (for the kernel's own symbol table) */

	uint64_t bundle;            /* physical address of the app bundle, 0 if empty */
	uint64_t bundle_size;

	uint64_t trampoline;        /* physical, page aligned, below 1 MiB: AP start code */
	uint64_t trampoline_size;   /* bytes reserved there (at least 4 KiB) */

	uint64_t hhdm_base;         /* BOOT_HHDM_BASE */
	uint64_t hhdm_size;         /* bytes of physical memory the direct map covers */

	struct boot_framebuffer fb;

	char cmdline[BOOTINFO_CMDLINE_MAX]; /* NUL-terminated kernel command line */
};

_Static_assert(sizeof(struct boot_mem_region) == 24, "boot_mem_region size");
_Static_assert(sizeof(struct boot_framebuffer) == 32, "boot_framebuffer size");
_Static_assert(offsetof(struct bootinfo, tsc_loader_entry) == 16, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, acpi_rsdp) == 32, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, mem_map) == 40, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, kernel_phys) == 56, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, kernel_elf) == 80, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, bundle) == 96, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, trampoline) == 112, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, hhdm_base) == 128, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, fb) == 144, "bootinfo layout");
_Static_assert(offsetof(struct bootinfo, cmdline) == 176, "bootinfo layout");
_Static_assert(sizeof(struct bootinfo) == 432, "bootinfo size");

#endif
