/*
 * call.h: one op in one Pocket, for the System Deck test programs.
 *
 * op() sends a one-op Manifest with an input Crate (in, in_len bytes; none
 * when in is NULL) and an output Crate (out, out_cap bytes; none when out
 * is NULL), waits for its Result and returns the chain status
 * (BOX_ERR_TIMEOUT when no Result came).  *value and *out_len, when not
 * NULL, get the Result's value and the output's size.
 */
#ifndef APPS_CALL_H
#define APPS_CALL_H

#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"
#include "boxlib/string.h"
#include "boxlib/notify.h"

#define CALL_WAIT_US 10000000

static inline int32_t op(uint64_t id, const void *params, uint16_t size, const void *in,
			 uint64_t in_len, void *out, uint64_t out_cap, uint64_t *value,
			 uint64_t *out_len)
{
	static uint8_t manifest[512] __attribute__((aligned(8)));
	static struct box_crate crates[2];
	struct box_mb mb;
	struct box_pocket p;
	struct box_result res;
	uint8_t n = 0, in_ix = BOX_NO_CRATE, out_ix = BOX_NO_CRATE;
	if (in) {
		in_ix = n;
		crates[n++] = (struct box_crate){.addr = (uint64_t)in, .size = in_len,
						 .capacity = in_len, .dir = BOX_CRATE_IN};
	}
	if (out) {
		out_ix = n;
		crates[n++] = (struct box_crate){.addr = (uint64_t)out, .size = 0,
						 .capacity = out_cap, .dir = BOX_CRATE_OUT};
	}
	box_mb_begin(&mb, manifest, sizeof(manifest));
	if (box_mb_add(&mb, id, BOX_POLICY_STOP, in_ix, out_ix, params, size) != 0)
		return BOX_ERR_INVALID;
	box_pocket_init(&p, mb.buf, mb.len, crates, n);
	int st = box_call(&p, &res, CALL_WAIT_US);
	if (st != BOX_OK)
		return st;
	if (value)
		*value = res.value;
	if (out_len)
		*out_len = out ? crates[out_ix].size : 0;
	return res.status;
}

static inline void say(const char *s)
{
	op(BOX_OP_HARDWARE_CONSOLE_WRITE, 0, 0, s, strlen(s), 0, 0, 0, 0);
}

/* The next inbox message, waiting up to timeout_us; 0 or -1. */
static inline int next_message(struct box_message *m, uint64_t timeout_us)
{
	static struct ring inbox;
	static int attached;
	if (!attached) {
		if (ring_attach(&inbox, (void *)BOX_INBOX_RING_VA,
			      (void *)(BOX_INBOX_RING_VA + BOX_RING_HEADER_SIZE), BOX_RING_SLOTS,
			      sizeof(struct box_message)) != 0)
			return -1;
		attached = 1;
	}
	for (int tries = 0; tries < 1000; tries++) {
		if (ring_pop(&inbox, m) == BOX_OK)
			return 0;
		if (box_notify(BOX_NOTIFY_WAIT, (long)timeout_us, BOX_WAIT_INBOX, 0) != BOX_OK &&
		    ring_pop(&inbox, m) != BOX_OK)
			return -1;
	}
	return -1;
}

#endif
