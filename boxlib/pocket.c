/*
 * pocket.c: this Cabin's Pocket and Result rings, see boxlib/pocket.h.
 *
 * The two `struct ring`s are attached once, at the ABI's fixed addresses and
 * geometry, by box_rings_init(), which every other call runs first (it only
 * does work the first time).  box_push() stamps the next cookie and pushes
 * with ring_push(), box_submit() adds box_doorbell(), box_result_next() pops
 * at once if a Result is there and otherwise box_wait()s (the kernel returns
 * as soon as the Result ring has an entry) and pops, and box_call() is
 * box_submit() + box_result_next() + the cookie check.
 *
 * Two shortcuts when the machine has more than one CPU (the kernel info
 * page, abi/start.h, says how many and whether the K-Core is polling):
 * box_submit() skips the doorbell while the Guide polls the running
 * Cabins' rings (a full fence between the push and the look, so either the
 * Guide sees the Pocket or we see it stopped), and waiting for a Result
 * first spins in user space for a few microseconds, since the answer
 * usually comes before a WAIT could even put us to sleep.
 */
#include "boxlib/pocket.h"
#include "boxlib/notify.h"

static struct ring pockets, results;
static int attached;
static uint64_t next_cookie = 1;

int box_rings_init(void)
{
	if (attached)
		return BOX_OK;
	int rc = ring_attach(&pockets, (struct box_ring_header *)BOX_POCKET_RING_VA,
			     (void *)(BOX_POCKET_RING_VA + BOX_RING_HEADER_SIZE), BOX_RING_SLOTS,
			     sizeof(struct box_pocket));
	if (rc == BOX_OK)
		rc = ring_attach(&results, (struct box_ring_header *)BOX_RESULT_RING_VA,
				 (void *)(BOX_RESULT_RING_VA + BOX_RING_HEADER_SIZE),
				 BOX_RING_SLOTS, sizeof(struct box_result));
	if (rc == BOX_OK)
		attached = 1;
	return rc;
}

const struct ring *box_pocket_ring(void)
{
	return box_rings_init() == BOX_OK ? &pockets : 0;
}

const struct ring *box_result_ring(void)
{
	return box_rings_init() == BOX_OK ? &results : 0;
}

void box_pocket_init(struct box_pocket *p, const void *manifest, uint32_t size,
		     const struct box_crate *crates, uint16_t crate_count)
{
	*p = (struct box_pocket){.manifest_size = (uint16_t)size, .crate_count = crate_count,
				 .crates = crate_count ? (uint64_t)crates : 0,
				 .manifest = (uint64_t)manifest};
}

int box_push(struct box_pocket *p)
{
	int rc = box_rings_init();
	if (rc != BOX_OK)
		return rc;
	p->cookie = next_cookie;
	rc = ring_push(&pockets, p);
	if (rc == BOX_OK)
		next_cookie++;
	return rc;
}

static const struct box_kinfo *const kinfo = (const struct box_kinfo *)BOX_KINFO_VA;

static int many_cpus(void)
{
	return kinfo->magic == BOX_KINFO_MAGIC && kinfo->cpu_count > 1;
}

int box_submit(struct box_pocket *p)
{
	int rc = box_push(p);
	if (rc != BOX_OK)
		return rc;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the push is visible before we look */
	if (!(many_cpus() && kinfo->guide_polling))
		box_doorbell();
	return BOX_OK;
}

int box_result_spin(void)
{
	if (box_rings_init() != BOX_OK || !many_cpus())
		return ring_count(&results) > 0;
	for (unsigned i = 0; i < BOX_SPIN_ROUNDS; i++) {
		if (ring_count(&results) > 0)
			return 1;
		__builtin_ia32_pause();
	}
	return ring_count(&results) > 0;
}

int box_result_next(struct box_result *res, uint64_t timeout_us)
{
	int rc = box_rings_init();
	if (rc != BOX_OK)
		return rc;
	rc = ring_pop(&results, res);
	if (rc != BOX_ERR_NOENT)
		return rc;
	if (box_result_spin())
		return ring_pop(&results, res);
	rc = box_wait(timeout_us);
	if (rc != BOX_OK)
		return rc;
	return ring_pop(&results, res);
}

int box_call(struct box_pocket *p, struct box_result *res, uint64_t timeout_us)
{
	int rc = box_submit(p);
	if (rc != BOX_OK)
		return rc;
	rc = box_result_next(res, timeout_us);
	if (rc != BOX_OK)
		return rc;
	return res->cookie == p->cookie ? BOX_OK : BOX_ERR_INVALID;
}
