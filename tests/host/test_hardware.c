/*
 * test_hardware.c: host tests for the portable parts of the Hardware Deck
 * (the scancode decoder has its own, test_kbd_decode.c).
 *
 *  - the console byte queue and key-event queue (console_input.c): order,
 *    wrap-around, full queues dropping the newest, Guide signals;
 *  - the handlers of decks/hardware_io.c as the engine calls them:
 *    console.read / kbd.read / timer.sleep with OP_PENDING, deadlines and
 *    TIMEOUT on a hand-driven clock; fb.write / fb.clear / fb.info on a fake
 *    80x25 grid (bounds, bad bytes, bad colours, no framebuffer), checking
 *    that an error draws nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "boxos/ops.h"
#include "check.h"
#include "decks/hardware.h"
#include "drivers/console_input.h"
#include "drivers/fbcon.h"
#include "drivers/ps2kbd_decode.h"

/* ---- fakes: the Guide's signal, the clock, the framebuffer console ---- */

static uint32_t signalled;
void guide_signal(uint32_t events) { signalled |= events; }

static uint64_t clock_now = 1000, clock_hz = 1000000000; /* 1 tick = 1 ns unless a test says so */
uint64_t hw_clock_now(void) { return clock_now; }
uint64_t hw_clock_hz(void) { return clock_hz; }

#define GRID_COLS 80
#define GRID_ROWS 25
static struct {
	bool present;
	char cells[GRID_ROWS][GRID_COLS];
	uint32_t fg[GRID_ROWS][GRID_COLS], bg[GRID_ROWS][GRID_COLS];
	unsigned draws, clears;
	uint32_t clear_colour;
} grid;

bool fbcon_info(struct fbcon_info *info)
{
	if (!grid.present)
		return false;
	*info = (struct fbcon_info){.width = 640, .height = 400, .pitch = 2560, .bpp = 32,
				    .cols = GRID_COLS, .rows = GRID_ROWS, .glyph_width = 8,
				    .glyph_height = 16};
	return true;
}

int fbcon_draw_text(unsigned col, unsigned row, const char *text, unsigned len, uint32_t fg,
		    uint32_t bg)
{
	/* the real one refuses what does not fit too; the handler must never ask */
	if (!grid.present || row >= GRID_ROWS || col >= GRID_COLS || len > GRID_COLS - col)
		abort();
	for (unsigned i = 0; i < len; i++) {
		grid.cells[row][col + i] = text[i];
		grid.fg[row][col + i] = fg;
		grid.bg[row][col + i] = bg;
	}
	grid.draws++;
	return 0;
}

int fbcon_clear(uint32_t bg)
{
	if (!grid.present)
		return -1;
	memset(grid.cells, ' ', sizeof(grid.cells));
	grid.clears++;
	grid.clear_colour = bg;
	return 0;
}

static void grid_reset(bool present)
{
	memset(&grid, 0, sizeof(grid));
	memset(grid.cells, '.', sizeof(grid.cells));
	grid.present = present;
}

/* ---- the queues ---- */

static void test_console_queue(void)
{
	uint8_t out[CONSOLE_INPUT_BYTES + 64];
	console_input_reset();
	signalled = 0;
	console_input_put((const uint8_t *)"ab\r\n", 4);
	CHECK_EQ(signalled, OP_WAKE_CONSOLE);
	console_input_put((const uint8_t *)"c\rd", 3);
	CHECK_EQ(console_input_read(out, 2), 2);
	CHECK(memcmp(out, "ab", 2) == 0);
	CHECK_EQ(console_input_read(out, sizeof(out)), 5);
	CHECK(memcmp(out, "\r\nc\rd", 5) == 0);
	CHECK_EQ(console_input_read(out, sizeof(out)), 0);

	/* wrap-around: the indices are past the end many times over */
	for (int round = 0; round < 5; round++) {
		uint8_t in[700];
		for (unsigned i = 0; i < sizeof(in); i++)
			in[i] = (uint8_t)(i * 7 + round);
		console_input_put(in, sizeof(in));
		CHECK_EQ(console_input_read(out, sizeof(out)), sizeof(in));
		CHECK(memcmp(out, in, sizeof(in)) == 0);
	}

	/* full: the newest bytes are dropped and counted */
	uint8_t big[CONSOLE_INPUT_BYTES + 10];
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	uint64_t dropped = console_input_dropped();
	console_input_put(big, sizeof(big));
	console_input_put(big, 3);
	CHECK_EQ(console_input_dropped() - dropped, 13);
	CHECK_EQ(console_input_read(out, sizeof(out)), CONSOLE_INPUT_BYTES);
	CHECK(memcmp(out, big, CONSOLE_INPUT_BYTES) == 0);
	console_input_put(0, 0); /* nothing: no signal, no change */
	CHECK_EQ(console_input_read(out, sizeof(out)), 0);
}

