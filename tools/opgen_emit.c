/*
 * opgen_emit.c: writes tools/opgen's outputs from the checked spec.
 *
 * Each emitter prints to an open FILE, walking ops[] in table order (deck,
 * then name):
 *   emit_header(f, true)   the kernel boxos/ops.h: op ids, deck/auth/field
 *                          enums, the descriptor types and one struct
 *                          box_params_<op> per op with parameters, every
 *                          offset and size pinned by _Static_assert;
 *   emit_header(f, false)  the userspace boxlib/ops.h: the same, no table types;
 *   emit_table(f)          ops_table.c: box_op_table[], per-deck ranges, names;
 *   emit_docs(f)           the Markdown reference, docs/ops.md.
 * Names and descriptions are escaped for where they land (C string, C
 * comment, Markdown table cell).
 */
#include <string.h>

#include "opgen.h"

static const char *const deck_titles[DECK_COUNT] = {
	"Operations", "Hardware", "System", "Storage", "Execution",
};
static const char *const deck_about[DECK_COUNT] = {
	"bytewise primitives on Crates.",
	"metal-facing ops: timer, clock, console, framebuffer, ports, IRQs, CPUs, keyboard.",
	"processes, IPC, tags, the use context, events and the PerfTrace buffer.",
	"TagFS.",
	"the result writer that ends every chain.",
};

static void upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, f);
}

