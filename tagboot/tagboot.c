/*
 * tagboot.c: TagBoot, the BoxOS UEFI loader (see docs/tagboot.md).
 *
 * efi_main() reads \boxos\kernel.elf, bundle.bin and cmdline.txt from the
 * volume TagBoot itself came from, validates the kernel with elf_check(),
 * loads its segments into one contiguous allocation, gathers the framebuffer,
 * ACPI RSDP and an AP trampoline page, builds page tables and the memory map,
 * exits boot services and jumps to the kernel with RDI = &BootInfo in the
 * direct map.  Every step prints one "TagBoot N: ..." line on ConOut; any
 * failure prints one "TagBoot: cannot boot: ..." line and powers off.
 */
#include "tagboot.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void tb_fail(const CHAR16 *what, const char *reason)
{
	Print(L"TagBoot: cannot boot: %s: %a\n", what, reason);
	Print(L"TagBoot: powering off in 5 seconds\n");
	uefi_call_wrapper(BS->Stall, 1, 5000000);
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

const char *tb_status_reason(EFI_STATUS st)
{
	switch (st) {
	case EFI_NOT_FOUND:         return "file not found";
	case EFI_OUT_OF_RESOURCES:  return "out of memory";
	case EFI_VOLUME_CORRUPTED:  return "volume corrupted";
	case EFI_DEVICE_ERROR:      return "device error";
	case EFI_NO_MEDIA:          return "no media";
	case EFI_ACCESS_DENIED:     return "access denied";
	case EFI_UNSUPPORTED:       return "unsupported";
	case EFI_INVALID_PARAMETER: return "invalid parameter";
	case EFI_BUFFER_TOO_SMALL:  return "buffer too small";
	default:                    return "firmware error";
	}
}

uint64_t tb_alloc(uint64_t bytes, EFI_MEMORY_TYPE type, const CHAR16 *what)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	UINTN pages = (bytes + TB_PAGE - 1) / TB_PAGE;
	EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, type,
					  pages, &addr);
	if (EFI_ERROR(st))
		tb_fail(what, "out of memory");
	ZeroMem((void *)(UINTN)addr, pages * TB_PAGE);
	return addr;
}

/* ---- files ------------------------------------------------------------- */

static EFI_FILE_HANDLE root; /* root directory of TagBoot's own volume */

/* Reads a whole file into fresh BOOT_DATA pages.  An empty file gives
 * *phys = 0, *size = 0.  A missing file returns EFI_NOT_FOUND, any other
 * problem fails the boot. */
static EFI_STATUS read_file(const CHAR16 *path, uint64_t *phys, uint64_t *size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st = uefi_call_wrapper(root->Open, 5, root, &fh, (CHAR16 *)path,
					  EFI_FILE_MODE_READ, 0ull);
	if (st == EFI_NOT_FOUND)
		return st;
	if (EFI_ERROR(st))
		tb_fail(path, tb_status_reason(st));

	EFI_FILE_INFO *info = LibFileInfo(fh);
	if (!info)
		tb_fail(path, "cannot get the file size");
	if (info->Attribute & EFI_FILE_DIRECTORY)
		tb_fail(path, "is a directory");
	*size = info->FileSize;
	FreePool(info);

	*phys = 0;
	if (*size) {
		*phys = tb_alloc(*size, TB_MEM_BOOT_DATA, path);
		for (uint64_t done = 0; done < *size;) {
			UINTN n = *size - done;
			st = uefi_call_wrapper(fh->Read, 3, fh, &n, (void *)(UINTN)(*phys + done));
			if (EFI_ERROR(st))
				tb_fail(path, tb_status_reason(st));
			if (n == 0)
				tb_fail(path, "file shorter than its size");
			done += n;
		}
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	return EFI_SUCCESS;
}

/* Reads the optional command line: at most 255 bytes, control characters
 * (newlines, tabs, NULs) become spaces, trailing spaces are dropped. */
static void read_cmdline(char *out)
{
	EFI_FILE_HANDLE fh;
	UINTN n = 0;

	out[0] = 0;
	EFI_STATUS st = uefi_call_wrapper(root->Open, 5, root, &fh,
					  (CHAR16 *)BOOT_PATH_CMDLINE, EFI_FILE_MODE_READ, 0ull);
	if (st == EFI_NOT_FOUND)
		return;
	if (EFI_ERROR(st))
		tb_fail(BOOT_PATH_CMDLINE, tb_status_reason(st));
	n = BOOTINFO_CMDLINE_MAX - 1;
	st = uefi_call_wrapper(fh->Read, 3, fh, &n, out);
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(st))
		tb_fail(BOOT_PATH_CMDLINE, tb_status_reason(st));
	if (n > BOOTINFO_CMDLINE_MAX - 1)
		n = BOOTINFO_CMDLINE_MAX - 1;
	for (UINTN i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

/* ---- machine information ---------------------------------------------- */

static void find_framebuffer(struct boot_framebuffer *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;

	if (EFI_ERROR(LibLocateProtocol(&guid, (void **)&gop)) || !gop || !gop->Mode ||
	    !gop->Mode->Info)
		return; /* fb stays all zero: BOOT_FB_NONE */
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi = gop->Mode->Info;
	if (mi->PixelFormat == PixelBlueGreenRedReserved8BitPerColor)
		fb->format = BOOT_FB_BGRX;
	else if (mi->PixelFormat == PixelRedGreenBlueReserved8BitPerColor)
		fb->format = BOOT_FB_RGBX;
	else
		return; /* bit masks or blt-only: no linear framebuffer we describe */
	fb->width = mi->HorizontalResolution;
	fb->height = mi->VerticalResolution;
	fb->pitch = mi->PixelsPerScanLine * 4;
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
}

static uint64_t find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	uint64_t v1 = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (CompareGuid(&t->VendorGuid, &acpi20) == 0)
			return (uint64_t)(UINTN)t->VendorTable;
		if (CompareGuid(&t->VendorGuid, &acpi10) == 0)
			v1 = (uint64_t)(UINTN)t->VendorTable;
	}
	return v1;
}

