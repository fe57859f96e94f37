/*
 * op.h: the contract between the Manifest engine and the Decks.
 *
 * A Deck is one table of struct deck_op (op id from the generated
 * boxos/ops.h, handler in the Deck's own file), like a Plan 9 device table.
 * The engine calls a handler with a struct op_call: the op's parameter blob
 * (already validated against the spec's size), kernel-accessible views of
 * its input and output Crates, and room for a scalar result.  A handler
 * first checks its parameters and changes nothing when they are wrong
 * (decode), then acts (invoke); it returns BOX_OK or a negative box_status.
 * Handlers never see user pointers: the engine has checked and mapped the
 * Crates before the call.  `in` and `out` may be the same Crate.
 */
#ifndef CORE_OP_H
#define CORE_OP_H

#include <stdint.h>
#include "boxos/abi/status.h"

struct cabin;

/* A Crate as a handler sees it. */
struct op_buf {
	uint8_t *data;       /* kernel-accessible bytes */
	uint64_t size;       /* valid bytes on entry; an output's is updated by the handler */
	uint64_t capacity;   /* bytes the buffer can hold */
};

struct op_call {
	const void *params;       /* param_size bytes, naturally aligned (8) */
	uint16_t param_size;
	const struct op_buf *in;  /* NULL when the op has no input Crate */
	struct op_buf *out;       /* NULL when the op has no output Crate */
	uint64_t value;           /* out: a scalar result (a hash, an offset, a count) */
	struct cabin *caller;     /* NULL in host tests */
	/* Waiting ops (see OP_PENDING): */
	uint64_t park[2];         /* the op's own state between calls; zero on the first call */
	uint64_t wake_tsc;        /* out with OP_PENDING: call again once the TSC passes this (0 = no deadline) */
	uint32_t wake_events;     /* out with OP_PENDING: call again when one of these OP_WAKE_* fires */
};

/*
 * An op that has to wait (timer.sleep, console.read, proc.wait, ipc.send)
 * returns OP_PENDING instead of blocking the Guide: the Guide parks the rest
 * of the Pocket's chain and calls the same handler again, with the same
 * Crates and call->park as it left them, when one of call->wake_events is
 * signalled (guide_signal) or call->wake_tsc passes.  A Cabin never sees
 * OP_PENDING; while its chain is parked its later Pockets wait behind it.
 * The host-test engine treats OP_PENDING like any positive return: a bug.
 */
#define OP_PENDING 1

enum op_wake {
	OP_WAKE_CONSOLE    = 1u << 0,  /* console input arrived */
	OP_WAKE_KBD        = 1u << 1,  /* a key event arrived */
	OP_WAKE_CABIN_EXIT = 1u << 2,  /* some Cabin exited or was killed */
	OP_WAKE_IPC        = 1u << 3,  /* an ipc.reply was posted */
};

typedef int32_t (*op_handler_t)(struct op_call *call);

struct deck_op {
	uint64_t id;              /* BOX_OP_* from the generated boxos/ops.h */
	op_handler_t handler;
};

struct deck {
	const char *name;         /* "operations", ... */
	uint8_t deck_id;          /* BOX_DECK_* */
	const struct deck_op *ops;
	unsigned count;
};

/* Helpers every Deck's decode step uses. */

/* Fetch the op's parameter struct into `var` or return BOX_ERR_INVALID. */
#define OP_PARAMS(type, var)                                           \
	const struct type *var = call->params;                         \
	if (!var || call->param_size < sizeof(*var))                   \
		return BOX_ERR_INVALID

/* A Crate the op needs: missing or inconsistent -> INVALID; size past capacity -> BOUNDS. */
static inline int32_t op_check_buf(const struct op_buf *b)
{
	if (!b)
		return BOX_ERR_INVALID;
	if (!b->data && b->capacity)
		return BOX_ERR_INVALID;
	if (b->size > b->capacity)
		return BOX_ERR_BOUNDS;
	return BOX_OK;
}

/* Store the low `width` bytes of v little-endian (results are little-endian). */
static inline void op_put_le(uint8_t *p, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
