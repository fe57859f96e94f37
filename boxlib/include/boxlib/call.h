/*
 * boxlib/call.h: running one op and waiting for its Result, with a timeout.
 *
 * box_op() builds a one-op Manifest (inline in the Pocket when it fits, as
 * it does for every op of the spec), describes the op's buffers as Crates
 * (the input as Crate IN, the output as Crate INOUT), pushes the Pocket,
 * rings the doorbell and waits on the Result ring with BOX_NOTIFY_WAIT until
 * the Result with its cookie arrives or the timeout passes.  Results of
 * earlier calls that timed out (their cookies are older) are dropped on the
 * way.  The generated wrappers of boxlib/calls.h (one per op in
 * ops/ops.spec) are thin shells around it.
 *
 * Return value: BOX_ERR_FULL (the Pocket ring is full: nothing was sent),
 * BOX_ERR_TIMEOUT (no Result in time: the Pocket may still run later, so
 * its buffers must stay valid), BOX_ERR_INVALID (parameters over
 * BOX_PARAM_MAX, a Result ring that is corrupted or a Result with a cookie
 * from the future, i.e. someone else's Pocket), otherwise the Result's
 * status (BOX_OK or the op's error).  Not thread-safe, and not to be mixed
 * with Pockets in flight from box_submit().
 */
#ifndef BOXLIB_CALL_H
#define BOXLIB_CALL_H

#include <stdint.h>

#include "boxos/abi/abi.h"

#define BOX_CALL_TIMEOUT_US_DEFAULT 5000000ull  /* 5 s */

struct box_op_call {
	uint64_t op_id;           /* BOX_OP_* */
	const void *params;       /* param_size bytes (NULL when 0) */
	uint16_t param_size;
	const void *in;           /* input buffer, NULL for none */
	uint64_t in_len;          /* its bytes */
	void *out;                /* output buffer, NULL for none */
	uint64_t out_cap;         /* bytes it can hold */
	uint64_t out_len;         /* in: bytes already valid in out (ops that append
	                           * or compare read them); out: the output's size */
	uint64_t timeout_us;      /* 0: box_call_timeout_us */
	uint64_t value;           /* out: the Result's value */
	struct box_result result; /* out: the whole Result, when one came */
};

/* How long the generated wrappers wait for a Result (default 5 s). */
extern uint64_t box_call_timeout_us;

int32_t box_op(struct box_op_call *c);

/* Results dropped because their call had timed out already (for tests). */
uint64_t box_call_stale_results(void);

#endif
