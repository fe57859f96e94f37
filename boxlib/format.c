/*
 * format.c: the printf formatting core of boxlib/stdio.h.
 *
 * box_vformat() walks the format once and hands every piece of output to a
 * sink callback in runs (literal text, padding, digits), so the same code
 * fills a buffer (box_vsnprintf) and feeds the console (printf in stdio.c).
 * Supported: %d %i %u %x %X %o %p %s %c %%, flags - 0 + space #, width and
 * precision (numbers or *), length modifiers hh h l ll z j t.  The result
 * matches C's printf for these (tests/host/test_boxlib_format.c compares
 * against the host libc); an unknown conversion is copied to the output as
 * written, and a NULL %s prints "(null)".
 */
#include <stdarg.h>
#include <stdint.h>

#include "boxlib/stdio.h"

struct out {
	box_sink_fn sink;
	void *ctx;
	size_t count;
};

static size_t cstrlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static void put(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->sink(o->ctx, s, n);
		o->count += n;
	}
}

static void pad(struct out *o, char c, size_t n)
{
	char buf[32];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = c;
	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		put(o, buf, k);
		n -= k;
	}
}

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

struct spec {
	unsigned flags;
	int width;      /* -1: none */
	int prec;       /* -1: none */
};

/* Digits of v in base (8, 10, 16) into the end of buf; returns the count. */
static size_t digits(char *end, uint64_t v, unsigned base, int upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0;
	do {
		*--end = set[v % base];
		v /= base;
		n++;
	} while (v);
	return n;
}

