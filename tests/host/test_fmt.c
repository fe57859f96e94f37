/*
 * test_fmt.c: host tests for the formatter (kernel/lib/fmt.c).
 *
 * Most cases are compared with the host C library's snprintf: a generated
 * table of integer formats (every length modifier, flag combination that C
 * defines, widths, precisions, '*') over edge values, plus strings and
 * characters.  A sample is also checked at every buffer size for truncation,
 * NUL termination and not writing past the end.  The cases where BoxOS
 * differs on purpose (%p, %s of NULL, unknown conversions) are checked
 * against fixed strings.  Every comparison counts as one check.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "lib/fmt.h"

#define BUF 512

static unsigned mismatches, compared, truncation_checks;

/* Whole output and every truncation of it, against the host. */
static void compare_v(bool all_sizes, const char *fmt, va_list ap)
{
	char want[BUF], got[BUF];
	va_list a1, a2;
	va_copy(a1, ap);
	va_copy(a2, ap);
	int want_n = vsnprintf(want, sizeof want, fmt, a1);
	int got_n = fmt_vsnprintf(got, sizeof got, fmt, a2);
	va_end(a1);
	va_end(a2);
	compared++;
	if (want_n != got_n || strcmp(want, got) != 0) {
		check_failed++;
		if (mismatches++ < 30)
			printf("FAIL format \"%s\": want %d \"%s\", got %d \"%s\"\n",
			       fmt, want_n, want, got_n, got);
		return;
	}
	check_passed++;
	if (!all_sizes)
		return;
	for (size_t size = 0; size <= (size_t)want_n + 1; size++) {
		char wbuf[BUF + 2], gbuf[BUF + 2];
		memset(wbuf, '#', sizeof wbuf);
		memset(gbuf, '#', sizeof gbuf);
		va_copy(a1, ap);
		va_copy(a2, ap);
		int wn = vsnprintf(size ? wbuf : NULL, size, fmt, a1);
		int gn = fmt_vsnprintf(size ? gbuf : NULL, size, fmt, a2);
		va_end(a1);
		va_end(a2);
		truncation_checks++;
		if (wn != gn || memcmp(wbuf, gbuf, sizeof wbuf) != 0) {
			check_failed++;
			if (mismatches++ < 30)
				printf("FAIL format \"%s\" at size %zu\n", fmt, size);
		} else {
			check_passed++;
		}
	}
}

__attribute__((format(printf, 1, 2)))
static void same(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	compare_v(true, fmt, ap);
	va_end(ap);
}

/* For generated (non-literal) formats; every 7th also at all sizes. */
static void same_gen(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	compare_v(compared % 7 == 0, fmt, ap);
	va_end(ap);
}

/* All sizes, for formats gcc's -Wformat frowns on although C defines them. */
static void same_unchecked(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	compare_v(true, fmt, ap);
	va_end(ap);
}

/* Our output against a fixed string (no format checking: %y etc.). */
static void expect(const char *want, const char *fmt, ...)
{
	char got[BUF];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(got, sizeof got, fmt, ap);
	va_end(ap);
	compared++;
	if (n != (int)strlen(want) || strcmp(got, want) != 0) {
		check_failed++;
		if (mismatches++ < 30)
			printf("FAIL format \"%s\": want \"%s\", got %d \"%s\"\n", fmt, want, n, got);
	} else {
		check_passed++;
	}
}

static const char *const lengths[] = { "hh", "h", "", "l", "ll", "z", "j", "t" };
static const long long signed_values[] = {
	0, 1, -1, 7, -7, 42, -42, 127, -128, 255, 32767, -32768, 65535,
	123456789, -123456789, 2147483647, -2147483647 - 1, 4294967295LL,
	INT64_MAX, INT64_MIN, 0x1234567890ABCDEFLL,
};

