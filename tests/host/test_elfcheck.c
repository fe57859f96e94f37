/*
 * test_elfcheck.c: host tests for TagBoot's kernel ELF validation.
 *
 * Builds a minimal valid kernel ELF in memory (text, rodata and a data+bss
 * segment in the kernel half), checks it passes with the right results, then
 * breaks it in every way elf_check() must catch and checks the reason string.
 * Every call gets a malloc'd copy of exactly the tested length, so ASan
 * reports any read past the end.  Finally a few thousand random mutations
 * (fixed seed) must never crash, and any accepted file must be sane.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "elfcheck.h"

#define KBASE   0xFFFFFFFF80000000ull
#define PHOFF   64u
#define NPH     3u
#define FILE_SZ 0x170u

static uint8_t base_elf[0x200];

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void set_phdr(uint8_t *elf, uint64_t phoff, unsigned i, uint32_t type, uint32_t flags,
		     uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *ph = elf + phoff + i * 56u;
	put32(ph, type);
	put32(ph + 4, flags);
	put64(ph + 8, off);
	put64(ph + 16, vaddr);
	put64(ph + 24, vaddr);   /* paddr: ignored */
	put64(ph + 32, filesz);
	put64(ph + 40, memsz);
	put64(ph + 48, 4096);
}

static void set_ehdr(uint8_t *elf, uint64_t entry, uint64_t phoff, uint16_t phnum)
{
	memcpy(elf, "\x7f" "ELF", 4);
	elf[4] = 2; /* ELFCLASS64 */
	elf[5] = 1; /* little-endian */
	elf[6] = 1; /* EV_CURRENT */
	put16(elf + 16, 2);   /* ET_EXEC */
	put16(elf + 18, 62);  /* EM_X86_64 */
	put32(elf + 20, 1);
	put64(elf + 24, entry);
	put64(elf + 32, phoff);
	put16(elf + 52, 64);  /* e_ehsize */
	put16(elf + 54, 56);  /* e_phentsize */
	put16(elf + 56, phnum);
}

/* The valid file: 0x170 bytes, image span 0x5000 (text, rodata, data+bss). */
static void build_base(void)
{
	memset(base_elf, 0, sizeof base_elf);
	set_ehdr(base_elf, KBASE + 0x10, PHOFF, NPH);
	set_phdr(base_elf, PHOFF, 0, 1, 5, 0x100, KBASE, 0x40, 0x40);
	set_phdr(base_elf, PHOFF, 1, 1, 4, 0x140, KBASE + 0x1000, 0x20, 0x20);
	set_phdr(base_elf, PHOFF, 2, 1, 6, 0x160, KBASE + 0x2000, 0x10, 0x3000);
	for (unsigned i = 0x100; i < FILE_SZ; i++)
		base_elf[i] = (uint8_t)(i * 7);
}

/* Runs elf_check on an exact-size heap copy; returns its result. */
static int run(const uint8_t *buf, size_t size, struct elf_kernel_info *info, const char **why)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, buf, size);
	int r = elf_check(copy, size, info, why);
	free(copy);
	return r;
}

/* Expects buf[0..size) to be rejected with exactly `reason`. */
static void expect_bad_at(const uint8_t *buf, size_t size, const char *reason, int line)
{
	struct elf_kernel_info info;
	const char *why = NULL;
	int r = run(buf, size, &info, &why);
	if (r == -1 && why && strcmp(why, reason) == 0) {
		check_passed++;
	} else {
		check_failed++;
		printf("FAIL %s:%d: expected \"%s\", got %d \"%s\"\n", __FILE__, line,
		       reason, r, why ? why : "(null)");
	}
}
#define expect_bad(buf, reason) expect_bad_at(buf, FILE_SZ, reason, __LINE__)

