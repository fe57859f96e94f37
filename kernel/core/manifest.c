/*
 * manifest.c: the Manifest engine (see manifest.h for the semantics).
 *
 * decode_op() checks one op against the registry and the plan without
 * side effects; manifest_execute() runs it over the whole chain, then calls
 * the handlers in order, applying each op's error policy and filling the
 * Result as it goes.
 */
#include "core/manifest.h"
#include "core/auth.h"
#include "boxos/abi/manifest.h"

static int8_t clip8(int32_t s)
{
	if (s < -128)
		return -128;
	if (s > 127)
		return 127;
	return (int8_t)s;
}

static void result_reset(struct box_result *res, uint64_t cookie, uint32_t op_count)
{
	res->cookie = cookie;
	res->status = BOX_OK;
	res->ops_run = 0;
	res->failed_op = BOX_NO_FAILED_OP;
	res->bytes_out = 0;
	res->value = 0;
	for (uint32_t j = 0; j < BOX_RESULT_OPS; j++)
		res->op_status[j] = j < op_count ? clip8(BOX_ERR_NOT_RUN) : 0;
}

/* BOX_OK if op i may run; changes nothing but the op's cached entry. */
static int32_t decode_op(const struct registry *r, struct box_plan *plan, uint32_t i,
			 const struct exec_ctx *ctx)
{
	struct box_plan_op *op = &plan->ops[i];
	const struct registry_entry *e = registry_lookup(r, op->op_id);
	op->entry = e;

	if (!e)
		return BOX_ERR_INVALID_OPCODE;
	if (op->param_size != e->param_size || (op->param_size && !op->params))
		return BOX_ERR_INVALID;
	if (op->policy > BOX_POLICY_OPTIONAL)
		return BOX_ERR_INVALID;
	if (op->in != BOX_NO_CRATE && op->in >= plan->crate_count)
		return BOX_ERR_BOUNDS;
	if (op->out != BOX_NO_CRATE && op->out >= plan->crate_count)
		return BOX_ERR_BOUNDS;
	if (op->feed && (i == 0 || op->in == BOX_NO_CRATE || plan->ops[i - 1].out != op->in))
		return BOX_ERR_INVALID;
	if (!e->handler)
		return BOX_ERR_INVALID_OPCODE;
	if (!ctx->kernel_internal && auth_check(ctx->level, ctx->tags, e->auth) != BOX_OK)
		return BOX_ERR_PERM;
	return BOX_OK;
}

/* Run ops cur->next.. in order; OP_PENDING when one must wait (only with cur). */
static int32_t run_ops(const struct box_plan *plan, struct op_buf bufs[],
		       const struct exec_ctx *ctx, struct box_result *res,
		       struct manifest_cursor *cur, bool may_wait)
{
	const uint32_t n = plan->op_count;
	int32_t prev = cur->prev;
	/* one call record for the whole chain: each op sets only what is its own */
	struct op_call call;
	call.caller = ctx->caller;
	for (uint32_t i = cur->next; i < n; i++) {
		const struct box_plan_op *op = &plan->ops[i];
		const struct registry_entry *e = op->entry; /* decode_op looked it up */
		struct op_buf *out = op->out != BOX_NO_CRATE ? &bufs[op->out] : NULL;
		int32_t st;

		if (op->feed && prev != BOX_OK) {
			st = BOX_ERR_NOT_RUN;  /* its input was never produced */
		} else {
			bool resumed = may_wait && cur->pending && i == cur->next;
			call.params = op->params;
			call.param_size = op->param_size;
			call.in = op->in != BOX_NO_CRATE ? &bufs[op->in] : NULL;
			call.out = out;
			call.value = 0;
			call.park[0] = resumed ? cur->park[0] : 0;
			call.park[1] = resumed ? cur->park[1] : 0;
			call.wake_tsc = 0;
			call.wake_events = 0;
			st = e->handler(&call);
			if (st == OP_PENDING && may_wait) {
				cur->next = i;
				cur->prev = prev;
				cur->park[0] = call.park[0];
				cur->park[1] = call.park[1];
				cur->wake_tsc = call.wake_tsc;
				cur->wake_events = call.wake_events;
				cur->pending = true;
				return OP_PENDING;
			}
			res->ops_run++;
			if (st > 0)
				st = BOX_ERR_INTERNAL;
			if (out && out->size > out->capacity) {
				out->size = out->capacity;
				st = BOX_ERR_INTERNAL;
			}
			if (ctx->trace)
				ctx->trace(ctx->trace_arg, op->op_id, e->deck, st);
			if (st == BOX_OK) {
				if (out)
					res->bytes_out += out->size;
				res->value = call.value;
			}
		}
		cur->pending = false; /* the next op starts fresh */

		if (i < BOX_RESULT_OPS)
			res->op_status[i] = clip8(st);
		prev = st;
		if (st == BOX_OK)
			continue;
		if (op->policy != BOX_POLICY_OPTIONAL && res->status == BOX_OK) {
			res->status = st;
			res->failed_op = (uint16_t)i;
		}
		if (op->policy == BOX_POLICY_STOP)
			break;  /* later op_status entries are already BOX_ERR_NOT_RUN */
	}
	return res->status;
}

