/*
 * stdio.c: printf and friends for Cabins (boxlib/stdio.h).
 *
 * Output is collected in a line buffer; a newline, a full buffer
 * (BOX_CONSOLE_LINE bytes) or box_console_flush() sends it with one
 * hardware.console.write op (box_op of boxlib/call.h), which the kernel logs
 * as one line.  Only the console line is buffered: snprintf and vsnprintf
 * are box_vsnprintf of format.c.  A failed console.write is counted
 * (box_console_errors) and the line dropped: printing never stops a Cabin.
 */
#include "boxlib/stdio.h"
#include "boxlib/call.h"
#include "boxlib/ops.h"

static char line[BOX_CONSOLE_LINE];
static size_t line_len;
static size_t written, errors;

size_t box_console_written(void) { return written; }
size_t box_console_errors(void) { return errors; }

int box_console_flush(void)
{
	if (!line_len)
		return BOX_OK;
	struct box_op_call c = {.op_id = BOX_OP_HARDWARE_CONSOLE_WRITE, .in = line,
				.in_len = line_len};
	int32_t st = box_op(&c);
	if (st == BOX_OK)
		written += line_len;
	else
		errors++;
	line_len = 0;
	return st;
}

static void to_console(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		line[line_len++] = s[i];
		if (s[i] == '\n' || line_len == sizeof(line))
			box_console_flush();
	}
}

int vprintf(const char *fmt, va_list ap)
{
	size_t n = box_vformat(to_console, 0, fmt, ap);
	return n > 0x7FFFFFFF ? -1 : (int)n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	return box_vsnprintf(buf, cap, fmt, ap);
}

int snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = box_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	to_console(0, s, n);
	to_console(0, "\n", 1);
	return (int)(n + 1);
}

int putchar(int c)
{
	char ch = (char)c;
	to_console(0, &ch, 1);
	return (unsigned char)ch;
}
