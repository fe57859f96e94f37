/*
 * boxlib/pocket.h: sending Pockets and taking Results on this Cabin's rings.
 *
 * Every Cabin has a Pocket ring at BOX_POCKET_RING_VA and a Result ring at
 * BOX_RESULT_RING_VA (boxos/abi/ring.h).  pocket.c attaches both once, with
 * the fixed geometry of the ABI (never the header's, see boxos/ring.h):
 * explicitly with box_rings_init() or lazily on the first call below.
 *
 *   box_push()        give the Pocket the next cookie (1, 2, ...) and push
 *                     it, without ringing: for batches
 *   box_submit()      box_push(), then the doorbell
 *   box_result_next() the oldest Result, waiting up to timeout_us for one
 *   box_call()        box_submit() then box_result_next(): one Pocket, its
 *                     Result
 *
 * All return BOX_OK or a negative box_status: BOX_ERR_FULL (Pocket ring
 * full, nothing pushed), BOX_ERR_TIMEOUT (no Result in time), BOX_ERR_INVALID
 * (a ring's indices are corrupted, or box_call got a Result with another
 * cookie).  Cookie 0 is never handed out: the kernel uses it for the Result
 * of a corrupted ring.  Not thread-safe: one Cabin, one caller.
 */
#ifndef BOXLIB_POCKET_H
#define BOXLIB_POCKET_H

#include <stdint.h>

#include "boxos/abi/abi.h"
#include "boxos/ring.h"

/* Attach both rings; calling it again does nothing.  BOX_OK or BOX_ERR_INVALID. */
int box_rings_init(void);

/* The attached rings (attaching them first), for callers that work on the
 * rings directly; NULL only if attaching failed. */
const struct ring *box_pocket_ring(void);
const struct ring *box_result_ring(void);

/*
 * A Pocket (every other field zero) for the Manifest at `manifest`
 * (`size` bytes, by pointer, not inline) and `crate_count` Crates at
 * `crates` (the pointer is left 0 when crate_count is 0).
 */
void box_pocket_init(struct box_pocket *p, const void *manifest, uint32_t size,
		     const struct box_crate *crates, uint16_t crate_count);

/* Spins of box_result_spin(): a few microseconds on a fast CPU. */
#define BOX_SPIN_ROUNDS 2000

int box_push(struct box_pocket *p);
/* With more than one CPU, spin up to BOX_SPIN_ROUNDS pauses for a Result
 * (no trap); 1 when the Result ring has one, 0 otherwise (also at once on
 * a one-CPU machine, where nothing could answer while we spin). */
int box_result_spin(void);
int box_submit(struct box_pocket *p);
int box_result_next(struct box_result *res, uint64_t timeout_us);

/*
 * Submit p and wait for the next Result into res.  That Result must carry
 * p's cookie (one Pocket in flight at a time): if it carries another,
 * box_call returns BOX_ERR_INVALID and leaves it in res.
 */
int box_call(struct box_pocket *p, struct box_result *res, uint64_t timeout_us);

#endif