static void test_key_queue(void)
{
	struct kbd_event out[KBD_QUEUE_EVENTS + 4];
	console_input_reset();
	signalled = 0;
	for (unsigned i = 0; i < KBD_QUEUE_EVENTS + 3; i++) {
		struct kbd_event e = {.scancode = (uint16_t)i, .action = KBD_PRESS};
		kbd_events_put(&e);
	}
	CHECK_EQ(signalled, OP_WAKE_KBD);
	CHECK_EQ(kbd_events_dropped(), 3);
	CHECK_EQ(kbd_events_read(out, 10), 10);
	CHECK_EQ(out[9].scancode, 9);
	CHECK_EQ(kbd_events_read(out, KBD_QUEUE_EVENTS + 4), KBD_QUEUE_EVENTS - 10);
	CHECK_EQ(out[0].scancode, 10);
	CHECK_EQ(out[KBD_QUEUE_EVENTS - 11].scancode, KBD_QUEUE_EVENTS - 1);
}

/* ---- the handlers ---- */

struct crate {
	uint8_t mem[256];
	struct op_buf b;
};

static void crate_init(struct crate *c, uint64_t cap, const char *text)
{
	memset(c->mem, 0xcc, sizeof(c->mem));
	size_t n = text ? strlen(text) : 0;
	memcpy(c->mem, text ? text : "", n);
	c->b = (struct op_buf){c->mem, n, cap};
}

static struct op_call call_with(const void *params, uint16_t size, struct crate *in, struct crate *out)
{
	return (struct op_call){.params = params, .param_size = size, .in = in ? &in->b : NULL,
				.out = out ? &out->b : NULL, .value = 0x5a5a};
}

static void test_console_read(void)
{
	struct crate out;
	console_input_reset();
	clock_hz = 1000000000;
	clock_now = 5000;

	/* bytes waiting: returned at once, as typed */
	console_input_put((const uint8_t *)"hi\r\n", 4);
	struct box_params_hardware_console_read p = {.timeout_ns = 0};
	crate_init(&out, 64, NULL);
	struct op_call c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), BOX_OK);
	CHECK_EQ(out.b.size, 4);
	CHECK_EQ(c.value, 4);
	CHECK(memcmp(out.mem, "hi\r\n", 4) == 0);

	/* more waiting than fits: the rest stays for the next read */
	console_input_put((const uint8_t *)"abcdef", 6);
	crate_init(&out, 4, NULL);
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), BOX_OK);
	CHECK_EQ(out.b.size, 4);
	CHECK_EQ(out.mem[4], 0xcc);
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), BOX_OK);
	CHECK_EQ(c.value, 2);
	CHECK(memcmp(out.mem, "ef", 2) == 0);

	/* nothing, timeout 0: TIMEOUT at once, size 0, no wait asked for */
	crate_init(&out, 64, "old");
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), BOX_ERR_TIMEOUT);
	CHECK_EQ(out.b.size, 0);
	CHECK_EQ(c.wake_tsc, 0);

	/* nothing, timeout 2000 ns: PENDING on the console event with the deadline */
	p.timeout_ns = 2000;
	crate_init(&out, 64, NULL);
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), OP_PENDING);
	CHECK_EQ(c.wake_tsc, 7000);
	CHECK_EQ(c.wake_events, OP_WAKE_CONSOLE);
	CHECK_EQ(c.park[0], 7000);
	/* called again early (a spurious wake): still pending, same deadline */
	clock_now = 6000;
	c.wake_tsc = 0;
	c.wake_events = 0;
	CHECK_EQ(hw_console_read(&c), OP_PENDING);
	CHECK_EQ(c.wake_tsc, 7000);
	CHECK_EQ(c.wake_events, OP_WAKE_CONSOLE);
	/* a byte arrives: the next call returns it */
	console_input_put((const uint8_t *)"x", 1);
	CHECK_EQ(hw_console_read(&c), BOX_OK);
	CHECK_EQ(out.b.size, 1);
	CHECK_EQ(out.mem[0], 'x');

	/* the deadline passes with nothing: TIMEOUT */
	crate_init(&out, 64, NULL);
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), OP_PENDING);
	clock_now += 2000;
	CHECK_EQ(hw_console_read(&c), BOX_ERR_TIMEOUT);
	CHECK_EQ(out.b.size, 0);
	CHECK_EQ(c.value, 0);

	/* a huge timeout saturates instead of wrapping into the past */
	p.timeout_ns = UINT64_MAX;
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), OP_PENDING);
	CHECK_EQ(c.wake_tsc, UINT64_MAX);

	/* bad calls change nothing and take no input */
	console_input_put((const uint8_t *)"k", 1);
	crate_init(&out, 0, NULL);
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_console_read(&c), BOX_ERR_BOUNDS);
	c = call_with(&p, sizeof(p), NULL, NULL);
	CHECK_EQ(hw_console_read(&c), BOX_ERR_INVALID);
	crate_init(&out, 64, NULL);
	c = call_with(&p, 4, NULL, &out);
	CHECK_EQ(hw_console_read(&c), BOX_ERR_INVALID);
	c = call_with(NULL, 0, NULL, &out);
	CHECK_EQ(hw_console_read(&c), BOX_ERR_INVALID);
	uint8_t left;
	CHECK_EQ(console_input_read(&left, 1), 1);
	CHECK_EQ(left, 'k');
}

