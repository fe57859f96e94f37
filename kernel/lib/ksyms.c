/*
 * ksyms.c: names for kernel addresses, from the kernel's own ELF file.
 *
 * TagBoot hands over a copy of the kernel ELF; its .symtab and .strtab stay
 * where they are and are searched in place (function symbols only), so
 * symbolizing a backtrace needs no memory and works at panic time.  The
 * file is bounds-checked once at init; a broken one only costs the names.
 */
#include <elf.h>
#include "lib/ksyms.h"
#include "lib/string.h"

static const Elf64_Sym *symbols;
static size_t symbol_count;
static const char *strings;
static size_t strings_size;

int ksyms_init(const void *elf, size_t size)
{
	const uint8_t *base = elf;
	const Elf64_Ehdr *eh = elf;
	symbols = NULL; /* a failed init leaves no table from an earlier file */
	symbol_count = 0;
	strings = NULL;
	strings_size = 0;
	/* the tables are read in place, so they must be aligned as ELF requires */
	if (!elf || ((uintptr_t)elf & 7) || size < sizeof(*eh) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    (eh->e_shoff & 7) || eh->e_shoff > size ||
	    (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum)
		return -1;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		if ((sh[i].sh_offset & 7) || sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset ||
		    str->sh_offset > size || str->sh_size > size - str->sh_offset || str->sh_size == 0)
			return -1;
		symbols = (const Elf64_Sym *)(base + sh[i].sh_offset);
		symbol_count = sh[i].sh_size / sizeof(Elf64_Sym);
		strings = (const char *)(base + str->sh_offset);
		strings_size = str->sh_size;
		return 0;
	}
	return -1;
}

size_t ksyms_count(void)
{
	return symbol_count;
}

static const char *name_of(const Elf64_Sym *s)
{
	if (s->st_name >= strings_size || strnlen(strings + s->st_name, strings_size - s->st_name) ==
						  strings_size - s->st_name)
		return NULL;
	return strings + s->st_name;
}

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	const Elf64_Sym *best = NULL;
	for (size_t i = 0; i < symbol_count; i++) {
		const Elf64_Sym *s = &symbols[i];
		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_value > addr)
			continue;
		if (s->st_size && addr >= s->st_value + s->st_size)
			continue;
		if (!best || s->st_value > best->st_value)
			best = s;
	}
	if (!best)
		return NULL;
	*offset = addr - best->st_value;
	return name_of(best);
}

uint64_t ksyms_address(const char *name)
{
	for (size_t i = 0; i < symbol_count; i++) {
		const char *n = name_of(&symbols[i]);
		if (n && ELF64_ST_TYPE(symbols[i].st_info) == STT_FUNC && strcmp(n, name) == 0)
			return symbols[i].st_value;
	}
	return 0;
}
