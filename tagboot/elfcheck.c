/*
 * elfcheck.c: validates the kernel ELF file for TagBoot (see elfcheck.h).
 *
 * The file is treated as untrusted bytes: every field is read with the
 * little-endian helpers below after a bounds check, never through a cast
 * struct pointer (so alignment does not matter either), and every sum is
 * checked for overflow before it is used.  The first failing check wins and
 * names the problem in a short, fixed string.
 */
#include "elfcheck.h"

/* The few ELF constants we need (kept here so no system header is needed). */
#define EHDR_SIZE   64u
#define PHDR_SIZE   56u
#define CLASS64     2
#define DATA_LSB    1
#define EV_CURRENT_ 1
#define TYPE_EXEC   2
#define MACH_X86_64 62
#define PT_LOAD_    1
#define PF_X_       1u

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Sets *why and returns -1, so each check is a one-liner. */
static int bad(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* Reads and checks one PT_LOAD header into *s; ph points at 56 valid bytes. */
struct elf_range {
	uint64_t lo, hi;     /* segments must lie in [lo, hi); hi 0 means 2^64 */
	const char *outside; /* the reason when one does not */
};

static int check_segment(const uint8_t *ph, size_t size, const struct elf_range *range,
			 struct elf_segment *s, const char **why)
{
	s->flags  = rd32(ph + 4);
	s->offset = rd64(ph + 8);
	s->vaddr  = rd64(ph + 16);
	s->filesz = rd64(ph + 32);
	s->memsz  = rd64(ph + 40);

	if (s->filesz > s->memsz)
		return bad(why, "filesz > memsz");
	if (s->offset > size || s->filesz > size - s->offset)
		return bad(why, "segment outside the file");
	if (s->vaddr < range->lo)
		return bad(why, range->outside);
	/* The end, rounded up to a page, must not wrap past 2^64 - 1. */
	if (s->memsz > UINT64_MAX - s->vaddr ||
	    s->vaddr + s->memsz > UINT64_MAX - (ELF_PAGE - 1))
		return bad(why, "address overflow");
	if (range->hi && s->vaddr + s->memsz > range->hi)
		return bad(why, range->outside);
	return 0;
}

static int check_elf(const void *file, size_t size, const struct elf_range *range,
		     struct elf_kernel_info *out, const char **why)
{
	const uint8_t *f = file;

	*why = "";
	out->count = 0;
	if (!f || size < 4 || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return bad(why, "not an ELF file");
	if (size < EHDR_SIZE)
		return bad(why, "truncated ELF header");
	if (f[4] != CLASS64)
		return bad(why, "not a 64-bit ELF file");
	if (f[5] != DATA_LSB)
		return bad(why, "not little-endian");
	if (f[6] != EV_CURRENT_ || rd32(f + 20) != EV_CURRENT_)
		return bad(why, "bad ELF version");
	if (rd16(f + 18) != MACH_X86_64)
		return bad(why, "not x86-64");
	if (rd16(f + 16) != TYPE_EXEC)
		return bad(why, "not an executable");

	uint64_t entry = rd64(f + 24);
	uint64_t phoff = rd64(f + 32);
	uint16_t phentsize = rd16(f + 54);
	uint16_t phnum = rd16(f + 56);

	if (phentsize != PHDR_SIZE)
		return bad(why, "bad program header size");
	if (phnum == 0)
		return bad(why, "no loadable segment");
	/* phnum * 56 < 2^22 cannot overflow; phoff + that can. */
	uint64_t phbytes = (uint64_t)phnum * PHDR_SIZE;
	if (phoff > size || phbytes > size - phoff)
		return bad(why, "program headers outside the file");

	/* Collect the PT_LOAD segments (memsz 0 ones occupy nothing: skip). */
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * PHDR_SIZE;
		if (rd32(ph) != PT_LOAD_ || rd64(ph + 40) == 0)
			continue;
		if (out->count == ELF_MAX_SEGMENTS)
			return bad(why, "too many loadable segments");
		struct elf_segment *s = &out->seg[out->count];
		if (check_segment(ph, size, range, s, why))
			return -1;
		out->count++;
		if (s->vaddr < lo)
			lo = s->vaddr;
		if (s->vaddr + s->memsz > hi)
			hi = s->vaddr + s->memsz;
	}
	if (out->count == 0)
		return bad(why, "no loadable segment");

	/* Pairwise overlap of the byte ranges [vaddr, vaddr + memsz). */
	for (unsigned i = 0; i < out->count; i++)
		for (unsigned j = i + 1; j < out->count; j++) {
			const struct elf_segment *a = &out->seg[i], *b = &out->seg[j];
			if (a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz)
				return bad(why, "segments overlap");
		}

	/* No overflow: hi <= UINT64_MAX - 4095 by check_segment. */
	lo &= ~(ELF_PAGE - 1);
	hi = (hi + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
	if (hi - lo > ELF_MAX_SPAN)
		return bad(why, "image larger than 64 MiB");

	int entry_ok = 0;
	for (unsigned i = 0; i < out->count; i++) {
		const struct elf_segment *s = &out->seg[i];
		if ((s->flags & PF_X_) && entry >= s->vaddr && entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		return bad(why, "entry point not in an executable segment");

	out->entry = entry;
	out->lowest = lo;
	out->span = hi - lo;
	return 0;
}

int elf_check(const void *file, size_t size, struct elf_kernel_info *out,
	      const char **why)
{
	static const struct elf_range kernel_half = {
		ELF_KERNEL_HALF, 0, "segment below the kernel half (0xffffffff80000000)"};
	return check_elf(file, size, &kernel_half, out, why);
}

int elf_check_range(const void *file, size_t size, uint64_t lo, uint64_t hi,
		    const char *outside, struct elf_kernel_info *out, const char **why)
{
	const struct elf_range range = {lo, hi, outside};
	return check_elf(file, size, &range, out, why);
}