static void test_kbd_read(void)
{
	struct crate out;
	console_input_reset();
	clock_now = 100;
	for (int i = 0; i < 3; i++) {
		struct kbd_event e = {.scancode = (uint16_t)(0xE048 + i), .key = (uint8_t)(0x50 + i),
				      .ch = (uint8_t)('a' + i), .modifiers = 1, .action = KBD_PRESS};
		kbd_events_put(&e);
	}
	struct box_params_hardware_kbd_read p = {.timeout_ns = 0};
	crate_init(&out, 7, NULL);
	struct op_call c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_kbd_read(&c), BOX_ERR_BOUNDS);

	crate_init(&out, 20, NULL); /* room for two events, not three */
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_kbd_read(&c), BOX_OK);
	CHECK_EQ(c.value, 2);
	CHECK_EQ(out.b.size, 16);
	const uint8_t first[8] = {0x48, 0xE0, 0x50, 'a', 1, KBD_PRESS, 0, 0};
	CHECK(memcmp(out.mem, first, 8) == 0);
	CHECK_EQ(out.mem[8 + 2], 0x51);
	CHECK_EQ(out.mem[16], 0xcc);
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_kbd_read(&c), BOX_OK);
	CHECK_EQ(c.value, 1);
	CHECK_EQ(out.mem[0], 0x4A);

	/* empty: TIMEOUT with 0, PENDING on the key event with a timeout */
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_kbd_read(&c), BOX_ERR_TIMEOUT);
	p.timeout_ns = 50;
	c = call_with(&p, sizeof(p), NULL, &out);
	CHECK_EQ(hw_kbd_read(&c), OP_PENDING);
	CHECK_EQ(c.wake_events, OP_WAKE_KBD);
	CHECK_EQ(c.wake_tsc, 150);
	clock_now = 150;
	CHECK_EQ(hw_kbd_read(&c), BOX_ERR_TIMEOUT);

	/* many events in one read (more than one internal batch) */
	for (int i = 0; i < 40; i++) {
		struct kbd_event e = {.scancode = (uint16_t)i, .action = KBD_RELEASE};
		kbd_events_put(&e);
	}
	struct crate bigc;
	crate_init(&bigc, 256, NULL);
	p.timeout_ns = 0;
	c = call_with(&p, sizeof(p), NULL, &bigc);
	CHECK_EQ(hw_kbd_read(&c), BOX_OK);
	CHECK_EQ(c.value, 32); /* 256 / 8 */
	CHECK_EQ(bigc.mem[31 * 8], 31);
	c = call_with(&p, sizeof(p), NULL, &bigc);
	CHECK_EQ(hw_kbd_read(&c), BOX_OK);
	CHECK_EQ(c.value, 8);
}

