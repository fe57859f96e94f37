/*
 * opgen.c: turns ops/ops.spec, the one list of every BoxOS op, into C and docs.
 *
 *   opgen SPEC [--header OUT.h] [--table OUT.c] [--docs OUT.md] [--boxlib OUT.h]
 *              [--calls OUT.h] [--test-id-bits N]
 *
 * Reads the spec (format described at the top of ops/ops.spec), checks every
 * line strictly and computes each op's id (XXH3-64 of its name, from the
 * system libxxhash) and parameter layout (fields in order, natural alignment,
 * blob padded to 8, at most 256 bytes).  Then writes, as asked:
 *   --header  the kernel header: op ids, deck/auth/field-type enums, the
 *             struct box_op_desc and struct box_op_field types, and one
 *             struct box_params_<op> per op with parameters, every offset and
 *             size pinned by _Static_assert;
 *   --table   box_op_table[] sorted by deck then name, per-deck ranges and
 *             the deck and auth names (includes "boxos/ops.h");
 *   --docs    the Markdown op reference (docs/ops.md);
 *   --boxlib  the userspace header: the same ids, enums and parameter structs,
 *             no table;
 *   --calls   boxlib's typed wrappers: one static inline function per op
 *             that runs it with box_op() (boxlib/call.h); an op gets input
 *             and output buffer arguments when its description names an
 *             "input" or "output" (the spec's words for its Crates).
 * Any error (reported as FILE:LINE: what is wrong) exits with status 1 and
 * leaves no output behind: outputs go to temporary files in their target
 * directories and are renamed into place only when all were written.
 * --test-id-bits N compares only the low N bits of ids in the collision
 * check, so tests can provoke a collision; it changes no output.
 *
 * This file holds main (argument handling) and the atomic output writing;
 * opgen_parse.c reads and checks the spec, opgen_emit.c writes each output,
 * and opgen.h is what they share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opgen.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "opgen: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- atomic output ----------------------------------------------------- */

enum { OUT_HEADER, OUT_TABLE, OUT_DOCS, OUT_BOXLIB, OUT_CALLS, OUT_COUNT };

struct output {
	const char *flag, *path;
	char *tmp;
};

static struct output outs[OUT_COUNT] = {
	[OUT_HEADER] = { "--header", NULL, NULL },
	[OUT_TABLE]  = { "--table",  NULL, NULL },
	[OUT_DOCS]   = { "--docs",   NULL, NULL },
	[OUT_BOXLIB] = { "--boxlib", NULL, NULL },
	[OUT_CALLS]  = { "--calls",  NULL, NULL },
};

static void remove_temps(void)
{
	for (int o = 0; o < OUT_COUNT; o++)
		if (outs[o].tmp) {
			unlink(outs[o].tmp);
			free(outs[o].tmp);
			outs[o].tmp = NULL;
		}
}

/* Writes one output to a temporary file next to its target. */
static bool write_temp(int o)
{
	struct output *out = &outs[o];
	size_t n = strlen(out->path);
	out->tmp = xmalloc(n + 16);
	snprintf(out->tmp, n + 16, "%s.tmp.XXXXXX", out->path);
	int fd = mkstemp(out->tmp);
	if (fd < 0) {
		fprintf(stderr, "opgen: cannot create a temporary file for %s: %s\n", out->path,
			strerror(errno));
		free(out->tmp);
		out->tmp = NULL;
		return false;
	}
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		fprintf(stderr, "opgen: %s: %s\n", out->tmp, strerror(errno));
		return false;
	}
	switch (o) {
	case OUT_HEADER: emit_header(f, true); break;
	case OUT_TABLE:  emit_table(f); break;
	case OUT_DOCS:   emit_docs(f); break;
	case OUT_BOXLIB: emit_header(f, false); break;
	case OUT_CALLS:  emit_calls(f); break;
	}
	bool ok = !ferror(f);
	if (fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "opgen: writing %s failed: %s\n", out->tmp, strerror(errno));
	return ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: opgen SPEC [--header OUT.h] [--table OUT.c] [--docs OUT.md] "
		"[--boxlib OUT.h] [--calls OUT.h] [--test-id-bits N]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	unsigned id_bits = 64;
	bool any = false;
	for (int i = 1; i < argc; i++) {
		int o;
		for (o = 0; o < OUT_COUNT; o++)
			if (!strcmp(argv[i], outs[o].flag))
				break;
		if (o < OUT_COUNT) {
			if (i + 1 >= argc || outs[o].path)
				usage();
			outs[o].path = argv[++i];
			any = true;
		} else if (!strcmp(argv[i], "--test-id-bits")) {
			char *end;
			if (i + 1 >= argc)
				usage();
			unsigned long v = strtoul(argv[++i], &end, 10);
			if (*end || v < 1 || v > 64)
				usage();
			id_bits = (unsigned)v;
		} else if (argv[i][0] == '-' || spec_path) {
			usage();
		} else {
			spec_path = argv[i];
		}
	}
	if (!spec_path || !any)
		usage();

	parse_spec();
	check_spec(id_bits); /* over the lines that parsed, so all errors show at once */
	if (outs[OUT_CALLS].path)
		errors += check_calls();
	if (errors) {
		fprintf(stderr, "opgen: %d error%s in %s; nothing written\n", errors,
			errors == 1 ? "" : "s", spec_path);
		free_ops();
		return 1;
	}

	int status = 0;
	for (int o = 0; o < OUT_COUNT && !status; o++)
		if (outs[o].path && !write_temp(o))
			status = 1;
	for (int o = 0; o < OUT_COUNT && !status; o++)
		if (outs[o].path && rename(outs[o].tmp, outs[o].path) != 0) {
			fprintf(stderr, "opgen: cannot rename %s to %s: %s\n", outs[o].tmp,
				outs[o].path, strerror(errno));
			status = 1;
		} else if (outs[o].path) {
			free(outs[o].tmp);
			outs[o].tmp = NULL;
		}
	remove_temps(); /* after a full success there is nothing left to remove */
	free_ops();
	return status;
}
