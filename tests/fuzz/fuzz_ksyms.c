/*
 * fuzz_ksyms.c: libFuzzer target for ksyms_init(), ksyms_lookup() and
 * ksyms_address() (kernel/lib/ksyms.c), which read the kernel's own ELF
 * .symtab/.strtab in place.
 *
 * Input: with bit 7 of byte 0 clear the whole input is the ELF file.  With
 * it set the rest of the input drives a generator that builds a small ELF
 * (section headers null, .symtab, .strtab) with 1..8 FUNC/OBJECT symbols,
 * some sharing a name or an address, and then applies a few input-chosen
 * byte edits.  The file is copied into a malloc'd buffer (8-byte aligned, as
 * ksyms_init() requires) of exactly its size, so ASan catches reads past it.
 *
 * Asserts, after a successful ksyms_init() (the tables are re-derived here
 * from the section headers: the first SHT_SYMTAB whose sh_link is valid):
 * ksyms_count() is sh_size / 24; for a set of addresses, a name returned by
 * ksyms_lookup() lies in .strtab and is NUL-terminated there, belongs to the
 * STT_FUNC symbol at addr - offset (offset <= addr), and no other function
 * symbol covering addr starts later; NULL is returned only when no function
 * symbol covers addr or the best one's name is invalid.  ksyms_address(name)
 * returns the value of the first STT_FUNC symbol with that name, or 0 if
 * there is none; so for a name that only one function has, it equals
 * addr - offset.  (It may be > addr when names repeat, e.g. two static
 * functions called the same: that is not asserted.)
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ksyms.h"

#define TEMPLATE 0x80

static void fail(const char *what)
{
	fprintf(stderr, "ksyms invariant broken: %s\n", what);
	abort();
}

struct stream {
	const uint8_t *d;
	size_t n, at;
};

static uint8_t next(struct stream *s)
{
	return s->at < s->n ? s->d[s->at++] : 0;
}

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

/* Builds a small ELF with a symbol table into a new buffer; returns its size. */
static size_t generate(struct stream *s, uint8_t **out)
{
	static const char names[] = "\0kmain\0panic\0helper\0idle\0x\0data_obj\0";
	static const uint32_t name_off[] = { 1, 7, 13, 20, 25, 27 };
	uint8_t ctl = next(s);
	unsigned nsym = 1 + ctl % 8;
	size_t str_off = 64;
	size_t str_size = sizeof names - 1 + (ctl & 0x08 ? 0 : 1);  /* sometimes unterminated */
	size_t sym_off = align8(str_off + str_size);
	size_t sh_off = align8(sym_off + nsym * sizeof(Elf64_Sym));
	size_t size = sh_off + 3 * sizeof(Elf64_Shdr);
	uint8_t *f = calloc(1, size);
	if (!f)
		abort();

	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof eh);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof eh;
	eh.e_shoff = sh_off;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 3;
	eh.e_shstrndx = 0;
	memcpy(f, &eh, sizeof eh);
	memcpy(f + str_off, names, str_size < sizeof names ? str_size : sizeof names);
	if (!(ctl & 0x08))
		f[str_off + str_size - 1] = 0;
	else
		f[str_off + str_size - 1] = 'Z';  /* last name runs off the end of .strtab */

	uint64_t va = 0xFFFFFFFF80000000ull + next(s) * 0x10ull;
	for (unsigned i = 1; i < nsym; i++) {
		uint8_t b = next(s);
		Elf64_Sym sym;
		memset(&sym, 0, sizeof sym);
		sym.st_name = (b & 0x80) ? next(s) : name_off[b % 6];
		sym.st_info = ELF64_ST_INFO(b & 0x40 ? STB_LOCAL : STB_GLOBAL, (b & 0x20) ? STT_OBJECT : STT_FUNC);
		sym.st_shndx = 1;
		sym.st_value = va;
		sym.st_size = (b & 0x10) ? 0 : next(s);
		if (b & 0x08)
			va += next(s);  /* sometimes the next symbol starts at the same address */
		memcpy(f + sym_off + i * sizeof sym, &sym, sizeof sym);
	}

	Elf64_Shdr sh[3];
	memset(sh, 0, sizeof sh);
	sh[1].sh_type = SHT_SYMTAB;
	sh[1].sh_offset = sym_off;
	sh[1].sh_size = nsym * sizeof(Elf64_Sym);
	sh[1].sh_link = 2;
	sh[1].sh_entsize = sizeof(Elf64_Sym);
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = str_off;
	sh[2].sh_size = str_size;
	memcpy(f + sh_off, sh, sizeof sh);

	/* Edits: (where, value) byte writes, biased toward the headers. */
	unsigned edits = (ctl >> 4) % 4;
	for (unsigned i = 0; i < edits; i++) {
		uint8_t where = next(s), val = next(s);
		size_t at = (where & 0x80) ? sh_off + (where & 0x7F) % (3 * sizeof(Elf64_Shdr)) : where % size;
		f[at] = val;
	}
	*out = f;
	return size;
}

/* The tables as ksyms_init() should have found them. */
static const uint8_t *buf;
static size_t buf_size;
static const Elf64_Sym *syms;
static size_t nsyms;
static const char *strs;
static size_t strs_size;

