/*
 * opgen.c: turns ops/ops.spec, the one list of every BoxOS op, into C and docs.
 *
 *   opgen SPEC [--header OUT.h] [--table OUT.c] [--docs OUT.md] [--boxlib OUT.h]
 *              [--test-id-bits N]
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
 *             no table.
 * Any error (reported as FILE:LINE: what is wrong) exits with status 1 and
 * leaves no output behind: outputs go to temporary files in their target
 * directories and are renamed into place only when all were written.
 * --test-id-bits N compares only the low N bits of ids in the collision
 * check, so tests can provoke a collision; it changes no output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define PARAM_MAX 256u
#define NAME_MAX_LEN 96u

enum { DECK_OPERATIONS, DECK_HARDWARE, DECK_SYSTEM, DECK_STORAGE, DECK_EXECUTION, DECK_COUNT };
enum { AUTH_NONE, AUTH_APP, AUTH_UTILITY, AUTH_SYSTEM, AUTH_NETWORK, AUTH_COUNT };
enum { TYPE_U8 = 1, TYPE_U16, TYPE_U32, TYPE_U64, TYPE_I64, TYPE_END };

/* Deck order here is the enum order, the table order and the docs order. */
static const char *const deck_names[DECK_COUNT] = {
	"operations", "hardware", "system", "storage", "execution",
};
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
static const char *const auth_names[AUTH_COUNT] = {
	"NONE", "APP", "UTILITY", "SYSTEM", "NETWORK",
};
static const struct {
	const char *spec, *ctype, *enumname;
	unsigned size;
} types[TYPE_END] = {
	[TYPE_U8]  = { "u8",  "uint8_t",  "BOX_FIELD_U8",  1 },
	[TYPE_U16] = { "u16", "uint16_t", "BOX_FIELD_U16", 2 },
	[TYPE_U32] = { "u32", "uint32_t", "BOX_FIELD_U32", 4 },
	[TYPE_U64] = { "u64", "uint64_t", "BOX_FIELD_U64", 8 },
	[TYPE_I64] = { "i64", "int64_t",  "BOX_FIELD_I64", 8 },
};

struct field {
	char *name;
	int type;
	unsigned offset;
};

struct op {
	char *name;  /* deck.op or deck.vocabulary.op */
	char *cname; /* dots become underscores: the C suffix */
	char *desc;
	int line, deck, auth;
	unsigned param_size, nfields;
	struct field *fields;
	uint64_t id;
};

static const char *spec_path;
static int errors;
static struct op *ops;
static unsigned nops, capops;

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "opgen: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static void __attribute__((format(printf, 2, 3))) lerror(int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: ", spec_path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errors++;
}

