/*
 * system.c: the System Deck, the kernel's own services as ops.
 *
 * Only system.trace.read has a handler so far; the Deck's other ops in
 * ops/ops.spec answer BOX_ERR_INVALID_OPCODE.  Handlers decode first
 * (missing or inconsistent output Crate -> BOX_ERR_INVALID), then act.
 *
 * Output layouts (all integers little-endian):
 *   trace.read   the newest PerfTrace entries (core/perftrace.h, 32 bytes
 *                each: u64 tsc, u32 cabin, u8 deck, 3 zero bytes, u64 op
 *                id, i32 status, u32 low sequence bits), oldest first, as
 *                many whole entries as the output's capacity holds (the
 *                op's own dispatch is recorded after it returns, so it is
 *                not among them).  out->size = bytes written, value =
 *                entries written.  With PerfTrace compiled out
 *                (BOXOS_PERFTRACE=0) the output is empty and value 0.
 */
#include <stdint.h>

#include "boxos/ops.h"
#include "core/perftrace.h"
#include "decks/decks.h"

/* Only the Guide calls handlers, one at a time: too big for a kernel stack. */
static struct perftrace_entry snap[PERFTRACE_SLOTS];

static int32_t trace_read(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (!out || (!out->data && out->capacity) || out->size > out->capacity)
		return BOX_ERR_INVALID;
	uint64_t fit = out->capacity / sizeof(struct perftrace_entry);
	unsigned n = perftrace_snapshot(snap, fit < PERFTRACE_SLOTS ? (unsigned)fit : PERFTRACE_SLOTS);
	const uint8_t *src = (const uint8_t *)snap;
	uint64_t bytes = (uint64_t)n * sizeof(struct perftrace_entry);
	for (uint64_t i = 0; i < bytes; i++)
		out->data[i] = src[i];
	out->size = bytes;
	call->value = n;
	return BOX_OK;
}

static const struct deck_op ops[] = {
	{BOX_OP_SYSTEM_TRACE_READ, trace_read},
};

const struct deck system_deck = {
	"system", BOX_DECK_SYSTEM, ops, sizeof(ops) / sizeof(ops[0]),
};
