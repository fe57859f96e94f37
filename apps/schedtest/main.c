/*
 * schedtest: what the scheduler does with CPU-bound Cabins.
 *
 * Run at SYSTEM (`run=schedtest:system`); its children are `sysprobe spin`.
 * Prints one line per step with the ticks each spinner got, then "ok" or
 * "FAILED"; exits with the number of failed steps.  Which steps make sense
 * depends on the App-Core count (from hardware.cpu.info):
 *   fair    (one App-Core) two spinners share it: neither gets less than
 *           a third of what the other gets over 1.5 s
 *   boost   (one App-Core) the same two, one tagged `fast` and the use
 *           context set to `fast`: the tagged one gets more than twice the
 *           other's ticks (it is queued a level higher once both have sunk)
 *   steal   (three or more App-Cores) two spinners per App-Core; then the
 *           two on the last App-Core are killed and it steals a queued
 *           spinner from another core within 1 s
 * Spinners are killed and reaped at the end of each step.
 */
#include <stdint.h>
#include "../systest/call.h"

static int failures;

static void put_num(char *line, size_t *n, uint64_t v)
{
	char digits[24];
	int k = 0;
	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		line[(*n)++] = digits[--k];
}

static void report(const char *step, const char *what, uint64_t a, uint64_t b, int ok)
{
	char line[128];
	size_t n = 0;
	for (const char *s = step; *s; s++)
		line[n++] = *s;
	line[n++] = ':';
	line[n++] = ' ';
	for (const char *s = what; *s; s++)
		line[n++] = *s;
	line[n++] = ' ';
	put_num(line, &n, a);
	line[n++] = ' ';
	put_num(line, &n, b);
	for (const char *s = ok ? " ok\n" : " FAILED\n"; *s; s++)
		line[n++] = *s;
	line[n] = 0;
	say(line);
	failures += !ok;
}

static uint64_t spawn_spinner(void)
{
	static const char args[] = "sysprobe\0spin";
	struct box_params_system_proc_spawn s = {.flags = 0, .auth = BOX_AUTH_APP};
	uint64_t id = 0;
	if (op(BOX_OP_SYSTEM_PROC_SPAWN, &s, sizeof(s), args, sizeof(args), 0, 0, &id, 0) != BOX_OK)
		return 0;
	return id;
}

static int info(uint64_t id, struct box_proc_info *pi)
{
	struct box_params_system_proc_info p = {.cabin = id};
	return op(BOX_OP_SYSTEM_PROC_INFO, &p, sizeof(p), 0, 0, pi, sizeof(*pi), 0, 0) == BOX_OK;
}

static void kill_and_reap(uint64_t id)
{
	struct box_params_system_proc_kill k = {.cabin = id};
	op(BOX_OP_SYSTEM_PROC_KILL, &k, sizeof(k), 0, 0, 0, 0, 0, 0);
	struct box_params_system_proc_wait w = {.cabin = id, .timeout_ns = 5000000000ull};
	op(BOX_OP_SYSTEM_PROC_WAIT, &w, sizeof(w), 0, 0, 0, 0, 0, 0);
}

/* Sleep: WAIT on an empty Result ring ends with the timeout. */
static void nap(uint64_t us)
{
	box_wait(us);
}

static void two_spinners(const char *step, int boost)
{
	uint64_t a = spawn_spinner(), b = spawn_spinner(), tags;
	struct box_proc_info ia, ib;
	if (!a || !b) {
		report(step, "spawn", a, b, 0);
		return;
	}
	if (boost) {
		struct box_params_system_tag_add t = {.cabin = b};
		op(BOX_OP_SYSTEM_TAG_ADD, &t, sizeof(t), "fast", 4, 0, 0, &tags, 0);
		op(BOX_OP_SYSTEM_CTX_USE, 0, 0, "fast", 4, 0, 0, 0, 0);
	}
	nap(1500000);
	int ok = info(a, &ia) && info(b, &ib);
	if (boost)
		op(BOX_OP_SYSTEM_CTX_CLEAR, 0, 0, 0, 0, 0, 0, 0, 0);
	kill_and_reap(a);
	kill_and_reap(b);
	if (!ok) {
		report(step, "info", 0, 0, 0);
		return;
	}
	if (boost)
		ok = ib.ticks > 2 * ia.ticks;
	else
		ok = ia.ticks * 3 >= ib.ticks && ib.ticks * 3 >= ia.ticks && ia.ticks + ib.ticks > 10;
	report(step, "ticks", ia.ticks, ib.ticks, ok);
}

static void steal(unsigned app_cores)
{
	uint64_t ids[16];
	unsigned n = app_cores * 2;
	struct box_proc_info pi;
	for (unsigned i = 0; i < n; i++)
		ids[i] = spawn_spinner();
	nap(300000);
	/* the last App-Core is cpu app_cores (cpu0 is the K-Core) */
	unsigned last = app_cores, killed = 0;
	for (unsigned i = 0; i < n; i++)
		if (ids[i] && info(ids[i], &pi) && pi.core == last) {
			kill_and_reap(ids[i]);
			ids[i] = 0;
			killed++;
		}
	nap(1000000);
	unsigned on_last = 0;
	for (unsigned i = 0; i < n; i++)
		if (ids[i] && info(ids[i], &pi) && pi.core == last)
			on_last++;
	for (unsigned i = 0; i < n; i++)
		if (ids[i])
			kill_and_reap(ids[i]);
	report("steal", "killed, now on the last core", killed, on_last, killed >= 1 && on_last >= 1);
}

int main(void)
{
	uint8_t cpu[64];
	uint64_t len = 0;
	if (box_rings_init() != BOX_OK ||
	    op(BOX_OP_HARDWARE_CPU_INFO, 0, 0, 0, 0, cpu, sizeof(cpu), 0, &len) != BOX_OK || len < 4)
		return 100;
	uint32_t cpus = (uint32_t)cpu[0] | (uint32_t)cpu[1] << 8 | (uint32_t)cpu[2] << 16 |
			(uint32_t)cpu[3] << 24;
	unsigned app_cores = cpus == 1 ? 1 : cpus - 1;
	if (app_cores == 1) {
		two_spinners("fair", 0);
		two_spinners("boost", 1);
	} else if (app_cores >= 3) {
		steal(app_cores < 8 ? app_cores : 7);
	}
	say(failures ? "FAILED\n" : "all steps passed\n");
	return failures;
}
