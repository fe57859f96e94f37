/*
 * number.c: strtol, strtoul, atoi and box_strtou64 (boxlib/string.h).
 *
 * One parser, box_strtou64: optional spaces, an optional sign (for the
 * signed and C-compatible wrappers), then digits in base 2..36 (0: prefix
 * decides).  Overflow saturates instead of wrapping and is reported.
 */
#include "boxlib/string.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Digits of s (after spaces and sign are handled by the caller). */
static int parse_digits(const char *s, const char **stop, int base, uint64_t *out)
{
	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16)
			base = 16, s += 2;
		else if (s[0] == '0')
			base = 8;
		else
			base = 10;
	} else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
		   digit_value(s[2]) < 16) {
		s += 2;
	}
	if (base < 2 || base > 36) {
		*out = 0;
		return -1;
	}
	uint64_t v = 0;
	int any = 0, over = 0;
	for (; digit_value(*s) < base; s++) {
		unsigned d = (unsigned)digit_value(*s);
		if (v > (UINT64_MAX - d) / (unsigned)base)
			over = 1;
		else
			v = v * (unsigned)base + d;
		any = 1;
	}
	*stop = s;
	*out = over ? UINT64_MAX : v;
	return !any ? -1 : over ? -2 : 0;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	return s;
}

int box_strtou64(const char *s, char **end, int base, uint64_t *out)
{
	const char *p = skip_space(s), *stop = s;
	int rc = parse_digits(p, &stop, base, out);
	if (end)
		*end = (char *)(rc == -1 ? s : stop);
	return rc;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	const char *p = skip_space(s), *stop = s;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	uint64_t v;
	int rc = parse_digits(p, &stop, base, &v);
	if (end)
		*end = (char *)(rc == -1 ? s : stop);
	if (rc == -1)
		return 0;
	return neg && rc == 0 ? (unsigned long)(0 - v) : (unsigned long)v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	const char *p = skip_space(s), *stop = s;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	uint64_t v;
	int rc = parse_digits(p, &stop, base, &v);
	if (end)
		*end = (char *)(rc == -1 ? s : stop);
	if (rc == -1)
		return 0;
	if (neg)
		return v > (uint64_t)INT64_MAX + 1 ? INT64_MIN : (long)(0 - v);
	return v > INT64_MAX ? INT64_MAX : (long)v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}
