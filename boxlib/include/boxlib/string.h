/*
 * boxlib/string.h: the memory and string functions boxlib provides (the
 * compiler may also emit calls to memcpy, memset and memcmp on its own).
 */
#ifndef BOXLIB_STRING_H
#define BOXLIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
