/*
 * memmap.c: turns the UEFI memory map into BoxOS's and exits boot services.
 *
 * mm_prepare() sizes the map and allocates both buffers (with generous slack,
 * since allocating changes the map).  mm_exit_boot_services() then gets the
 * final map, converts it into boot_mem_region entries (translate each type,
 * sort by base, merge touching entries of one type) without allocating, and
 * calls ExitBootServices with that map's key, retrying when the map changed
 * underneath us (EFI_INVALID_PARAMETER).
 */
#include "tagboot.h"

#define MAP_SLACK 64 /* extra entries for changes between sizing and the final map */

static UINTN desc_size;
static UINT32 desc_version;

static EFI_STATUS get_map(struct tb_memmap *m, UINTN *bytes, UINTN *key)
{
	*bytes = m->uefi_size;
	return uefi_call_wrapper(BS->GetMemoryMap, 5, bytes, m->uefi, key,
				 &desc_size, &desc_version);
}

static EFI_MEMORY_DESCRIPTOR *desc_at(struct tb_memmap *m, UINTN i)
{
	return (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)m->uefi + i * desc_size);
}

void mm_prepare(struct tb_memmap *m)
{
	UINTN bytes = 0, key;
	EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &bytes, NULL, &key,
					  &desc_size, &desc_version);
	if (st != EFI_BUFFER_TOO_SMALL || desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		tb_fail(L"GetMemoryMap", tb_status_reason(st));

	/* The UEFI buffer only lives until ExitBootServices: plain loader data. */
	m->uefi_size = bytes + MAP_SLACK * desc_size;
	m->uefi = (EFI_MEMORY_DESCRIPTOR *)(UINTN)
		tb_alloc(m->uefi_size, EfiLoaderData, L"GetMemoryMap");
	m->capacity = bytes / desc_size + MAP_SLACK;
	m->regions = (struct boot_mem_region *)(UINTN)
		tb_alloc(m->capacity * sizeof(struct boot_mem_region), TB_MEM_BOOT_DATA,
			 L"memory map");

	/* A first look, for the extent the direct map must cover. */
	st = get_map(m, &bytes, &key);
	if (EFI_ERROR(st))
		tb_fail(L"GetMemoryMap", tb_status_reason(st));
	m->top = 0;
	for (UINTN i = 0; i < bytes / desc_size; i++) {
		EFI_MEMORY_DESCRIPTOR *d = desc_at(m, i);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * TB_PAGE;
		if (d->NumberOfPages < (1ull << 40) && end > m->top)
			m->top = end;
	}
}

static uint32_t convert_type(UINT32 t)
{
	switch (t) {
	case EfiConventionalMemory:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiLoaderCode:
	case EfiLoaderData:          return BOOT_MEM_USABLE;
	case EfiACPIReclaimMemory:   return BOOT_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:       return BOOT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace: return BOOT_MEM_MMIO;
	case EfiUnusableMemory:      return BOOT_MEM_BAD;
	case 0x80000001u:            return BOOT_MEM_KERNEL;
	case 0x80000002u:            return BOOT_MEM_BOOT_DATA;
	default:                     return BOOT_MEM_RESERVED; /* runtime, PAL, persistent, ... */
	}
}

/* Converts the UEFI map (`n` descriptors) into m->regions; no allocation,
 * so the map key stays valid.  Returns the entry count, 0 if it won't fit. */
static UINTN convert(struct tb_memmap *m, UINTN n)
{
	struct boot_mem_region *r = m->regions;
	UINTN count = 0;

	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = desc_at(m, i);
		if (d->NumberOfPages == 0 || d->NumberOfPages >= (1ull << 40))
			continue; /* empty or nonsense */
		if (count == m->capacity)
			return 0;
		/* Insertion sort by base: maps are short and nearly sorted. */
		struct boot_mem_region e = {
			.base = d->PhysicalStart, .length = d->NumberOfPages * TB_PAGE,
			.type = convert_type(d->Type), .reserved = 0,
		};
		UINTN j = count++;
		for (; j > 0 && r[j - 1].base > e.base; j--)
			r[j] = r[j - 1];
		r[j] = e;
	}

	/* Merge entries of one type that touch. */
	UINTN out = 0;
	for (UINTN i = 0; i < count; i++) {
		if (out > 0 && r[out - 1].type == r[i].type &&
		    r[out - 1].base + r[out - 1].length == r[i].base)
			r[out - 1].length += r[i].length;
		else
			r[out++] = r[i];
	}
	return out;
}

UINTN mm_exit_boot_services(struct tb_memmap *m, EFI_HANDLE image)
{
	EFI_STATUS st = EFI_SUCCESS;
	const char *why = NULL;

	for (int attempt = 0; attempt < 8; attempt++) {
		UINTN bytes, key;
		st = get_map(m, &bytes, &key);
		if (EFI_ERROR(st)) {
			why = tb_status_reason(st);
			break;
		}
		UINTN count = convert(m, bytes / desc_size);
		if (count == 0) {
			why = "memory map too large";
			break;
		}
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st))
			return count;
		why = tb_status_reason(st);
		if (st != EFI_INVALID_PARAMETER)
			break;
		/* The map changed since GetMemoryMap (an event allocated): retry. */
	}
	/* Console output may no longer work after a failed attempt; try anyway. */
	tb_fail(L"ExitBootServices", why);
}
