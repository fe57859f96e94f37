/*
 * fmt.c: printf-style formatting.
 *
 * fmt_format() reads one conversion specification at a time into a struct
 * conversion (flags, width, precision, length, conversion character) without
 * touching the arguments, so that an unknown conversion can be printed as
 * written without reading an argument for it.  Only then does it fetch the
 * '*' width/precision and the value, and print it:
 *     [spaces] [sign or 0x] [zeros] digits [spaces]
 * where the zeros come from the precision or the '0' flag, as C says.
 * The snprintf family is fmt_format() with an output function that fills a
 * buffer and keeps counting past its end.
 */
#include <stdint.h>
#include <stdbool.h>
#include "lib/fmt.h"

#define INT_MAX_VALUE ((int)(~0u >> 1))

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

struct conversion {
	bool left;       /* '-' */
	bool zero_pad;   /* '0' */
	bool plus;       /* '+' */
	bool space;      /* ' ' */
	bool alt;        /* '#' */
	bool width_arg;  /* width given as '*' */
	bool prec_arg;   /* precision given as '*' */
	long width;
	long precision;  /* -1: none */
	enum length length;
	char conv;
};

struct output {
	void (*emit)(void *arg, char c);
	void *arg;
};

static void put_char(struct output *o, char c)
{
	o->emit(o->arg, c);
}

static void put_repeat(struct output *o, char c, long n)
{
	while (n-- > 0)
		o->emit(o->arg, c);
}

static void put_chars(struct output *o, const char *s, long n)
{
	for (long i = 0; i < n; i++)
		o->emit(o->arg, s[i]);
}

/* Digits of a width or precision; huge numbers saturate instead of overflowing. */
static long parse_number(const char **p)
{
	long n = 0;
	while (**p >= '0' && **p <= '9') {
		if (n < INT_MAX_VALUE / 10)
			n = n * 10 + (**p - '0');
		else
			n = INT_MAX_VALUE;
		(*p)++;
	}
	return n;
}

/*
 * Parse the specification after a '%'.  Returns false when it does not end
 * in a known conversion character; *p is left after what was consumed.
 */
static bool parse_conversion(const char **p, struct conversion *c)
{
	const char *s = *p;
	*c = (struct conversion){ .precision = -1 };

	for (;; s++) {
		if (*s == '-')
			c->left = true;
		else if (*s == '0')
			c->zero_pad = true;
		else if (*s == '+')
			c->plus = true;
		else if (*s == ' ')
			c->space = true;
		else if (*s == '#')
			c->alt = true;
		else
			break;
	}
	if (*s == '*') {
		c->width_arg = true;
		s++;
	} else {
		c->width = parse_number(&s);
	}
	if (*s == '.') {
		s++;
		if (*s == '*') {
			c->prec_arg = true;
			s++;
		} else {
			c->precision = parse_number(&s); /* "." alone means 0 */
		}
	}
	switch (*s) {
	case 'h':
		s++;
		c->length = LEN_H;
		if (*s == 'h') {
			s++;
			c->length = LEN_HH;
		}
		break;
	case 'l':
		s++;
		c->length = LEN_L;
		if (*s == 'l') {
			s++;
			c->length = LEN_LL;
		}
		break;
	case 'z': s++; c->length = LEN_Z; break;
	case 'j': s++; c->length = LEN_J; break;
	case 't': s++; c->length = LEN_T; break;
	default: break;
	}
	c->conv = *s;
	if (*s)
		s++;
	*p = s;
	switch (c->conv) {
	case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
	case 'p': case 's': case 'c': case '%':
		return true;
	default:
		return false;
	}
}

/* Print a number: its magnitude, an optional prefix (sign, 0x), padding. */
static void put_number(struct output *o, const struct conversion *c, uintmax_t value,
		       unsigned base, bool upper, const char *prefix)
{
	const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[sizeof(uintmax_t) * 3]; /* enough for octal */
	long ndigits = 0;

	/* C: zero with precision 0 prints no digits at all */
	if (value != 0 || c->precision != 0) {
		do {
			digits[ndigits++] = digit_chars[value % base];
			value /= base;
		} while (value);
	}
	long zeros = c->precision > ndigits ? c->precision - ndigits : 0;
	/* '#' with 'o': the first digit must be a 0 */
	if (c->alt && base == 8 && zeros == 0 && (ndigits == 0 || digits[ndigits - 1] != '0'))
		zeros = 1;
	long prefix_len = 0;
	while (prefix[prefix_len])
		prefix_len++;
	long len = prefix_len + zeros + ndigits;
	/* '0' pads with zeros after the prefix, unless '-' or a precision */
	if (c->zero_pad && !c->left && c->precision < 0 && c->width > len) {
		zeros += c->width - len;
		len = c->width;
	}
	if (!c->left)
		put_repeat(o, ' ', c->width - len);
	put_chars(o, prefix, prefix_len);
	put_repeat(o, '0', zeros);
	while (ndigits)
		put_char(o, digits[--ndigits]);
	if (c->left)
		put_repeat(o, ' ', c->width - len);
}

