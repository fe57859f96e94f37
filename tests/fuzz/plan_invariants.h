/*
 * plan_invariants.h: an independent re-check of an accepted struct box_plan.
 *
 * Used by tests/host/test_validate.c and tests/fuzz/fuzz_validate.c: after
 * box_validate_pocket() returns BOX_OK, plan_violation() re-derives every
 * property the Manifest engine will rely on from the plan's own copies (it
 * re-parses the Manifest bytes rather than trusting the decoded op list) and
 * returns a description of the first broken one, or NULL.  Written
 * separately from validate.c on purpose: the two must agree.
 */
#ifndef TESTS_PLAN_INVARIANTS_H
#define TESTS_PLAN_INVARIANTS_H

#include <stdint.h>
#include <string.h>

#include "core/validate.h"

static int plan_in_user(const struct box_user_view *uv, uint64_t a, uint64_t n)
{
	unsigned __int128 end = (unsigned __int128)a + n;
	return a >= uv->lo && end <= uv->hi && uv->hi <= BOX_USER_TOP;
}

static int plan_ranges_overlap(const struct box_crate *a, const struct box_crate *b)
{
	unsigned __int128 ae = (unsigned __int128)a->addr + a->capacity;
	unsigned __int128 be = (unsigned __int128)b->addr + b->capacity;
	return a->capacity && b->capacity && a->addr < be && b->addr < ae;
}

static const char *plan_violation(const struct box_plan *pl, const struct box_user_view *uv)
{
	const struct box_pocket *pk = &pl->pocket;
	int inl = (pk->flags & BOX_POCKET_INLINE) != 0;

	if (pk->flags & ~1u)
		return "unknown pocket flag accepted";
	if (pl->manifest_size != pk->manifest_size || pl->crate_count != pk->crate_count)
		return "plan sizes differ from the pocket";
	if (pl->manifest_size < 8 || pl->manifest_size > (inl ? 88u : 65536u))
		return "manifest size out of limits";
	if (inl && pk->manifest != 0)
		return "inline pocket with a manifest pointer";
	if (inl && memcmp(pl->manifest, pk->inline_manifest, pl->manifest_size) != 0)
		return "inline manifest copy differs";
	if (!inl && !plan_in_user(uv, pk->manifest, pl->manifest_size))
		return "manifest outside the user range";
	if (pl->crate_count > 64)
		return "too many crates";
	if (pl->crate_count && !plan_in_user(uv, pk->crates, 40ull * pl->crate_count))
		return "crate array outside the user range";

	for (uint32_t i = 0; i < pl->crate_count; i++) {
		const struct box_crate *c = &pl->crates[i];
		if (c->flags || c->reserved)
			return "crate flags/reserved nonzero";
		if (c->dir < 1 || c->dir > 3)
			return "crate dir invalid";
		if (c->size > c->capacity || c->capacity > (1ull << 30))
			return "crate size/capacity out of limits";
		if (!plan_in_user(uv, c->addr, c->capacity))
			return "crate outside the user range";
		for (uint32_t j = 0; j < pl->crate_count; j++)
			if (j != i && (c->dir & 2) && (pl->crates[j].dir & 2) &&
			    plan_ranges_overlap(c, &pl->crates[j]))
				return "two output crates overlap";
	}

	/* Re-parse the Manifest bytes. */
	const uint8_t *m = pl->manifest;
	uint16_t magic, size, flags;
	memcpy(&magic, m, 2);
	memcpy(&size, m + 4, 2);
	memcpy(&flags, m + 6, 2);
	if (magic != 0xB0C5 || m[2] != 1 || flags != 0 || size != pl->manifest_size)
		return "manifest header invalid";
	if (m[3] == 0 || m[3] != pl->op_count)
		return "op count wrong";
	size_t off = 8;
	for (uint32_t i = 0; i < pl->op_count; i++) {
		const struct box_plan_op *po = &pl->ops[i];
		uint64_t id;
		uint16_t ps, r2;
		if (off + 16 > size)
			return "op header past the end";
		memcpy(&id, m + off, 8);
		memcpy(&ps, m + off + 12, 2);
		memcpy(&r2, m + off + 14, 2);
		uint8_t pol = m[off + 8], in = m[off + 9], out = m[off + 10], r1 = m[off + 11];
		if (r1 || r2 || pol > 2 || ps > 256)
			return "op reserved/policy/param_size invalid";
		if (id != po->op_id || pol != po->policy || ps != po->param_size)
			return "decoded op differs from the bytes";
		if (po->params != m + off + 16)
			return "params pointer wrong";
		size_t padded = (ps + 7u) & ~7u;
		if (off + 16 + padded > size)
			return "params past the end";
		for (size_t k = ps; k < padded; k++)
			if (m[off + 16 + k])
				return "nonzero padding";
		off += 16 + padded;

		if (in == 0xFE) {
			if (i == 0 || !po->feed || po->in != pl->ops[i - 1].out || po->in == 0xFF)
				return "feed resolved wrongly";
		} else {
			if (po->feed || po->in != in)
				return "input crate index differs";
			if (in != 0xFF && (in >= pl->crate_count || !(pl->crates[in].dir & 1)))
				return "input crate invalid";
		}
		if (po->out != out)
			return "output crate index differs";
		if (out != 0xFF && (out >= pl->crate_count || !(pl->crates[out].dir & 2)))
			return "output crate invalid";
		if (po->in != 0xFF && po->in >= pl->crate_count)
			return "resolved input out of range";
		if (po->in != 0xFF && out != 0xFF) {
			if (po->in == out) {
				if (!po->feed && pl->crates[out].dir != 3)
					return "same crate in and out but not INOUT";
			} else if (plan_ranges_overlap(&pl->crates[po->in], &pl->crates[out])) {
				return "op output overlaps its input";
			}
		}
	}
	if (off != size)
		return "trailing bytes accepted";
	return NULL;
}

#endif
