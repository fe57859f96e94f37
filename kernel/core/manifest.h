/*
 * manifest.h: the Manifest engine, runs a validated plan through the registry.
 *
 * manifest_execute() takes a plan box_validate_pocket() produced, one
 * struct op_buf per Crate (kernel views the caller filled from
 * plan->crates), and the caller's identity, and fills a struct box_result.
 *
 * Decode pass first, changing nothing: every op must have a known id
 * (BOX_ERR_INVALID_OPCODE), exactly the spec's param_size (BOX_ERR_INVALID),
 * a sane policy and Crate indexes (BOX_ERR_INVALID / BOX_ERR_BOUNDS), a
 * handler (BOX_ERR_INVALID_OPCODE) and pass the auth gate (BOX_ERR_PERM;
 * skipped when ctx->kernel_internal).  If any op fails, no op runs: the
 * Result names the first failing op (failed_op, status, its op_status) and
 * every other op_status is BOX_ERR_NOT_RUN, ops_run 0.
 *
 * Then the ops run in order.  in is bufs[op.in] (for a FEED op, the
 * previous op's output Crate), out is bufs[op.out]; the engine does not
 * reset out->size, the handler sets it (so appending ops see what is
 * there).  After each op bufs[] hold the sizes produced; the caller copies
 * them back to the user Crates.  An op's failure is handled by its policy:
 *   STOP      the chain ends; later ops get BOX_ERR_NOT_RUN;
 *   SKIP      recorded, the chain goes on;
 *   OPTIONAL  recorded, the chain goes on and its status ignores it.
 * The chain status is the first failure of a non-OPTIONAL op (failed_op is
 * its index), else BOX_OK.  A FEED op whose previous op did not succeed
 * (failed or was itself not run) is not called: its status is
 * BOX_ERR_NOT_RUN, which then counts as its failure under its own policy.
 * A handler returning a positive value, or leaving out->size above
 * out->capacity (clamped), is an internal bug: BOX_ERR_INTERNAL.
 *
 * Result: cookie = the Pocket's cookie; ops_run = handlers called;
 * bytes_out = sum of out->size after each successful op with an output;
 * value = the scalar of the last successful op (0 if none); op_status[i] =
 * op i's status clipped to int8 for i < 32, 0 past the end of the chain.
 * The decode pass keeps each op's registry entry in plan->ops[i].entry (so
 * the plan is not const), and the run calls handlers through it.
 * Portable: kernel and host tests compile the same file.
 */
#ifndef CORE_MANIFEST_H
#define CORE_MANIFEST_H

#include <stdint.h>
#include <stdbool.h>

#include "boxos/abi/result.h"
#include "core/op.h"
#include "core/validate.h"
#include "core/registry.h"
#include "core/op.h"

struct exec_ctx {
	struct cabin *caller;   /* handed to handlers as op_call.caller; NULL in host tests */
	uint8_t level;          /* the caller's enum box_auth level */
	uint64_t tags;          /* the caller's AUTH_TAG_* mask */
	bool kernel_internal;   /* a kernel-built Manifest: no auth gate */
	/* Called after each handler returns (the op's id, Deck and final
	 * status); NULL means no tracing.  The Guide points it at PerfTrace. */
	void (*trace)(void *arg, uint64_t op_id, uint8_t deck, int32_t status);
	void *trace_arg;
};

/*
 * Where a chain stopped when an op returned OP_PENDING (core/op.h), so the
 * Guide can run the rest later.  Only manifest_start/manifest_continue use it.
 */
struct manifest_cursor {
	uint32_t next;          /* the op to (re)run */
	int32_t prev;           /* the status of the op before it (for FEED) */
	uint64_t park[2];       /* the pending op's own state */
	uint64_t wake_tsc;      /* the pending op's deadline, 0 = none */
	uint32_t wake_events;   /* OP_WAKE_* that should re-run it */
	bool pending;           /* ops[next] returned OP_PENDING */
};

/*
 * Like manifest_execute, but an op may return OP_PENDING: then the chain
 * stops there and this returns OP_PENDING with *cur saying where, and the
 * Result holds what ran so far.  manifest_continue() re-runs the pending op
 * (call.park as it left it) and the rest; it may return OP_PENDING again.
 * Neither is called with a plan or bufs that changed in between.
 */
int32_t manifest_start(const struct registry *r, struct box_plan *plan,
		       struct op_buf bufs[], const struct exec_ctx *ctx,
		       struct box_result *res, struct manifest_cursor *cur);
/*
 * manifest_start for a plan a successful manifest_start already decoded for
 * a caller with the same level and tags (the Guide's warm plan, core/warm.c):
 * no decode pass, the ops run through the entries it kept.
 */
int32_t manifest_start_decoded(const struct box_plan *plan, struct op_buf bufs[],
			       const struct exec_ctx *ctx, struct box_result *res,
			       struct manifest_cursor *cur);
int32_t manifest_continue(const struct registry *r, const struct box_plan *plan,
			  struct op_buf bufs[], const struct exec_ctx *ctx,
			  struct box_result *res, struct manifest_cursor *cur);

/*
 * Returns the chain status (also res->status).  bufs may be NULL when the
 * plan has no Crates.  Bad arguments (NULL r/plan/ctx, op_count 0 or over
 * BOX_MAX_OPS, crate_count over BOX_MAX_CRATES) give BOX_ERR_INVALID with
 * failed_op BOX_NO_FAILED_OP; a NULL res gives BOX_ERR_INVALID and no Result.
 */
int32_t manifest_execute(const struct registry *r, struct box_plan *plan,
			 struct op_buf bufs[], const struct exec_ctx *ctx,
			 struct box_result *res);

#endif
