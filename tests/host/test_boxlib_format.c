/*
 * test_boxlib_format.c: boxlib's printf core (boxlib/format.c).
 *
 * Every format in the tables is printed by box_snprintf and by the host
 * libc's snprintf with the same argument; the two must agree byte for byte,
 * as must the returned lengths.  Then random combinations of flags, width,
 * precision and conversions with random values, the truncation rules of
 * snprintf (cap 0, cap 1, cutting inside a conversion), and the cases where
 * boxlib is defined to differ from nothing in C (unknown conversions, NULL
 * %s) against literal expectations.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "boxlib/stdio.h"

static int mismatches;

static void compare(const char *what, const char *mine, int mine_n, const char *libc, int libc_n)
{
	if (strcmp(mine, libc) != 0 || mine_n != libc_n) {
		mismatches++;
		if (mismatches < 20)
			printf("FAIL %s: boxlib \"%s\" (%d), libc \"%s\" (%d)\n", what, mine, mine_n,
			       libc, libc_n);
	}
}

#define SAME(fmt, ...)                                                              \
	do {                                                                        \
		char a_[256], b_[256];                                              \
		int an_ = box_snprintf(a_, sizeof(a_), fmt, __VA_ARGS__);          \
		int bn_ = snprintf(b_, sizeof(b_), fmt, __VA_ARGS__);              \
		compare(fmt, a_, an_, b_, bn_);                                     \
		check_passed++;                                                     \
	} while (0)

#pragma GCC diagnostic ignored "-Wformat"  /* the tables also test what C calls "ignored" */
static void test_fixed(void)
{
	int before = mismatches;
	SAME("%d", 0);
	SAME("%d", -1);
	SAME("%d", 2147483647);
	SAME("%d", (int)-2147483647 - 1);
	SAME("%i|%5i|%-5i|%05i", 42, 42, 42, -42);
	SAME("%+d % d %+d % d", 5, 5, -5, -5);
	SAME("%.3d|%8.3d|%-8.3d|%08.3d", 7, -7, 7, 7);
	SAME("%.0d|%.0u|%.0x|%5.0d|", 0, 0u, 0u, 0);
	SAME("%u", 4294967295u);
	SAME("%x %X %#x %#X %#o %o", 0xdeadbeefu, 0xdeadbeefu, 255u, 255u, 8u, 8u);
	SAME("%#x %#o %#.0o", 0u, 0u, 0u);
	SAME("%08x|%-8x|%#010x", 0xabcu, 0xabcu, 0xabcu);
	SAME("%ld %lu %lx", -1234567890123L, 1234567890123UL, 0xfedcba9876543210UL);
	SAME("%lld %llu %llx", (long long)-9223372036854775807LL - 1, 18446744073709551615ULL,
	     0x0123456789abcdefULL);
	SAME("%zu %zd %zx", (size_t)123456789, (ssize_t)-5, (size_t)0xffff);
	SAME("%jd %td", (intmax_t)-77, (ptrdiff_t)-88);
	SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	SAME("%c%c%c|%3c|%-3c|", 'a', 'b', 'c', 'x', 'y');
	SAME("%s|%10s|%-10s|%.2s|%10.3s|%-10.3s|", "hello", "hi", "hi", "hello", "hello", "hello");
	SAME("%s", "");
	SAME("100%% %s %%", "sure");
	SAME("%*d|%-*d|%*d", 6, 42, 6, 42, -6, 42);
	SAME("%.*d|%.*s|%.*d", 4, 42, 3, "abcdef", -1, 42);
	SAME("%p %p", (void *)0x1234, (void *)0xffff800000000000ULL);
	SAME("%20p|%-20p|", (void *)0xabc, (void *)0xabc);
	SAME("%p", (void *)0);
	SAME("no conversions at all%s", "");
	SAME("%d %s %c %x %u %%", -3, "mixed", 'Q', 0x7fu, 99u);
	CHECK_EQ(mismatches, before);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random flag/width/precision/conversion combinations with random values. */
static void test_random(void)
{
	static const char flags[] = "-0+ #";
	static const char *const lens[] = {"", "hh", "h", "l", "ll", "z"};
	static const char convs[] = "diuxXo";
	int before = mismatches;
	for (int i = 0; i < 20000; i++) {
		char fmt[64];
		size_t n = 0;
		fmt[n++] = 'x';
		fmt[n++] = '%';
		for (int k = 0; k < 5; k++)
			if (next_rand() & 1)
				fmt[n++] = flags[k];
		if (next_rand() & 1)
			n += (size_t)sprintf(fmt + n, "%u", (unsigned)(next_rand() % 30));
		if (next_rand() & 1)
			n += (size_t)sprintf(fmt + n, ".%u", (unsigned)(next_rand() % 25));
		const char *len = lens[next_rand() % 6];
		char conv = convs[next_rand() % 6];
		n += (size_t)sprintf(fmt + n, "%s%cy", len, conv);
		fmt[n] = 0;
		uint64_t v = next_rand();
		if (next_rand() & 1)
			v >>= next_rand() % 64;
		if ((next_rand() & 7) == 0)
			v = 0;
		char a[128], b[128];
		int an, bn;
		/* libc's printf warns about formats it cannot see; they are built here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (!strcmp(len, "l") || !strcmp(len, "ll") || !strcmp(len, "z")) {
			an = box_snprintf(a, sizeof(a), fmt, (unsigned long long)v);
			bn = snprintf(b, sizeof(b), fmt, (unsigned long long)v);
		} else {
			an = box_snprintf(a, sizeof(a), fmt, (unsigned)v);
			bn = snprintf(b, sizeof(b), fmt, (unsigned)v);
		}
		if (i % 3 == 0) { /* strings with the same flags, width and precision */
			fmt[n - 2] = 's';
			memmove(fmt + n - 2 - strlen(len), fmt + n - 2, 3);
			const char *str = "BoxOS strings" + next_rand() % 13;
			char a2[128], b2[128];
			int an2 = box_snprintf(a2, sizeof(a2), fmt, str);
			int bn2 = snprintf(b2, sizeof(b2), fmt, str);
			compare(fmt, a2, an2, b2, bn2);
		}
#pragma GCC diagnostic pop
		compare(fmt, a, an, b, bn);
		check_passed++;
	}
	CHECK_EQ(mismatches, before);
}

