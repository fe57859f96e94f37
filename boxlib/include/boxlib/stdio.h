/*
 * boxlib/stdio.h: formatted output for Cabins.
 *
 * printf and friends format with box_vformat() (format.c) and write through
 * the hardware.console.write op (stdio.c).  Console output is buffered per
 * line: each complete line becomes one console.write (the kernel logs it as
 * "NAME: text"), a line longer than BOX_CONSOLE_LINE bytes is sent in
 * pieces, and whatever is pending goes out at box_console_flush(), which
 * boxlib also calls before the Cabin exits.  Formats: %d %i %u %x %X %o %p
 * %s %c %%, flags - 0 + space #, width and precision (or *), length
 * modifiers hh h l ll z j t; see format.c.
 */
#ifndef BOXLIB_STDIO_H
#define BOXLIB_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define BOX_CONSOLE_LINE 160  /* bytes per console.write; the kernel takes at most 200 */

/* Receives the formatted output in pieces (not NUL-terminated). */
typedef void (*box_sink_fn)(void *ctx, const char *s, size_t n);

/* Format into sink; returns the number of bytes produced. */
size_t box_vformat(box_sink_fn sink, void *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* C's vsnprintf/snprintf: at most cap - 1 bytes and a NUL (nothing if cap is
 * 0); returns the length the whole output would have had. */
int box_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int box_snprintf(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifndef BOXOS_HOST_TEST
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int puts(const char *s);       /* s and a newline */
int putchar(int c);

/* Send the pending partial line, if any.  BOX_OK or the console.write error. */
int box_console_flush(void);
/* Bytes given to the console and console.write calls that failed, since start. */
size_t box_console_written(void);
size_t box_console_errors(void);
#endif

#endif
