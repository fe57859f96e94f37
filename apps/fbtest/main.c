/*
 * fbtest: the framebuffer ops from an APP Cabin, as a test program.
 *
 *  1. fb.info, logged as
 *       fbtest: fb WIDTHxHEIGHT pitch P bpp B text COLSxROWS glyph GWxGH
 *  2. fb.clear to navy (0x000080), then refusals in red (0xFF0000) that
 *     must draw nothing: text one cell past the last row's end, col = cols,
 *     row = rows, a control byte, a colour above 0xFFFFFF (fb.write);
 *     fb.info into 31 bytes; cpu.halt (SYSTEM) from this APP Cabin;
 *     irq.info into 8 bytes when routes exist.
 *  3. fb.write "BOXOS-FB-TEST-OK" in yellow (0xFFFF00) on green (0x008000)
 *     ending at the last cell of the last row; logs "fbtest: drawn at col C
 *     row R" and waits (up to 60 s) for any console input byte, so a test
 *     can take a screendump first.
 *  Without a framebuffer it checks instead that fb.info, fb.write and
 *  fb.clear all answer BOX_ERR_NOENT, logs "fbtest: no framebuffer: ...",
 *  and exits 0.
 *  Exits 0, or the number of the first check that failed:
 *    1 rings, 2 fb.info, 3 fb.info's values, 12 fb.clear, 4-8 the fb.write
 *    refusals in the order above, 9 fb.info into 31 bytes, 10 cpu.halt not
 *    refused, 11 irq.info into 8 bytes, 13 fb.write, 14 no console byte in
 *    time, 15 console.write, 16 without a framebuffer: fb.write or fb.clear
 *    not NOENT.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define WAIT_US 2000000
#define MARK "BOXOS-FB-TEST-OK"
#define MARK_LEN 16

static uint8_t buf[256] __attribute__((aligned(64)));
static char text[200];
#define LINEBUF text
#include "../linebuf.h"
static struct box_crate crates[1];
static uint8_t manifest[256] __attribute__((aligned(8)));
static struct box_mb mb;

enum { NONE, IN, OUT };

/* One op; Crate 0 is text (IN, in_size bytes) or buf (OUT, out_cap bytes). */
static int call(uint64_t id, const void *params, uint16_t size, int crate, uint64_t n,
		struct box_result *res)
{
	if (crate == IN)
		crates[0] = (struct box_crate){.addr = (uint64_t)text, .size = n,
					       .capacity = sizeof(text), .dir = BOX_CRATE_IN};
	else if (crate == OUT)
		crates[0] = (struct box_crate){.addr = (uint64_t)buf, .size = 0, .capacity = n,
					       .dir = BOX_CRATE_OUT};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	if (box_mb_add(&mb, id, BOX_POLICY_STOP, crate == IN ? 0 : BOX_NO_CRATE,
		       crate == OUT ? 0 : BOX_NO_CRATE, params, size) != 0)
		return -1;
	struct box_pocket p;
	box_pocket_init(&p, mb.buf, mb.len, crates, crate == NONE ? 0 : 1);
	return box_call(&p, res, WAIT_US) == BOX_OK ? 0 : -1;
}

