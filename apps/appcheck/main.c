/*
 * appcheck: the test driver for the user-facing apps (tests/qemu/test_apps.py).
 *
 * The kernel command line cannot pass arguments, so this app spawns each
 * app with arguments (system.proc.spawn), waits for it and compares its
 * exit status with the one expected: `--help` exits 0, bad arguments exit
 * 2, and the argument forms work (`decks operations`, `proca 10`,
 * `memtest 1 2 64`, `trace 5`, ...).  The apps' own output lands in the
 * kernel log between appcheck's lines, where the test reads it.  One line
 * per case.  Then the edge cases of the introspection ops the apps use
 * (op.list into a buffer too small for one record, past the end, from the
 * last op, without an output; mem.info and cpu.stats into too small a
 * buffer), one line each.  Last "appcheck: N of M as expected"; exit 0
 * when all were.
 * Run it at system auth (run=appcheck:system) so it may spawn every app at
 * the level it needs; `shutdown` and `reboot` are only ever given --help
 * or a bad argument here.
 */
#include <stdint.h>

#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define SAME BOX_SPAWN_AUTH_SAME

struct app_case {
	const char *args;  /* words separated by single spaces */
	uint8_t auth;      /* spawn level */
	int expect;        /* exit status */
};

static const struct app_case cases[] = {
	{"today --help", SAME, 0},     {"today extra", SAME, 2},
	{"decks --help", SAME, 0},     {"decks nosuch", SAME, 2},
	{"decks operations", SAME, 0}, {"decks system extra", SAME, 2},
	{"chain --help", SAME, 0},     {"chain 300", SAME, 2},
	{"chain 0x33", SAME, 0},
	{"proca --help", SAME, 0},     {"proca 0", SAME, 2},
	{"proca abc", SAME, 2},        {"proca 10", SAME, 0},
	{"procb --help", SAME, 0},     {"procb extra", SAME, 2},
	{"memtest --help", SAME, 0},   {"memtest x", SAME, 2},
	{"memtest 1 2 64", SAME, 0},
	{"mtest --help", SAME, 0},     {"mtest 0", SAME, 2},
	{"mtest 3000", SAME, 0},
	{"display --help", SAME, 0},   {"display --bogus", SAME, 2},
	{"display --write 1", SAME, 2}, {"display --write 1 2 hi", SAME, 1},
	{"display --demo", SAME, 0},
	{"cpus --help", SAME, 0},      {"cpus x", SAME, 2},
	{"ps --help", SAME, 0},        {"ps x", SAME, 2},
	{"trace --help", SAME, 0},     {"trace 999", SAME, 2},
	{"trace 5", SAME, 0},          {"trace 5", BOX_AUTH_APP, 1},
	{"shutdown --help", SAME, 0},  {"shutdown now", SAME, 2},
	{"reboot --help", SAME, 0},    {"reboot now", SAME, 2},
};

/* Run one case; 1 when the exit status was the expected one. */
static int run(const struct app_case *c)
{
	char args[128];
	size_t n = strlen(c->args);
	if (n + 1 > sizeof(args))
		return 0;
	memcpy(args, c->args, n + 1);
	for (size_t i = 0; i < n; i++)
		if (args[i] == ' ')
			args[i] = 0;
	uint8_t out[8];
	uint64_t len = 0, id = 0, status = 0;
	int32_t st = box_system_proc_spawn(0, c->auth, args, n + 1, out, sizeof(out), &len, &id);
	if (st == BOX_OK) {
		uint64_t saved = box_call_timeout_us;
		box_call_timeout_us = 130000000;
		len = 0;
		st = box_system_proc_wait(id, 120000000000ull, out, sizeof(out), &len, &status);
		box_call_timeout_us = saved;
	}
	int ok = st == BOX_OK && (int64_t)status == c->expect;
	if (st != BOX_OK)
		printf("`%s`: %s, expected exit %d: WRONG\n", c->args, box_status_name(st), c->expect);
	else
		printf("`%s`%s exited %lld, expected %d: %s\n", c->args,
		       c->auth == BOX_AUTH_APP ? " (auth app)" : "", (long long)(int64_t)status, c->expect,
		       ok ? "ok" : "WRONG");
	return ok;
}

/* The new introspection ops' edge cases: 1 when the answer was the expected one. */
static int op_case(const char *what, int32_t st, int32_t want_st, int ok)
{
	int good = st == want_st && ok;
	printf("op %s: %s, expected %s: %s\n", what, box_status_name(st),
	       box_status_name(want_st), good ? "ok" : "WRONG");
	return good;
}

static unsigned op_checks(unsigned *total)
{
	static uint8_t buf[4096];
	uint64_t len = 0, value = 0;
	unsigned good = 0;
	int32_t st = box_system_op_list(0, buf, 63, &len, &value);
	good += (unsigned)op_case("op.list into 63 bytes gives no record but the count", st, BOX_OK,
				  len == 0 && value > 0);
	uint64_t count = value;
	len = 0;
	st = box_system_op_list(0xFFFFFFFFu, buf, sizeof(buf), &len, &value);
	good += (unsigned)op_case("op.list past the end gives nothing", st, BOX_OK,
				  len == 0 && value == count);
	len = 0;
	st = box_system_op_list((uint32_t)count - 1, buf, sizeof(buf), &len, &value);
	good += (unsigned)op_case("op.list from the last op gives one record", st, BOX_OK, len == 64);
	st = box_system_op_list(0, NULL, 0, NULL, NULL);
	good += (unsigned)op_case("op.list without an output", st, BOX_ERR_INVALID, 1);
	len = 0;
	st = box_system_mem_info(buf, 119, &len, NULL);
	good += (unsigned)op_case("mem.info into 119 bytes", st, BOX_ERR_BOUNDS, len == 0);
	st = box_system_mem_info(NULL, 0, NULL, NULL);
	good += (unsigned)op_case("mem.info without an output", st, BOX_ERR_INVALID, 1);
	len = 0;
	st = box_hardware_cpu_stats(buf, 63, &len, &value);
	good += (unsigned)op_case("cpu.stats into 63 bytes", st, BOX_ERR_BOUNDS, len == 0);
	*total += 7;
	return good;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: appcheck [--help]\n");
		printf("spawn every app with good and bad arguments and check the exit statuses\n");
		return 0;
	}
	if (argc > 1) {
		printf("unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	unsigned total = sizeof(cases) / sizeof(cases[0]), good = 0;
	for (unsigned i = 0; i < total; i++)
		good += (unsigned)run(&cases[i]);
	good += op_checks(&total);
	printf("%u of %u as expected\n", good, total);
	return good == total ? 0 : 1;
}
