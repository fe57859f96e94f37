/*
 * fuzz_elfcheck.c: libFuzzer target for elf_check() (tagboot/elfcheck.c),
 * TagBoot's check of the kernel ELF file it reads from disk.
 *
 * Input: with bit 7 of byte 0 clear the whole input is the file.  With it
 * set the rest of the input drives a generator that builds a small valid
 * kernel ELF (1..4 PT_LOAD segments, maybe other program headers) and then
 * applies a few input-chosen byte and 64-bit field edits, so that short
 * inputs get past the header checks.  The file is always copied into a heap
 * buffer of exactly its size, so ASan catches any read past it.
 *
 * Asserts: the return value is 0 or -1.  On -1, *why is a non-empty short
 * string.  On 0: the header is a 64-bit little-endian x86-64 executable;
 * 1..16 segments, which are exactly the PT_LOAD headers with memsz != 0, in
 * file order, with their fields as in the file; each has filesz <= memsz,
 * offset + filesz <= size, vaddr >= 0xffffffff80000000 and no address
 * overflow; no two overlap; lowest/span are the page-rounded bounds and
 * span <= 64 MiB; the entry point lies in an executable segment.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfcheck.h"

#define TEMPLATE 0x80

static void fail(const char *what)
{
	fprintf(stderr, "elf_check invariant broken: %s\n", what);
	abort();
}

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void wr(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct stream {
	const uint8_t *d;
	size_t n, at;
};

static uint8_t next(struct stream *s)
{
	return s->at < s->n ? s->d[s->at++] : 0;
}

/* Values that sit on the checks' boundaries, for the 64-bit field edits. */
static const uint64_t interesting[] = {
	0, 1, 56, 64, 4095, 4096, ELF_KERNEL_HALF, ELF_KERNEL_HALF - 1, ELF_KERNEL_HALF + 0x1000,
	ELF_MAX_SPAN, ELF_MAX_SPAN + 1, UINT64_MAX, UINT64_MAX - 4095, UINT64_MAX - 4096,
	0x8000000000000000ull, 0xFFFFFFFFull,
};

/* Builds a valid kernel ELF from the stream into a new buffer; returns its size. */
static size_t generate(struct stream *s, uint8_t **out)
{
	uint8_t ctl = next(s);
	unsigned nload = 1 + ctl % 4;
	unsigned nother = (ctl >> 2) % 3;  /* PT_NOTE / PT_LOAD with memsz 0 */
	unsigned nph = nload + nother;
	uint64_t phoff = 64;
	uint64_t data = phoff + 56ull * nph;
	uint64_t size = data;
	uint64_t va = ELF_KERNEL_HALF + (uint64_t)(next(s) & 0x0F) * 0x1000;
	uint8_t *f;
	uint8_t ph[8][56];

	memset(ph, 0, sizeof ph);
	for (unsigned i = 0; i < nload; i++) {
		uint8_t b = next(s);
		uint64_t filesz = next(s) * (b & 0x80 ? 16u : 1u);
		uint64_t memsz = filesz + (b & 0x40 ? (uint64_t)next(s) << 12 : 0);
		if (memsz == 0)
			memsz = 1;
		wr(ph[i] + 0, 1, 4);                       /* PT_LOAD */
		wr(ph[i] + 4, i == 0 ? 5 : 4 + (b & 3), 4); /* R+X first, then R/RW/RX */
		wr(ph[i] + 8, size, 8);
		wr(ph[i] + 16, va, 8);
		wr(ph[i] + 24, va, 8);
		wr(ph[i] + 32, filesz, 8);
		wr(ph[i] + 40, memsz, 8);
		wr(ph[i] + 48, 4096, 8);
		size += filesz;
		va += memsz + (uint64_t)(b & 0x0C) * 0x400;  /* sometimes exactly adjacent */
	}
	for (unsigned i = nload; i < nph; i++) {
		wr(ph[i] + 0, i & 1 ? 4 : 1, 4);  /* PT_NOTE, or PT_LOAD with memsz 0 */
		wr(ph[i] + 8, next(s), 8);
		wr(ph[i] + 16, next(s), 8);
	}
	/* Shuffle: put one of the other headers first sometimes. */
	if (nother && (ctl & 0x10)) {
		uint8_t t[56];
		memcpy(t, ph[0], 56);
		memcpy(ph[0], ph[nph - 1], 56);
		memcpy(ph[nph - 1], t, 56);
	}

	f = calloc(1, size);
	if (!f)
		abort();
	memcpy(f, "\x7f" "ELF", 4);
	f[4] = 2;          /* ELFCLASS64 */
	f[5] = 1;          /* little-endian */
	f[6] = 1;          /* EV_CURRENT */
	wr(f + 16, 2, 2);  /* ET_EXEC */
	wr(f + 18, 62, 2); /* EM_X86_64 */
	wr(f + 20, 1, 4);
	wr(f + 24, ELF_KERNEL_HALF + (uint64_t)(next(s) & 0x0F) * 0x1000 + next(s), 8);
	wr(f + 32, phoff, 8);
	wr(f + 52, 64, 2);
	wr(f + 54, 56, 2);
	wr(f + 56, nph, 2);
	for (unsigned i = 0; i < nph; i++)
		memcpy(f + phoff + 56 * i, ph[i], 56);
	for (uint64_t i = data; i < size; i++)
		f[i] = (uint8_t)i;

	/* Edits: byte writes anywhere in the headers, or a 64-bit field set to
	 * a boundary value plus a small delta. */
	unsigned edits = (ctl >> 5) % 4;
	for (unsigned i = 0; i < edits; i++) {
		uint8_t kind = next(s), at = next(s), val = next(s);
		uint64_t where = at % data;
		if (kind & 1) {
			f[where] = val;
		} else {
			uint64_t v = interesting[(kind >> 1) % (sizeof interesting / sizeof interesting[0])];
			v += (uint64_t)(int8_t)val;
			where &= ~7ull;
			if (where + 8 <= data)
				wr(f + where, v, 8);
		}
	}
	*out = f;
	return size;
}

