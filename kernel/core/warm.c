/*
 * warm.c: the Guide's warm plan (see warm.h for what it is and why it is
 * safe).  What a hit re-checks, in order: the Pocket's shape against the
 * key, the Crate descriptors (copied in once, then compared with the kept
 * ones except for size, and size <= capacity), each Crate's pages (backed
 * and mapped with the right rights, as the full path does), and last the
 * Manifest's bytes in place against the kernel's copy.  The plan that runs
 * is the kernel's copy, never the Cabin's memory.
 */
#include "core/warm.h"
#include "core/cabin.h"
#include "core/uaccess.h"
#include "lib/string.h"

static struct {
	bool valid;
	uint32_t cabin;
	uint8_t level;
	uint64_t tags;
	struct box_pocket key;                 /* flags, manifest, sizes, crates; cookie 0 */
	struct box_plan plan;                  /* plan.manifest points at manifest[] */
	struct box_crate crates[BOX_MAX_CRATES];
	uint8_t manifest[BOX_MANIFEST_MAX];
} warm;

static struct box_crate incoming[BOX_MAX_CRATES];
static uint64_t hits, misses;

static bool same_shape(const struct box_pocket *a, const struct box_pocket *b)
{
	return a->flags == b->flags && a->manifest == b->manifest &&
	       a->manifest_size == b->manifest_size && a->crates == b->crates &&
	       a->crate_count == b->crate_count && a->target == b->target;
}

struct box_plan *warm_match(struct cabin *c, const struct box_pocket *pk, struct op_buf bufs[])
{
	if (!warm.valid || warm.cabin != c->id || warm.level != c->auth || warm.tags != c->tags ||
	    !same_shape(pk, &warm.key))
		goto miss;
	uint32_t n = pk->crate_count;
	if (n && uaccess_copy_in(c, incoming, pk->crates, n * sizeof(struct box_crate)) != 0)
		goto miss;
	for (uint32_t i = 0; i < n; i++) {
		const struct box_crate *a = &incoming[i], *k = &warm.crates[i];
		if (a->addr != k->addr || a->capacity != k->capacity || a->dir != k->dir ||
		    a->reserved != k->reserved || a->size > a->capacity)
			goto miss;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct box_crate *a = &incoming[i];
		if (cabin_populate_range(c, a->addr, a->capacity) != BOX_OK ||
		    uaccess_check(c, a->addr, a->capacity, a->dir & BOX_CRATE_OUT) != BOX_OK)
			goto miss;
		bufs[i] = (struct op_buf){(uint8_t *)a->addr, a->size, a->capacity};
		warm.plan.crates[i].size = a->size;
	}
	if (uaccess_same(c, pk->manifest, warm.manifest, pk->manifest_size) != 0)
		goto miss;
	warm.plan.pocket = *pk;
	hits++;
	return &warm.plan;
miss:
	misses++;
	return NULL;
}

void warm_store(const struct cabin *c, const struct box_plan *plan)
{
	if (plan->pocket.flags & BOX_POCKET_INLINE)
		return; /* inline chains are one op: decoding them is cheap */
	warm.valid = false;
	warm.cabin = c->id;
	warm.level = c->auth;
	warm.tags = c->tags;
	warm.key = plan->pocket;
	warm.key.cookie = 0;
	warm.plan = *plan;
	memcpy(warm.manifest, plan->manifest, plan->manifest_size);
	warm.plan.manifest = warm.manifest;
	for (uint32_t i = 0; i < plan->op_count; i++)
		if (plan->ops[i].params)
			warm.plan.ops[i].params = warm.manifest + (plan->ops[i].params - plan->manifest);
	memcpy(warm.crates, plan->crates, plan->crate_count * sizeof(struct box_crate));
	warm.valid = true;
}

void warm_stats(uint64_t *h, uint64_t *m)
{
	*h = hits;
	*m = misses;
}
