/*
 * opgen_parse.c: reads ops/ops.spec and checks it, for tools/opgen.
 *
 * parse_spec() goes line by line: blank and # lines are skipped, every other
 * line must be "name auth params description" and is checked strictly (deck,
 * identifiers, auth level, field types, printable ASCII); a good line becomes
 * a struct op in ops[] with its id (XXH3-64 of the name, from the system
 * libxxhash) and parameter layout (fields in order, natural alignment, blob
 * padded to 8, at most PARAM_MAX bytes).  check_spec() then sorts ops[] by
 * deck then name and reports duplicate names, clashing C names and id
 * collisions.  Each problem is reported as FILE:LINE: and counted in errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <xxhash.h>

#include "opgen.h"

const char *const deck_names[DECK_COUNT] = {
	"operations", "hardware", "system", "storage", "execution",
};
const char *const auth_names[AUTH_COUNT] = {
	"NONE", "APP", "UTILITY", "SYSTEM", "NETWORK",
};
const struct field_type types[TYPE_END] = {
	[TYPE_U8]  = { "u8",  "uint8_t",  "BOX_FIELD_U8",  1 },
	[TYPE_U16] = { "u16", "uint16_t", "BOX_FIELD_U16", 2 },
	[TYPE_U32] = { "u32", "uint32_t", "BOX_FIELD_U32", 4 },
	[TYPE_U64] = { "u64", "uint64_t", "BOX_FIELD_U64", 8 },
	[TYPE_I64] = { "i64", "int64_t",  "BOX_FIELD_I64", 8 },
};

const char *spec_path;
int errors;
struct op *ops;
unsigned nops;
static unsigned capops;

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

void free_ops(void)
{
	for (unsigned i = 0; i < nops; i++)
		free_op(&ops[i]);
	free(ops);
}

void parse_spec(void)
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
void check_spec(unsigned id_bits)
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
