/*
 * kbdtest: console input and key events, echoed, as a test program.
 *
 * Logs "kbdtest: ready", then polls hardware.console.read and
 * hardware.kbd.read (timeout 0: take what is there) and echoes each as one
 * console.write line:
 *    kbdtest: console N HH HH ...        the bytes read, in hex, as they came
 *    kbdtest: key SSSS KK CC MM ACTION  scancode, key code, character,
 *                                        modifiers (hex) and press/release/repeat
 * sleeping 20 ms in WAIT between empty polls.  A console byte 'Q' (from the
 * serial line or the keyboard) ends the loop; then it logs every IRQ route
 * from hardware.irq.info:
 *    kbdtest: irq isa I gsi G vector VV cpu C count N
 * and exits 0.  Exit codes: 1 rings, 2 console.read failed (not OK/TIMEOUT),
 * 3 kbd.read failed, 4 irq.info failed, 5 no 'Q' within 90 s, 6 a
 * console.write failed, 7 an event's reserved bytes were not zero.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"
#include "boxlib/string.h"

#define WAIT_US 2000000
#define POLL_SLEEP_US 20000
#define GIVE_UP_POLLS (90 * 1000000 / POLL_SLEEP_US)

static uint8_t buf[256] __attribute__((aligned(64)));
static char line[200];
#define LINEBUF line
#include "../linebuf.h"
static struct box_crate crates[1];
static uint8_t manifest[256] __attribute__((aligned(8)));
static struct box_mb mb;

/* One op, Crate 0 = buf (out) or line (in); the Result in res; 0 or -1 (no Result). */
static int call(uint64_t id, const void *params, uint16_t size, int input, uint64_t in_size,
		struct box_result *res)
{
	if (input)
		crates[0] = (struct box_crate){.addr = (uint64_t)line, .size = in_size,
					       .capacity = sizeof(line), .dir = BOX_CRATE_IN};
	else
		crates[0] = (struct box_crate){.addr = (uint64_t)buf, .size = 0,
					       .capacity = sizeof(buf), .dir = BOX_CRATE_OUT};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	if (box_mb_add(&mb, id, BOX_POLICY_STOP, input ? 0 : BOX_NO_CRATE, input ? BOX_NO_CRATE : 0,
		       params, size) != 0)
		return -1;
	struct box_pocket p;
	box_pocket_init(&p, mb.buf, mb.len, crates, 1);
	return box_call(&p, res, WAIT_US) == BOX_OK ? 0 : -1;
}

static void say(unsigned len)
{
	struct box_result res;
	if (call(BOX_OP_HARDWARE_CONSOLE_WRITE, 0, 0, 1, len, &res) != 0 || res.status != BOX_OK)
		box_exit(6);
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Echo what console.read returned; true if it held a 'Q'. */
static int echo_console(uint64_t n)
{
	int quit = 0;
	unsigned at = put_str(0, "console ");
	at = put_dec(at, n);
	for (uint64_t i = 0; i < n; i++) {
		at = put_str(at, " ");
		at = put_hex(at, buf[i], 2);
		quit |= buf[i] == 'Q';
	}
	say(at);
	return quit;
}

static void echo_keys(uint64_t n)
{
	static const char *const actions[4] = {"?", "press", "release", "repeat"};
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = buf + 8 * i;
		if (e[6] || e[7])
			box_exit(7);
		unsigned at = put_str(0, "key ");
		at = put_hex(at, get_le(e, 2), 4);
		at = put_str(at, " ");
		at = put_hex(at, e[2], 2);
		at = put_str(at, " ");
		at = put_hex(at, e[3], 2);
		at = put_str(at, " ");
		at = put_hex(at, e[4], 2);
		at = put_str(at, " ");
		at = put_str(at, actions[e[5] < 4 ? e[5] : 0]);
		say(at);
	}
}

static void echo_irqs(void)
{
	struct box_result res;
	if (call(BOX_OP_HARDWARE_IRQ_INFO, 0, 0, 0, 0, &res) != 0 || res.status != BOX_OK)
		box_exit(4);
	uint64_t n = get_le(buf, 4), size = get_le(buf + 4, 4);
	if (n != res.value || size != 24 || crates[0].size != 8 + n * size)
		box_exit(4);
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = buf + 8 + 24 * i;
		unsigned at = put_str(0, "irq isa ");
		at = put_dec(at, e[4]);
		at = put_str(at, " gsi ");
		at = put_dec(at, get_le(e, 4));
		at = put_str(at, " vector ");
		at = put_hex(at, e[5], 2);
		at = put_str(at, " cpu ");
		at = put_dec(at, get_le(e + 8, 4));
		at = put_str(at, " count ");
		at = put_dec(at, get_le(e + 16, 8));
		say(at);
	}
}

int main(void)
{
	if (box_rings_init() != BOX_OK)
		return 1;
	say(put_str(0, "ready"));

	struct box_result res;
	const struct box_params_hardware_console_read cr = {.timeout_ns = 0};
	const struct box_params_hardware_kbd_read kr = {.timeout_ns = 0};
	int quit = 0;
	for (unsigned polls = 0; !quit; polls++) {
		if (polls > GIVE_UP_POLLS)
			return 5;
		int got = 0;
		if (call(BOX_OP_HARDWARE_KBD_READ, &kr, sizeof(kr), 0, 0, &res) != 0)
			return 3;
		if (res.status == BOX_OK && res.value) {
			echo_keys(res.value);
			got = 1;
		} else if (res.status != BOX_ERR_TIMEOUT) {
			return 3;
		}
		if (call(BOX_OP_HARDWARE_CONSOLE_READ, &cr, sizeof(cr), 0, 0, &res) != 0)
			return 2;
		if (res.status == BOX_OK && res.value) {
			quit = echo_console(res.value);
			got = 1;
		} else if (res.status != BOX_ERR_TIMEOUT || crates[0].size != 0) {
			return 2;
		}
		if (!got)
			box_wait(POLL_SLEEP_US);
	}
	echo_irqs();
	return 0;
}
