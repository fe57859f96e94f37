/*
 * execution.c: the Execution Deck, whose one op (execution.result) ends a
 * Manifest chain.
 *
 * The handler itself touches no Crate: it hands its code back as the scalar
 * value and the Manifest engine writes the Result (last output's byte count,
 * code, per-op statuses).  Portable: compiled into the kernel and host tests.
 */
#include <stddef.h>
#include <stdint.h>

#include "boxos/ops.h"
#include "decks/decks.h"

/*
 * execution.result: decode checks the parameter blob is present and large
 * enough (the engine has already checked it against the spec); Crates, if
 * any are referenced, are ignored.  Invoke: value = params.code, BOX_OK.
 */
static int32_t op_result(struct op_call *call)
{
	const struct box_params_execution_result *p = call->params;

	if (!p || call->param_size < sizeof(*p))
		return BOX_ERR_INVALID;
	call->value = p->code;
	return BOX_OK;
}

static const struct deck_op ops[] = {
	{ BOX_OP_EXECUTION_RESULT, op_result },
};

const struct deck execution_deck = {
	"execution", BOX_DECK_EXECUTION, ops, sizeof(ops) / sizeof(ops[0]),
};
