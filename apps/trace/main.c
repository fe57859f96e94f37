/*
 * trace: the PerfTrace buffer, one line per op the Guide dispatched.
 *
 * system.trace.read (UTILITY) copies the newest entries (struct
 * box_trace_entry, boxos/abi/info.h), oldest first.  Op ids are turned
 * into names with system.op.list (the whole registry, paged); an id the
 * registry does not know is shown in hex.  Each line: sequence number, TSC
 * delta from the previous entry (the first shows 0), Cabin, Deck, op name
 * and status.  `trace N` shows only the newest N.  The last line counts
 * the entries and gives the span they cover in TSC ticks.
 * Exit 0; 1 when an op fails (an APP Cabin gets BOX_ERR_PERM for
 * trace.read: run it at utility); 2 for bad arguments.
 */
#include <stdint.h>

#include "boxos/abi/info.h"
#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define SLOTS 256
#define MAX_OPS 512

static const char *const deck_names[BOX_DECK_COUNT] = {
	"operations", "hardware", "system", "storage", "execution",
};
static struct box_trace_entry entries[SLOTS];
static struct box_op_record ops[MAX_OPS];
static uint32_t op_count;

static int load_ops(void)
{
	uint64_t total = 1;
	while (op_count < total && op_count < MAX_OPS) {
		uint64_t len = 0;
		int32_t st = box_system_op_list(op_count, ops + op_count,
						(MAX_OPS - op_count) * sizeof(ops[0]), &len, &total);
		if (st != BOX_OK) {
			printf("system.op.list failed: %s\n", box_status_name(st));
			return -1;
		}
		if (len == 0)
			break;
		op_count += (uint32_t)(len / sizeof(ops[0]));
	}
	return 0;
}

static const char *op_name(uint64_t id, char *buf, size_t cap)
{
	for (uint32_t i = 0; i < op_count; i++)
		if (ops[i].id == id) {
			ops[i].name[BOX_OP_NAME_MAX - 1] = 0;
			return ops[i].name;
		}
	snprintf(buf, cap, "0x%016llx", (unsigned long long)id);
	return buf;
}

int main(int argc, char **argv)
{
	uint64_t want = SLOTS;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: trace [--help] [N]\n");
		printf("show the PerfTrace buffer: the latest ops with Deck, status, Cabin and TSC delta\n");
		printf("N: only the newest N entries (1-%u); needs auth utility\n", SLOTS);
		return 0;
	}
	if (argc > 2) {
		printf("too many arguments (try trace --help)\n");
		return 2;
	}
	char *end = NULL;
	if (argc == 2 && (box_strtou64(argv[1], &end, 10, &want) != 0 || *end || want == 0 ||
			  want > SLOTS)) {
		printf("N must be a number from 1 to %u, not '%s'\n", SLOTS, argv[1]);
		return 2;
	}
	if (load_ops() != 0)
		return 1;
	uint64_t len = 0, n = 0;
	int32_t st = box_system_trace_read(entries, sizeof(entries), &len, &n);
	if (st != BOX_OK) {
		printf("system.trace.read failed: %s%s\n", box_status_name(st),
		       st == BOX_ERR_PERM ? " (it needs auth utility)" : "");
		return 1;
	}
	n = len / sizeof(entries[0]);
	uint64_t first = n > want ? n - want : 0;
	printf("SEQ        DELTA        CABIN DECK        OP                        STATUS\n");
	for (uint64_t i = first; i < n; i++) {
		const struct box_trace_entry *e = &entries[i];
		uint64_t delta = i > first ? e->tsc - entries[i - 1].tsc : 0;
		char hex[24];
		printf("%-10u +%-11llu %-5u %-11s %-25s %d %s\n", e->seq_lo, (unsigned long long)delta,
		       e->cabin, e->deck < BOX_DECK_COUNT ? deck_names[e->deck] : "?",
		       op_name(e->op_id, hex, sizeof(hex)), e->status, box_status_name(e->status));
	}
	uint64_t span = n > first ? entries[n - 1].tsc - entries[first].tsc : 0;
	printf("%llu entries shown of %llu, spanning %llu TSC ticks\n", (unsigned long long)(n - first),
	       (unsigned long long)n, (unsigned long long)span);
	return 0;
}
