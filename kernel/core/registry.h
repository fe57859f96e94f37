/*
 * registry.h: the OpRegistry, one kernel-wide table of every op.
 *
 * registry_init() joins the generated op spec (box_op_table: id, name, deck,
 * auth level, parameter size) with the handlers from the Deck tables and
 * stores one entry per spec op in an open-addressing hash table keyed by
 * the 64-bit op id.  The id is already an XXH3 hash, so its low bits index
 * the table directly; collisions probe linearly.  The table lives inside
 * struct registry (no allocator) and has a power-of-two slot count of at
 * least twice the number of spec ops, fixed at compile time from
 * BOX_OP_COUNT, so the load factor stays at or below 1/2.
 *
 * Init fails (nonzero, a message in err) on anything that would make a
 * dispatch ambiguous or wrong: a Deck entry whose id is not in the spec, an
 * entry for another Deck's op, two handlers for one id, a NULL handler, or
 * duplicate ids in the spec.  A spec op no Deck implements is registered
 * with a NULL handler (the engine answers BOX_ERR_INVALID_OPCODE for it).
 * Portable: kernel and host tests compile the same file.
 */
#ifndef CORE_REGISTRY_H
#define CORE_REGISTRY_H

#include <stdint.h>
#include <stddef.h>

#include "core/op.h"
#include "boxos/ops.h"

/* Smallest power of two >= 2 * n, for table sizes up to 65536 slots. */
#define REGISTRY_P2(n)                                                      \
	((2u * (n)) <= 16u ? 16u : (2u * (n)) <= 32u ? 32u :                \
	 (2u * (n)) <= 64u ? 64u : (2u * (n)) <= 128u ? 128u :              \
	 (2u * (n)) <= 256u ? 256u : (2u * (n)) <= 512u ? 512u :            \
	 (2u * (n)) <= 1024u ? 1024u : (2u * (n)) <= 2048u ? 2048u :        \
	 (2u * (n)) <= 4096u ? 4096u : (2u * (n)) <= 8192u ? 8192u :        \
	 (2u * (n)) <= 16384u ? 16384u : (2u * (n)) <= 32768u ? 32768u :    \
	 65536u)

#define REGISTRY_MAX_OPS BOX_OP_COUNT
#define REGISTRY_SLOTS   REGISTRY_P2(REGISTRY_MAX_OPS)

_Static_assert(REGISTRY_MAX_OPS <= 32768u, "registry table capped at 65536 slots");
_Static_assert((REGISTRY_SLOTS & (REGISTRY_SLOTS - 1u)) == 0, "slot count is a power of two");
_Static_assert(REGISTRY_SLOTS >= 2u * REGISTRY_MAX_OPS, "load factor <= 1/2");

struct registry_entry {
	uint64_t id;
	const char *name;                 /* "operations.fill"; NULL marks a free slot */
	op_handler_t handler;             /* NULL: in the spec, no Deck implements it */
	uint8_t deck;                     /* enum box_deck */
	uint8_t auth;                     /* enum box_auth: the level a caller needs */
	uint16_t param_size;              /* exact parameter blob size */
	const struct box_op_desc *desc;   /* the spec entry (fields, description) */
};

struct registry {
	struct registry_entry slots[REGISTRY_SLOTS];
	unsigned count;       /* entries stored (= spec ops) */
	unsigned handled;     /* entries with a handler */
	unsigned max_probe;   /* longest probe sequence of any entry (1 = home slot) */
};

/*
 * Build the registry from the generated spec and the Decks.  Returns 0, or
 * -1 with a NUL-terminated message in err (err may be NULL; err_len 0 is
 * allowed).  On failure the registry is left empty.
 */
int registry_init(struct registry *r, const struct deck *const decks[], unsigned deck_count,
		  char *err, size_t err_len);

/*
 * The same with an explicit spec table (host tests pass broken specs);
 * spec_count must not exceed REGISTRY_MAX_OPS.
 */
int registry_init_spec(struct registry *r, const struct box_op_desc *spec, unsigned spec_count,
		       const struct deck *const decks[], unsigned deck_count,
		       char *err, size_t err_len);

/* The entry for id, or NULL when the id is not in the spec.  Inline: the
 * Manifest engine looks up every op of every chain. */
static inline const struct registry_entry *registry_lookup(const struct registry *r, uint64_t id)
{
	if (!r)
		return NULL;
	unsigned i = (unsigned)(id & (REGISTRY_SLOTS - 1u));
	for (unsigned n = 0; n < REGISTRY_SLOTS; n++) {
		const struct registry_entry *e = &r->slots[i];
		if (!e->name)
			return NULL;
		if (e->id == id)
			return e;
		i = (i + 1) & (REGISTRY_SLOTS - 1u);
	}
	return NULL;
}

/* The entry named name ("operations.fill"), or NULL.  A linear scan: for tools. */
const struct registry_entry *registry_find_name(const struct registry *r, const char *name);

#endif