/* A C string literal body (descriptions are printable ASCII). */
static void cstr(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* Text inside a C block comment: never lets a comment end early. */
static void ccomment(FILE *f, const char *s)
{
	for (; *s; s++) {
		fputc(*s, f);
		if (s[0] == '*' && s[1] == '/')
			fputc(' ', f);
	}
}

void emit_header(FILE *f, bool kernel)
{
	const char *guard = kernel ? "BOXOS_GEN_OPS_H" : "BOXLIB_GEN_OPS_H";
	fprintf(f, "/*\n * ops.h: BoxOS op ids and parameter structs%s.\n"
		" * Generated from ops/ops.spec by tools/opgen -- do not edit.\n"
		" *\n"
		" * Each op has BOX_OP_<NAME>, its 64-bit id (XXH3-64 of the name), and,\n"
		" * when it takes parameters, struct box_params_<name>: the parameter blob\n"
		" * with every offset and the padded size checked against the spec.\n"
		" */\n", kernel ? " and the op descriptor types (kernel and host)"
				 : " for userspace (boxlib)");
	fprintf(f, "#ifndef %s\n#define %s\n\n#include <stddef.h>\n#include <stdint.h>\n\n",
		guard, guard);

	fprintf(f, "enum box_deck {\n");
	for (int d = 0; d < DECK_COUNT; d++) {
		fprintf(f, "\tBOX_DECK_");
		upper(f, deck_names[d]);
		fprintf(f, " = %d,\n", d);
	}
	fprintf(f, "\tBOX_DECK_COUNT = %d,\n};\n\n", DECK_COUNT);
	fprintf(f, "enum box_auth {\n");
	for (int a = 0; a < AUTH_COUNT; a++)
		fprintf(f, "\tBOX_AUTH_%s = %d,\n", auth_names[a], a);
	fprintf(f, "\tBOX_AUTH_COUNT = %d,\n};\n\n", AUTH_COUNT);
	fprintf(f, "enum box_field_type {\n");
	for (int t = TYPE_U8; t < TYPE_END; t++)
		fprintf(f, "\t%s = %d,\n", types[t].enumname, t);
	fprintf(f, "};\n\n");
	fprintf(f, "#define BOX_OP_PARAM_MAX %uu /* largest parameter blob, bytes */\n", PARAM_MAX);
	fprintf(f, "#define BOX_OP_COUNT %uu\n\n", nops);

	if (kernel) {
		fprintf(f, "struct box_op_field {\n"
			"\tconst char *name;\n"
			"\tuint8_t type; /* enum box_field_type */\n"
			"\tuint16_t offset;\n"
			"};\n\n"
			"struct box_op_desc {\n"
			"\tuint64_t id;\n"
			"\tconst char *name;\n"
			"\tuint8_t deck; /* enum box_deck */\n"
			"\tuint8_t auth; /* enum box_auth */\n"
			"\tuint16_t param_size;\n"
			"\tuint16_t field_count;\n"
			"\tconst struct box_op_field *fields;\n"
			"\tconst char *description;\n"
			"};\n\n"
			"/* Sorted by deck, then name; deck d is entries\n"
			" * [box_deck_first[d], box_deck_first[d] + box_deck_ops[d]). */\n"
			"extern const struct box_op_desc box_op_table[BOX_OP_COUNT];\n"
			"extern const unsigned box_op_count;\n"
			"extern const uint16_t box_deck_first[BOX_DECK_COUNT];\n"
			"extern const uint16_t box_deck_ops[BOX_DECK_COUNT];\n"
			"extern const char *const box_deck_names[BOX_DECK_COUNT];\n"
			"extern const char *const box_auth_names[BOX_AUTH_COUNT];\n\n");
	}

	for (unsigned i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		fprintf(f, "/* %s (%s): ", op->name, auth_names[op->auth]);
		ccomment(f, op->desc);
		fprintf(f, " */\n#define BOX_OP_");
		upper(f, op->cname);
		fprintf(f, " 0x%016llxULL\n", (unsigned long long)op->id);
		if (!op->nfields) {
			fputc('\n', f);
			continue;
		}
		fprintf(f, "struct box_params_%s {\n", op->cname);
		unsigned at = 0, pads = 0;
		for (unsigned k = 0; k <= op->nfields; k++) {
			unsigned want = k < op->nfields ? op->fields[k].offset : op->param_size;
			if (want > at)
				fprintf(f, "\tuint8_t _pad%u[%u];\n", pads++, want - at);
			if (k == op->nfields)
				break;
			fprintf(f, "\t%s %s;\n", types[op->fields[k].type].ctype, op->fields[k].name);
			at = want + types[op->fields[k].type].size;
		}
		fprintf(f, "};\n");
		for (unsigned k = 0; k < op->nfields; k++)
			fprintf(f, "_Static_assert(offsetof(struct box_params_%s, %s) == %u, "
				"\"ops.spec: %s.%s\");\n", op->cname, op->fields[k].name,
				op->fields[k].offset, op->name, op->fields[k].name);
		fprintf(f, "_Static_assert(sizeof(struct box_params_%s) == %u, \"ops.spec: %s size\");\n\n",
			op->cname, op->param_size, op->name);
	}
	fprintf(f, "#endif /* %s */\n", guard);
}

void emit_table(FILE *f)
{
	fprintf(f, "/*\n * ops_table.c: the BoxOS op table, sorted by deck then name.\n"
		" * Generated from ops/ops.spec by tools/opgen -- do not edit.\n"
		" * Offsets and sizes come from the parameter structs in boxos/ops.h, whose\n"
		" * _Static_asserts pin them to the spec.\n */\n"
		"#include \"boxos/ops.h\"\n\n");
	for (unsigned i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		if (!op->nfields)
			continue;
		fprintf(f, "static const struct box_op_field fields_%s[] = {\n", op->cname);
		for (unsigned k = 0; k < op->nfields; k++)
			fprintf(f, "\t{ \"%s\", %s, offsetof(struct box_params_%s, %s) },\n",
				op->fields[k].name, types[op->fields[k].type].enumname, op->cname,
				op->fields[k].name);
		fprintf(f, "};\n");
	}
	fprintf(f, "\nconst struct box_op_desc box_op_table[BOX_OP_COUNT] = {\n");
	for (unsigned i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		fprintf(f, "\t{\n\t\t.id = BOX_OP_");
		upper(f, op->cname);
		fprintf(f, ",\n\t\t.name = \"%s\",\n\t\t.deck = BOX_DECK_", op->name);
		upper(f, deck_names[op->deck]);
		fprintf(f, ",\n\t\t.auth = BOX_AUTH_%s,\n", auth_names[op->auth]);
		if (op->nfields)
			fprintf(f, "\t\t.param_size = sizeof(struct box_params_%s),\n"
				"\t\t.field_count = %u,\n\t\t.fields = fields_%s,\n",
				op->cname, op->nfields, op->cname);
		else
			fprintf(f, "\t\t.param_size = 0,\n\t\t.field_count = 0,\n\t\t.fields = NULL,\n");
		fprintf(f, "\t\t.description = \"");
		cstr(f, op->desc);
		fprintf(f, "\",\n\t},\n");
	}
	fprintf(f, "};\n\nconst unsigned box_op_count = BOX_OP_COUNT;\n\n");

	unsigned first[DECK_COUNT] = { 0 }, count[DECK_COUNT] = { 0 };
	for (unsigned i = nops; i-- > 0;) {
		first[ops[i].deck] = i;
		count[ops[i].deck]++;
	}
	for (unsigned d = 0, next = 0; d < DECK_COUNT; d++) {
		if (!count[d])
			first[d] = next; /* an empty deck sits where its ops would */
		next = first[d] + count[d];
	}
	fprintf(f, "const uint16_t box_deck_first[BOX_DECK_COUNT] = {");
	for (int d = 0; d < DECK_COUNT; d++)
		fprintf(f, " %u,", first[d]);
	fprintf(f, " };\nconst uint16_t box_deck_ops[BOX_DECK_COUNT] = {");
	for (int d = 0; d < DECK_COUNT; d++)
		fprintf(f, " %u,", count[d]);
	fprintf(f, " };\n\nconst char *const box_deck_names[BOX_DECK_COUNT] = {\n");
	for (int d = 0; d < DECK_COUNT; d++)
		fprintf(f, "\t\"%s\",\n", deck_names[d]);
	fprintf(f, "};\n\nconst char *const box_auth_names[BOX_AUTH_COUNT] = {\n");
	for (int a = 0; a < AUTH_COUNT; a++)
		fprintf(f, "\t\"%s\",\n", auth_names[a]);
	fprintf(f, "};\n");
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Markdown text: escape what could start markup or break a table cell.  An
 * underscore inside a word (timeout_ns) and a lone ~ are left alone, as
 * GitHub Markdown renders them literally. */
static void md(FILE *f, const char *s)
{
	for (const char *c = s; *c; c++) {
		bool esc = strchr("\\`*[]<>|", *c) != NULL;
		if (*c == '_')
			esc = c == s || !is_alnum(c[-1]) || !is_alnum(c[1]);
		if (*c == '~')
			esc = (c > s && c[-1] == '~') || c[1] == '~';
		if (esc)
			fputc('\\', f);
		fputc(*c, f);
	}
}

void emit_docs(FILE *f)
{
	unsigned count[DECK_COUNT] = { 0 };
	for (unsigned i = 0; i < nops; i++)
		count[ops[i].deck]++;

	fprintf(f, "# BoxOS op reference\n\n"
		"Generated from [`ops/ops.spec`](../ops/ops.spec) by `tools/opgen` -- do not edit "
		"this file; change the spec and run `make docs`. `make test` fails while this "
		"file differs from what the generator produces.\n\n"
		"An op is named `deck.op` or `deck.vocabulary.op`; its id is the XXH3-64 hash "
		"(seed 0) of the name, available as `BOX_OP_<NAME>` in `boxos/ops.h` (kernel) "
		"and `boxlib/ops.h` (userspace). **Auth** is the level a Cabin needs to run the "
		"op. **Parameters** lists the fields of the op's parameter blob as "
		"`name:type@offset` (natural alignment, little-endian); **Blob** is the blob's "
		"size in bytes, padded to 8 (at most %u), and matches "
		"`sizeof(struct box_params_<name>)`. \"Input\" and \"output\" are the input and "
		"output Crates the Manifest entry references.\n\n", PARAM_MAX);

	fprintf(f, "| Deck | Ops |\n|---|---:|\n");
	for (int d = 0; d < DECK_COUNT; d++)
		fprintf(f, "| [%s](#%s) | %u |\n", deck_titles[d], deck_names[d], count[d]);
	fprintf(f, "| **Total** | **%u** |\n", nops);

	for (int d = 0; d < DECK_COUNT; d++) {
		fprintf(f, "\n## %s\n\n%s: %s %u op%s.\n\n", deck_titles[d], deck_titles[d],
			deck_about[d], count[d], count[d] == 1 ? "" : "s");
		if (!count[d])
			continue;
		fprintf(f, "| Name | Id | Auth | Parameters | Blob | Description |\n"
			"|---|---|---|---|---:|---|\n");
		for (unsigned i = 0; i < nops; i++) {
			const struct op *op = &ops[i];
			if (op->deck != d)
				continue;
			fprintf(f, "| `%s` | `0x%016llx` | %s | ", op->name,
				(unsigned long long)op->id, auth_names[op->auth]);
			if (!op->nfields)
				fprintf(f, "-");
			for (unsigned k = 0; k < op->nfields; k++)
				fprintf(f, "%s`%s:%s@%u`", k ? " " : "", op->fields[k].name,
					types[op->fields[k].type].spec, op->fields[k].offset);
			fprintf(f, " | %u | ", op->param_size);
			md(f, op->desc);
			fprintf(f, " |\n");
		}
	}
}

/* ---- boxlib/calls.h: one typed wrapper per op ---------------------------- */

/* Names the wrappers use besides the spec's fields; a field may not take one. */
static const char *const call_names[] = {
	"in_buf", "in_len", "out_buf", "out_cap", "out_len", "out_value", "c_", "st_", "p_",
};

static bool is_word_char(char c)
{
	return is_alnum(c) || c == '_';
}

/* Does the description use `word` as a word (the spec's "input"/"output")? */
static bool mentions(const char *desc, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(desc, word); p; p = strstr(p + 1, word))
		if ((p == desc || !is_word_char(p[-1])) && !is_word_char(p[n]))
			return true;
	return false;
}

bool op_has_input(const struct op *op) { return mentions(op->desc, "input"); }
bool op_has_output(const struct op *op) { return mentions(op->desc, "output"); }

int check_calls(void)
{
	int bad = 0;
	for (unsigned i = 0; i < nops; i++)
		for (unsigned k = 0; k < ops[i].nfields; k++)
			for (size_t n = 0; n < sizeof(call_names) / sizeof(call_names[0]); n++)
				if (!strcmp(ops[i].fields[k].name, call_names[n])) {
					fprintf(stderr, "%s:%d: field name %s is taken by the "
						"boxlib wrapper's own arguments\n", spec_path,
						ops[i].line, call_names[n]);
					bad++;
				}
	return bad;
}

void emit_calls(FILE *f)
{
	fprintf(f, "/*\n * calls.h: one typed boxlib wrapper per BoxOS op.\n"
		" * Generated from ops/ops.spec by tools/opgen -- do not edit.\n"
		" *\n"
		" * int32_t box_<op>(fields..., [in_buf, in_len,] [out_buf, out_cap, out_len,]\n"
		" *                  out_value)\n"
		" *   fields     the op's parameters in spec order, as scalars;\n"
		" *   in_buf     when the description names an input: the input Crate's\n"
		" *              bytes (in_len of them); NULL sends no input Crate;\n"
		" *   out_buf    when the description names an output: the output Crate\n"
		" *              (out_cap bytes); *out_len is in/out: on entry the bytes\n"
		" *              already valid in it (NULL: 0), on return its size;\n"
		" *   out_value  (may be NULL) gets the Result's value.\n"
		" * Each runs box_op() of boxlib/call.h with box_call_timeout_us and returns\n"
		" * its status: BOX_OK, the op's error, or BOX_ERR_FULL/TIMEOUT/INVALID.\n"
		" */\n"
		"#ifndef BOXLIB_GEN_CALLS_H\n#define BOXLIB_GEN_CALLS_H\n\n"
		"#include <stddef.h>\n#include <stdint.h>\n\n"
		"#include \"boxlib/call.h\"\n#include \"boxlib/ops.h\"\n\n");
	for (unsigned i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		bool in = op_has_input(op), out = op_has_output(op);
		fprintf(f, "/* %s (%s): ", op->name, auth_names[op->auth]);
		ccomment(f, op->desc);
		fprintf(f, " */\nstatic inline int32_t box_%s(", op->cname);
		for (unsigned k = 0; k < op->nfields; k++)
			fprintf(f, "%s %s, ", types[op->fields[k].type].ctype, op->fields[k].name);
		if (in)
			fprintf(f, "const void *in_buf, uint64_t in_len, ");
		if (out)
			fprintf(f, "void *out_buf, uint64_t out_cap, uint64_t *out_len, ");
		fprintf(f, "uint64_t *out_value)\n{\n");
		fprintf(f, "\tstruct box_op_call c_ = {.op_id = BOX_OP_");
		upper(f, op->cname);
		fprintf(f, "};\n");
		if (op->nfields) {
			fprintf(f, "\tstruct box_params_%s p_ = {", op->cname);
			for (unsigned k = 0; k < op->nfields; k++)
				fprintf(f, "%s.%s = %s", k ? ", " : "", op->fields[k].name,
					op->fields[k].name);
			fprintf(f, "};\n\tc_.params = &p_;\n\tc_.param_size = sizeof(p_);\n");
		}
		if (in)
			fprintf(f, "\tc_.in = in_buf;\n\tc_.in_len = in_len;\n");
		if (out)
			fprintf(f, "\tc_.out = out_buf;\n\tc_.out_cap = out_cap;\n"
				"\tc_.out_len = out_len ? *out_len : 0;\n");
		fprintf(f, "\tint32_t st_ = box_op(&c_);\n");
		if (out)
			fprintf(f, "\tif (out_len)\n\t\t*out_len = c_.out_len;\n");
		fprintf(f, "\tif (out_value)\n\t\t*out_value = c_.value;\n\treturn st_;\n}\n\n");
	}
	fprintf(f, "#endif /* BOXLIB_GEN_CALLS_H */\n");
}
