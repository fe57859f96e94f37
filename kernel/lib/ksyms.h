/* ksyms.h: kernel symbol lookup for backtraces (see ksyms.c). */
#ifndef LIB_KSYMS_H
#define LIB_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* Use the symbol table of the kernel ELF file at [elf, elf+size) (already mapped). */
int ksyms_init(const void *elf, size_t size);
/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);
/* Address of a function by name, 0 if unknown. */
uint64_t ksyms_address(const char *name);
size_t ksyms_count(void);

#endif