static void check_ok(const uint8_t *f, size_t size, const struct elf_kernel_info *k)
{
	if (size < 64 || memcmp(f, "\x7f" "ELF", 4) || f[4] != 2 || f[5] != 1 ||
	    rd(f + 16, 2) != 2 || rd(f + 18, 2) != 62)
		fail("accepted a file that is not a 64-bit LE x86-64 executable");
	if (k->count < 1 || k->count > ELF_MAX_SEGMENTS)
		fail("segment count out of range");

	/* The segments are exactly the PT_LOAD headers with memsz != 0. */
	uint64_t phoff = rd(f + 32, 8), phnum = rd(f + 56, 2);
	if (rd(f + 54, 2) != 56 || phoff > size || phnum * 56 > size - phoff)
		fail("accepted program headers outside the file");
	unsigned n = 0;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + 56 * i;
		if (rd(ph, 4) != 1 || rd(ph + 40, 8) == 0)
			continue;
		if (n >= k->count)
			fail("fewer segments than PT_LOAD headers");
		const struct elf_segment *s = &k->seg[n++];
		if (s->flags != rd(ph + 4, 4) || s->offset != rd(ph + 8, 8) || s->vaddr != rd(ph + 16, 8) ||
		    s->filesz != rd(ph + 32, 8) || s->memsz != rd(ph + 40, 8))
			fail("segment fields differ from the program header");
	}
	if (n != k->count)
		fail("more segments than PT_LOAD headers");

	uint64_t lo = UINT64_MAX, hi = 0;
	int entry_ok = 0;
	for (unsigned i = 0; i < k->count; i++) {
		const struct elf_segment *s = &k->seg[i];
		if (s->memsz == 0)
			fail("empty segment kept");
		if (s->filesz > s->memsz)
			fail("filesz > memsz");
		if (s->offset > size || s->filesz > size - s->offset)
			fail("segment outside the file");
		if (s->vaddr < ELF_KERNEL_HALF)
			fail("segment below the kernel half");
		if (s->memsz > UINT64_MAX - s->vaddr || s->vaddr + s->memsz > UINT64_MAX - (ELF_PAGE - 1))
			fail("segment end overflows");
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *t = &k->seg[j];
			if (s->vaddr < t->vaddr + t->memsz && t->vaddr < s->vaddr + s->memsz)
				fail("segments overlap");
		}
		if (s->vaddr < lo)
			lo = s->vaddr;
		if (s->vaddr + s->memsz > hi)
			hi = s->vaddr + s->memsz;
		if ((s->flags & 1) && k->entry >= s->vaddr && k->entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		fail("entry point not in an executable segment");
	if (k->entry != rd(f + 24, 8))
		fail("entry differs from e_entry");
	lo &= ~(ELF_PAGE - 1);
	hi = (hi + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
	if (k->lowest != lo || k->span != hi - lo)
		fail("lowest/span are not the page-rounded bounds");
	if (k->span > ELF_MAX_SPAN || k->span == 0)
		fail("span out of range");
	if (k->lowest + k->span < k->lowest)
		fail("span wraps");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f;
	size_t n;

	if (size && (data[0] & TEMPLATE)) {
		struct stream st = { data + 1, size - 1, 0 };
		n = generate(&st, &f);
	} else {
		n = size;
		f = malloc(n ? n : 1);
		if (!f)
			abort();
		if (n)
			memcpy(f, data, n);
	}

	static struct elf_kernel_info k;
	const char *why = NULL;
	memset(&k, 0xA5, sizeof k);
	int rc = elf_check(f, n, &k, &why);
	if (rc == 0) {
		check_ok(f, n, &k);
	} else if (rc == -1) {
		if (!why || !why[0] || strnlen(why, 128) == 128)
			fail("failure without a short reason");
	} else {
		fail("return value not 0 or -1");
	}
	free(f);
	return 0;
}
