/*
 * waittest: the Hardware Deck's waiting ops (OP_PENDING) from an APP Cabin.
 *
 *  1. one Pocket: timer.ticks, timer.sleep 200 ms, timer.ticks -- the rest of
 *     the chain waits for the sleep; logs "waittest: slept N us" (the
 *     ticks' difference), which must be at least 200000.
 *  2. one Pocket: timer.ticks, console.read 300 ms (policy optional: its
 *     TIMEOUT does not stop the chain), timer.ticks, with no input; logs
 *     "waittest: read timed out after N us" (N >= 300000).
 *  3. logs "waittest: waiting for console input", then console.read with a
 *     30 s timeout until a '\r' came; logs "waittest: console HH HH ..." and
 *     the time the first read took, "waittest: first input after N us".
 *  4. logs "waittest: waiting for a key", then kbd.read with a 30 s timeout;
 *     logs "waittest: key SSSS KK CC MM A" for the first event.
 *  Exits 0, or: 1 rings, 2/3 the sleep chain (no Result / wrong status or
 *  too short), 4/5 the timed-out read chain, 6 console.read failed, 7 no
 *  '\r' in 10 reads, 8 kbd.read failed, 9 console.write.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define RESULT_WAIT_US 40000000  /* longer than any op's own timeout below */

static uint8_t t0[16], t1[16] __attribute__((aligned(16)));
static uint8_t buf[128] __attribute__((aligned(64)));
static char line[200];
#define LINEBUF line
#include "../linebuf.h"
static struct box_crate crates[3];
static uint8_t manifest[256] __attribute__((aligned(8)));
static struct box_mb mb;

static int send(uint16_t crate_count, struct box_result *res)
{
	struct box_pocket p;
	box_pocket_init(&p, mb.buf, mb.len, crates, crate_count);
	return box_call(&p, res, RESULT_WAIT_US) == BOX_OK ? 0 : -1;
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void say(unsigned len)
{
	struct box_result res;
	crates[0] = (struct box_crate){.addr = (uint64_t)line, .size = len, .capacity = sizeof(line),
				       .dir = BOX_CRATE_IN};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	box_mb_add(&mb, BOX_OP_HARDWARE_CONSOLE_WRITE, BOX_POLICY_STOP, 0, BOX_NO_CRATE, 0, 0);
	if (send(1, &res) != 0 || res.status != BOX_OK)
		box_exit(9);
}

/* Crates 0 and 1: the two tick outputs; crate 2: buf. */
static void tick_crates(void)
{
	crates[0] = (struct box_crate){.addr = (uint64_t)t0, .capacity = 16, .dir = BOX_CRATE_OUT};
	crates[1] = (struct box_crate){.addr = (uint64_t)t1, .capacity = 16, .dir = BOX_CRATE_OUT};
	crates[2] = (struct box_crate){.addr = (uint64_t)buf, .capacity = sizeof(buf),
				       .dir = BOX_CRATE_OUT};
}

/*
 * ticks, op (policy, out crate 2 or none), ticks in one Pocket: microseconds
 * from the first ticks to the second (0 if the chain stopped before it), or
 * -1 with no Result.
 */
static int64_t timed(uint64_t id, uint8_t policy, const void *params, uint16_t size, int out,
		     struct box_result *res)
{
	for (unsigned i = 0; i < 16; i++)
		t0[i] = t1[i] = 0;
	tick_crates();
	box_mb_begin(&mb, manifest, sizeof(manifest));
	box_mb_add(&mb, BOX_OP_HARDWARE_TIMER_TICKS, BOX_POLICY_STOP, BOX_NO_CRATE, 0, 0, 0);
	box_mb_add(&mb, id, policy, BOX_NO_CRATE, out ? 2 : BOX_NO_CRATE, params, size);
	box_mb_add(&mb, BOX_OP_HARDWARE_TIMER_TICKS, BOX_POLICY_STOP, BOX_NO_CRATE, 1, 0, 0);
	if (send(3, res) != 0)
		return -1;
	uint64_t a = get_le(t0, 8), b = get_le(t1, 8);
	return b > a ? (int64_t)(b - a) : 0;
}

int main(void)
{
	struct box_result res;
	if (box_rings_init() != BOX_OK)
		return 1;

	/* 1. sleep inside a chain */
	struct box_params_hardware_timer_sleep sl = {.ns = 200000000};
	int64_t us = timed(BOX_OP_HARDWARE_TIMER_SLEEP, BOX_POLICY_STOP, &sl, sizeof(sl), 0, &res);
	if (us < 0)
		return 2;
	if (res.status != BOX_OK || res.ops_run != 3 || res.op_status[1] != BOX_OK || us < 200000)
		return 3;
	unsigned at = put_str(0, "slept ");
	at = put_dec(at, (uint64_t)us);
	at = put_str(at, " us");
	say(at);

	/* 2. a read that times out, the chain going on */
	struct box_params_hardware_console_read cr = {.timeout_ns = 300000000};
	us = timed(BOX_OP_HARDWARE_CONSOLE_READ, BOX_POLICY_OPTIONAL, &cr, sizeof(cr), 1, &res);
	if (us < 0)
		return 4;
	if (res.status != BOX_OK || res.ops_run != 3 || res.op_status[1] != BOX_ERR_TIMEOUT ||
	    crates[2].size != 0 || us < 300000)
		return 5;
	at = put_str(0, "read timed out after ");
	at = put_dec(at, (uint64_t)us);
	at = put_str(at, " us");
	say(at);

	/* 3. a read that input ends early */
	say(put_str(0, "waiting for console input"));
	cr.timeout_ns = 30000000000ull;
	us = timed(BOX_OP_HARDWARE_CONSOLE_READ, BOX_POLICY_STOP, &cr, sizeof(cr), 1, &res);
	if (us < 0 || res.status != BOX_OK)
		return 6;
	uint8_t got[64];
	unsigned n = 0, done = 0;
	for (int reads = 0;; reads++) {
		for (uint64_t i = 0; i < crates[2].size && n < sizeof(got); i++) {
			got[n++] = buf[i];
			done |= buf[i] == '\r';
		}
		if (done)
			break;
		if (reads == 10)
			return 7;
		int64_t more = timed(BOX_OP_HARDWARE_CONSOLE_READ, BOX_POLICY_STOP, &cr, sizeof(cr), 1,
				     &res);
		if (more < 0 || res.status != BOX_OK)
			return 6;
	}
	at = put_str(0, "console");
	for (unsigned i = 0; i < n; i++) {
		at = put_str(at, " ");
		at = put_hex(at, got[i], 2);
	}
	say(at);
	at = put_str(0, "first input after ");
	at = put_dec(at, (uint64_t)us);
	at = put_str(at, " us");
	say(at);

	/* 4. a key */
	say(put_str(0, "waiting for a key"));
	struct box_params_hardware_kbd_read kr = {.timeout_ns = 30000000000ull};
	us = timed(BOX_OP_HARDWARE_KBD_READ, BOX_POLICY_STOP, &kr, sizeof(kr), 1, &res);
	if (us < 0 || res.status != BOX_OK || crates[2].size < 8)
		return 8;
	at = put_str(0, "key ");
	at = put_hex(at, get_le(buf, 2), 4);
	for (int f = 2; f < 6; f++) {
		at = put_str(at, " ");
		at = put_hex(at, buf[f], 2);
	}
	say(at);
	return 0;
}