static void say(unsigned len)
{
	struct box_result res;
	if (call(BOX_OP_HARDWARE_CONSOLE_WRITE, 0, 0, IN, len, &res) != 0 || res.status != BOX_OK)
		box_exit(15);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* fb.write of len bytes of text at col, row; the status (or 1 with no Result). */
static int32_t fb_write(uint32_t col, uint32_t row, uint32_t fg, uint32_t bg, unsigned len)
{
	struct box_params_hardware_fb_write p = {.col = col, .row = row, .fg = fg, .bg = bg};
	struct box_result res;
	if (call(BOX_OP_HARDWARE_FB_WRITE, &p, sizeof(p), IN, len, &res) != 0)
		return 1;
	return res.status;
}

static void fill_mark(void)
{
	const char *m = MARK;
	for (unsigned i = 0; i < MARK_LEN; i++)
		text[i] = m[i];
}

int main(void)
{
	struct box_result res;
	if (box_rings_init() != BOX_OK)
		return 1;

	if (call(BOX_OP_HARDWARE_FB_INFO, 0, 0, OUT, sizeof(buf), &res) != 0)
		return 2;
	if (res.status == BOX_ERR_NOENT) {
		/* a machine without a framebuffer: every fb op must say so */
		struct box_params_hardware_fb_clear clear = {.bg = 0};
		fill_mark();
		if (fb_write(0, 0, 0xFFFFFF, 0, MARK_LEN) != BOX_ERR_NOENT ||
		    call(BOX_OP_HARDWARE_FB_CLEAR, &clear, sizeof(clear), NONE, 0, &res) != 0 ||
		    res.status != BOX_ERR_NOENT)
			return 16;
		say(put_str(0, "no framebuffer: fb.info, fb.write and fb.clear answer BOX_ERR_NOENT"));
		return 0;
	}
	if (res.status != BOX_OK || crates[0].size != 32)
		return 2;
	uint32_t v[8];
	for (int i = 0; i < 8; i++)
		v[i] = get32(buf + 4 * i);
	uint32_t cols = v[4], rows = v[5];
	if (v[3] != 32 || cols == 0 || rows == 0 || cols * v[6] > v[0] || rows * v[7] > v[1] ||
	    v[2] < v[0] * 4 || res.value != (uint64_t)cols * rows || cols < MARK_LEN + 1)
		return 3;
	unsigned at = put_str(0, "fb ");
	at = put_dec(at, v[0]);
	at = put_str(at, "x");
	at = put_dec(at, v[1]);
	at = put_str(at, " pitch ");
	at = put_dec(at, v[2]);
	at = put_str(at, " bpp ");
	at = put_dec(at, v[3]);
	at = put_str(at, " text ");
	at = put_dec(at, cols);
	at = put_str(at, "x");
	at = put_dec(at, rows);
	at = put_str(at, " glyph ");
	at = put_dec(at, v[6]);
	at = put_str(at, "x");
	at = put_dec(at, v[7]);
	say(at);

	/* a navy screen, then refusals in red that must draw nothing (the screendump checks) */
	struct box_params_hardware_fb_clear clear = {.bg = 0x000080};
	if (call(BOX_OP_HARDWARE_FB_CLEAR, &clear, sizeof(clear), NONE, 0, &res) != 0 ||
	    res.status != BOX_OK)
		return 12;
	fill_mark();
	if (fb_write(cols - MARK_LEN + 1, rows - 1, 0xFF0000, 0xFF0000, MARK_LEN) != BOX_ERR_BOUNDS)
		return 4;
	if (fb_write(cols, 0, 0xFF0000, 0xFF0000, 1) != BOX_ERR_BOUNDS)
		return 5;
	if (fb_write(0, rows, 0xFF0000, 0xFF0000, 1) != BOX_ERR_BOUNDS)
		return 6;
	text[3] = '\n';
	if (fb_write(0, rows - 1, 0xFF0000, 0xFF0000, MARK_LEN) != BOX_ERR_INVALID)
		return 7;
	fill_mark();
	if (fb_write(0, rows - 1, 0x1000000, 0xFF0000, MARK_LEN) != BOX_ERR_INVALID)
		return 8;
	if (call(BOX_OP_HARDWARE_FB_INFO, 0, 0, OUT, 31, &res) != 0 || res.status != BOX_ERR_BOUNDS)
		return 9;
	if (call(BOX_OP_HARDWARE_CPU_HALT, 0, 0, NONE, 0, &res) != 0 ||
	    res.status != BOX_ERR_PERM || res.ops_run != 0)
		return 10;
	if (call(BOX_OP_HARDWARE_IRQ_INFO, 0, 0, OUT, 8, &res) != 0 ||
	    res.status != BOX_ERR_BOUNDS)
		return 11;

	/* the picture the test checks */
	fill_mark();
	if (fb_write(cols - MARK_LEN, rows - 1, 0xFFFF00, 0x008000, MARK_LEN) != BOX_OK)
		return 13;
	at = put_str(0, "drawn at col ");
	at = put_dec(at, cols - MARK_LEN);
	at = put_str(at, " row ");
	at = put_dec(at, rows - 1);
	say(at);

	const struct box_params_hardware_console_read cr = {.timeout_ns = 0};
	for (unsigned polls = 0; polls < 3000; polls++) {
		if (call(BOX_OP_HARDWARE_CONSOLE_READ, &cr, sizeof(cr), OUT, sizeof(buf), &res) == 0 &&
		    res.status == BOX_OK)
			return 0;
		box_wait(20000);
	}
	return 14;
}
