/*
 * result.h: the Result, one 64-byte slot on a Cabin's Result ring (ABI).
 *
 * The kernel posts one Result per Pocket.  status is the chain's status: the
 * first failure of an op whose policy is not OPTIONAL, else BOX_OK (a
 * Pocket rejected before any op ran has ops_run 0 and failed_op 0xFFFF).
 * op_status[i] is op i's status clipped to int8 (0 or a negative
 * box_status) for the first 32 ops.
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
	uint16_t ops_run;     /* ops that were executed */
	uint16_t failed_op;   /* index of the op that set status, BOX_NO_FAILED_OP if none */
	uint64_t bytes_out;   /* bytes written to output Crates */
	uint64_t value;       /* the last op's scalar result (e.g. a hash) */
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
