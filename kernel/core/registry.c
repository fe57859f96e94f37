/*
 * registry.c: the OpRegistry hash table (see registry.h).
 *
 * Init runs in two passes: every spec op is inserted (home slot = low bits
 * of its id, then linear probing; a second entry with the same id is a
 * duplicate), then every Deck entry is looked up and its handler attached
 * after checking that the op exists, belongs to that Deck and has no
 * handler yet.  Any failure clears the table and writes a message built by
 * a tiny string appender (no libc in the kernel).
 */
#include "core/registry.h"

#include <stdbool.h>

#define MASK (REGISTRY_SLOTS - 1u)

/* A bounded, always NUL-terminated message buffer. */
struct msg {
	char *buf;
	size_t len, pos;
};

static void put_str(struct msg *m, const char *s)
{
	if (!s)
		s = "(null)";
	for (; *s; s++) {
		if (m->pos + 1 < m->len)
			m->buf[m->pos++] = *s;
	}
	if (m->len)
		m->buf[m->pos] = '\0';
}

static void put_hex(struct msg *m, uint64_t v)
{
	char tmp[19];
	tmp[0] = '0';
	tmp[1] = 'x';
	for (int i = 0; i < 16; i++)
		tmp[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	tmp[18] = '\0';
	put_str(m, tmp);
}

static void put_uint(struct msg *m, unsigned v)
{
	char tmp[12];
	int i = (int)sizeof(tmp) - 1;
	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	put_str(m, tmp + i);
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static const char *deck_label(const struct deck *d)
{
	return d->name ? d->name : "(unnamed)";
}

static void clear(struct registry *r)
{
	for (unsigned i = 0; i < REGISTRY_SLOTS; i++) {
		struct registry_entry *e = &r->slots[i];
		e->id = 0;
		e->name = NULL;
		e->handler = NULL;
		e->deck = 0;
		e->auth = 0;
		e->param_size = 0;
		e->desc = NULL;
	}
	r->count = 0;
	r->handled = 0;
	r->max_probe = 0;
}

/* The slot holding id, or the free slot where it would go; *probes counts slots visited. */
static struct registry_entry *probe(const struct registry *r, uint64_t id, unsigned *probes)
{
	unsigned i = (unsigned)(id & MASK);
	for (unsigned n = 1; n <= REGISTRY_SLOTS; n++) {
		const struct registry_entry *e = &r->slots[i];
		if (!e->name || e->id == id) {
			if (probes)
				*probes = n;
			return (struct registry_entry *)e;
		}
		i = (i + 1) & MASK;
	}
	return NULL;  /* table full: cannot happen at load factor <= 1/2 */
}

static int fail(struct registry *r)
{
	clear(r);
	return -1;
}

int registry_init_spec(struct registry *r, const struct box_op_desc *spec, unsigned spec_count,
		       const struct deck *const decks[], unsigned deck_count,
		       char *err, size_t err_len)
{
	struct msg m = { err, err ? err_len : 0, 0 };

	put_str(&m, "");
	if (!r)
		return -1;
	clear(r);

	if (spec_count > REGISTRY_MAX_OPS) {
		put_str(&m, "spec: ");
		put_uint(&m, spec_count);
		put_str(&m, " ops, more than the table holds (");
		put_uint(&m, REGISTRY_MAX_OPS);
		put_str(&m, ")");
		return fail(r);
	}
	if (spec_count && !spec) {
		put_str(&m, "spec: no table");
		return fail(r);
	}

	/* Pass 1: one entry per spec op. */
	for (unsigned i = 0; i < spec_count; i++) {
		const struct box_op_desc *d = &spec[i];
		unsigned n = 0;

		if (!d->name || d->deck >= BOX_DECK_COUNT || d->auth >= BOX_AUTH_COUNT ||
		    d->param_size > BOX_OP_PARAM_MAX) {
			put_str(&m, "spec: entry ");
			put_uint(&m, i);
			put_str(&m, " (");
			put_str(&m, d->name);
			put_str(&m, ") has a bad name, deck, auth level or parameter size");
			return fail(r);
		}
		struct registry_entry *e = probe(r, d->id, &n);
		if (!e) {
			put_str(&m, "spec: table full");
			return fail(r);
		}
		if (e->name) {
			put_str(&m, "spec: duplicate op id ");
			put_hex(&m, d->id);
			put_str(&m, " (");
			put_str(&m, e->name);
			put_str(&m, " and ");
			put_str(&m, d->name);
			put_str(&m, ")");
			return fail(r);
		}
		e->id = d->id;
		e->name = d->name;
		e->handler = NULL;
		e->deck = d->deck;
		e->auth = d->auth;
		e->param_size = d->param_size;
		e->desc = d;
		r->count++;
		if (n > r->max_probe)
			r->max_probe = n;
	}

	/* Pass 2: attach each Deck's handlers. */
	if (deck_count && !decks) {
		put_str(&m, "decks: no table");
		return fail(r);
	}
	for (unsigned k = 0; k < deck_count; k++) {
		const struct deck *dk = decks[k];
		if (!dk)
			continue;
		if (dk->count && !dk->ops) {
			put_str(&m, "deck ");
			put_str(&m, deck_label(dk));
			put_str(&m, ": no op table");
			return fail(r);
		}
		for (unsigned j = 0; j < dk->count; j++) {
			const struct deck_op *op = &dk->ops[j];
			struct registry_entry *e = probe(r, op->id, NULL);

			if (!e || !e->name) {
				put_str(&m, "deck ");
				put_str(&m, deck_label(dk));
				put_str(&m, ": op ");
				put_hex(&m, op->id);
				put_str(&m, " (entry ");
				put_uint(&m, j);
				put_str(&m, ") is not in the spec");
				return fail(r);
			}
			if (e->deck != dk->deck_id) {
				put_str(&m, "deck ");
				put_str(&m, deck_label(dk));
				put_str(&m, ": ");
				put_str(&m, e->name);
				put_str(&m, " belongs to deck ");
				put_str(&m, box_deck_names[e->deck]);
				return fail(r);
			}
			if (!op->handler) {
				put_str(&m, "deck ");
				put_str(&m, deck_label(dk));
				put_str(&m, ": ");
				put_str(&m, e->name);
				put_str(&m, " has a NULL handler");
				return fail(r);
			}
			if (e->handler) {
				put_str(&m, "deck ");
				put_str(&m, deck_label(dk));
				put_str(&m, ": two handlers for ");
				put_str(&m, e->name);
				return fail(r);
			}
			e->handler = op->handler;
			r->handled++;
		}
	}
	return 0;
}

int registry_init(struct registry *r, const struct deck *const decks[], unsigned deck_count,
		  char *err, size_t err_len)
{
	return registry_init_spec(r, box_op_table, box_op_count, decks, deck_count, err, err_len);
}

const struct registry_entry *registry_find_name(const struct registry *r, const char *name)
{
	if (!r || !name)
		return NULL;
	for (unsigned i = 0; i < REGISTRY_SLOTS; i++) {
		const struct registry_entry *e = &r->slots[i];
		if (e->name && str_eq(e->name, name))
			return e;
	}
	return NULL;
}
