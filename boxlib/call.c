/*
 * call.c: box_op(), one op from Manifest to Result (see boxlib/call.h).
 *
 * The Manifest goes inline in the Pocket when header + op + parameters fit
 * in BOX_INLINE_MAX bytes, else in a static buffer.  Crate arrays (and the
 * outline Manifest) come from a small pool indexed by cookie, so a Pocket
 * that timed out and is still queued does not see the next call's Crates
 * in its own slot.
 *
 * Waiting: BOX_NOTIFY_WAIT returns when the Result ring has an entry, but
 * also when the inbox has a message or the timeout passed, so box_op loops
 * until its cookie shows up, against a deadline measured with the TSC at the
 * start page's tsc_hz.  Without a TSC rate it allows 64 waits of the full
 * timeout each, so it still ends.
 */
#include "boxlib/call.h"
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/pocket.h"
#include "boxlib/start.h"
#include "boxlib/string.h"

#define POOL 8u

uint64_t box_call_timeout_us = BOX_CALL_TIMEOUT_US_DEFAULT;

static struct box_crate crate_pool[POOL][2];
static uint8_t manifest_pool[POOL][BOX_PARAM_MAX + 32] __attribute__((aligned(8)));
static uint64_t stale_results;

uint64_t box_call_stale_results(void)
{
	return stale_results;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Wait for the Result with this cookie; BOX_OK with it in *res, or an error. */
static int32_t await(uint64_t cookie, uint64_t timeout_us, struct box_result *res)
{
	uint64_t hz = box_tsc_hz();
	uint64_t start = rdtsc();
	uint64_t budget = hz ? (timeout_us / 1000000u) * hz + (timeout_us % 1000000u) * hz / 1000000u
			     : 0;
	unsigned waits = 0;
	for (;;) {
		int rc = ring_pop(box_result_ring(), res);
		if (rc == BOX_OK) {
			if (res->cookie == cookie)
				return BOX_OK;
			if (res->cookie < cookie) {  /* a call that timed out earlier */
				stale_results++;
				continue;
			}
			return BOX_ERR_INVALID;
		}
		if (rc != BOX_ERR_NOENT)
			return rc;
		uint64_t left_us = timeout_us;
		if (hz) {
			uint64_t spent = rdtsc() - start;
			if (spent >= budget)
				return BOX_ERR_TIMEOUT;
			left_us = (budget - spent) / (hz / 1000000u ? hz / 1000000u : 1) + 1;
		} else if (++waits > 64) {
			return BOX_ERR_TIMEOUT;
		}
		if (box_result_spin())
			continue;
		rc = box_wait(left_us);
		if (rc != BOX_OK && rc != BOX_ERR_TIMEOUT)
			return rc;
		if (rc == BOX_ERR_TIMEOUT && !hz)
			return BOX_ERR_TIMEOUT;
	}
}

int32_t box_op(struct box_op_call *c)
{
	if (c->param_size > BOX_PARAM_MAX || (c->param_size && !c->params))
		return BOX_ERR_INVALID;
	int rc = box_rings_init();
	if (rc != BOX_OK)
		return rc;

	/* The cookie box_push will stamp is the pool index. */
	static uint64_t calls;
	unsigned slot = (unsigned)(calls++ % POOL);
	struct box_crate *crates = crate_pool[slot];
	uint16_t ncrates = 0;
	uint8_t in_idx = BOX_NO_CRATE, out_idx = BOX_NO_CRATE;
	if (c->in) {
		crates[ncrates] = (struct box_crate){.addr = (uint64_t)c->in, .size = c->in_len,
						     .capacity = c->in_len, .dir = BOX_CRATE_IN};
		in_idx = (uint8_t)ncrates++;
	}
	if (c->out) {
		crates[ncrates] = (struct box_crate){.addr = (uint64_t)c->out, .size = c->out_len,
						     .capacity = c->out_cap, .dir = BOX_CRATE_INOUT};
		out_idx = (uint8_t)ncrates++;
	}

	struct box_pocket p;
	struct box_mb mb;
	uint32_t size = (uint32_t)(sizeof(struct box_manifest) + sizeof(struct box_op) +
				   BOX_PARAM_PAD(c->param_size));
	if (size <= BOX_INLINE_MAX) {
		uint8_t inline_buf[BOX_INLINE_MAX] __attribute__((aligned(8)));
		box_mb_begin(&mb, inline_buf, sizeof(inline_buf));
		if (box_mb_add(&mb, c->op_id, BOX_POLICY_STOP, in_idx, out_idx, c->params,
			       c->param_size) != 0)
			return BOX_ERR_INVALID;
		box_pocket_init(&p, NULL, 0, crates, ncrates);
		p.flags = BOX_POCKET_INLINE;
		p.manifest_size = (uint16_t)mb.len;
		memcpy(p.inline_manifest, inline_buf, mb.len);
	} else {
		box_mb_begin(&mb, manifest_pool[slot], sizeof(manifest_pool[slot]));
		if (box_mb_add(&mb, c->op_id, BOX_POLICY_STOP, in_idx, out_idx, c->params,
			       c->param_size) != 0)
			return BOX_ERR_INVALID;
		box_pocket_init(&p, mb.buf, mb.len, crates, ncrates);
	}

	rc = box_submit(&p);
	if (rc != BOX_OK)
		return rc;  /* BOX_ERR_FULL: nothing was pushed */
	rc = await(p.cookie, c->timeout_us ? c->timeout_us : box_call_timeout_us, &c->result);
	if (rc != BOX_OK)
		return rc;
	c->value = c->result.value;
	if (c->out)
		c->out_len = *(volatile uint64_t *)&crates[out_idx].size;  /* the kernel wrote it back */
	return c->result.status;
}
