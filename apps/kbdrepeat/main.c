/*
 * kbdrepeat: typematic repeats through the real keyboard interrupt path
 * (run=kbdrepeat:system, it needs port.out).
 *
 * QEMU's emulated keyboard sends no typematic repeats, so this Cabin makes
 * the 8042 produce them: controller command 0xD2 ("write keyboard output
 * buffer") makes the next byte written to port 0x60 arrive as if the
 * keyboard had sent it, with IRQ 1.  It sends, one byte per Pocket with a
 * short WAIT after each so the K-Core's interrupt handler takes it, the
 * set-1 bytes of: a held down (1E 1E 1E 9E), Up held down (E0 48 E0 48
 * E0 C8), Shift held down while Q is typed (2A 2A 10 90 AA).  Then it reads
 * every key event with kbd.read and the typed bytes with console.read and
 * logs them as
 *    kbdrepeat: key SSSS KK CC MM ACTION
 *    kbdrepeat: console HH HH ...
 * and exits 0 when they are exactly what the decoder must make of those
 * bytes: PRESS, REPEAT, REPEAT, RELEASE for a ('a' typed three times);
 * PRESS, REPEAT, RELEASE for Up; Shift PRESS, REPEAT, then Q with Shift,
 * Shift RELEASE; console "aaa", ESC [ A twice (Up's press and repeat type
 * the terminal's sequence), "Q".  Exit codes: 1 rings, 2 port.out refused
 * or failed, 3 kbd.read, 4 wrong event count, 5 an event differs, 6
 * console.read, 7 wrong console bytes, 8 console.write.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define WAIT_US 2000000

static const uint8_t inject[] = {
	0x1E, 0x1E, 0x1E, 0x9E,
	0xE0, 0x48, 0xE0, 0x48, 0xE0, 0xC8,
	0x2A, 0x2A, 0x10, 0x90, 0xAA,
};

/* scancode, key, ch, modifiers, action */
static const uint16_t expect[][5] = {
	{0x001E, 0x04, 'a', 0, 1}, {0x001E, 0x04, 'a', 0, 3}, {0x001E, 0x04, 'a', 0, 3},
	{0x001E, 0x04, 'a', 0, 2},
	{0xE048, 0x52, 0, 0, 1}, {0xE048, 0x52, 0, 0, 3}, {0xE048, 0x52, 0, 0, 2},
	{0x002A, 0xE1, 0, 1, 1}, {0x002A, 0xE1, 0, 1, 3}, {0x0010, 0x14, 'Q', 1, 1},
	{0x0010, 0x14, 'Q', 1, 2}, {0x002A, 0xE1, 0, 0, 2},
};
#define EVENTS (sizeof(expect) / sizeof(expect[0]))

static uint8_t buf[256] __attribute__((aligned(64)));
static char line[200];
#define LINEBUF line
#include "../linebuf.h"
static struct box_crate crates[1];
static uint8_t manifest[256] __attribute__((aligned(8)));
static struct box_mb mb;

static int send(uint16_t crate_count, struct box_result *res)
{
	struct box_pocket p;
	box_pocket_init(&p, mb.buf, mb.len, crates, crate_count);
	return box_call(&p, res, WAIT_US) == BOX_OK ? 0 : -1;
}

static void say(unsigned len)
{
	struct box_result res;
	crates[0] = (struct box_crate){.addr = (uint64_t)line, .size = len, .capacity = sizeof(line),
				       .dir = BOX_CRATE_IN};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	box_mb_add(&mb, BOX_OP_HARDWARE_CONSOLE_WRITE, BOX_POLICY_STOP, 0, BOX_NO_CRATE, 0, 0);
	if (send(1, &res) != 0 || res.status != BOX_OK)
		box_exit(8);
}

/* Read with op `id` (timeout 0) into buf until `want` bytes came or ~2 s passed; bytes read. */
static unsigned collect(uint64_t id, unsigned want)
{
	unsigned have = 0;
	for (int tries = 0; tries < 100 && have < want; tries++) {
		struct box_params_hardware_kbd_read p = {.timeout_ns = 0}; /* same layout as console.read */
		crates[0] = (struct box_crate){.addr = (uint64_t)(buf + have), .size = 0,
					       .capacity = sizeof(buf) - have, .dir = BOX_CRATE_OUT};
		box_mb_begin(&mb, manifest, sizeof(manifest));
		box_mb_add(&mb, id, BOX_POLICY_STOP, BOX_NO_CRATE, 0, &p, sizeof(p));
		struct box_result res;
		if (send(1, &res) != 0)
			box_exit(id == BOX_OP_HARDWARE_KBD_READ ? 3 : 6);
		if (res.status == BOX_OK)
			have += (unsigned)crates[0].size;
		else if (res.status == BOX_ERR_TIMEOUT)
			box_wait(20000);
		else
			box_exit(id == BOX_OP_HARDWARE_KBD_READ ? 3 : 6);
	}
	return have;
}

int main(void)
{
	struct box_result res;
	if (box_rings_init() != BOX_OK)
		return 1;

	for (unsigned i = 0; i < sizeof(inject); i++) {
		struct box_params_hardware_port_out cmd = {.value = 0xD2, .port = 0x64, .width = 1};
		struct box_params_hardware_port_out data = {.value = inject[i], .port = 0x60, .width = 1};
		box_mb_begin(&mb, manifest, sizeof(manifest));
		box_mb_add(&mb, BOX_OP_HARDWARE_PORT_OUT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE,
			   &cmd, sizeof(cmd));
		box_mb_add(&mb, BOX_OP_HARDWARE_PORT_OUT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE,
			   &data, sizeof(data));
		if (send(0, &res) != 0 || res.status != BOX_OK || res.ops_run != 2)
			return 2;
		box_wait(10000); /* let the K-Core take the interrupt before the next byte */
	}

	unsigned got = collect(BOX_OP_HARDWARE_KBD_READ, EVENTS * 8) / 8;
	for (unsigned i = 0; i < got; i++) {
		const uint8_t *e = buf + 8 * i;
		static const char *const actions[4] = {"?", "press", "release", "repeat"};
		unsigned at = put_str(0, "key ");
		at = put_hex(at, (uint16_t)(e[0] | e[1] << 8), 4);
		for (int f = 2; f < 5; f++) {
			at = put_str(at, " ");
			at = put_hex(at, e[f], 2);
		}
		at = put_str(at, " ");
		at = put_str(at, actions[e[5] < 4 ? e[5] : 0]);
		say(at);
	}
	if (got != EVENTS)
		return 4;
	for (unsigned i = 0; i < EVENTS; i++) {
		const uint8_t *e = buf + 8 * i;
		if ((uint16_t)(e[0] | e[1] << 8) != expect[i][0] || e[2] != expect[i][1] ||
		    e[3] != expect[i][2] || e[4] != expect[i][3] || e[5] != expect[i][4] || e[6] || e[7])
			return 5;
	}

	static const uint8_t typed[] = {'a', 'a', 'a', 0x1b, '[', 'A', 0x1b, '[', 'A', 'Q'};
	unsigned n = collect(BOX_OP_HARDWARE_CONSOLE_READ, sizeof(typed));
	unsigned at = put_str(0, "console");
	for (unsigned i = 0; i < n; i++) {
		at = put_str(at, " ");
		at = put_hex(at, buf[i], 2);
	}
	say(at);
	if (n != sizeof(typed))
		return 7;
	for (unsigned i = 0; i < n; i++)
		if (buf[i] != typed[i])
			return 7;
	return 0;
}
