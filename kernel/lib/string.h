/*
 * string.h: the kernel's memory and string functions.
 *
 * The kernel is freestanding, so it brings its own memcpy and friends (the
 * compiler also emits calls to memcpy/memset/memmove/memcmp by itself).  Host
 * unit tests use the C library's instead: there this header just includes
 * <string.h> and adds the two functions libc lacks.  strlcpy is called
 * kstrlcpy so that it never clashes with a libc that has one.
 */
#ifndef BOXOS_LIB_STRING_H
#define BOXOS_LIB_STRING_H

#include <stddef.h>
#include <stdbool.h>

#ifdef BOXOS_HOST_TEST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
#endif

/*
 * Copy src into dst (size bytes), always NUL-terminating when size > 0.
 * Returns strlen(src): a result >= size means the copy was truncated.
 */
size_t kstrlcpy(char *dst, const char *src, size_t size);

bool str_starts_with(const char *s, const char *prefix);

#endif