static void test_valid(void)
{
	struct elf_kernel_info info;
	const char *why = NULL;
	CHECK_EQ(run(base_elf, FILE_SZ, &info, &why), 0);
	CHECK_EQ(info.entry, KBASE + 0x10);
	CHECK_EQ(info.lowest, KBASE);
	CHECK_EQ(info.span, 0x5000);
	CHECK_EQ(info.count, 3);
	CHECK_EQ(info.seg[0].vaddr, KBASE);
	CHECK_EQ(info.seg[0].offset, 0x100);
	CHECK_EQ(info.seg[0].flags, 5);
	CHECK_EQ(info.seg[2].filesz, 0x10);
	CHECK_EQ(info.seg[2].memsz, 0x3000);
	CHECK_EQ(info.seg[2].flags, 6);

	/* Extra bytes after the last segment are fine. */
	CHECK_EQ(run(base_elf, sizeof base_elf, &info, &why), 0);

	/* Non-PT_LOAD headers, even garbage ones, and empty PT_LOADs are ignored. */
	uint8_t e[0x200];
	memcpy(e, base_elf, sizeof e);
	set_ehdr(e, KBASE + 0x10, PHOFF, 4);
	memmove(e + 0x100 + 56, e + 0x100, FILE_SZ - 0x100); /* make room */
	for (unsigned i = 0; i < 3; i++)
		put64(e + PHOFF + i * 56 + 8, 0x100 + 56 + i * 0x40 - (i == 2 ? 0x20 : 0));
	set_phdr(e, PHOFF, 3, 4, 0, UINT64_MAX, 0, UINT64_MAX, 0);
	CHECK_EQ(run(e, FILE_SZ + 56, &info, &why), 0);
	set_phdr(e, PHOFF, 3, 1, 0, UINT64_MAX, 0x1000, 0, 0);
	CHECK_EQ(run(e, FILE_SZ + 56, &info, &why), 0);
	CHECK_EQ(info.count, 3);

	/* Program headers at an odd (unaligned) offset. */
	memset(e, 0, sizeof e);
	set_ehdr(e, KBASE, 65, 1);
	set_phdr(e, 65, 0, 1, 5, 0, KBASE, 0x100, 0x100);
	CHECK_EQ(run(e, 0x100, &info, &why), 0);

	/* A span of exactly 64 MiB is allowed. */
	memcpy(e, base_elf, sizeof e);
	set_phdr(e, PHOFF, 2, 1, 6, 0x160, KBASE + ELF_MAX_SPAN - 0x3000, 0x10, 0x3000);
	CHECK_EQ(run(e, FILE_SZ, &info, &why), 0);
	CHECK_EQ(info.span, ELF_MAX_SPAN);

	/* 16 segments is the limit, 17 too many. */
	uint8_t *m = calloc(1, 4096);
	set_ehdr(m, KBASE, 64, 17);
	for (unsigned i = 0; i < 17; i++)
		set_phdr(m, 64, i, 1, 5, 0, KBASE + i * 0x1000, 0, 0x1000);
	put16(m + 56, 16);
	CHECK_EQ(run(m, 4096, &info, &why), 0);
	CHECK_EQ(info.count, 16);
	put16(m + 56, 17);
	expect_bad_at(m, 4096, "too many loadable segments", __LINE__);
	free(m);
}

static void test_truncated(void)
{
	for (size_t n = 0; n < FILE_SZ; n++) {
		const char *reason = n < 4 ? "not an ELF file"
			: n < 64 ? "truncated ELF header"
			: n < PHOFF + NPH * 56 ? "program headers outside the file"
			: "segment outside the file";
		expect_bad_at(base_elf, n, reason, __LINE__);
	}
	struct elf_kernel_info info;
	const char *why = "x";
	CHECK_EQ(elf_check(NULL, 0, &info, &why), -1);
	CHECK(strcmp(why, "not an ELF file") == 0);
}

static uint8_t e[0x200];
static void fresh(void) { memcpy(e, base_elf, sizeof e); }

static void test_header(void)
{
	fresh(); e[1] = 'e';            expect_bad(e, "not an ELF file");
	fresh(); e[4] = 1;              expect_bad(e, "not a 64-bit ELF file");
	fresh(); e[5] = 2;              expect_bad(e, "not little-endian");
	fresh(); e[6] = 0;              expect_bad(e, "bad ELF version");
	fresh(); put32(e + 20, 2);      expect_bad(e, "bad ELF version");
	fresh(); put16(e + 18, 3);      expect_bad(e, "not x86-64");
	fresh(); put16(e + 16, 3);      expect_bad(e, "not an executable"); /* ET_DYN */
	fresh(); put16(e + 16, 1);      expect_bad(e, "not an executable"); /* ET_REL */
	fresh(); put16(e + 54, 32);     expect_bad(e, "bad program header size");
	fresh(); put16(e + 54, 0xffff); expect_bad(e, "bad program header size");
	fresh(); put16(e + 56, 0);      expect_bad(e, "no loadable segment");
	fresh(); put64(e + 32, FILE_SZ);
	expect_bad(e, "program headers outside the file");
	fresh(); put64(e + 32, FILE_SZ - 56 * NPH + 1);
	expect_bad(e, "program headers outside the file");
	fresh(); put64(e + 32, UINT64_MAX - 8);   /* phoff + phnum*56 wraps */
	expect_bad(e, "program headers outside the file");
	fresh(); put16(e + 56, 0xffff);           /* phnum * phentsize huge */
	expect_bad(e, "program headers outside the file");
}

