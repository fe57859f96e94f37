/*
 * test_ksyms.c: kernel symbol lookup (kernel/lib/ksyms.c) against the real
 * kernel ELF the build produced, plus every truncation and a few thousand
 * random corruptions of it: a broken file may lose the names but must never
 * make the lookup read outside the file (ASan watches).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "lib/ksyms.h"

#ifndef KERNEL_ELF
#define KERNEL_ELF "build/kernel/kernel.elf"
#endif

static unsigned char *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc(*size);
	if (fread(buf, 1, *size, f) != *size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void test_real_kernel(const unsigned char *elf, size_t size)
{
	CHECK_EQ(ksyms_init(elf, size), 0);
	CHECK(ksyms_count() > 50);
	uint64_t kmain = ksyms_address("kmain");
	CHECK(kmain >= 0xFFFFFFFF80000000ull);
	uint64_t off = 99;
	const char *name = ksyms_lookup(kmain + 5, &off);
	CHECK(name && strcmp(name, "kmain") == 0);
	CHECK_EQ(off, 5);
	CHECK(ksyms_lookup(0x1000, &off) == NULL); /* below every function */
	CHECK_EQ(ksyms_address("no_such_function_anywhere"), 0);
}

static void test_broken_files(const unsigned char *elf, size_t size)
{
	CHECK(ksyms_init(NULL, 0) != 0);
	/* every truncation, in steps, copied so ASan sees the exact end */
	for (size_t len = 0; len < size; len += len < 256 ? 1 : 97) {
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, elf, len);
		if (ksyms_init(copy, len) == 0) {
			uint64_t off;
			ksyms_lookup(0xFFFFFFFF80001000ull, &off);
			ksyms_address("kmain");
		}
		free(copy);
	}
	srand(7);
	unsigned char *copy = malloc(size);
	unsigned rejected = 0;
	for (int i = 0; i < 3000; i++) {
		memcpy(copy, elf, size);
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
		for (int flips = 0; flips < 8; flips++) {
			/* aim at the headers and the section table, where the pointers are */
			size_t at = rand() % 2 ? (size_t)rand() % sizeof(Elf64_Ehdr)
					       : eh->e_shoff + (size_t)rand() % (eh->e_shnum * sizeof(Elf64_Shdr));
			if (at < size)
				copy[at] = (unsigned char)rand();
		}
		if (ksyms_init(copy, size) == 0) {
			uint64_t off;
			ksyms_lookup((uint64_t)rand() << 32 | (unsigned)rand(), &off);
			ksyms_address("kmain");
		} else {
			rejected++;
		}
	}
	free(copy);
	/* Reading nothing out of bounds is checked by ASan; here: corrupt
	 * headers are noticed at least some of the time, not all accepted. */
	CHECK(rejected > 0);
}

int main(void)
{
	size_t size = 0;
	unsigned char *elf = load(KERNEL_ELF, &size);
	CHECK(elf != NULL);
	if (!elf)
		return check_report();
	test_real_kernel(elf, size);
	test_broken_files(elf, size);
	free(elf);
	return check_report();
}
