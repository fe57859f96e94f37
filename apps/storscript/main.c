/*
 * storscript: runs the commands in a file on the volume, one per line
 * (a test driver: the QEMU storage tests boot with run=storscript:system
 * and put the script on the disk image with mktagfs).
 *
 *   storscript [FILE]        FILE: a name on the volume, default "script"
 *
 * Each line is "APP ARG..." (words split on spaces; "double quotes" keep a
 * word together; lines starting with # are skipped).  The app is spawned
 * with those arguments at storscript's own level (system.proc.spawn) and
 * waited for; then "storscript: exit N: LINE" is printed.  At the end:
 * "storscript: done N commands, M failed".  Exit = M (at most 100).
 */
#include "../storage_app.h"
#include "boxos/abi/proc.h"

static char script[16384];
static char args[3968];

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: storscript [FILE]  (run the commands in FILE on the volume)"))
		return 0;
	const char *file = argc > 1 ? argv[1] : "script";
	uint64_t id, got = 0;
	int32_t st = st_resolve(file, &id);
	if (st == BOX_OK)
		st = box_storage_read(id, 0, 0, script, sizeof(script) - 1, NULL, &got);
	if (st != BOX_OK)
		return st_fail(file, st);
	script[got] = 0;
	unsigned done = 0, failed = 0;
	char *p = script;
	while (*p) {
		char *line = p;
		while (*p && *p != '\n')
			p++;
		if (*p)
			*p++ = 0;
		if (line[0] == '#' || line[0] == 0)
			continue;
		size_t n = 0;
		uint32_t count = 0;
		for (char *q = line; *q;) {
			while (*q == ' ')
				q++;
			if (!*q)
				break;
			int quoted = *q == '"';
			if (quoted)
				q++;
			while (*q && (quoted ? *q != '"' : *q != ' ')) {
				if (n + 2 >= sizeof(args))
					break;
				args[n++] = *q++;
			}
			if (quoted && *q == '"')
				q++;
			args[n++] = 0;
			count++;
		}
		if (!count)
			continue;
		uint64_t child = 0;
		int64_t status = -1;
		st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, n, NULL, 0, NULL, &child);
		if (st == BOX_OK) {
			uint64_t v = 0, len = 0;
			st = box_system_proc_wait(child, 280000000000ull, &status, sizeof(status), &len, &v);
		}
		done++;
		if (st != BOX_OK) {
			failed++;
			printf("storscript: %s: %s\n", box_status_name(st), line);
			continue;
		}
		if (status != 0)
			failed++;
		printf("storscript: exit %ld: %s\n", (long)status, line);
	}
	printf("storscript: done %u commands, %u failed\n", done, failed);
	return failed > 100 ? 100 : (int)failed;
}