static void test_segments(void)
{
	const uint64_t M = UINT64_MAX;
	/* offset + filesz past the end, or wrapping */
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x160, KBASE + 0x2000, 0x11, 0x3000);
	expect_bad(e, "segment outside the file");
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, M, KBASE + 0x2000, 0x10, 0x3000);
	expect_bad(e, "segment outside the file");
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x100, KBASE + 0x2000, M - 0x80, M - 0x80);
	expect_bad(e, "segment outside the file");
	/* filesz > memsz */
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x160, KBASE + 0x2000, 0x10, 0x8);
	expect_bad(e, "filesz > memsz");
	/* below the kernel half */
	fresh(); set_phdr(e, PHOFF, 0, 1, 5, 0x100, 0x400000, 0x40, 0x40);
	expect_bad(e, "segment below the kernel half (0xffffffff80000000)");
	fresh(); set_phdr(e, PHOFF, 1, 1, 4, 0x140, 0xFFFF800000000000ull, 0x20, 0x20);
	expect_bad(e, "segment below the kernel half (0xffffffff80000000)");
	fresh(); set_phdr(e, PHOFF, 1, 1, 4, 0x140, KBASE - 1, 0x20, 0x20);
	expect_bad(e, "segment below the kernel half (0xffffffff80000000)");
	/* vaddr + memsz overflow, and the page round-up overflowing */
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x160, M - 0xfff, 0x10, 0x2000);
	expect_bad(e, "address overflow");
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x160, M - 0xff, 0x10, 0x10);
	expect_bad(e, "address overflow");
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x160, KBASE, 0x10, M);
	expect_bad(e, "address overflow");
	/* overlaps: partial, identical, contained */
	fresh(); set_phdr(e, PHOFF, 1, 1, 4, 0x140, KBASE + 0x20, 0x20, 0x20);
	expect_bad(e, "segments overlap");
	fresh(); set_phdr(e, PHOFF, 1, 1, 4, 0x140, KBASE, 0x20, 0x20);
	expect_bad(e, "segments overlap");
	fresh(); set_phdr(e, PHOFF, 1, 1, 4, 0x140, KBASE + 0x3000, 0x20, 0x20);
	expect_bad(e, "segments overlap");
	/* touching is not overlapping */
	struct elf_kernel_info info;
	const char *why;
	fresh(); set_phdr(e, PHOFF, 1, 1, 4, 0x140, KBASE + 0x40, 0x20, 0x20);
	CHECK_EQ(run(e, FILE_SZ, &info, &why), 0);
	CHECK_EQ(info.span, 0x5000);
	/* entry point */
	fresh(); put64(e + 24, KBASE + 0x1000);   /* in rodata (not executable) */
	expect_bad(e, "entry point not in an executable segment");
	fresh(); put64(e + 24, KBASE + 0x40);     /* one past the text */
	expect_bad(e, "entry point not in an executable segment");
	fresh(); put64(e + 24, 0);
	expect_bad(e, "entry point not in an executable segment");
	fresh(); put32(e + PHOFF + 4, 4);         /* text lost PF_X */
	expect_bad(e, "entry point not in an executable segment");
	/* no PT_LOAD at all */
	fresh();
	for (unsigned i = 0; i < NPH; i++)
		put32(e + PHOFF + i * 56, 4);     /* PT_NOTE */
	expect_bad(e, "no loadable segment");
	/* span over 64 MiB */
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x160, KBASE + ELF_MAX_SPAN, 0x10, 0x3000);
	expect_bad(e, "image larger than 64 MiB");
	fresh(); set_phdr(e, PHOFF, 2, 1, 6, 0x160, KBASE + 0x2000, 0x10, ELF_MAX_SPAN);
	expect_bad(e, "image larger than 64 MiB");
}

/* xorshift64: a fixed-seed generator so failures are reproducible. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Anything accepted must satisfy the promises elfcheck.h makes. */
static void check_sane(const uint8_t *buf, size_t size, const struct elf_kernel_info *in)
{
	(void)buf;
	int ok = in->count >= 1 && in->count <= ELF_MAX_SEGMENTS && in->span <= ELF_MAX_SPAN &&
		 in->lowest >= KBASE && in->lowest % 4096 == 0 && in->span % 4096 == 0;
	int entry_ok = 0;
	for (unsigned i = 0; ok && i < in->count; i++) {
		const struct elf_segment *s = &in->seg[i];
		ok = s->filesz <= s->memsz && s->offset <= size && s->filesz <= size - s->offset &&
		     s->vaddr >= in->lowest && s->vaddr + s->memsz - in->lowest <= in->span;
		if ((s->flags & 1) && in->entry >= s->vaddr && in->entry < s->vaddr + s->memsz)
			entry_ok = 1;
	}
	CHECK(ok && entry_ok);
}

