/*
 * system_tags.c: Cabin tags and the machine-wide use context.
 *
 *   tag.add / tag.remove  (SYSTEM) the tag named by the input (core/tags.h:
 *                         1-31 of [a-z0-9_.-]) on a Cabin (0 = the caller).
 *                         `god` and `stopped` are tags like any other, with
 *                         the meaning the auth gate gives them.  Removing a
 *                         name that was never given out is BOX_ERR_NOENT.
 *   ctx.use   (UTILITY)   the input lists up to TAGS_CTX_MAX tag names
 *                         (spaces, commas or NULs between them); it becomes
 *                         the use context, replacing the old one.  Cabins
 *                         with one of those tags get the scheduler's boost;
 *                         the Storage Deck scopes queries and creates by it.
 *   ctx.clear (UTILITY)   no context.
 *   ctx.get               the context as names joined by single spaces
 *                         (empty when clear); value = how many names.  An
 *                         output too small for it is BOX_ERR_BOUNDS.
 * The context lives in the kernel, so it outlives the shell that set it.
 */
#include "decks/system.h"
#include "core/cabin.h"
#include "core/sched.h"

static int32_t tag_change(struct op_call *call, uint64_t cabin, bool add)
{
	const struct op_buf *in = call->in;
	if (!call->caller || !in || op_check_buf(in) != BOX_OK)
		return BOX_ERR_INVALID;
	struct cabin *c = sys_target(call, cabin);
	if (!c || c->state >= CABIN_EXITING)
		return BOX_ERR_NOENT;
	char name[TAGS_NAME_MAX];
	if (in->size == 0 || in->size >= sizeof(name))
		return BOX_ERR_INVALID;
	for (uint64_t i = 0; i < in->size; i++)
		name[i] = (char)in->data[i];
	unsigned bit;
	int32_t st = tags_bit(sys_tags(), name, in->size, add, &bit);
	if (st != BOX_OK)
		return st;
	if (add)
		__atomic_or_fetch(&c->tags, 1ull << bit, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&c->tags, ~(1ull << bit), __ATOMIC_RELAXED);
	call->value = c->tags;
	return BOX_OK;
}

int32_t sys_tag_add(struct op_call *call)
{
	OP_PARAMS(box_params_system_tag_add, p);
	return tag_change(call, p->cabin, true);
}

int32_t sys_tag_remove(struct op_call *call)
{
	OP_PARAMS(box_params_system_tag_remove, p);
	return tag_change(call, p->cabin, false);
}

int32_t sys_ctx_use(struct op_call *call)
{
	const struct op_buf *in = call->in;
	if (!in || op_check_buf(in) != BOX_OK)
		return BOX_ERR_INVALID;
	if (in->size > TAGS_CTX_MAX * TAGS_NAME_MAX)
		return BOX_ERR_TOO_BIG;
	char list[TAGS_CTX_MAX * TAGS_NAME_MAX];
	for (uint64_t i = 0; i < in->size; i++)
		list[i] = (char)in->data[i];
	uint8_t bits[TAGS_CTX_MAX];
	unsigned count;
	struct tags *t = sys_tags();
	int32_t st = tags_parse_list(t, list, in->size, bits, TAGS_CTX_MAX, &count);
	if (st != BOX_OK)
		return st;
	tags_ctx_set(t, bits, count);
	sched_set_boost_mask(tags_ctx_mask(t));
	call->value = count;
	return BOX_OK;
}

int32_t sys_ctx_clear(struct op_call *call)
{
	tags_ctx_set(sys_tags(), NULL, 0);
	sched_set_boost_mask(0);
	call->value = 0;
	return BOX_OK;
}

int32_t sys_ctx_get(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	struct tags *t = sys_tags();
	size_t n = tags_ctx_format(t, (char *)out->data, out->capacity);
	if (n > out->capacity)
		return BOX_ERR_BOUNDS;
	out->size = n;
	call->value = t->ctx_count;
	return BOX_OK;
}
