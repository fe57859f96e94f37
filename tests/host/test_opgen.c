/*
 * test_opgen.c: host tests for the op spec, tools/opgen and what it generates.
 *
 * Links the generated build/gen/ops_table.c (so its header's _Static_asserts
 * are compiled) and checks the table: every id is XXH3-64 of its name
 * (computed here with the system xxHash), names are unique, well formed and
 * sorted by deck then name, per-deck ranges match, parameter fields are
 * naturally aligned, in order and inside the blob, and the ops issue 3 names
 * are all there with the right auth where it matters.  The userspace header
 * must carry the same ids.  Then it runs opgen (OPGEN_BIN: tools/opgen.c built
 * with ASan and UBSan, so a memory error fails the test) on small
 * spec files in a temporary directory: one bad spec per error class must fail
 * with status 1, a FILE:LINE message and no output file; good specs (odd
 * layouts, a 256-byte blob) must produce outputs that compile; an unwritable
 * output must leave nothing behind.  Finally docs/ops.md must be exactly what
 * opgen makes from ops/ops.spec, so the committed reference cannot go stale.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "boxos/ops.h"
#include "check.h"

#ifndef OPGEN_BIN
#error "OPGEN_BIN, OPS_SPEC, OPS_DOCS, GEN_BOXLIB_H and TEST_CC come from test_opgen.mk"
#endif

static char dir[64];

/* ---- helpers ----------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static unsigned dir_entries(void)
{
	DIR *d = opendir(dir);
	unsigned n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* Runs a shell command with stderr captured in dir/err; returns the exit
 * status and leaves the captured text in *err (caller frees). */
static int run(const char *cmd, char **err)
{
	char full[4096], errpath[128];
	snprintf(errpath, sizeof errpath, "%s/err", dir);
	snprintf(full, sizeof full, "%s >/dev/null 2>%s", cmd, errpath);
	int st = system(full);
	*err = read_file(errpath, NULL);
	if (!*err)
		*err = calloc(1, 1);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Runs opgen on spec text written to dir/t.spec, asking for all four outputs
 * (the header at header_path when given, so a test can make it unwritable). */
static int opgen_on(const char *spec, const char *extra, const char *header_path, char **err)
{
	char path[128], cmd[2048];
	snprintf(path, sizeof path, "%s/t.spec", dir);
	write_file(path, spec);
	snprintf(cmd, sizeof cmd,
		 "'%s' %s --header %s%s --table %s/ops_table.c --docs %s/ops.md "
		 "--boxlib %s/boxlib_ops.h %s",
		 OPGEN_BIN, path, header_path ? "" : dir, header_path ? header_path : "/ops.h",
		 dir, dir, dir, extra ? extra : "");
	return run(cmd, err);
}

static void clean_dir(void)
{
	const char *names[] = { "t.spec", "err", "ops.h", "ops_table.c", "ops.md", "boxlib_ops.h",
				"t.o", "boxos" };
	char p[256];
	for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		if (!strcmp(names[i], "boxos")) {
			snprintf(p, sizeof p, "%s/boxos/ops.h", dir);
			unlink(p);
			snprintf(p, sizeof p, "%s/boxos", dir);
			rmdir(p);
		} else {
			unlink(p);
		}
	}
}

/* ---- the generated table ----------------------------------------------- */

static unsigned type_size(uint8_t t)
{
	switch (t) {
	case BOX_FIELD_U8: return 1;
	case BOX_FIELD_U16: return 2;
	case BOX_FIELD_U32: return 4;
	case BOX_FIELD_U64: return 8;
	case BOX_FIELD_I64: return 8;
	}
	return 0;
}