/* Pass v as the type the length modifier says. */
static void call_with_length(const char *fmt, int length, bool is_signed, long long v,
			     int star_count, int star1, int star2)
{
	/* star arguments come first, then the value */
#define CALL(value)                                                                \
	do {                                                                       \
		if (star_count == 0)                                               \
			same_gen(fmt, value);                                      \
		else if (star_count == 1)                                          \
			same_gen(fmt, star1, value);                               \
		else                                                               \
			same_gen(fmt, star1, star2, value);                        \
	} while (0)
	switch (length) {
	case 0: /* hh: promoted to int */
	case 1: /* h */
	case 2:
		if (is_signed)
			CALL((int)v);
		else
			CALL((unsigned)v);
		break;
	case 3:
		if (is_signed)
			CALL((long)v);
		else
			CALL((unsigned long)v);
		break;
	case 4:
		if (is_signed)
			CALL(v);
		else
			CALL((unsigned long long)v);
		break;
	case 5:
		if (is_signed)
			CALL((ptrdiff_t)v); /* same size as size_t here */
		else
			CALL((size_t)v);
		break;
	case 6:
		if (is_signed)
			CALL((intmax_t)v);
		else
			CALL((uintmax_t)v);
		break;
	default:
		if (is_signed)
			CALL((ptrdiff_t)v);
		else
			CALL((size_t)v);
		break;
	}
#undef CALL
}

static void test_integer_table(void)
{
	static const char *const flag_sets[] = { "", "-", "0", "+", " ", "#", "-+", "0+",
						 "0 ", "-#", "0#", "+ ", "-0", "-0+#" };
	static const char *const widths[] = { "", "1", "5", "24", "*" };
	static const char *const precisions[] = { "", ".", ".0", ".1", ".5", ".30", ".*" };
	static const int star_widths[] = { 0, 7, -9, 30 };
	static const int star_precisions[] = { 0, 3, -1, 25 };
	const char *convs = "diuxXo";

	for (unsigned li = 0; li < 8; li++)
	for (const char *cv = convs; *cv; cv++)
	for (unsigned fi = 0; fi < sizeof flag_sets / sizeof *flag_sets; fi++)
	for (unsigned wi = 0; wi < sizeof widths / sizeof *widths; wi++)
	for (unsigned pi = 0; pi < sizeof precisions / sizeof *precisions; pi++) {
		bool is_signed = *cv == 'd' || *cv == 'i';
		const char *flags = flag_sets[fi];
		/* skip what C leaves undefined: + and space on unsigned, # on decimal */
		if (!is_signed && (strchr(flags, '+') || strchr(flags, ' ')))
			continue;
		if (strchr(flags, '#') && !(*cv == 'x' || *cv == 'X' || *cv == 'o'))
			continue;
		char fmt[32];
		snprintf(fmt, sizeof fmt, "[%%%s%s%s%s%c]", flags, widths[wi], precisions[pi],
			 lengths[li], *cv);
		int stars = (widths[wi][0] == '*') + (strcmp(precisions[pi], ".*") == 0);
		for (unsigned vi = 0; vi < sizeof signed_values / sizeof *signed_values; vi++) {
			unsigned si = vi % 4;
			int s1 = widths[wi][0] == '*' ? star_widths[si] : star_precisions[si];
			int s2 = star_precisions[(si + 1) % 4];
			call_with_length(fmt, (int)li, is_signed, signed_values[vi], stars, s1, s2);
		}
	}
}