static void test_timer_sleep(void)
{
	clock_hz = 2500000000ull; /* 2.5 GHz: 1 ns rounds up to 3 ticks */
	clock_now = 1000000;
	struct box_params_hardware_timer_sleep p = {.ns = 0};
	struct op_call c = call_with(&p, sizeof(p), NULL, NULL);
	CHECK_EQ(hw_timer_sleep(&c), BOX_OK);
	CHECK_EQ(c.value, 0);

	p.ns = 1;
	c = call_with(&p, sizeof(p), NULL, NULL);
	CHECK_EQ(hw_timer_sleep(&c), OP_PENDING);
	CHECK_EQ(c.wake_tsc, 1000003);
	CHECK_EQ(c.wake_events, 0);

	p.ns = 4000; /* 10000 ticks */
	c = call_with(&p, sizeof(p), NULL, NULL);
	CHECK_EQ(hw_timer_sleep(&c), OP_PENDING);
	CHECK_EQ(c.park[0], 1010000);
	CHECK_EQ(c.wake_tsc, 1010000);
	clock_now = 1009999; /* one tick early */
	CHECK_EQ(hw_timer_sleep(&c), OP_PENDING);
	CHECK_EQ(c.wake_tsc, 1010000);
	clock_now = 1012500; /* 5000 ns after the start */
	CHECK_EQ(hw_timer_sleep(&c), BOX_OK);
	CHECK_EQ(c.value, 5000);

	/* the deadline saturates */
	p.ns = UINT64_MAX;
	c = call_with(&p, sizeof(p), NULL, NULL);
	CHECK_EQ(hw_timer_sleep(&c), OP_PENDING);
	CHECK_EQ(c.wake_tsc, UINT64_MAX);
	c = call_with(&p, 2, NULL, NULL);
	CHECK_EQ(hw_timer_sleep(&c), BOX_ERR_INVALID);
	clock_hz = 1000000000;
}

static bool grid_untouched(void)
{
	for (int r = 0; r < GRID_ROWS; r++)
		for (int col = 0; col < GRID_COLS; col++)
			if (grid.cells[r][col] != '.')
				return false;
	return grid.draws == 0 && grid.clears == 0;
}

static int32_t fb_write(uint32_t col, uint32_t row, uint32_t fg, uint32_t bg, const char *text)
{
	struct box_params_hardware_fb_write p = {.col = col, .row = row, .fg = fg, .bg = bg};
	struct crate in;
	crate_init(&in, 128, text);
	struct op_call c = call_with(&p, sizeof(p), &in, NULL);
	int32_t st = hw_fb_write(&c);
	if (st == BOX_OK && c.value != in.b.size)
		return -1000;
	return st;
}

