/*
 * uaccess.c: the kernel's only ways into a Cabin's memory.
 *
 * The K-Core reads Pockets, Manifests and Crate descriptors of Cabins that
 * run on other cores, so it never trusts that an address is mapped: every
 * page is looked up in the Cabin's own page table (pt_translate reports the
 * effective rights of all four levels) and read through the direct map.
 * Crate contents are used in place only after uaccess_check() has proved
 * every page of the range present, user-accessible and, for output,
 * writable; a Cabin cannot unmap memory, so the proof holds while the Guide
 * runs the Manifest.
 */
#include "core/uaccess.h"
#include "boxos/abi/status.h"
#include "core/cabin.h"
#include "core/validate.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/paging.h"

int32_t uaccess_check(const struct cabin *c, uint64_t va, uint64_t len, bool write)
{
	if (len == 0)
		return BOX_OK;
	if (va + len < va || va + len > BOX_USER_TOP)
		return BOX_ERR_FAULT;
	uint64_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
	for (uint64_t page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
		uint64_t pa, flags;
		if (pt_translate(&c->pt, page, &pa, &flags) != 0 || (flags & need) != need)
			return BOX_ERR_FAULT;
	}
	return BOX_OK;
}

int uaccess_copy_in(void *cabin, void *dst, uint64_t src, size_t n)
{
	const struct cabin *c = cabin;
	uint8_t *out = dst;
	if (src + n < src || src + n > BOX_USER_TOP)
		return BOX_ERR_FAULT;
	while (n) {
		uint64_t pa, flags;
		if (pt_translate(&c->pt, src, &pa, &flags) != 0 || !(flags & PTE_U))
			return BOX_ERR_FAULT;
		size_t chunk = PAGE_SIZE - (src & (PAGE_SIZE - 1));
		if (chunk > n)
			chunk = n;
		memcpy(out, phys_to_virt(pa), chunk);
		out += chunk;
		src += chunk;
		n -= chunk;
	}
	return BOX_OK;
}

/* Quadword compare while both sides stay 8-aligned, bytes for the rest. */
static bool same_bytes(const void *a, const void *b, size_t n)
{
	if (!(((uintptr_t)a | (uintptr_t)b) & 7) && n >= 8) {
		size_t words = n / 8;
		const void *x = a, *y = b;
		bool equal;
		__asm__ volatile("repe cmpsq" : "+S"(x), "+D"(y), "+c"(words), "=@cce"(equal) : : "memory");
		if (!equal)
			return false;
		size_t done = (n / 8) * 8;
		a = (const uint8_t *)a + done;
		b = (const uint8_t *)b + done;
		n -= done;
	}
	return memcmp(a, b, n) == 0;
}

int uaccess_same(const struct cabin *c, uint64_t src, const void *kernel, size_t n)
{
	const uint8_t *k = kernel;
	if (src + n < src || src + n > BOX_USER_TOP)
		return BOX_ERR_FAULT;
	while (n) {
		uint64_t pa, flags;
		if (pt_translate(&c->pt, src, &pa, &flags) != 0 || !(flags & PTE_U))
			return BOX_ERR_FAULT;
		size_t chunk = PAGE_SIZE - (src & (PAGE_SIZE - 1));
		if (chunk > n)
			chunk = n;
		if (!same_bytes(phys_to_virt(pa), k, chunk))
			return 1;
		k += chunk;
		src += chunk;
		n -= chunk;
	}
	return 0;
}
