/*
 * opgen.h: what the three parts of tools/opgen share.
 *
 * opgen.c (arguments, atomic output), opgen_parse.c (reading and checking
 * ops/ops.spec) and opgen_emit.c (writing the outputs) meet here: the limits,
 * the deck/auth/field-type enums and their name tables, struct op and struct
 * field, the parsed spec (ops[0..nops), sorted by check_spec) and the
 * functions one part calls in another.
 */
#ifndef OPGEN_H
#define OPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PARAM_MAX 256u
#define NAME_MAX_LEN 96u

enum { DECK_OPERATIONS, DECK_HARDWARE, DECK_SYSTEM, DECK_STORAGE, DECK_EXECUTION, DECK_COUNT };
enum { AUTH_NONE, AUTH_APP, AUTH_UTILITY, AUTH_SYSTEM, AUTH_NETWORK, AUTH_COUNT };
enum { TYPE_U8 = 1, TYPE_U16, TYPE_U32, TYPE_U64, TYPE_I64, TYPE_END };

/* Deck order is the enum order, the table order and the docs order. */
extern const char *const deck_names[DECK_COUNT];
extern const char *const auth_names[AUTH_COUNT];

struct field_type {
	const char *spec, *ctype, *enumname;
	unsigned size;
};
extern const struct field_type types[TYPE_END];

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

/* The parsed spec, in opgen_parse.c; spec_path is set by main. */
extern const char *spec_path;
extern int errors;
extern struct op *ops;
extern unsigned nops;

/* opgen.c */
void *xmalloc(size_t n);

/* opgen_parse.c: errors are counted in errors, reported as FILE:LINE. */
void parse_spec(void);
void check_spec(unsigned id_bits);
void free_ops(void);

/* opgen_emit.c */
void emit_header(FILE *f, bool kernel);
void emit_table(FILE *f);
void emit_docs(FILE *f);
/* boxlib/calls.h; check_calls() first reports field names the wrappers
 * cannot use (FILE:LINE) and returns how many. */
bool op_has_input(const struct op *op);
bool op_has_output(const struct op *op);
int check_calls(void);
void emit_calls(FILE *f);

#endif /* OPGEN_H */