static void number(struct out *o, const struct spec *sp, uint64_t mag, int negative,
		   unsigned base, int upper, const char *prefix_alt)
{
	char buf[24];
	size_t nd = digits(buf + sizeof(buf), mag, base, upper);
	if (sp->prec == 0 && mag == 0)
		nd = 0;  /* "%.0d" of 0 prints no digits */
	const char *sign = negative ? "-" : (sp->flags & F_PLUS) ? "+" : (sp->flags & F_SPACE) ? " " : "";
	const char *prefix = "";
	size_t zeros = sp->prec > 0 && (size_t)sp->prec > nd ? (size_t)sp->prec - nd : 0;
	if ((sp->flags & F_ALT) && prefix_alt) {
		if (base == 8) {
			if (zeros == 0 && (nd == 0 || buf[sizeof(buf) - nd] != '0'))
				zeros = 1;  /* # makes octal start with 0 */
		} else if (mag) {
			prefix = prefix_alt;
		}
	}
	size_t body = cstrlen(sign) + cstrlen(prefix) + zeros + nd;
	size_t fill = sp->width > 0 && (size_t)sp->width > body ? (size_t)sp->width - body : 0;
	if (!(sp->flags & F_LEFT) && (sp->flags & F_ZERO) && sp->prec < 0) {
		zeros += fill;  /* 0 flag: pad with zeros after sign and prefix */
		fill = 0;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', fill);
	put(o, sign, cstrlen(sign));
	put(o, prefix, cstrlen(prefix));
	pad(o, '0', zeros);
	put(o, buf + sizeof(buf) - nd, nd);
	if (sp->flags & F_LEFT)
		pad(o, ' ', fill);
}

static void text(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	size_t fill = sp->width > 0 && (size_t)sp->width > n ? (size_t)sp->width - n : 0;
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', fill);
	put(o, s, n);
	if (sp->flags & F_LEFT)
		pad(o, ' ', fill);
}

size_t box_vformat(box_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {sink, ctx, 0};
	va_list args;
	va_copy(args, ap);
	while (*fmt) {
		const char *lit = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		put(&o, lit, (size_t)(fmt - lit));
		if (!*fmt)
			break;
		const char *start = fmt++;  /* at the '%' */

		struct spec sp = {0, -1, -1};
		for (;; fmt++) {
			if (*fmt == '-') sp.flags |= F_LEFT;
			else if (*fmt == '0') sp.flags |= F_ZERO;
			else if (*fmt == '+') sp.flags |= F_PLUS;
			else if (*fmt == ' ') sp.flags |= F_SPACE;
			else if (*fmt == '#') sp.flags |= F_ALT;
			else break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(args, int);
			if (sp.width < 0) {
				sp.flags |= F_LEFT;
				sp.width = sp.width == INT32_MIN ? INT32_MAX : -sp.width;
			}
			fmt++;
		} else {
			for (sp.width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
				sp.width = sp.width > 100000000 ? sp.width : sp.width * 10 + (*fmt - '0');
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(args, int);
				if (sp.prec < 0)
					sp.prec = -1;  /* a negative precision is as if none was given */
				fmt++;
			} else {
				for (sp.prec = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
					sp.prec = sp.prec > 100000000 ? sp.prec : sp.prec * 10 + (*fmt - '0');
			}
		}
		int len = 0;  /* 'H' hh, 'h', 'l', 'L' ll/j, 'z', 't' */
		if (*fmt == 'h') {
			len = fmt[1] == 'h' ? 'H' : 'h';
			fmt += len == 'H' ? 2 : 1;
		} else if (*fmt == 'l') {
			len = fmt[1] == 'l' ? 'L' : 'l';
			fmt += len == 'L' ? 2 : 1;
		} else if (*fmt == 'j') {
			len = 'L';
			fmt++;
		} else if (*fmt == 'z' || *fmt == 't') {
			len = *fmt++;
		}

		char conv = *fmt;
		if (conv)
			fmt++;
		switch (conv) {
		case 'd':
		case 'i': {
			int64_t v;
			switch (len) {
			case 'H': v = (signed char)va_arg(args, int); break;
			case 'h': v = (short)va_arg(args, int); break;
			case 'l': v = va_arg(args, long); break;
			case 'L': v = va_arg(args, long long); break;
			case 'z': v = (int64_t)va_arg(args, size_t); break;
			case 't': v = va_arg(args, ptrdiff_t); break;
			default:  v = va_arg(args, int); break;
			}
			uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
			number(&o, &sp, mag, v < 0, 10, 0, NULL);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			switch (len) {
			case 'H': v = (unsigned char)va_arg(args, unsigned); break;
			case 'h': v = (unsigned short)va_arg(args, unsigned); break;
			case 'l': v = va_arg(args, unsigned long); break;
			case 'L': v = va_arg(args, unsigned long long); break;
			case 'z': v = va_arg(args, size_t); break;
			case 't': v = (uint64_t)va_arg(args, ptrdiff_t); break;
			default:  v = va_arg(args, unsigned); break;
			}
			sp.flags &= ~(unsigned)(F_PLUS | F_SPACE);
			unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
			number(&o, &sp, v, 0, base, conv == 'X',
			       conv == 'x' ? "0x" : conv == 'X' ? "0X" : conv == 'o' ? "" : NULL);
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(args, void *);
			if (!v) {
				text(&o, &sp, "(nil)", 5);
				break;
			}
			sp.flags |= F_ALT;
			sp.flags &= ~(unsigned)(F_PLUS | F_SPACE);
			number(&o, &sp, v, 0, 16, 0, "0x");
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);
			text(&o, &sp, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			if (!s)
				s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
			size_t n = 0;
			while (s[n] && (sp.prec < 0 || n < (size_t)sp.prec))
				n++;
			text(&o, &sp, s, n);
			break;
		}
		case '%':
			put(&o, "%", 1);
			break;
		default:
			/* Unknown conversion (or the format ended): copy it as written. */
			put(&o, start, (size_t)(fmt - start));
			break;
		}
	}
	va_end(args);
	return o.count;
}

struct buf_sink {
	char *buf;
	size_t cap, len;
};

static void to_buffer(void *ctx, const char *s, size_t n)
{
	struct buf_sink *b = ctx;
	for (size_t i = 0; i < n && b->len + 1 < b->cap; i++)
		b->buf[b->len++] = s[i];
}

int box_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, cap, 0};
	size_t n = box_vformat(to_buffer, &b, fmt, ap);
	if (cap)
		buf[b.len] = 0;
	return n > INT32_MAX ? -1 : (int)n;
}

int box_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = box_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}
