/*
 * validate.h: decode and check a Pocket, its Manifest and its Crates.
 *
 * box_validate_pocket() is the Guide's "decode" step (after seL4): it copies
 * the Pocket, the Manifest and the Crate array into kernel memory exactly
 * once, checks every rule on those copies, and on success fills a plan the
 * Manifest engine can execute without touching the Cabin's descriptors
 * again.  It changes no state outside *out and never re-reads user memory
 * after a check.  Auth and op-id lookup are not done here (the OpRegistry
 * does them).  Portable: the kernel passes a copy-in routine that walks the
 * Cabin's page table, host tests pass one over a simulated memory.
 */
#ifndef CORE_VALIDATE_H
#define CORE_VALIDATE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#include "boxos/abi/abi.h"

#define BOX_USER_TOP 0x0000800000000000ull  /* end of the canonical lower half */

/* The sending Cabin's user address range and a way to read from it. */
struct box_user_view {
	uint64_t lo, hi;  /* every user pointer must lie in [lo, hi); 0 < lo < hi <= BOX_USER_TOP */
	void *ctx;
	/* Copy n bytes from user address user_src; returns 0 or BOX_ERR_FAULT. */
	int (*copy_in)(void *ctx, void *dst, uint64_t user_src, size_t n);
};

/* One decoded op. */
struct box_plan_op {
	uint64_t op_id;
	const uint8_t *params;  /* inside plan->manifest; param_size bytes */
	uint16_t param_size;
	uint8_t policy;         /* BOX_POLICY_* */
	uint8_t in;             /* Crate index (BOX_FEED resolved) or BOX_NO_CRATE */
	uint8_t out;            /* Crate index or BOX_NO_CRATE */
	bool feed;              /* in was BOX_FEED: the previous op's out Crate */
	const void *entry;      /* NULL here; the engine's decode pass keeps the
	                         * op's registry entry so the run needs no lookup */
};

/*
 * Everything the engine needs, in kernel memory.  The caller points
 * `manifest` at a buffer of BOX_MANIFEST_MAX bytes before the call; the other
 * fields are outputs.  On failure their contents are unspecified.
 */
struct box_plan {
	struct box_pocket pocket;  /* the snapshot every check used */
	uint8_t *manifest;         /* in: buffer; out: manifest_size bytes of Manifest */
	uint32_t manifest_size;
	uint32_t crate_count;
	uint32_t op_count;
	struct box_crate crates[BOX_MAX_CRATES];
	struct box_plan_op ops[BOX_MAX_OPS];
};

/*
 * Returns BOX_OK and a filled plan, or the status of the first rule broken
 * (docs/abi.md lists the rules in the order they are checked).  p is read
 * exactly once, word by word, so it may point into a shared ring slot.
 */
int box_validate_pocket(const struct box_pocket *p, const struct box_user_view *uv,
			struct box_plan *out);

#endif
