/*
 * boxlib/string.h: the memory and string functions boxlib provides (the
 * compiler may also emit calls to memcpy, memmove, memset and memcmp on its
 * own).  C semantics; strdup/strndup allocate with malloc (boxlib/heap.h)
 * and return NULL when it does.  The number parsers follow strtol/strtoul:
 * base 0 takes 0x.. as hex and 0.. as octal, *end (if end is not NULL) is
 * where parsing stopped, and a value out of range saturates; since there is
 * no errno, box_strtou64 also reports overflow and "no digits" itself.
 */
#ifndef BOXLIB_STRING_H
#define BOXLIB_STRING_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strncat(char *restrict dst, const char *restrict src, size_t n);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
int atoi(const char *s);
/* Parse an unsigned 64-bit number like strtoul; returns 0 on success, -1 if
 * there were no digits, -2 on overflow (*out is then UINT64_MAX). */
int box_strtou64(const char *s, char **end, int base, uint64_t *out);

#endif
