/*
 * result.h: the Result, one 64-byte slot on a Cabin's Result ring (ABI).
 *
 * The kernel posts one Result per Pocket it takes off the ring
 * (kernel/core/manifest.c fills it, kernel/core/guide.c for early rejects).
 * status is the chain's status: the first failure of an op whose policy is
 * not OPTIONAL, else BOX_OK.  Three ways a Pocket ends without running:
 *   - rejected by validation or the Crate mapping check: that status,
 *     failed_op 0xFFFF, ops_run 0, every op_status 0;
 *   - an op fails the engine's decode pass (unknown op, no handler, wrong
 *     param_size, Crate index, auth): failed_op is that op's index, its
 *     op_status the error, every other op's BOX_ERR_NOT_RUN, ops_run 0;
 *   - the Pocket ring's indices are corrupted: BOX_ERR_INVALID, cookie 0,
 *     failed_op 0xFFFF.
 * op_status[i] is op i's status clipped to int8 (0, a negative box_status,
 * BOX_ERR_NOT_RUN for an op that did not run) for the first 32 ops, 0 past
 * the end of the chain.
 */
#ifndef BOXOS_ABI_RESULT_H
#define BOXOS_ABI_RESULT_H

#include <stdint.h>
#include <stddef.h>

#define BOX_RESULT_OPS   32u      /* ops with a per-op status */
#define BOX_NO_FAILED_OP 0xFFFFu

struct box_result {
	uint64_t cookie;      /* the Pocket's cookie */
	int32_t  status;      /* enum box_status of the chain */
	uint16_t ops_run;     /* handlers called (ops not run do not count) */
	uint16_t failed_op;   /* index of the op that set status; BOX_NO_FAILED_OP
	                       * when status is BOX_OK or no op is to blame */
	uint64_t bytes_out;   /* sum of the output Crate's size after each op
	                       * that succeeded and has one */
	uint64_t value;       /* scalar result of the last op that succeeded, 0 if
	                       * none (a hash, an offset, execution.result's code) */
	int8_t   op_status[BOX_RESULT_OPS];
};

_Static_assert(sizeof(struct box_result) == 64, "box_result is 64 bytes");
_Static_assert(_Alignof(struct box_result) == 8, "box_result alignment");
_Static_assert(offsetof(struct box_result, cookie) == 0, "result.cookie");
_Static_assert(offsetof(struct box_result, status) == 8, "result.status");
_Static_assert(offsetof(struct box_result, ops_run) == 12, "result.ops_run");
_Static_assert(offsetof(struct box_result, failed_op) == 14, "result.failed_op");
_Static_assert(offsetof(struct box_result, bytes_out) == 16, "result.bytes_out");
_Static_assert(offsetof(struct box_result, value) == 24, "result.value");
_Static_assert(offsetof(struct box_result, op_status) == 32, "result.op_status");

#endif
