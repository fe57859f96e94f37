/*
 * validate.c: the Pocket/Manifest/Crate decoder (see validate.h, docs/abi.md).
 *
 * Three phases, strictly in order:
 *   1. snapshot: the Pocket is copied into the plan word by word;
 *   2. copy-in: with only the Pocket's sizes and pointers checked, the
 *      Manifest (inline from the snapshot, or through uv->copy_in) and the
 *      Crate array are copied into the plan, once;
 *   3. check: every rule runs on those copies and the op list is decoded.
 * Nothing outside *out is written and user memory is not read again.
 * Portable C: no libc, only explicit byte loops.
 */
#include "core/validate.h"

/* Fixed-size copies become plain loads and stores (no call, no loop). */
#define copy_bytes(dst, src, n) __builtin_memcpy((dst), (src), (n))

/* Every chain pays this per op (the padding after its params), so whole
 * words where it can. */
static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		__builtin_memcpy(&w, p + i, 8);
		if (w)
			return false;
	}
	for (; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * x86-64 with 4-level paging: bits 63..47 all equal.  Implied by
 * hi <= BOX_USER_TOP, kept so a wrong user view cannot let one through.
 */
static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1FFFF;
}

/* [addr, addr + len) inside [lo, hi), canonical, no overflow. */
static int user_range(const struct box_user_view *uv, uint64_t addr, uint64_t len)
{
	if (!canonical(addr) || addr < uv->lo || addr > uv->hi || len > uv->hi - addr)
		return BOX_ERR_FAULT;
	return BOX_OK;
}

static bool overlap(const struct box_crate *a, const struct box_crate *b)
{
	/* Both ranges are known not to wrap; empty ranges overlap nothing. */
	if (a->capacity == 0 || b->capacity == 0)
		return false;
	return a->addr < b->addr + b->capacity && b->addr < a->addr + a->capacity;
}

static int check_crate(const struct box_crate *c, const struct box_user_view *uv)
{
	if (c->flags != 0 || c->reserved != 0)
		return BOX_ERR_INVALID;
	if (c->dir != BOX_CRATE_IN && c->dir != BOX_CRATE_OUT && c->dir != BOX_CRATE_INOUT)
		return BOX_ERR_INVALID;
	if (c->capacity > BOX_CRATE_MAX_BYTES)
		return BOX_ERR_TOO_BIG;
	if (c->size > c->capacity)
		return BOX_ERR_BOUNDS;
	return user_range(uv, c->addr, c->capacity);
}

/* Phase 3 for the Manifest: header, then every entry. */
static int decode_manifest(struct box_plan *out)
{
	const uint8_t *m = out->manifest;
	uint32_t size = out->manifest_size;
	struct box_manifest h;

	copy_bytes(&h, m, sizeof h);
	if (h.magic != BOX_MANIFEST_MAGIC || h.version != BOX_MANIFEST_VERSION || h.flags != 0)
		return BOX_ERR_INVALID;
	if (h.size != size || h.op_count == 0)
		return BOX_ERR_INVALID;

	uint32_t off = sizeof h;
	for (uint32_t i = 0; i < h.op_count; i++) {
		struct box_op op;
		struct box_plan_op *po = &out->ops[i];

		if (size - off < sizeof op)
			return BOX_ERR_INVALID;        /* entry runs past the end */
		copy_bytes(&op, m + off, sizeof op);
		off += sizeof op;
		if (op.reserved != 0 || op.reserved2 != 0 || op.policy > BOX_POLICY_OPTIONAL)
			return BOX_ERR_INVALID;
		if (op.param_size > BOX_PARAM_MAX)
			return BOX_ERR_BOUNDS;
		uint32_t padded = BOX_PARAM_PAD(op.param_size);
		if (size - off < padded)
			return BOX_ERR_INVALID;        /* params run past the end */
		if (!all_zero(m + off + op.param_size, padded - op.param_size))
			return BOX_ERR_INVALID;        /* padding must be zero */

		po->op_id = op.op_id;
		po->entry = NULL;
		po->params = m + off;
		po->param_size = op.param_size;
		po->policy = op.policy;
		po->feed = false;
		off += padded;

		/* Input Crate. */
		if (op.in_crate == BOX_FEED) {
			if (i == 0 || out->ops[i - 1].out == BOX_NO_CRATE)
				return BOX_ERR_INVALID;  /* nothing to feed from */
			po->in = out->ops[i - 1].out;
			po->feed = true;
		} else if (op.in_crate == BOX_NO_CRATE) {
			po->in = BOX_NO_CRATE;
		} else if (op.in_crate >= out->crate_count) {
			return BOX_ERR_BOUNDS;
		} else {
			if (!(out->crates[op.in_crate].dir & BOX_CRATE_IN))
				return BOX_ERR_INVALID;  /* reading a write-only Crate */
			po->in = op.in_crate;
		}

		/* Output Crate. */
		if (op.out_crate == BOX_NO_CRATE) {
			po->out = BOX_NO_CRATE;
		} else if (op.out_crate == BOX_FEED) {
			return BOX_ERR_INVALID;
		} else if (op.out_crate >= out->crate_count) {
			return BOX_ERR_BOUNDS;
		} else {
			if (!(out->crates[op.out_crate].dir & BOX_CRATE_OUT))
				return BOX_ERR_INVALID;  /* writing a read-only Crate */
			po->out = op.out_crate;
		}

		/*
		 * An op's output must not overlap its input unless it is the same
		 * Crate.  (The same Crate on both sides is INOUT by the two dir
		 * checks above, or the FEED of an OUT Crate the kernel wrote.)
		 */
		if (po->in != BOX_NO_CRATE && po->out != BOX_NO_CRATE && po->in != po->out &&
		    overlap(&out->crates[po->in], &out->crates[po->out]))
			return BOX_ERR_BOUNDS;
	}
	if (off != size)
		return BOX_ERR_INVALID;                /* trailing bytes after the last entry */
	out->op_count = h.op_count;
	return BOX_OK;
}