/* Two pages below 1 MiB for the AP start-up code (SIPI needs a page below
 * 1 MiB).  Returns 0 when there is none; the kernel then stays single-CPU. */
static uint64_t alloc_trampoline(void)
{
	/* AllocateMaxAddress: the last byte must be <= this, so all below 0x9F000. */
	EFI_PHYSICAL_ADDRESS addr = 0x9F000 - 1, again = 0x9F000 - 1;
	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
					TB_MEM_BOOT_DATA, 2, &addr)))
		return 0;
	if (addr == 0) {
		/* Physical 0 would read as "none": take another, give page 0 back. */
		EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
						  TB_MEM_BOOT_DATA, 2, &again);
		uefi_call_wrapper(BS->FreePages, 2, 0, 2);
		addr = EFI_ERROR(st) ? 0 : again;
	}
	return addr;
}

/* ---- hand-off ----------------------------------------------------------- */

/* Loads the new page tables, sets CR0.WP, sets RSP to the (16-byte aligned)
 * top of the hand-off stack and jumps to the kernel entry with RDI = arg and
 * RBP = 0.  Nothing is pushed: an assembly entry that does "call kmain" gives
 * kmain the usual ABI alignment.  Runs from the identity map. */
static void __attribute__((noreturn))
jump_to_kernel(uint64_t pml4, uint64_t stack_top, uint64_t entry, uint64_t arg)
{
	__asm__ volatile("mov %0, %%cr3\n\t"
			 "mov %%cr0, %%rax\n\t"
			 "or $0x10000, %%rax\n\t"      /* CR0.WP */
			 "mov %%rax, %%cr0\n\t"
			 "mov %1, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "jmp *%2"
			 : : "r"(pml4), "r"(stack_top), "r"(entry), "D"(arg)
			 : "rax", "memory");
	__builtin_unreachable();
}

