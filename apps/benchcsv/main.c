/*
 * benchcsv: runs `bench --csv` as a child and exits with its status.
 *
 * The kernel command line (`run=NAME:LEVEL`) starts programs without
 * arguments, so this is how a boot with no shell (tests/qemu/test_bench.py,
 * `make bench`) gets bench's CSV.  Arguments given to benchcsv itself are
 * passed on after --csv (e.g. `benchcsv --iters 50`).  Run it at auth
 * system: bench needs that level (the raw disk row), and a child gets at most its parent's.
 */
#include "boxlib/call.h"
#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define WAIT_NS (600ull * 1000000000ull)  /* bench takes seconds; be generous */

int main(int argc, char **argv)
{
	static char args[BOX_START_ARGS_MAX];
	static const char head[] = "bench\0--csv";
	size_t len = sizeof(head);
	memcpy(args, head, len);
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (len + n > sizeof(args)) {
			printf("arguments too long\n");
			return 2;
		}
		memcpy(args + len, argv[i], n);
		len += n;
	}
	uint64_t child = 0, status = 0;
	int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, len, NULL, 0, NULL, &child);
	if (st != BOX_OK) {
		printf("cannot spawn bench: %s\n", box_status_name(st));
		return 1;
	}
	box_call_timeout_us = WAIT_NS / 1000 + 10000000;
	st = box_system_proc_wait(child, WAIT_NS, NULL, 0, NULL, &status);
	if (st != BOX_OK) {
		printf("waiting for bench: %s\n", box_status_name(st));
		return 1;
	}
	return (int)(int64_t)status;
}
