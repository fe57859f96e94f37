/*
 * string.c: memory and string functions for the freestanding kernel.
 *
 * memcpy, memmove and memset are the string instructions (rep movs /
 * rep stos, by quadwords for aligned bulk): one instruction for the range, which CPUs with ERMS run
 * at full speed and which QEMU's TCG runs as one helper call instead of a
 * translated loop (a byte loop cost most of the boot: zeroing the page
 * allocator's metadata and every page a Cabin gets).  memmove copies
 * backwards with the direction flag set when the ranges overlap that way.
 * The rest are plain loops.  GCC recognises a byte-copy or byte-fill loop
 * and may replace it with a call to memcpy/memset, which inside those
 * functions would be endless recursion, so they are compiled with that
 * pattern matching turned off.
 *
 * In host unit tests (BOXOS_HOST_TEST) libc provides the standard functions,
 * so only the two non-standard ones are compiled here.
 */
#include <stdint.h>
#include "lib/string.h"

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL_PATTERNS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL_PATTERNS
#endif

#ifndef BOXOS_HOST_TEST

NO_LIBCALL_PATTERNS
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	if (n >= 64 && !(((uintptr_t)dst | (uintptr_t)src) & 7)) {
		/* aligned bulk by quadwords (an eighth of the iterations), then the tail */
		size_t words = n / 8;
		n &= 7;
		__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

NO_LIBCALL_PATTERNS
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d == s || n == 0)
		return dst;
	/* Copy backwards when dst overlaps the tail of src. */
	if ((uintptr_t)d - (uintptr_t)s < n) {
		d += n - 1;
		s += n - 1;
		__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	} else {
		__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	}
	return dst;
}

NO_LIBCALL_PATTERNS
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	if (n >= 64 && !((uintptr_t)dst & 7)) {
		size_t words = n / 8;
		uint64_t pattern = (uint8_t)c * 0x0101010101010101ull;
		n &= 7;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	}
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

NO_LIBCALL_PATTERNS
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

NO_LIBCALL_PATTERNS
size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

NO_LIBCALL_PATTERNS
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	/* Compare as unsigned char, as the C standard says. */
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	/* The terminating NUL counts as part of the string. */
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *found = NULL;
	for (;; s++) {
		if (*s == (char)c)
			found = s;
		if (!*s)
			return (char *)found;
	}
}

#endif /* !BOXOS_HOST_TEST */

size_t kstrlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

bool str_starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}
