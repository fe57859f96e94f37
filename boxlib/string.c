/*
 * string.c: memcpy, memset, memcmp and strlen for Cabins, byte by byte.
 * Small on purpose.  GCC recognises byte-copy and byte-fill loops and may
 * replace them with calls to memcpy/memset, which here would be endless
 * recursion, so apps/apps.mk compiles this file with
 * -fno-tree-loop-distribute-patterns.
 */
#include "boxlib/string.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
