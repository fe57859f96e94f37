/*
 * fmt.h: printf-style formatting for the kernel (no libc).
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, with flags - 0 + space #,
 * width and precision (also as *), and length modifiers hh h l ll z j t,
 * all as in C.  %p prints "0x" and 16 hex digits; %s of NULL prints
 * "(null)".  A conversion it does not know is printed as written, and no
 * argument is read for it.
 */
#ifndef BOXOS_LIB_FMT_H
#define BOXOS_LIB_FMT_H

#include <stddef.h>
#include <stdarg.h>

/* The core: every output character goes to emit(arg, c), in order. */
void fmt_format(void (*emit)(void *arg, char c), void *arg, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/*
 * Like C's vsnprintf/snprintf: write at most size bytes including the
 * terminating NUL (always written when size > 0), return the length the
 * whole output would have had.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