static void find_tables(void)
{
	Elf64_Ehdr eh;
	memcpy(&eh, buf, sizeof eh);
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh, str;
		memcpy(&sh, buf + eh.e_shoff + i * sizeof sh, sizeof sh);
		if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh.e_shnum)
			continue;
		memcpy(&str, buf + eh.e_shoff + sh.sh_link * sizeof str, sizeof str);
		if (sh.sh_offset > buf_size || sh.sh_size > buf_size - sh.sh_offset ||
		    str.sh_offset > buf_size || str.sh_size > buf_size - str.sh_offset)
			fail("init accepted a table outside the file");
		syms = (const Elf64_Sym *)(const void *)(buf + sh.sh_offset);
		nsyms = sh.sh_size / sizeof(Elf64_Sym);
		strs = (const char *)buf + str.sh_offset;
		strs_size = str.sh_size;
		return;
	}
	fail("init succeeded without a symbol table");
}

/* The symbol's name if it is a NUL-terminated string inside .strtab, else NULL. */
static const char *valid_name(const Elf64_Sym *s)
{
	if (s->st_name >= strs_size || !memchr(strs + s->st_name, 0, strs_size - s->st_name))
		return NULL;
	return strs + s->st_name;
}

static int is_func(const Elf64_Sym *s)
{
	return ELF64_ST_TYPE(s->st_info) == STT_FUNC;
}

/* Function symbol s covers addr: [value, value + size), or size 0 = open-ended. */
static int covers(const Elf64_Sym *s, uint64_t addr)
{
	if (!is_func(s) || s->st_value > addr)
		return 0;
	if (s->st_size == 0)
		return 1;
	return s->st_value + s->st_size > s->st_value && addr < s->st_value + s->st_size;
}

static void check_address(const char *name)
{
	uint64_t got = ksyms_address(name);
	for (size_t i = 0; i < nsyms; i++) {
		const char *n = valid_name(&syms[i]);
		if (is_func(&syms[i]) && n && strcmp(n, name) == 0) {
			if (got != syms[i].st_value)
				fail("ksyms_address is not the first function with that name");
			return;
		}
	}
	if (got != 0)
		fail("ksyms_address found a name no function has");
}

static void check_lookup(uint64_t addr)
{
	uint64_t off = 0xDEADBEEF;
	const char *name = ksyms_lookup(addr, &off);

	/* The latest-starting function symbol that covers addr. */
	const Elf64_Sym *best = NULL;
	for (size_t i = 0; i < nsyms; i++)
		if (covers(&syms[i], addr) && (!best || syms[i].st_value > best->st_value))
			best = &syms[i];

	if (!name) {
		if (best && valid_name(best))
			fail("lookup returned NULL but a named function covers addr");
		return;
	}
	if (!best)
		fail("lookup returned a name but no function covers addr");
	if (name < strs || name >= strs + strs_size || !memchr(name, 0, strs_size - (size_t)(name - strs)))
		fail("returned name is not a NUL-terminated string inside .strtab");
	if (off > addr || addr - off != best->st_value)
		fail("offset is not addr - value of the best symbol");
	/* Some function symbol at addr - off has exactly this name. */
	int named = 0, same_name = 0;
	for (size_t i = 0; i < nsyms; i++) {
		const char *n = valid_name(&syms[i]);
		if (!is_func(&syms[i]) || !n)
			continue;
		if (n == name && syms[i].st_value == addr - off && covers(&syms[i], addr))
			named = 1;
		same_name += strcmp(n, name) == 0;
	}
	if (!named)
		fail("returned name belongs to no covering symbol at addr - offset");
	if (same_name == 1 && ksyms_address(name) != addr - off)
		fail("ksyms_address(unique name) != addr - offset");
	check_address(name);
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
		f = malloc(n ? n : 1);  /* malloc memory is 16-byte aligned */
		if (!f)
			abort();
		if (n)
			memcpy(f, data, n);
	}
	if ((uintptr_t)f & 7)
		fail("buffer not 8-byte aligned");

	int rc = ksyms_init(f, n);
	if (rc != 0 && rc != -1)
		fail("return value not 0 or -1");
	if (rc == 0) {
		buf = f;
		buf_size = n;
		find_tables();
		if (ksyms_count() != nsyms)
			fail("ksyms_count differs from sh_size / 24");

		static const uint64_t fixed[] = { 0, 1, 0xFFFFFFFF80000000ull, UINT64_MAX };
		for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			check_lookup(fixed[i]);
		/* A few symbols spread over the table: their start, middle, last
		 * byte, end and the byte before. */
		unsigned picks = nsyms < 6 ? (unsigned)nsyms : 6;
		for (unsigned j = 0; j < picks; j++) {
			const Elf64_Sym *s = &syms[j * nsyms / picks];
			check_lookup(s->st_value);
			check_lookup(s->st_value - 1);
			check_lookup(s->st_value + s->st_size / 2);
			check_lookup(s->st_value + s->st_size - 1);
			check_lookup(s->st_value + s->st_size);
			const char *nm = valid_name(s);
			if (nm)
				check_address(nm);
		}
		check_address("");
		check_address("kmain");
		/* A name taken from the input's tail. */
		char key[32];
		size_t k = size < sizeof key - 1 ? size : sizeof key - 1;
		memcpy(key, data + size - k, k);
		key[k] = 0;
		check_address(key);
	}
	free(f);
	return 0;
}