static void test_fb_ops(void)
{
	/* every error leaves the grid untouched */
	grid_reset(true);
	CHECK_EQ(fb_write(78, 24, 0xFFFFFF, 0, "abc"), BOX_ERR_BOUNDS);  /* one past the row */
	CHECK_EQ(fb_write(80, 0, 0xFFFFFF, 0, "a"), BOX_ERR_BOUNDS);     /* col = cols */
	CHECK_EQ(fb_write(0, 25, 0xFFFFFF, 0, "a"), BOX_ERR_BOUNDS);     /* row = rows */
	CHECK_EQ(fb_write(0xFFFFFFFF, 0, 0xFFFFFF, 0, "a"), BOX_ERR_BOUNDS);
	CHECK_EQ(fb_write(0, 0xFFFFFFFF, 0xFFFFFF, 0, ""), BOX_ERR_BOUNDS);
	CHECK_EQ(fb_write(0, 0, 0xFFFFFF, 0,
			  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901"),
		 BOX_ERR_BOUNDS); /* 82 bytes in an 80-column row */
	CHECK_EQ(fb_write(0, 0, 0xFFFFFF, 0, "a\nb"), BOX_ERR_INVALID);
	CHECK_EQ(fb_write(0, 0, 0xFFFFFF, 0, "\x7f"), BOX_ERR_INVALID);
	CHECK_EQ(fb_write(0, 0, 0xFFFFFF, 0, "caf\xc3\xa9"), BOX_ERR_INVALID);
	CHECK_EQ(fb_write(0, 0, 0x1000000, 0, "a"), BOX_ERR_INVALID);
	CHECK_EQ(fb_write(0, 0, 0, 0xFF000000, "a"), BOX_ERR_INVALID);
	struct box_params_hardware_fb_write p = {0};
	struct op_call c = call_with(&p, sizeof(p), NULL, NULL);
	CHECK_EQ(hw_fb_write(&c), BOX_ERR_INVALID); /* no input Crate */
	struct box_params_hardware_fb_clear cp = {.bg = 0x1000000};
	c = call_with(&cp, sizeof(cp), NULL, NULL);
	CHECK_EQ(hw_fb_clear(&c), BOX_ERR_INVALID);
	CHECK(grid_untouched());

	/* the last cells of the grid, exactly */
	CHECK_EQ(fb_write(78, 24, 0x112233, 0x445566, "ab"), BOX_OK);
	CHECK_EQ(grid.cells[24][78], 'a');
	CHECK_EQ(grid.cells[24][79], 'b');
	CHECK_EQ(grid.fg[24][79], 0x112233);
	CHECK_EQ(grid.bg[24][79], 0x445566);
	CHECK_EQ(grid.cells[24][77], '.');
	CHECK_EQ(fb_write(0, 0, 0xFFFFFF, 0,
			  "01234567890123456789012345678901234567890123456789012345678901234567890123456789"),
		 BOX_OK); /* a full row */
	CHECK_EQ(grid.cells[0][79], '9');
	CHECK_EQ(grid.cells[1][0], '.');
	unsigned draws = grid.draws;
	CHECK_EQ(fb_write(5, 5, 0, 0, ""), BOX_OK); /* nothing to draw */
	CHECK_EQ(grid.draws, draws);

	cp.bg = 0x0000AA;
	c = call_with(&cp, sizeof(cp), NULL, NULL);
	CHECK_EQ(hw_fb_clear(&c), BOX_OK);
	CHECK_EQ(grid.clears, 1);
	CHECK_EQ(grid.clear_colour, 0x0000AA);

	/* fb.info: eight u32, value = cells */
	struct crate out;
	crate_init(&out, 31, NULL);
	c = call_with(NULL, 0, NULL, &out);
	CHECK_EQ(hw_fb_info(&c), BOX_ERR_BOUNDS);
	CHECK_EQ(out.mem[0], 0xcc);
	crate_init(&out, 64, NULL);
	c = call_with(NULL, 0, NULL, &out);
	CHECK_EQ(hw_fb_info(&c), BOX_OK);
	CHECK_EQ(out.b.size, 32);
	CHECK_EQ(c.value, 80 * 25);
	const uint32_t want[8] = {640, 400, 2560, 32, 80, 25, 8, 16};
	for (int i = 0; i < 8; i++) {
		uint32_t v = (uint32_t)out.mem[4 * i] | (uint32_t)out.mem[4 * i + 1] << 8 |
			     (uint32_t)out.mem[4 * i + 2] << 16 | (uint32_t)out.mem[4 * i + 3] << 24;
		CHECK_EQ(v, want[i]);
	}
	CHECK_EQ(out.mem[32], 0xcc);

	/* no framebuffer: NOENT for all three, nothing drawn */
	grid_reset(false);
	CHECK_EQ(fb_write(0, 0, 0xFFFFFF, 0, "a"), BOX_ERR_NOENT);
	cp.bg = 0;
	c = call_with(&cp, sizeof(cp), NULL, NULL);
	CHECK_EQ(hw_fb_clear(&c), BOX_ERR_NOENT);
	crate_init(&out, 64, NULL);
	c = call_with(NULL, 0, NULL, &out);
	CHECK_EQ(hw_fb_info(&c), BOX_ERR_NOENT);
	CHECK_EQ(out.mem[0], 0xcc);
	CHECK(grid_untouched());
}

int main(void)
{
	test_console_queue();
	test_key_queue();
	test_console_read();
	test_kbd_read();
	test_timer_sleep();
	test_fb_ops();
	return check_report();
}
