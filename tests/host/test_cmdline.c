/* test_cmdline.c: the kernel command-line parser (kernel/lib/cmdline.c). */
#include <string.h>
#include "check.h"
#include "lib/cmdline.h"

static void test_values(void)
{
	char v[8];
	CHECK(cmdline_get("loglevel=debug selftest", "loglevel", v, sizeof(v)));
	CHECK(strcmp(v, "debug") == 0);
	CHECK(cmdline_get("selftest", "selftest", v, sizeof(v)));
	CHECK(strcmp(v, "") == 0);
	CHECK(cmdline_get("a=1 a=2", "a", v, sizeof(v)) && strcmp(v, "2") == 0);
	CHECK(cmdline_get("  \t fault=page\n", "fault", v, sizeof(v)) && strcmp(v, "page") == 0);
	CHECK(cmdline_get("k=abcdefghijkl", "k", v, sizeof(v)) && strcmp(v, "abcdefg") == 0);
	CHECK(cmdline_get("k=a=b", "k", v, sizeof(v)) && strcmp(v, "a=b") == 0);
}

static void test_no_false_matches(void)
{
	char v[8] = "x";
	CHECK(!cmdline_get("", "a", v, sizeof(v)));
	CHECK(!cmdline_get("    ", "a", v, sizeof(v)));
	CHECK(!cmdline_has("selftests", "selftest"));
	CHECK(!cmdline_has("selftest", "selftests"));
	CHECK(!cmdline_has("xa=1", "a"));
	CHECK(!cmdline_has("loglevel=debug", "debug"));
	CHECK(!cmdline_get(NULL, "a", v, sizeof(v)));
	CHECK(strcmp(v, "x") == 0); /* untouched when absent */
	CHECK(cmdline_has("=1 a", "a"));
}

int main(void)
{
	test_values();
	test_no_false_matches();
	return check_report();
}