static const char *fb_format_name(uint32_t f)
{
	return f == BOOT_FB_BGRX ? "BGRX" : "RGBX";
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	uint64_t tsc_entry = rdtsc();
	InitializeLib(image, systab);
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);

	/* Step 1: the kernel file, from TagBoot's own volume. */
	Print(L"TagBoot 1: loading %s\n", BOOT_PATH_KERNEL);
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image,
					  &gEfiLoadedImageProtocolGuid, (void **)&li);
	if (EFI_ERROR(st) || !li)
		tb_fail(L"LoadedImage", tb_status_reason(st));
	root = LibOpenRoot(li->DeviceHandle);
	if (!root)
		tb_fail(L"boot volume", "cannot open the file system");

	uint64_t elf = 0, elf_size = 0;
	st = read_file(BOOT_PATH_KERNEL, &elf, &elf_size);
	if (EFI_ERROR(st))
		tb_fail(BOOT_PATH_KERNEL, tb_status_reason(st));
	static struct elf_kernel_info k;
	const char *why = NULL;
	if (elf_check((const void *)(UINTN)elf, elf_size, &k, &why))
		tb_fail(BOOT_PATH_KERNEL, why);

	/* Step 2: the image, one zeroed allocation covering the whole span. */
	uint64_t kphys = tb_alloc(k.span, TB_MEM_KERNEL, L"kernel image");
	for (unsigned i = 0; i < k.count; i++)
		CopyMem((void *)(UINTN)(kphys + (k.seg[i].vaddr - k.lowest)),
			(void *)(UINTN)(elf + k.seg[i].offset), k.seg[i].filesz);
	Print(L"TagBoot 2: kernel entry 0x%lx, %d segments, %ld KiB at 0x%lx\n",
	      k.entry, k.count, k.span / 1024, kphys);

	/* The BootInfo page itself. */
	struct bootinfo *bi = (struct bootinfo *)(UINTN)
		tb_alloc(sizeof *bi, TB_MEM_BOOT_DATA, L"BootInfo");
	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->size = sizeof *bi;
	bi->tsc_loader_entry = tsc_entry;
	bi->kernel_phys = kphys;
	bi->kernel_virt = k.lowest;
	bi->kernel_size = k.span;
	bi->kernel_elf = elf;
	bi->kernel_elf_size = elf_size;
	bi->hhdm_base = BOOT_HHDM_BASE;

	/* Step 3: the optional bundle. */
	st = read_file(BOOT_PATH_BUNDLE, &bi->bundle, &bi->bundle_size);
	if (st == EFI_NOT_FOUND)
		bi->bundle = bi->bundle_size = 0;
	Print(L"TagBoot 3: bundle %s: %ld bytes\n", BOOT_PATH_BUNDLE, bi->bundle_size);

	/* Step 4: the optional command line. */
	read_cmdline(bi->cmdline);
	Print(L"TagBoot 4: cmdline \"%a\"\n", bi->cmdline);

	/* Step 5: the framebuffer GOP left us in (mode unchanged). */
	find_framebuffer(&bi->fb);
	if (bi->fb.base)
		Print(L"TagBoot 5: framebuffer %dx%d %a at 0x%lx\n", bi->fb.width,
		      bi->fb.height, fb_format_name(bi->fb.format), bi->fb.base);
	else
		Print(L"TagBoot 5: no framebuffer\n");

	/* Step 6: ACPI and the AP trampoline. */
	bi->acpi_rsdp = find_rsdp();
	bi->trampoline = alloc_trampoline();
	bi->trampoline_size = bi->trampoline ? 2 * TB_PAGE : 0;
	Print(L"TagBoot 6: ACPI RSDP at 0x%lx, AP trampoline at 0x%lx\n",
	      bi->acpi_rsdp, bi->trampoline);

	/* Step 7: the hand-off stack, memory-map buffers and page tables. */
	uint64_t stack = tb_alloc(64 * 1024, TB_MEM_BOOT_DATA, L"stack");
	static struct tb_memmap mm;
	mm_prepare(&mm);
	uint64_t top = mm.top;
	if (bi->fb.base && bi->fb.base + bi->fb.size > top)
		top = bi->fb.base + bi->fb.size;

	uint32_t eax = 0x80000001, ebx, ecx, edx;
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	int have_nx = (edx >> 20) & 1;
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & (1ull << 12))
		tb_fail(L"page tables", "5-level paging is enabled (unsupported)");

	uint64_t pml4 = pt_build(top, &k, kphys, have_nx, &bi->hhdm_size);
	Print(L"TagBoot 7: direct map of %ld MiB at 0x%lx\n", bi->hhdm_size >> 20,
	      BOOT_HHDM_BASE);

	/* Step 8: exit boot services.  No printing and no boot services after. */
	Print(L"TagBoot 8: exiting boot services, jumping to the kernel\n");
	UINTN count = mm_exit_boot_services(&mm, image);

	__asm__ volatile("cli");
	bi->mem_map = (uint64_t)(UINTN)mm.regions;
	bi->mem_map_count = (uint32_t)count;
	if (have_nx)
		wrmsr(0xC0000080, rdmsr(0xC0000080) | (1ull << 11)); /* EFER.NXE */
	bi->tsc_handoff = rdtsc();
	jump_to_kernel(pml4, BOOT_HHDM_BASE + stack + 64 * 1024, k.entry,
		       BOOT_HHDM_BASE + (uint64_t)(UINTN)bi);
}