static void test_truncation(void)
{
	char buf[8];
	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(box_snprintf(buf, 0, "%d", 12345), 5);
	CHECK(buf[0] == 'Z');                       /* cap 0 writes nothing */
	CHECK_EQ(box_snprintf(buf, 1, "%d", 12345), 5);
	CHECK(buf[0] == 0 && buf[1] == 'Z');
	CHECK_EQ(box_snprintf(buf, 4, "%s-%d", "ab", 789), 6);
	CHECK(!strcmp(buf, "ab-") && buf[4] == 'Z');
	CHECK_EQ(box_snprintf(buf, sizeof(buf), "%08d", -3), 8);
	CHECK(!strcmp(buf, "-000000"));
	char big[400];
	CHECK_EQ(box_snprintf(big, sizeof(big), "%300d|", 1), 301);
	CHECK(big[298] == ' ' && big[299] == '1' && big[300] == '|' && big[301] == 0);
}

static void test_defined_oddities(void)
{
	char buf[64];
	const char *volatile null = NULL;
	CHECK_EQ(box_snprintf(buf, sizeof(buf), "[%s]", null), 8);
	CHECK(!strcmp(buf, "[(null)]"));
	/* Unknown conversions are copied as written, arguments are not consumed. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	CHECK_EQ(box_snprintf(buf, sizeof(buf), "a%qb%d", 5), 5);
	CHECK(!strcmp(buf, "a%qb5"));
	CHECK_EQ(box_snprintf(buf, sizeof(buf), "end%"), 4);
	CHECK(!strcmp(buf, "end%"));
	CHECK_EQ(box_snprintf(buf, sizeof(buf), "%-5k|"), 5);
	CHECK(!strcmp(buf, "%-5k|"));
#pragma GCC diagnostic pop
}

/* The sink sees the whole output, in order, whatever the piece sizes. */
static char sunk[4096];
static size_t sunk_len, sunk_calls;
static void sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	memcpy(sunk + sunk_len, s, n);
	sunk_len += n;
	sunk_calls++;
}

static size_t vf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = box_vformat(sink, NULL, fmt, ap);
	va_end(ap);
	return n;
}

static void test_sink(void)
{
	sunk_len = 0;
	size_t n = vf("line %d: %100s|%-70x|\n", 7, "right", 0xbeefu);
	char want[512];
	int wn = snprintf(want, sizeof(want), "line %d: %100s|%-70x|\n", 7, "right", 0xbeefu);
	CHECK_EQ(n, (size_t)wn);
	CHECK_EQ(sunk_len, (size_t)wn);
	CHECK(memcmp(sunk, want, (size_t)wn) == 0);
	CHECK(sunk_calls > 3);
}

int main(void)
{
	test_fixed();
	test_random();
	test_truncation();
	test_defined_oddities();
	test_sink();
	return check_report();
}
