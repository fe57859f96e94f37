/*
 * ps: every Cabin with its state, core, auth, tags and what it costs.
 *
 * system.proc.list gives the ids of the Cabins that have not ended;
 * system.proc.info gives each one's struct box_proc_info.  One line per
 * Cabin: id, parent, name, state, core (the CPU it runs on or last ran
 * on), auth level, scheduler level, tags (god and stopped by name, other
 * tag bits as tagN), user pages mapped, kernel bytes it costs (page
 * tables, kernel stack, rings, its struct), times scheduled and ticks run.
 * `ps` itself is marked with '*'.  A Cabin that ends between the list and
 * its info is skipped.  The last line has the totals.
 * Exit 0, 1 when an op fails, 2 for bad arguments.
 */
#include <stdint.h>

#include "boxlib/calls.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define MAX_LIST 1024

static const char *const states[] = {"new", "ready", "running", "blocked", "exiting", "done"};
static const char *const auths[] = {"none", "app", "utility", "system", "network"};

static void tag_names(uint64_t tags, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	if (!tags) {
		snprintf(out, cap, "-");
		return;
	}
	for (unsigned b = 0; b < 64 && n < cap; b++) {
		if (!(tags & (1ull << b)))
			continue;
		const char *sep = n ? "," : "";
		if (b == 0)
			n += (size_t)snprintf(out + n, cap - n, "%sgod", sep);
		else if (b == 1)
			n += (size_t)snprintf(out + n, cap - n, "%sstopped", sep);
		else
			n += (size_t)snprintf(out + n, cap - n, "%stag%u", sep, b);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: ps [--help]\n");
		printf("list every Cabin with state, core, auth, tags and what it costs the kernel\n");
		return 0;
	}
	if (argc > 1) {
		printf("unexpected argument '%s' (try ps --help)\n", argv[1]);
		return 2;
	}
	static uint64_t ids[MAX_LIST];
	uint64_t len = 0, total = 0;
	int32_t st = box_system_proc_list(ids, sizeof(ids), &len, &total);
	if (st != BOX_OK) {
		printf("system.proc.list failed: %s\n", box_status_name(st));
		return 1;
	}
	uint64_t n = len / 8;
	printf("  ID   PARENT NAME             STATE    CORE AUTH     LVL TAGS       UPAGES KBYTES   RUNS     TICKS\n");
	uint64_t shown = 0, pages = 0, kbytes = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct box_proc_info info;
		uint64_t ilen = 0;
		st = box_system_proc_info(ids[i], &info, sizeof(info), &ilen, NULL);
		if (st == BOX_ERR_NOENT)
			continue; /* ended meanwhile */
		if (st != BOX_OK || ilen != sizeof(info)) {
			printf("system.proc.info %llu failed: %s\n", (unsigned long long)ids[i],
			       box_status_name(st));
			return 1;
		}
		char tags[64];
		tag_names(info.tags, tags, sizeof(tags));
		info.name[sizeof(info.name) - 1] = 0;
		printf("%c %-4u %-6u %-16s %-8s %-4u %-8s %-3u %-10s %-6llu %-8llu %-8llu %llu\n",
		       info.id == box_cabin_id() ? '*' : ' ', info.id, info.parent, info.name,
		       info.state < 6 ? states[info.state] : "?", info.core,
		       info.auth < 5 ? auths[info.auth] : "?", info.level, tags,
		       (unsigned long long)info.user_pages, (unsigned long long)(info.kernel_bytes + 1023) / 1024,
		       (unsigned long long)info.runs, (unsigned long long)info.ticks);
		shown++;
		pages += info.user_pages;
		kbytes += info.kernel_bytes;
	}
	printf("%llu Cabins%s, %llu user pages (%llu KiB), %llu KiB of kernel memory\n",
	       (unsigned long long)shown, total > n ? " (list truncated)" : "",
	       (unsigned long long)pages, (unsigned long long)pages * 4, (unsigned long long)(kbytes + 1023) / 1024);
	return 0;
}