static int32_t start(const struct registry *r, struct box_plan *plan, struct op_buf bufs[],
		     const struct exec_ctx *ctx, struct box_result *res,
		     struct manifest_cursor *cur, bool may_wait)
{
	if (!res)
		return BOX_ERR_INVALID;
	result_reset(res, plan ? plan->pocket.cookie : 0, 0);
	if (!r || !plan || !ctx || plan->op_count == 0 || plan->op_count > BOX_MAX_OPS ||
	    plan->crate_count > BOX_MAX_CRATES || (plan->crate_count && !bufs)) {
		res->status = BOX_ERR_INVALID;
		return res->status;
	}

	const uint32_t n = plan->op_count;
	result_reset(res, plan->pocket.cookie, n);

	/* Decode: the whole chain is checked before anything runs. */
	for (uint32_t i = 0; i < n; i++) {
		int32_t st = decode_op(r, plan, i, ctx);
		if (st != BOX_OK) {
			res->status = st;
			res->failed_op = (uint16_t)i;
			if (i < BOX_RESULT_OPS)
				res->op_status[i] = clip8(st);
			return st;
		}
	}
	*cur = (struct manifest_cursor){.next = 0, .prev = BOX_OK};
	return run_ops(plan, bufs, ctx, res, cur, may_wait);
}

int32_t manifest_execute(const struct registry *r, struct box_plan *plan,
			 struct op_buf bufs[], const struct exec_ctx *ctx,
			 struct box_result *res)
{
	struct manifest_cursor cur;
	return start(r, plan, bufs, ctx, res, &cur, false);
}

int32_t manifest_start(const struct registry *r, struct box_plan *plan,
		       struct op_buf bufs[], const struct exec_ctx *ctx,
		       struct box_result *res, struct manifest_cursor *cur)
{
	return start(r, plan, bufs, ctx, res, cur, true);
}

int32_t manifest_start_decoded(const struct box_plan *plan, struct op_buf bufs[],
			       const struct exec_ctx *ctx, struct box_result *res,
			       struct manifest_cursor *cur)
{
	result_reset(res, plan->pocket.cookie, plan->op_count);
	*cur = (struct manifest_cursor){.next = 0, .prev = BOX_OK};
	return run_ops(plan, bufs, ctx, res, cur, true);
}

int32_t manifest_continue(const struct registry *r, const struct box_plan *plan,
			  struct op_buf bufs[], const struct exec_ctx *ctx,
			  struct box_result *res, struct manifest_cursor *cur)
{
	(void)r; /* the decode pass already resolved every op */
	return run_ops(plan, bufs, ctx, res, cur, true);
}
