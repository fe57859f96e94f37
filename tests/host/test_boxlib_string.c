/*
 * test_boxlib_string.c: boxlib's string.c, number.c and args.c on the host.
 *
 * The boxlib sources are #included with every function renamed (bx_...), so
 * they can be compared with the host libc in the same program: random
 * buffers through memmove (overlapping both ways), memcmp, memchr; string
 * functions on random short strings; strtol/strtoul on random and edge-case
 * text.  Then box_args_parse on start pages built here: good ones (0, 1 and
 * many arguments, the maximum size) and each kind of broken one.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define memcpy bx_memcpy
#define memmove bx_memmove
#define memset bx_memset
#define memcmp bx_memcmp
#define memchr bx_memchr
#define strlen bx_strlen
#define strnlen bx_strnlen
#define strcmp bx_strcmp
#define strncmp bx_strncmp
#define strchr bx_strchr
#define strrchr bx_strrchr
#define strstr bx_strstr
#define strspn bx_strspn
#define strcspn bx_strcspn
#define strcpy bx_strcpy
#define strncpy bx_strncpy
#define strcat bx_strcat
#define strncat bx_strncat
#define strdup bx_strdup
#define strndup bx_strndup
#define strtol bx_strtol
#define strtoul bx_strtoul
#define atoi bx_atoi
#include "../../boxlib/string.c"
#include "../../boxlib/number.c"
#include "../../boxlib/args.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strspn
#undef strcspn
#undef strcpy
#undef strncpy
#undef strcat
#undef strncat
#undef strdup
#undef strndup
#undef strtol
#undef strtoul
#undef atoi

static uint64_t rng = 0xC0FFEE123456789ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int sign(int v) { return (v > 0) - (v < 0); }

static void test_memory(void)
{
	uint8_t a[300], b[300];
	int bad = 0;
	for (int i = 0; i < 5000; i++) {
		for (unsigned k = 0; k < sizeof(a); k++)
			a[k] = b[k] = (uint8_t)next_rand();
		size_t n = next_rand() % 100, src = next_rand() % 200, dst = next_rand() % 200;
		bx_memmove(a + dst, a + src, n);
		memmove(b + dst, b + src, n);
		bad += memcmp(a, b, sizeof(a)) != 0;
		size_t m = next_rand() % 50;
		if (next_rand() & 1)
			b[src + m / 2] ^= 1;
		bad += sign(bx_memcmp(a + src, b + src, m)) != sign(memcmp(a + src, b + src, m));
		int c = (int)(next_rand() & 0xff);
		bad += bx_memchr(a, c, n) != memchr(a, c, n);
		bad += bx_memset(a, c, n) != a;
		for (size_t k = 0; k < n; k++)
			bad += a[k] != (uint8_t)c;
		bad += bx_memcpy(b, a, n) != b || memcmp(a, b, n) != 0;
	}
	CHECK_EQ(bad, 0);
}

static void random_string(char *s, size_t cap)
{
	size_t n = next_rand() % cap;
	for (size_t i = 0; i < n; i++)
		s[i] = "abcab\x80\xff"[next_rand() % 7];
	s[n] = 0;
}

static void test_strings(void)
{
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		char x[12], y[12];
		random_string(x, sizeof(x));
		random_string(y, sizeof(y));
		size_t n = next_rand() % 12;
		int c = "abc\x80z"[next_rand() % 5];
		bad += bx_strlen(x) != strlen(x);
		bad += bx_strnlen(x, n) != strnlen(x, n);
		bad += sign(bx_strcmp(x, y)) != sign(strcmp(x, y));
		bad += sign(bx_strncmp(x, y, n)) != sign(strncmp(x, y, n));
		bad += bx_strchr(x, c) != strchr(x, c);
		bad += bx_strchr(x, 0) != strchr(x, 0);
		bad += bx_strrchr(x, c) != strrchr(x, c);
		bad += bx_strstr(x, y) != strstr(x, y);
		bad += bx_strspn(x, y) != strspn(x, y);
		bad += bx_strcspn(x, y) != strcspn(x, y);
		char d1[40], d2[40];
		memset(d1, 'Q', sizeof(d1));
		memset(d2, 'Q', sizeof(d2));
		bad += bx_strncpy(d1, x, n) != d1;
		strncpy(d2, x, n);
		bad += memcmp(d1, d2, sizeof(d1)) != 0;
		bx_strcpy(d1, x);
		strcpy(d2, x);
		bx_strcat(d1, y);
		strcat(d2, y);
		bx_strncat(d1, x, n);
		strncat(d2, x, n);
		bad += memcmp(d1, d2, sizeof(d1)) != 0;
		char *dup = bx_strndup(x, n);
		bad += !dup || strlen(dup) != strnlen(x, n) || strncmp(dup, x, n) != 0;
		free(dup);
	}
	CHECK_EQ(bad, 0);
	char *d = bx_strdup("boxlib");
	CHECK(d && !strcmp(d, "boxlib"));
	free(d);
	CHECK(bx_strstr("abc", "") != NULL);
}

static void test_numbers(void)
{
	static const char *const cases[] = {
		"0", "42", "-42", "+7", "  19x", "0x1f", "0X1F", "017", "0x", "08", "-0",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"99999999999999999999999", "", "   ", "-", "z", "1z", "\t\n 12",
	};
	static const int bases[] = {0, 10, 16, 8, 2, 36};
	int bad = 0;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (unsigned b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
			char *e1, *e2;
			long l1 = bx_strtol(cases[i], &e1, bases[b]);
			long l2 = strtol(cases[i], &e2, bases[b]);
			if (l1 != l2 || e1 != e2) {
				bad++;
				printf("strtol(\"%s\", %d): %ld/%td vs libc %ld/%td\n", cases[i],
				       bases[b], l1, e1 - cases[i], l2, e2 - cases[i]);
			}
			unsigned long u1 = bx_strtoul(cases[i], &e1, bases[b]);
			unsigned long u2 = strtoul(cases[i], &e2, bases[b]);
			if (u1 != u2 || e1 != e2) {
				bad++;
				printf("strtoul(\"%s\", %d): %lu/%td vs libc %lu/%td\n", cases[i],
				       bases[b], u1, e1 - cases[i], u2, e2 - cases[i]);
			}
		}
	for (int i = 0; i < 20000; i++) {
		char s[32];
		snprintf(s, sizeof(s), (next_rand() & 1) ? "%lld" : "%#llx",
			 (long long)(next_rand() >> (next_rand() % 64)) * ((next_rand() & 1) ? -1 : 1));
		bad += bx_strtol(s, NULL, 0) != strtol(s, NULL, 0);
		bad += bx_strtoul(s, NULL, 0) != strtoul(s, NULL, 0);
		bad += bx_atoi(s) != atoi(s);
	}
	CHECK_EQ(bad, 0);
	uint64_t v;
	char *end;
	CHECK(box_strtou64("123abc", &end, 10, &v) == 0 && v == 123 && *end == 'a');
	CHECK(box_strtou64("abc", &end, 10, &v) == -1 && *end == 'a');
	CHECK(box_strtou64("18446744073709551616", NULL, 10, &v) == -2 && v == UINT64_MAX);
	CHECK(box_strtou64("5", NULL, 1, &v) == -1);  /* bad base */
}

