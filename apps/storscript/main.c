/*
 * storscript: runs the commands in a script file on the volume, one per
 * line (a test driver: the QEMU storage tests boot with
 * run=storscript:system and put the scripts on the disk with mktagfs).
 *
 *   storscript [FILE]
 *
 * Without FILE it runs the first of the files named script1, script2, ...
 * that does not carry the tag `done`, and tags it `done` before running it
 * (so each boot of a test runs the next script, even after a crash).
 * Each line is "APP ARG..." (words split on spaces; "double quotes" keep a
 * word together; lines starting with # are skipped).  The app is spawned
 * with those arguments at storscript's own level (system.proc.spawn) and
 * waited for; then "storscript: exit N: LINE" is printed.  A line
 * starting "@app ", "@utility " or "@system " spawns at that level instead.
 * Built in: "use TAG..." / "use -" set and clear the machine-wide use
 * context (system.ctx.use / ctx.clear); "scope TAG..." / "scope -" set and
 * clear the storage scope (storage.ctx.set / ctx.clear); "devread DISK
 * BLOCK" reads one raw block (storage.dev.read) and prints
 * "devread DISK BLOCK: xxh3 HASH" (its XXH3-64, by operations.hash).  At the end:
 * "storscript: done N commands, M failed".  Exit = M (at most 100).
 */
#include "../storage_app.h"
#include "boxos/abi/proc.h"

static char script[16384];
static char args[3968];
static uint8_t info[4096];

/* The first scriptN without the tag `done`; 0 when there is none. */
static int next_script(char *name, size_t cap, uint64_t *id)
{
	for (int k = 1; k < 100; k++) {
		snprintf(name, cap, "script%d", k);
		if (box_storage_lookup(name, strlen(name), id) != BOX_OK)
			return 0;
		uint64_t len = 0;
		if (box_storage_getinfo(*id, 0, info, sizeof(info) - 1, &len, NULL) != BOX_OK)
			return 0;
		info[len] = 0;
		const char *tags = (const char *)info + sizeof(struct box_storage_info);
		int done = 0;
		for (const char *t = tags; *t;) {
			size_t l = strcspn(t, " ");
			done |= l == 4 && strncmp(t, "done", 4) == 0;
			t += l + (t[l] == ' ');
		}
		if (!done)
			return 1;
	}
	return 0;
}

static char *skip_word(char *line)
{
	while (*line && *line != ' ')
		line++;
	while (*line == ' ')
		line++;
	return line;
}

static int32_t builtin_use(char *line)
{
	char *list = skip_word(line);
	if (strcmp(list, "-") == 0)
		return box_system_ctx_clear(NULL);
	return box_system_ctx_use(list, strlen(list), NULL);
}

static int32_t builtin_scope(char *line)
{
	char *list = skip_word(line);
	if (strcmp(list, "-") == 0)
		return box_storage_ctx_clear(NULL);
	return box_storage_ctx_set(list, strlen(list), NULL);
}

static uint8_t block[4096];

static int32_t builtin_devread(char *line)
{
	char *a = skip_word(line);
	char *b = skip_word(a);
	char *end;
	uint64_t disk, blk;
	if (box_strtou64(a, &end, 0, &disk) != 0 || *end != ' ' ||
	    st_parse_u64(b, &blk) != 0 || disk > 0xFFFFFFFFu)
		return BOX_ERR_INVALID;
	uint64_t len = 0;
	int32_t st = box_storage_dev_read((uint32_t)disk, blk, block, sizeof(block), &len, NULL);
	if (st != BOX_OK)
		return st;
	uint64_t hash = 0, hl = 0;
	uint8_t hout[8];
	st = box_operations_hash(0, block, sizeof(block), hout, sizeof(hout), &hl, &hash);
	if (st != BOX_OK)
		return st;
	printf("devread %lu %lu: xxh3 %016lx\n", (unsigned long)disk, (unsigned long)blk,
	       (unsigned long)hash);
	return BOX_OK;
}

static int32_t builtin(char *line, int *handled)
{
	*handled = 1;
	if (strncmp(line, "use ", 4) == 0)
		return builtin_use(line);
	if (strncmp(line, "scope ", 6) == 0)
		return builtin_scope(line);
	if (strncmp(line, "devread ", 8) == 0)
		return builtin_devread(line);
	*handled = 0;
	return BOX_OK;
}

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: storscript [FILE]  (run the commands in FILE, default the next scriptN)"))
		return 0;
	char file[32];
	uint64_t id, got = 0;
	int32_t st;
	if (argc > 1) {
		snprintf(file, sizeof(file), "%s", argv[1]);
		st = st_resolve(file, &id);
		if (st != BOX_OK)
			return st_fail(file, st);
	} else {
		if (!next_script(file, sizeof(file), &id)) {
			printf("no script left to run\n");
			return 0;
		}
		st = box_storage_tag_set(id, "done", 4, NULL);
		if (st != BOX_OK)
			return st_fail("tag done", st);
	}
	st = box_storage_read(id, 0, 0, script, sizeof(script) - 1, NULL, &got);
	if (st != BOX_OK)
		return st_fail(file, st);
	script[got] = 0;
	printf("running %s\n", file);
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
		int handled;
		st = builtin(line, &handled);
		if (handled) {
			done++;
			failed += st != BOX_OK;
			if (st != BOX_OK)
				printf("%s: %s\n", box_status_name(st), line);
			printf("exit %d: %s\n", st == BOX_OK ? 0 : 1, line);
			continue;
		}
		uint8_t level = BOX_SPAWN_AUTH_SAME;
		char *cmd = line;
		if (line[0] == '@') {
			static const char *const names[] = {"app", "utility", "system"};
			static const uint8_t levels[] = {BOX_AUTH_APP, BOX_AUTH_UTILITY, BOX_AUTH_SYSTEM};
			for (int k = 0; k < 3; k++) {
				size_t l = strlen(names[k]);
				if (strncmp(line + 1, names[k], l) == 0 && line[1 + l] == ' ')
					level = levels[k];
			}
			cmd = skip_word(line);
		}
		size_t n = 0;
		uint32_t count = 0;
		for (char *q = cmd; *q;) {
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
		st = box_system_proc_spawn(0, level, args, n, NULL, 0, NULL, &child);
		if (st == BOX_OK) {
			uint64_t len = 0;
			st = box_system_proc_wait(child, 280000000000ull, &status, sizeof(status), &len, NULL);
		}
		done++;
		if (st != BOX_OK) {
			failed++;
			printf("%s: %s\n", box_status_name(st), line);
			continue;
		}
		if (status != 0)
			failed++;
		printf("exit %ld: %s\n", (long)status, line);
	}
	printf("done %u commands, %u failed\n", done, failed);
	return failed > 100 ? 100 : (int)failed;
}