static void put_padded(struct output *o, const struct conversion *c, const char *s, long n)
{
	if (!c->left)
		put_repeat(o, ' ', c->width - n);
	put_chars(o, s, n);
	if (c->left)
		put_repeat(o, ' ', c->width - n);
}

static intmax_t signed_arg(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H:  return (short)va_arg(*ap, int);
	case LEN_L:  return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z:  return (ptrdiff_t)va_arg(*ap, size_t); /* the signed size_t */
	case LEN_J:  return va_arg(*ap, intmax_t);
	case LEN_T:  return va_arg(*ap, ptrdiff_t);
	default:     return va_arg(*ap, int);
	}
}

static uintmax_t unsigned_arg(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:  return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z:  return va_arg(*ap, size_t);
	case LEN_J:  return va_arg(*ap, uintmax_t);
	case LEN_T:  return (size_t)va_arg(*ap, ptrdiff_t); /* the unsigned ptrdiff_t */
	default:     return va_arg(*ap, unsigned int);
	}
}

static void format_one(struct output *o, struct conversion *c, va_list *ap)
{
	if (c->width_arg) {
		int w = va_arg(*ap, int);
		/* a negative width is a '-' flag and a positive width */
		if (w < 0) {
			c->left = true;
			c->width = -(long)w;
		} else {
			c->width = w;
		}
	}
	if (c->prec_arg) {
		int prec = va_arg(*ap, int);
		c->precision = prec < 0 ? -1 : prec; /* negative: as if omitted */
	}

	switch (c->conv) {
	case 'd':
	case 'i': {
		intmax_t v = signed_arg(ap, c->length);
		uintmax_t magnitude = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
		const char *sign = v < 0 ? "-" : c->plus ? "+" : c->space ? " " : "";
		put_number(o, c, magnitude, 10, false, sign);
		break;
	}
	case 'u':
		put_number(o, c, unsigned_arg(ap, c->length), 10, false, "");
		break;
	case 'o':
		put_number(o, c, unsigned_arg(ap, c->length), 8, false, "");
		break;
	case 'x':
	case 'X': {
		uintmax_t v = unsigned_arg(ap, c->length);
		bool upper = c->conv == 'X';
		const char *prefix = c->alt && v ? (upper ? "0X" : "0x") : "";
		put_number(o, c, v, 16, upper, prefix);
		break;
	}
	case 'p': {
		/* always the full width of an address, so columns line up */
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);
		c->precision = sizeof(uintptr_t) * 2;
		c->zero_pad = false;
		put_number(o, c, v, 16, false, "0x");
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		/* with a precision, s need not be NUL-terminated: look no further */
		long n = 0;
		while ((c->precision < 0 || n < c->precision) && s[n])
			n++;
		put_padded(o, c, s, n);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		put_padded(o, c, &ch, 1);
		break;
	}
	default: /* '%' */
		put_char(o, '%');
		break;
	}
}

void fmt_format(void (*emit)(void *arg, char c), void *arg, const char *fmt, va_list ap)
{
	struct output o = { emit, arg };
	va_list args;

	/* a copy that helpers can take by pointer (va_list may be an array type) */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put_char(&o, *fmt++);
			continue;
		}
		const char *start = fmt++;
		struct conversion c;
		if (!parse_conversion(&fmt, &c)) {
			put_chars(&o, start, fmt - start);
			continue;
		}
		if (c.conv == '%') {
			put_char(&o, '%'); /* "%%" takes no arguments, whatever came between */
			continue;
		}
		format_one(&o, &c, &args);
	}
	va_end(args);
}

struct buffer {
	char *buf;
	size_t size;
	size_t len; /* everything emitted, also what did not fit */
};

static void buffer_emit(void *arg, char c)
{
	struct buffer *b = arg;
	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer b = { buf, size, 0 };
	fmt_format(buffer_emit, &b, fmt, ap);
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return b.len > (size_t)INT_MAX_VALUE ? -1 : (int)b.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