static bool name_ok(const char *name, uint8_t deck)
{
	size_t dl = strlen(box_deck_names[deck]);
	if (strncmp(name, box_deck_names[deck], dl) || name[dl] != '.')
		return false;
	unsigned parts = 2; /* the deck and the part after it */
	bool start = true;
	for (const char *c = name + dl + 1; *c; c++) {
		if (*c == '.') {
			if (start)
				return false;
			parts++;
			start = true;
			continue;
		}
		bool lower = *c >= 'a' && *c <= 'z';
		if (start ? !lower : !(lower || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
		start = false;
	}
	return !start && (parts == 2 || parts == 3);
}

static const struct box_op_desc *find_op(const char *name)
{
	for (unsigned i = 0; i < box_op_count; i++)
		if (!strcmp(box_op_table[i].name, name))
			return &box_op_table[i];
	return NULL;
}

static void test_table(void)
{
	CHECK_EQ(box_op_count, BOX_OP_COUNT);
	CHECK(box_op_count > 0);
	unsigned deck_seen[BOX_DECK_COUNT] = { 0 };
	for (unsigned i = 0; i < box_op_count; i++) {
		const struct box_op_desc *op = &box_op_table[i];
		CHECK_EQ(op->id, XXH3_64bits(op->name, strlen(op->name)));
		CHECK(op->deck < BOX_DECK_COUNT);
		CHECK(op->auth < BOX_AUTH_COUNT);
		CHECK(name_ok(op->name, op->deck));
		CHECK(op->description && strlen(op->description) > 10);
		if (i > 0) {
			const struct box_op_desc *prev = &box_op_table[i - 1];
			CHECK(prev->deck < op->deck ||
			      (prev->deck == op->deck && strcmp(prev->name, op->name) < 0));
		}
		for (unsigned j = 0; j < i; j++) {
			CHECK(strcmp(box_op_table[j].name, op->name) != 0);
			CHECK(box_op_table[j].id != op->id);
		}
		CHECK(op->param_size % 8 == 0);
		CHECK(op->param_size <= BOX_OP_PARAM_MAX);
		CHECK((op->field_count == 0) == (op->fields == NULL));
		CHECK((op->field_count == 0) == (op->param_size == 0));
		unsigned end = 0;
		for (unsigned k = 0; k < op->field_count; k++) {
			const struct box_op_field *f = &op->fields[k];
			unsigned sz = type_size(f->type);
			CHECK(sz != 0);
			if (!sz)
				continue;
			CHECK(f->offset % sz == 0);
			CHECK(f->offset >= end); /* in spec order, no overlap */
			CHECK(f->offset + sz <= op->param_size);
			CHECK(f->offset < end + sz); /* no more padding than alignment needs */
			end = f->offset + sz;
			CHECK(f->name && f->name[0] >= 'a' && f->name[0] <= 'z');
			for (unsigned j = 0; j < k; j++)
				CHECK(strcmp(op->fields[j].name, f->name) != 0);
		}
		CHECK((end + 7) / 8 * 8 == op->param_size);
		deck_seen[op->deck]++;
	}
	for (unsigned d = 0; d < BOX_DECK_COUNT; d++) {
		CHECK_EQ(box_deck_ops[d], deck_seen[d]);
		for (unsigned i = box_deck_first[d]; i < box_deck_first[d] + box_deck_ops[d]; i++)
			CHECK_EQ(box_op_table[i].deck, d);
	}
}

/* The ops issue 3 asks for, with the auth levels that guard the machine. */
static void test_spec_contents(void)
{
	static const char *const want[] = {
		"operations.move", "operations.fill", "operations.xor", "operations.hash",
		"operations.cmp", "operations.find", "operations.pack", "operations.unpack",
		"operations.bswap", "operations.vadd", "execution.result",
		"system.proc.spawn", "system.proc.kill", "system.proc.exit", "system.proc.list",
		"system.proc.info", "system.ipc.send", "system.ipc.broadcast", "system.tag.add",
		"system.tag.remove", "system.ctx.use", "system.ctx.clear", "system.ctx.get",
		"system.listen.add", "system.listen.remove", "system.notify.send",
		"system.trace.read", "hardware.timer.ticks", "hardware.timer.sleep",
		"hardware.rtc.read", "hardware.console.read", "hardware.console.write",
		"hardware.fb.write", "hardware.fb.clear", "hardware.fb.info", "hardware.port.in",
		"hardware.port.out", "hardware.irq.info", "hardware.cpu.info", "hardware.cpu.halt",
		"hardware.system.reboot", "hardware.system.shutdown", "hardware.kbd.read",
	};
	for (unsigned i = 0; i < sizeof want / sizeof *want; i++) {
		const struct box_op_desc *op = find_op(want[i]);
		CHECK(op != NULL);
		if (!op)
			printf("  missing op %s\n", want[i]);
	}
	static const char *const system_only[] = {
		"hardware.port.in", "hardware.port.out", "hardware.cpu.halt",
		"hardware.system.reboot", "hardware.system.shutdown", "system.proc.kill",
		"system.tag.add", "system.tag.remove",
	};
	for (unsigned i = 0; i < sizeof system_only / sizeof *system_only; i++) {
		const struct box_op_desc *op = find_op(system_only[i]);
		CHECK(op && op->auth == BOX_AUTH_SYSTEM);
	}

	/* The typed macros and structs agree with the table and with XXH3. */
	CHECK_EQ(BOX_OP_SYSTEM_PROC_SPAWN, XXH3_64bits("system.proc.spawn", 17));
	CHECK_EQ(BOX_OP_OPERATIONS_MOVE, XXH3_64bits("operations.move", 15));
	CHECK_EQ(find_op("hardware.port.out")->id, BOX_OP_HARDWARE_PORT_OUT);
	CHECK_EQ(sizeof(struct box_params_hardware_port_out), 8);
	CHECK_EQ(offsetof(struct box_params_hardware_port_out, value), 0);
	CHECK_EQ(offsetof(struct box_params_hardware_port_out, port), 4);
	CHECK_EQ(offsetof(struct box_params_hardware_port_out, width), 6);
	CHECK_EQ(find_op("hardware.port.out")->param_size, 8);
	CHECK_EQ(sizeof(struct box_params_operations_move), 24);
	CHECK_EQ(find_op("operations.pack")->param_size, 0);
}

/* boxlib/ops.h carries the same ids and a params struct for each op with fields. */
static void test_boxlib_header(void)
{
	char *text = read_file(GEN_BOXLIB_H, NULL);
	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(strstr(text, "box_op_table") == NULL);
	for (unsigned i = 0; i < box_op_count; i++) {
		const struct box_op_desc *op = &box_op_table[i];
		char want[256], cname[128];
		snprintf(cname, sizeof cname, "%s", op->name);
		for (char *c = cname; *c; c++)
			*c = *c == '.' ? '_' : *c;
		int n = snprintf(want, sizeof want, "#define BOX_OP_");
		for (char *c = cname; *c; c++)
			want[n++] = *c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c;
		snprintf(want + n, sizeof want - n, " 0x%016llxULL\n", (unsigned long long)op->id);
		CHECK(strstr(text, want) != NULL);
		snprintf(want, sizeof want, "struct box_params_%s {\n", cname);
		CHECK((strstr(text, want) != NULL) == (op->field_count > 0));
		snprintf(want, sizeof want, "_Static_assert(sizeof(struct box_params_%s) == %u,",
			 cname, op->param_size);
		CHECK((strstr(text, want) != NULL) == (op->field_count > 0));
	}
	free(text);
}

/* ---- opgen on bad specs ------------------------------------------------ */

struct bad_case {
	const char *what, *spec, *want;
	int line;
};

#define GOOD1 "# a comment\n\noperations.move APP u64:length Copy bytes.\n"

static void test_bad_specs(void)
{
	static char big[2048];
	int n = snprintf(big, sizeof big, GOOD1 "operations.big APP ");
	for (int i = 0; i < 33; i++)
		n += snprintf(big + n, sizeof big - n, "%su64:f%d", i ? "," : "", i);
	snprintf(big + n, sizeof big - n, " Too big a blob.\n");

	const struct bad_case cases[] = {
		{ "missing description", GOOD1 "operations.fill APP u8:v\n", "missing description", 4 },
		{ "missing params", GOOD1 "operations.fill APP\n", "missing parameter list", 4 },
		{ "missing auth", GOOD1 "operations.fill\n", "missing auth", 4 },
		{ "upper-case name", GOOD1 "operations.Fill APP - d\n", "bad op name", 4 },
		{ "four-part name", GOOD1 "system.a.b.c APP - d\n", "want deck.op", 4 },
		{ "one-part name", GOOD1 "system APP - d\n", "want deck.op", 4 },
		{ "empty name part", GOOD1 "system..x APP - d\n", "bad op name", 4 },
		{ "unknown deck", GOOD1 "network.udp.send APP - d\n", "unknown deck", 4 },
		{ "unknown auth", GOOD1 "operations.fill ROOT - d\n", "unknown auth level", 4 },
		{ "lower-case auth", GOOD1 "operations.fill app - d\n", "unknown auth level", 4 },
		{ "bad type", GOOD1 "operations.fill APP u128:v d\n", "unknown parameter type", 4 },
		{ "field without type", GOOD1 "operations.fill APP value d\n", "not type:name", 4 },
		{ "empty field", GOOD1 "operations.fill APP u8:a,,u8:b d\n", "empty parameter", 4 },
		{ "bad field name", GOOD1 "operations.fill APP u8:Value d\n", "bad parameter name", 4 },
		{ "field name with _", GOOD1 "operations.fill APP u8:_pad0 d\n", "bad parameter name", 4 },
		{ "duplicate field", GOOD1 "operations.fill APP u8:v,u32:v d\n",
		  "duplicate parameter name 'v'", 4 },
		{ "blob over 256", big, "parameter blob", 4 },
		{ "duplicate op", GOOD1 "operations.fill APP - d\noperations.move APP - again\n",
		  "duplicate op 'operations.move' (first at line 3)", 5 },
		{ "C name clash", GOOD1 "system.a_b.c APP - d\nsystem.a.b_c APP - d\n",
		  "same C name", 5 },
		{ "non-ASCII description", GOOD1 "operations.fill APP - caf\xc3\xa9\n",
		  "not printable ASCII", 4 },
		{ "control character", GOOD1 "operations.fill APP - a\rb\n", "control character", 4 },
		{ "no ops", "# nothing here\n", "lists no ops", 1 },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct bad_case *c = &cases[i];
		char *err, want[256];
		int st = opgen_on(c->spec, NULL, NULL, &err);
		snprintf(want, sizeof want, "%s/t.spec:%d: ", dir, c->line);
		char out[128];
		snprintf(out, sizeof out, "%s/ops.h", dir);
		bool ok = st == 1 && strstr(err, want) && strstr(err, c->want) &&
			  strstr(err, "nothing written") && !exists(out) &&
			  dir_entries() == 2; /* only t.spec and err: no output, no temp */
		CHECK(ok);
		if (!ok)
			printf("  case '%s': status %d, %u files, stderr:\n%s", c->what, st,
			       dir_entries(), err);
		free(err);
		clean_dir();
	}
}

/* With ids cut to 16 bits, find two names that collide and expect the error. */
static void test_id_collision(void)
{
	enum { N = 4096 };
	static uint16_t seen[N];
	int a = -1, b = -1;
	char name[64];
	for (int i = 0; i < N && a < 0; i++) {
		snprintf(name, sizeof name, "operations.op%d", i);
		seen[i] = (uint16_t)XXH3_64bits(name, strlen(name));
		for (int j = 0; j < i; j++)
			if (seen[j] == seen[i]) {
				a = j;
				b = i;
				break;
			}
	}
	CHECK(a >= 0);
	if (a < 0)
		return;
	char spec[256], *err, want[256];
	snprintf(spec, sizeof spec, GOOD1 "operations.op%d APP - d\noperations.op%d APP - d\n", a, b);
	int st = opgen_on(spec, "--test-id-bits 16", NULL, &err);
	snprintf(want, sizeof want, "%s/t.spec:5: op id collision", dir);
	bool ok = st == 1 && strstr(err, want) && dir_entries() == 2;
	CHECK(ok);
	if (!ok)
		printf("  id collision: status %d, %u files, stderr:\n%s", st, dir_entries(), err);
	free(err);
	clean_dir();

	/* The same spec with full 64-bit ids is fine. */
	st = opgen_on(spec, NULL, NULL, &err);
	CHECK_EQ(st, 0);
	free(err);
	clean_dir();
}

/* ---- opgen on good specs ----------------------------------------------- */

static void test_good_spec(void)
{
	static char spec[4096];
	int n = snprintf(spec, sizeof spec,
			 "# odd layouts\n"
			 "storage.mixed  SYSTEM  u8:a,u16:b,u8:c,u32:d,u8:e,u64:f,i64:g  Mixed | `sizes` *here*.\n"
			 "storage.tail.x NETWORK u32:a Four bytes \"quoted\" and \\ backslash.\n"
			 "hardware.none  NONE - Nothing.\n"
			 "storage.full   UTILITY ");
	for (int i = 0; i < 32; i++)
		n += snprintf(spec + n, sizeof spec - n, "%su64:f%d", i ? "," : "", i);
	snprintf(spec + n, sizeof spec - n, "   Exactly 256 bytes.   \n");

	char *err;
	int st = opgen_on(spec, NULL, NULL, &err);
	CHECK_EQ(st, 0);
	if (st)
		printf("  good spec failed:\n%s", err);
	free(err);
	CHECK_EQ(dir_entries(), 6); /* spec, err and four outputs: no temp files */

	char p[256];
	snprintf(p, sizeof p, "%s/ops.md", dir);
	char *docs = read_file(p, NULL);
	CHECK(docs && strstr(docs, "`b:u16@2`") && strstr(docs, "`d:u32@8`") &&
	      strstr(docs, "`f:u64@16`") && strstr(docs, "`g:i64@24`") &&
	      strstr(docs, "| 32 |") && strstr(docs, "| 256 |") &&
	      strstr(docs, "Mixed \\| \\`sizes\\` \\*here\\*.") &&
	      strstr(docs, "| **Total** | **4** |"));
	free(docs);

	/* The outputs compile (every _Static_assert holds), table and boxlib alike. */
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "mkdir -p %s/boxos && cp %s/ops.h %s/boxos/ops.h && "
		 "%s -std=gnu11 -Wall -Wextra -Werror -I%s -c -o %s/t.o %s/ops_table.c && "
		 "%s -std=gnu11 -Wall -Wextra -Werror -Wpedantic -fsyntax-only %s/boxlib_ops.h",
		 dir, dir, dir, TEST_CC, dir, dir, dir, TEST_CC, dir);
	st = run(cmd, &err);
	CHECK_EQ(st, 0);
	if (st)
		printf("  generated files do not compile:\n%s", err);
	free(err);

	snprintf(p, sizeof p, "%s/ops_table.c", dir);
	char *table = read_file(p, NULL);
	CHECK(table && strstr(table, "\"Four bytes \\\"quoted\\\" and \\\\ backslash.\""));
	CHECK(table && strstr(table, "\"Exactly 256 bytes.\""));
	/* sorted by deck (hardware before storage), then name */
	CHECK(table && strstr(table, "hardware.none") < strstr(table, "storage.full") &&
	      strstr(table, "storage.full") < strstr(table, "storage.mixed") &&
	      strstr(table, "storage.mixed") < strstr(table, "storage.tail.x"));
	free(table);
	clean_dir();

	/* An output that cannot be written leaves no other output behind. */
	char bad[256];
	snprintf(bad, sizeof bad, "%s/no/such/dir/ops.h", dir);
	st = opgen_on(GOOD1, NULL, bad, &err);
	CHECK_EQ(st, 1);
	CHECK_EQ(dir_entries(), 2);
	free(err);
	clean_dir();

	/* Usage errors. */
	snprintf(cmd, sizeof cmd, "'%s' %s", OPGEN_BIN, OPS_SPEC); /* no output asked */
	st = run(cmd, &err);
	CHECK_EQ(st, 1);
	CHECK(strstr(err, "usage") != NULL);
	free(err);
	snprintf(cmd, sizeof cmd, "'%s' %s/missing.spec --docs %s/ops.md", OPGEN_BIN, dir, dir);
	st = run(cmd, &err);
	CHECK_EQ(st, 1);
	CHECK_EQ(dir_entries(), 1);
	free(err);
	clean_dir();
}

/* docs/ops.md is exactly what opgen makes of ops/ops.spec. */
static void test_docs_fresh(void)
{
	char cmd[1024], out[256], *err;
	snprintf(out, sizeof out, "%s/fresh.md", dir);
	snprintf(cmd, sizeof cmd, "'%s' '%s' --docs %s", OPGEN_BIN, OPS_SPEC, out);
	int st = run(cmd, &err);
	CHECK_EQ(st, 0);
	free(err);
	size_t la = 0, lb = 0;
	char *a = read_file(out, &la), *b = read_file(OPS_DOCS, &lb);
	bool same = a && b && la == lb && !memcmp(a, b, la);
	CHECK(same);
	if (!same)
		printf("  docs/ops.md is stale or missing: run `make docs` and commit it\n");
	free(a);
	free(b);
	unlink(out);
	clean_dir();
}

int main(void)
{
	/* OPGEN_BIN is built with ASan and UBSan: make a sanitizer report a
	 * distinct exit status, never the 1 that means "bad spec". */
	setenv("ASAN_OPTIONS", "exitcode=99", 1);
	setenv("UBSAN_OPTIONS", "halt_on_error=1", 1);
	snprintf(dir, sizeof dir, "/tmp/boxos-opgen.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_table();
	test_spec_contents();
	test_boxlib_header();
	test_bad_specs();
	test_id_collision();
	test_good_spec();
	test_docs_fresh();
	rmdir(dir);
	return check_report();
}
