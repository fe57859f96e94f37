/*
 * warm.h: the Guide's warm plan, the last pointer-Manifest it decoded.
 *
 * Programs send the same chain again and again with new data in its
 * Crates.  The Guide keeps the last pointer-Manifest that passed the whole
 * decode (validation and the engine's decode pass) with the Pocket fields
 * and Crate descriptors it was checked with.  When the next Pocket of the
 * same Cabin, at the same auth level and tags, names the same Manifest
 * address, size and Crate array, and the Manifest's bytes in the Cabin's
 * memory still equal the kernel's copy and every Crate descriptor still has
 * the same address, capacity and direction, every rule that decode checked
 * holds again, so the chain runs from the kept plan without decoding: the
 * per-op cost drops to a compare of the op's bytes and its run.  Anything
 * else is a miss and takes the full path.  The Crates themselves are
 * checked every time (sizes, mapped pages).  Guide-only: no lock.
 */
#ifndef CORE_WARM_H
#define CORE_WARM_H

#include <stdbool.h>
#include "core/op.h"
#include "core/validate.h"

struct cabin;

/*
 * The kept plan, ready to run with bufs filled, when pk (a snapshot of the
 * Pocket) matches; NULL on a miss (take the full path).  The plan's pocket
 * and Crate sizes are updated to this Pocket's.
 */
struct box_plan *warm_match(struct cabin *c, const struct box_pocket *pk, struct op_buf bufs[]);
/* Keep a plan the full path decoded successfully (pointer Manifests only). */
void warm_store(const struct cabin *c, const struct box_plan *plan);
/* Hits and misses, for tests and bench. */
void warm_stats(uint64_t *hits, uint64_t *misses);

#endif