static struct box_start page;
static char text[BOX_START_ARGS_MAX];
static char *argv[BOX_ARGV_MAX + 1];

static void make_page(uint32_t argc, const char *args, uint32_t size)
{
	memset(&page, 0, sizeof(page));
	page.magic = BOX_START_MAGIC;
	page.version = BOX_START_VERSION;
	page.argc = argc;
	page.args_size = size;
	memcpy(page.args, args, size);
}

static void test_args(void)
{
	const char *why = NULL;
	make_page(3, "libtest\0one\0two words\0", 22);
	CHECK_EQ(box_args_parse(&page, text, argv, BOX_ARGV_MAX + 1, &why), 3);
	CHECK(why == NULL);
	CHECK(!strcmp(argv[0], "libtest") && !strcmp(argv[1], "one") &&
	      !strcmp(argv[2], "two words") && argv[3] == NULL);
	CHECK((char *)argv[0] == text);  /* copies, not pointers into the page */

	make_page(0, "", 0);
	CHECK_EQ(box_args_parse(&page, text, argv, BOX_ARGV_MAX + 1, &why), 0);
	CHECK(argv[0] == NULL);
	make_page(2, "\0\0", 2);  /* empty strings are arguments too */
	CHECK_EQ(box_args_parse(&page, text, argv, BOX_ARGV_MAX + 1, &why), 2);
	CHECK(argv[0][0] == 0 && argv[1][0] == 0 && argv[2] == NULL);

	/* the most arguments that fit: 1984 one-letter strings */
	static char many[BOX_START_ARGS_MAX];
	for (unsigned i = 0; i < BOX_START_ARGS_MAX; i += 2)
		many[i] = (char)('a' + (i / 2) % 26), many[i + 1] = 0;
	make_page(BOX_ARGV_MAX, many, BOX_START_ARGS_MAX);
	CHECK_EQ(box_args_parse(&page, text, argv, BOX_ARGV_MAX + 1, &why), BOX_ARGV_MAX);
	CHECK(argv[BOX_ARGV_MAX - 1][0] == 'a' + (BOX_ARGV_MAX - 1) % 26 && !argv[BOX_ARGV_MAX]);
	CHECK_EQ(box_args_parse(&page, text, argv, 100, &why), -1);  /* argv too small */

	make_page(1, "x\0", 2);
	page.magic ^= 1;
	CHECK_EQ(box_args_parse(&page, text, argv, 8, &why), -1);
	CHECK(why && strstr(why, "magic"));
	CHECK_EQ(box_args_parse(NULL, text, argv, 8, &why), -1);
	make_page(1, "x\0", 2);
	page.version = 2;
	CHECK_EQ(box_args_parse(&page, text, argv, 8, &why), -1);
	CHECK(strstr(why, "version"));
	make_page(1, "x\0", 2);
	page.args_size = BOX_START_ARGS_MAX + 1;
	CHECK_EQ(box_args_parse(&page, text, argv, 8, &why), -1);
	make_page(2, "ab\0cd", 5);  /* last string not terminated */
	CHECK_EQ(box_args_parse(&page, text, argv, 8, &why), -1);
	CHECK(strstr(why, "NUL"));
	make_page(3, "ab\0cd\0", 6);  /* argc says more than there are */
	CHECK_EQ(box_args_parse(&page, text, argv, 8, &why), -1);
	make_page(1, "ab\0cd\0", 6);  /* and fewer */
	CHECK_EQ(box_args_parse(&page, text, argv, 8, &why), -1);
	make_page(0xFFFFFFFFu, "ab\0", 3);
	CHECK_EQ(box_args_parse(&page, text, argv, 8, &why), -1);

	CHECK(box_heap_range_ok(64ull << 30, 1ull << 30));
	CHECK(!box_heap_range_ok(64ull << 30, 0));
	CHECK(!box_heap_range_ok((64ull << 30) + 1, 4096));
	CHECK(!box_heap_range_ok(0, 4096));
	CHECK(!box_heap_range_ok(BOX_USER_HI - 4096, 8192));
	CHECK(!box_heap_range_ok(BOX_USER_HI - 4096, UINT64_MAX));
	CHECK(box_heap_range_ok(BOX_USER_HI - 4096, 4096));
}

int main(void)
{
	test_memory();
	test_strings();
	test_numbers();
	test_args();
	return check_report();
}