int box_validate_pocket(const struct box_pocket *p, const struct box_user_view *uv,
			struct box_plan *out)
{
	struct box_pocket *pk = &out->pocket;
	int rc;

	if (!p || !uv || !uv->copy_in || !out || !out->manifest || uv->lo == 0 ||
	    uv->lo >= uv->hi || uv->hi > BOX_USER_TOP)
		return BOX_ERR_INTERNAL;

	/* 1. Snapshot: each word of the Pocket is read once. */
	{
		const volatile uint64_t *src = (const volatile uint64_t *)p;
		uint64_t *dst = (uint64_t *)pk;
		for (size_t i = 0; i < sizeof *pk / 8; i++)
			dst[i] = src[i];
	}
	out->manifest_size = pk->manifest_size;
	out->crate_count = pk->crate_count;
	out->op_count = 0;

	/* 2. Pocket shape, then copy-in. */
	if (pk->flags & ~(uint32_t)BOX_POCKET_FLAGS)
		return BOX_ERR_INVALID;
	bool inl = pk->flags & BOX_POCKET_INLINE;
	if (pk->manifest_size > (inl ? BOX_INLINE_MAX : BOX_MANIFEST_MAX))
		return BOX_ERR_TOO_BIG;
	if (pk->manifest_size < sizeof(struct box_manifest))
		return BOX_ERR_INVALID;
	if (inl && (pk->manifest != 0 ||
		    !all_zero(pk->inline_manifest + pk->manifest_size,
			      BOX_INLINE_MAX - pk->manifest_size)))
		return BOX_ERR_INVALID;
	if (pk->crate_count > BOX_MAX_CRATES)
		return BOX_ERR_TOO_BIG;
	if (pk->crate_count == 0 && pk->crates != 0)
		return BOX_ERR_INVALID;

	uint64_t crate_bytes = (uint64_t)pk->crate_count * sizeof(struct box_crate);
	if (!inl) {
		rc = user_range(uv, pk->manifest, pk->manifest_size);
		if (rc != BOX_OK)
			return rc;
	}
	if (pk->crate_count) {
		rc = user_range(uv, pk->crates, crate_bytes);
		if (rc != BOX_OK)
			return rc;
	}

	if (inl)
		__builtin_memcpy(out->manifest, pk->inline_manifest, BOX_INLINE_MAX); /* zero-padded */
	else if (uv->copy_in(uv->ctx, out->manifest, pk->manifest, pk->manifest_size) != 0)
		return BOX_ERR_FAULT;
	if (pk->crate_count &&
	    uv->copy_in(uv->ctx, out->crates, pk->crates, (size_t)crate_bytes) != 0)
		return BOX_ERR_FAULT;

	/* 3. Checks on the copies only. */
	for (uint32_t i = 0; i < out->crate_count; i++) {
		rc = check_crate(&out->crates[i], uv);
		if (rc != BOX_OK)
			return rc;
	}
	for (uint32_t i = 0; i < out->crate_count; i++) {
		if (!(out->crates[i].dir & BOX_CRATE_OUT))
			continue;
		for (uint32_t j = i + 1; j < out->crate_count; j++)
			if ((out->crates[j].dir & BOX_CRATE_OUT) &&
			    overlap(&out->crates[i], &out->crates[j]))
				return BOX_ERR_BOUNDS;
	}
	return decode_manifest(out);
}
