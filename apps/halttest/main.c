/*
 * halttest: hardware.cpu.halt from a SYSTEM Cabin (run=halttest:system).
 *
 * Logs "halttest: halting", then sends cpu.halt.  The kernel logs one line
 * and stops every CPU, so nothing should come back: a Result (even an
 * error) means the op returned, logged as "halttest: cpu.halt returned
 * status S" and exit 2.  Exit 1: the rings could not be attached.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

static uint8_t manifest[64] __attribute__((aligned(8)));
static char text[64] = "halting";

static void say(const char *s, unsigned len)
{
	struct box_crate c = {.addr = (uint64_t)s, .size = len, .capacity = len, .dir = BOX_CRATE_IN};
	struct box_mb mb;
	box_mb_begin(&mb, manifest, sizeof(manifest));
	box_mb_add(&mb, BOX_OP_HARDWARE_CONSOLE_WRITE, BOX_POLICY_STOP, 0, BOX_NO_CRATE, 0, 0);
	struct box_pocket p;
	struct box_result res;
	box_pocket_init(&p, mb.buf, mb.len, &c, 1);
	box_call(&p, &res, 2000000);
}

int main(void)
{
	if (box_rings_init() != BOX_OK)
		return 1;
	say(text, 7);

	struct box_mb mb;
	box_mb_begin(&mb, manifest, sizeof(manifest));
	box_mb_add(&mb, BOX_OP_HARDWARE_CPU_HALT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, 0, 0);
	struct box_pocket p;
	struct box_result res;
	box_pocket_init(&p, mb.buf, mb.len, 0, 0);
	if (box_call(&p, &res, 10000000) != BOX_OK)
		return 2; /* no Result at all would be the success case, but we never get here then */
	const char *prefix = "cpu.halt returned status ";
	unsigned at = 0;
	while (prefix[at])
		text[at] = prefix[at], at++;
	int32_t st = res.status;
	if (st < 0)
		text[at++] = '-', st = -st;
	text[at++] = (char)('0' + st / 10 % 10);
	text[at++] = (char)('0' + st % 10);
	say(text, at);
	return 2;
}