static void test_literal_cases(void)
{
	same("hello, world");
	same_unchecked("");
	same("%%");
	same("100%% sure, %d%%", 5);
	same("%d %i %u", INT32_MIN, INT32_MAX, UINT32_MAX);
	same("%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	same("%llx %llX %llo", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	     (unsigned long long)UINT64_MAX);
	same("%jd %ju", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX);
	same("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)12345, (ptrdiff_t)-5);
	same("%td %tx", (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)-1);
	same("%hhd %hhu %hhx", 300, 300, -1);
	same("%hd %hu %hx", 70000, 70000, -1);
	same("[%.0d] [%.0u] [%.0x] [%#.0x] [%#.0o] [%5.0d] [%-5.0d]", 0, 0u, 0u, 0u, 0u, 0, 0);
	same("[%#o] [%#x] [%#X] [%#5o] [%#.3o] [%#08x]", 0u, 0u, 0u, 8u, 8u, 255u);
	same_unchecked("[%08.3d] [%-08d] [%+08d] [% 08d] [%+.0d]", -5, -5, 5, 5, 0);
	same("%d%d%d%d%d%d%d%d%d%d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	same("%*d|%-*d|%.*d|%*.*d", 6, 1, 6, 2, 4, 3, -8, 5, 4);
	same_unchecked("%0*d|%0-*d", -6, 1, 6, 2);
	same("%.*s|%.*s", 3, "abcdef", -1, "abcdef");

	/* strings and characters */
	same("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-10.2s] [%.0s] [%.10s]",
	     "hello", "hello", "hello", "hello", "hello", "hello", "hello", "hi");
	same("[%s] [%5s] [%-5s]", "", "", "");
	same("[%c] [%5c] [%-5c] [%c%c%c]", 'a', 'b', 'c', 'x', 0x80 | 'y', 'z');
	same("%s is %d years and %u days, %x", "Box", 3, 42u, 0xBEEFu);
	same("%-*s|", 12, "left");

	/* precision limits reading: the array has no NUL */
	char no_nul[4] = { 'a', 'b', 'c', 'd' };
	same("%.4s|%.3s", no_nul, no_nul);

	/* a long output, and the return value past the buffer */
	same("%300d", 1);
	char small[4];
	CHECK_EQ(fmt_snprintf(small, sizeof small, "%d", 123456), 6);
	CHECK(strcmp(small, "123") == 0);
	CHECK_EQ(fmt_snprintf(NULL, 0, "%s", "abc"), 3);
	small[0] = 'Z';
	CHECK_EQ(fmt_snprintf(small, 1, "xyz"), 3);
	CHECK_EQ(small[0], '\0');
}

/* Where BoxOS differs from glibc on purpose, or C leaves it undefined. */
static void test_boxos_specific(void)
{
	char want[64];
	int x;
	void *p = &x;
	snprintf(want, sizeof want, "0x%016llx", (unsigned long long)(uintptr_t)p);
	expect(want, "%p", p);
	expect("0x0000000000000000", "%p", (void *)0);
	expect("0xffffffff80000000", "%p", (void *)0xffffffff80000000ULL);
	expect("  0x0000000000001234|", "%20p|", (void *)0x1234);
	expect("0x0000000000001234  |", "%-20p|", (void *)0x1234);
	expect("  0x0000000000001234|", "%020p|", (void *)0x1234); /* '0' ignored */

	expect("(null)", "%s", (char *)NULL);
	expect("  (null)|", "%8s|", (char *)NULL);
	expect("(nu", "%.3s", (char *)NULL);

	/* unknown conversions print as written and read no argument */
	expect("%y", "%y");
	expect("%5.2y 7", "%5.2y %d", 7);
	expect("%*y 42", "%*y %d", 42);
	expect("%.*y|%-08.*q|9", "%.*y|%-08.*q|%d", 9);
	expect("%hhk %lq %Lf %n 1", "%hhk %lq %Lf %n %d", 1);
	expect("a%", "a%");
	expect("a%-08", "a%-08");
	expect("a%l", "a%l");
	expect("%%", "%5%%%");
}

/* fmt_format with a custom output function (how the console uses it). */
struct collect {
	char buf[64];
	int n;
};

static void collect_emit(void *arg, char c)
{
	struct collect *col = arg;
	if (col->n < 63)
		col->buf[col->n++] = c;
}

__attribute__((format(printf, 2, 3)))
static void format_into(struct collect *col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_format(collect_emit, col, fmt, ap);
	va_end(ap);
}

static void test_format_core(void)
{
	struct collect col = { .n = 0 };
	format_into(&col, "cpu%u: %s %#x", 3u, "up", 0x1fu);
	col.buf[col.n] = '\0';
	CHECK(strcmp(col.buf, "cpu3: up 0x1f") == 0);
	CHECK_EQ(col.n, 13);
}

int main(void)
{
	test_literal_cases();
	test_integer_table();
	test_boxos_specific();
	test_format_core();
	CHECK_EQ(mismatches, 0);
	CHECK(compared > 10000);
	CHECK(truncation_checks > 10000);
	printf("fmt: %u formats compared, %u truncation checks\n", compared, truncation_checks);
	return check_report();
}