static bool is_ident(const char *s, size_t n)
{
	if (n == 0 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

/* Next whitespace-separated token of *p; its length in *len, NULL at the end. */
static const char *token(const char **p, size_t *len)
{
	const char *s = *p;
	while (is_space(*s))
		s++;
	if (!*s)
		return NULL;
	const char *e = s;
	while (*e && !is_space(*e))
		e++;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

/* name: 2 or 3 identifiers joined by dots, the first one a deck. */
static bool parse_name(int line, const char *s, size_t n, struct op *op)
{
	if (n > NAME_MAX_LEN) {
		lerror(line, "op name is longer than %u characters", NAME_MAX_LEN);
		return false;
	}
	size_t start = 0;
	unsigned parts = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!is_ident(s + start, i - start)) {
			lerror(line, "bad op name '%.*s': each part must match [a-z][a-z0-9_]*",
			       (int)n, s);
			return false;
		}
		if (parts == 0) {
			op->deck = -1;
			for (int d = 0; d < DECK_COUNT; d++)
				if (strlen(deck_names[d]) == i && !memcmp(s, deck_names[d], i))
					op->deck = d;
			if (op->deck < 0) {
				lerror(line, "unknown deck '%.*s' (want operations, hardware, system, "
				       "storage or execution)", (int)i, s);
				return false;
			}
		}
		parts++;
		start = i + 1;
	}
	if (parts < 2 || parts > 3) {
		lerror(line, "bad op name '%.*s': want deck.op or deck.vocabulary.op", (int)n, s);
		return false;
	}
	op->name = xstrndup(s, n);
	op->cname = xstrndup(s, n);
	for (char *c = op->cname; *c; c++)
		if (*c == '.')
			*c = '_';
	return true;
}

static bool parse_auth(int line, const char *s, size_t n, struct op *op)
{
	for (int a = 0; a < AUTH_COUNT; a++)
		if (strlen(auth_names[a]) == n && !memcmp(s, auth_names[a], n)) {
			op->auth = a;
			return true;
		}
	lerror(line, "unknown auth level '%.*s' (want NONE, APP, UTILITY, SYSTEM or NETWORK)",
	       (int)n, s);
	return false;
}

static unsigned align_up(unsigned v, unsigned a) { return (v + a - 1) / a * a; }

/* params: '-' or type:name[,type:name]... laid out in order, natural alignment. */
static bool parse_params(int line, const char *s, size_t n, struct op *op)
{
	op->nfields = 0;
	op->param_size = 0;
	op->fields = NULL;
	if (n == 1 && s[0] == '-')
		return true;
	unsigned cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += s[i] == ',';
	op->fields = xmalloc(cap * sizeof *op->fields);

	unsigned off = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		const char *f = s + start;
		size_t fl = i - start;
		start = i + 1;
		if (fl == 0) {
			lerror(line, "empty parameter field in '%.*s'", (int)n, s);
			return false;
		}
		const char *colon = memchr(f, ':', fl);
		if (!colon) {
			lerror(line, "parameter field '%.*s' is not type:name", (int)fl, f);
			return false;
		}
		size_t tl = (size_t)(colon - f);
		int type = 0;
		for (int t = TYPE_U8; t < TYPE_END; t++)
			if (strlen(types[t].spec) == tl && !memcmp(f, types[t].spec, tl))
				type = t;
		if (!type) {
			lerror(line, "unknown parameter type '%.*s' (want u8, u16, u32, u64 or i64)",
			       (int)tl, f);
			return false;
		}
		const char *nm = colon + 1;
		size_t nl = fl - tl - 1;
		if (!is_ident(nm, nl) || nl > NAME_MAX_LEN) {
			lerror(line, "bad parameter name '%.*s': must match [a-z][a-z0-9_]*",
			       (int)nl, nm);
			return false;
		}
		for (unsigned k = 0; k < op->nfields; k++)
			if (strlen(op->fields[k].name) == nl && !memcmp(op->fields[k].name, nm, nl)) {
				lerror(line, "duplicate parameter name '%.*s'", (int)nl, nm);
				return false;
			}
		unsigned sz = types[type].size;
		off = align_up(off, sz);
		struct field *fd = &op->fields[op->nfields++];
		fd->name = xstrndup(nm, nl);
		fd->type = type;
		fd->offset = off;
		off += sz;
	}
	op->param_size = align_up(off, 8);
	if (op->param_size > PARAM_MAX) {
		lerror(line, "parameter blob is %u bytes, the limit is %u",
		       op->param_size, PARAM_MAX);
		return false;
	}
	return true;
}

static bool parse_desc(int line, const char *s, struct op *op)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n && is_space(s[n - 1]))
		n--;
	if (n == 0) {
		lerror(line, "missing description");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
			lerror(line, "description has a character that is not printable ASCII "
			       "(byte 0x%02x at column %zu)", (unsigned char)s[i], i + 1);
			return false;
		}
	op->desc = xstrndup(s, n);
	return true;
}

static void free_op(struct op *op)
{
	for (unsigned k = 0; k < op->nfields; k++)
		free(op->fields[k].name);
	free(op->fields);
	free(op->name);
	free(op->cname);
	free(op->desc);
}

/* One op line: name, auth, params, description. */
static bool parse_op(int line, const char *p, struct op *op)
{
	size_t n;
	const char *t = token(&p, &n);
	if (!parse_name(line, t, n, op))
		return false;
	if (!(t = token(&p, &n))) {
		lerror(line, "missing auth level after the op name");
		return false;
	}
	if (!parse_auth(line, t, n, op))
		return false;
	if (!(t = token(&p, &n))) {
		lerror(line, "missing parameter list after the auth level ('-' for none)");
		return false;
	}
	if (!parse_params(line, t, n, op))
		return false;
	if (!parse_desc(line, p, op))
		return false;
	return true;
}