static void test_fuzz(void)
{
	static uint8_t m[0x200];
	unsigned accepted = 0;
	for (unsigned iter = 0; iter < 20000; iter++) {
		memcpy(m, base_elf, sizeof m);
		unsigned flips = 1 + rnd() % 8;
		for (unsigned k = 0; k < flips; k++) {
			/* Mostly hit the headers, where the interesting fields are. */
			size_t at = rnd() % 4 ? rnd() % (PHOFF + NPH * 56) : rnd() % sizeof m;
			switch (rnd() % 3) {
			case 0: m[at] = (uint8_t)rnd(); break;
			case 1: m[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
			default: m[at] = rnd() % 2 ? 0xff : 0; break;
			}
		}
		size_t size = rnd() % 8 ? FILE_SZ : rnd() % sizeof m;
		struct elf_kernel_info info;
		const char *why = NULL;
		uint8_t *copy = malloc(size ? size : 1);
		memcpy(copy, m, size);
		int r = elf_check(copy, size, &info, &why);
		if (r == 0) {
			accepted++;
			check_sane(copy, size, &info);
		} else if (r != -1 || !why || !*why) {
			CHECK(!"rejection without a reason");
		}
		free(copy);
	}
	CHECK(accepted > 0); /* some harmless mutations must still pass */

	/* Pure noise of random lengths, with and without a valid magic. */
	for (unsigned iter = 0; iter < 3000; iter++) {
		size_t size = rnd() % 600;
		uint8_t *buf = malloc(size ? size : 1);
		for (size_t i = 0; i < size; i++)
			buf[i] = (uint8_t)rnd();
		if (size >= 64 && iter % 2)
			set_ehdr(buf, rnd(), rnd() % 128, (uint16_t)(rnd() % 12));
		struct elf_kernel_info info;
		const char *why = NULL;
		if (elf_check(buf, size, &info, &why) == 0)
			check_sane(buf, size, &info);
		else
			CHECK(why && *why);
		free(buf);
	}
}

/* elf_check_range: the kernel loads Cabins with the same checks against the user range. */
static void test_user_range(void)
{
	const uint64_t lo = 0x400000, hi = 0x700000000000ull;
	static const char *const outside = "segment outside the user range";
	uint8_t u[0x200];
	struct elf_kernel_info info;
	const char *why;

	memset(u, 0, sizeof u);
	set_ehdr(u, lo + 0x10, PHOFF, 2);
	set_phdr(u, PHOFF, 0, 1, 5, 0x100, lo, 0x40, 0x40);
	set_phdr(u, PHOFF, 1, 1, 6, 0x140, lo + 0x1000, 0x10, 0x2000);
	CHECK_EQ(elf_check_range(u, FILE_SZ, lo, hi, outside, &info, &why), 0);
	CHECK_EQ(info.entry, lo + 0x10);
	CHECK_EQ(info.count, 2);
	/* the kernel check refuses the same file: it is not in the kernel half */
	CHECK_EQ(elf_check(u, FILE_SZ, &info, &why), -1);

	set_phdr(u, PHOFF, 1, 1, 6, 0x140, lo - 0x1000, 0x10, 0x10); /* below the range */
	CHECK_EQ(elf_check_range(u, FILE_SZ, lo, hi, outside, &info, &why), -1);
	CHECK(strcmp(why, outside) == 0);
	set_phdr(u, PHOFF, 1, 1, 6, 0x140, hi - 0x1000, 0x10, 0x1001); /* ends past hi */
	CHECK_EQ(elf_check_range(u, FILE_SZ, lo, hi, outside, &info, &why), -1);
	CHECK(strcmp(why, outside) == 0);
	/* a program whose last byte is the last byte of the range */
	set_ehdr(u, hi - 0x3000 + 0x10, PHOFF, 2);
	set_phdr(u, PHOFF, 0, 1, 5, 0x100, hi - 0x3000, 0x40, 0x40);
	set_phdr(u, PHOFF, 1, 1, 6, 0x140, hi - 0x1000, 0x10, 0x1000);
	CHECK_EQ(elf_check_range(u, FILE_SZ, lo, hi, outside, &info, &why), 0);
	/* a kernel-half file is outside the user range */
	CHECK_EQ(elf_check_range(base_elf, FILE_SZ, lo, hi, outside, &info, &why), -1);
	CHECK(strcmp(why, outside) == 0);
}

int main(void)
{
	build_base();
	test_user_range();
	test_valid();
	test_truncated();
	test_header();
	test_segments();
	test_fuzz();
	return check_report();
}