static void parse_line(int line, const char *text)
{
	const char *p = text;
	size_t n;
	const char *t = token(&p, &n);
	if (!t || t[0] == '#')
		return; /* blank or comment */
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t') {
			lerror(line, "control character 0x%02x in line", (unsigned char)*c);
			return;
		}

	struct op op = { .line = line };
	if (!parse_op(line, text, &op)) {
		free_op(&op);
		return;
	}
	op.id = XXH3_64bits(op.name, strlen(op.name));

	if (nops == capops) {
		capops = capops ? 2 * capops : 64;
		struct op *n2 = realloc(ops, capops * sizeof *ops);
		if (!n2) {
			fprintf(stderr, "opgen: out of memory\n");
			exit(1);
		}
		ops = n2;
	}
	ops[nops++] = op;
}

static void free_ops(void)
{
	for (unsigned i = 0; i < nops; i++)
		free_op(&ops[i]);
	free(ops);
}

static void parse_spec(void)
{
	FILE *f = fopen(spec_path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", spec_path, strerror(errno));
		exit(1);
	}
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int line = 0;
	while ((len = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = 0;
		if (strlen(buf) != (size_t)len) {
			lerror(line, "NUL byte in line");
			continue;
		}
		parse_line(line, buf);
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error: %s\n", spec_path, strerror(errno));
		exit(1);
	}
	free(buf);
	fclose(f);
	if (nops == 0 && errors == 0)
		lerror(line, "the spec lists no ops");
}

static int op_cmp(const void *a, const void *b)
{
	const struct op *x = a, *y = b;
	if (x->deck != y->deck)
		return x->deck - y->deck;
	int c = strcmp(x->name, y->name);
	return c ? c : x->line - y->line;
}

/* Whole-spec checks: duplicate names, clashing C names, id collisions. */
static void check_spec(unsigned id_bits)
{
	uint64_t mask = id_bits >= 64 ? ~0ull : ((1ull << id_bits) - 1);
	if (nops)
		qsort(ops, nops, sizeof *ops, op_cmp);
	for (unsigned i = 0; i < nops; i++)
		for (unsigned j = 0; j < nops; j++) {
			const struct op *a = &ops[i], *b = &ops[j];
			if (a->line <= b->line)
				continue; /* report each pair once, at the later line */
			if (!strcmp(a->name, b->name))
				lerror(a->line, "duplicate op '%s' (first at line %d)", a->name, b->line);
			else if (!strcmp(a->cname, b->cname))
				lerror(a->line, "op '%s' gives the same C name BOX_OP_/box_params_%s "
				       "as '%s' at line %d", a->name, a->cname, b->name, b->line);
			else if ((a->id & mask) == (b->id & mask))
				lerror(a->line, "op id collision: '%s' and '%s' (line %d) both hash "
				       "to 0x%016llx", a->name, b->name, b->line,
				       (unsigned long long)(a->id & mask));
		}
}

/* ---- outputs ----------------------------------------------------------- */

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

static void emit_header(FILE *f, bool kernel)
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

static void emit_table(FILE *f)
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

static void emit_docs(FILE *f)
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

/* ---- atomic output ----------------------------------------------------- */

enum { OUT_HEADER, OUT_TABLE, OUT_DOCS, OUT_BOXLIB, OUT_COUNT };

struct output {
	const char *flag, *path;
	char *tmp;
};

static struct output outs[OUT_COUNT] = {
	[OUT_HEADER] = { "--header", NULL, NULL },
	[OUT_TABLE]  = { "--table",  NULL, NULL },
	[OUT_DOCS]   = { "--docs",   NULL, NULL },
	[OUT_BOXLIB] = { "--boxlib", NULL, NULL },
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
		"[--boxlib OUT.h] [--test-id-bits N]\n");
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
