/*
 * hardware_io.c: the Hardware Deck's input, sleep and framebuffer ops.
 *
 * Portable (the host tests compile it against fake drivers and a fake
 * clock).  timer.sleep, console.read and kbd.read are waiting ops (see
 * OP_PENDING in core/op.h): instead of blocking the Guide they return
 * OP_PENDING with a deadline in call->wake_tsc (and, for the reads, the
 * OP_WAKE_* event their input's interrupt signals), and keep their deadline
 * in call->park[0] between calls (zero only on the first call, since a
 * deadline is always past the TSC's start).  They may be called again
 * early or spuriously: every call re-checks the input and the clock.
 * Layouts and errors are in the comment at the top of decks/hardware.c.
 */
#include "decks/hardware.h"
#include "boxos/ops.h"
#include "drivers/console_input.h"
#include "drivers/fbcon.h"

#define NS_PER_SECOND 1000000000ull
#define EVENTS_PER_BATCH 32u

/* The clock value ns nanoseconds from now, rounded up; saturates at UINT64_MAX. */
static uint64_t deadline_after(uint64_t ns)
{
	unsigned __int128 ticks = (unsigned __int128)ns * hw_clock_hz();
	ticks = (ticks + NS_PER_SECOND - 1) / NS_PER_SECOND;
	uint64_t now = hw_clock_now();
	if (ticks >= (unsigned __int128)(UINT64_MAX - now))
		return UINT64_MAX;
	return now + (uint64_t)ticks;
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
	uint64_t hz = hw_clock_hz();
	if (!hz)
		return 0;
	return (uint64_t)((unsigned __int128)ticks * NS_PER_SECOND / hz);
}

/*
 * The common end of a read that found nothing: TIMEOUT when the wait is
 * over (timeout 0 on the first call, or the deadline passed), else park
 * until `event` or the deadline.
 */
static int32_t nothing_yet(struct op_call *call, uint64_t timeout_ns, uint32_t event)
{
	call->out->size = 0;
	call->value = 0;
	if (call->park[0] == 0) {
		if (timeout_ns == 0)
			return BOX_ERR_TIMEOUT;
		call->park[0] = deadline_after(timeout_ns);
	} else if (hw_clock_now() >= call->park[0]) {
		return BOX_ERR_TIMEOUT;
	}
	call->wake_tsc = call->park[0];
	call->wake_events = event;
	return OP_PENDING;
}

/*
 * hardware.timer.sleep: BOX_OK once at least ns nanoseconds have passed
 * since the first call; value = the nanoseconds that really passed.  ns = 0
 * completes at once.  park[0] = deadline, park[1] = start.
 */
int32_t hw_timer_sleep(struct op_call *call)
{
	OP_PARAMS(box_params_hardware_timer_sleep, p);
	uint64_t now = hw_clock_now();
	if (call->park[0] == 0) {
		if (p->ns == 0) {
			call->value = 0;
			return BOX_OK;
		}
		call->park[1] = now;
		call->park[0] = deadline_after(p->ns);
	}
	if (now >= call->park[0]) {
		call->value = ticks_to_ns(now - call->park[1]);
		return BOX_OK;
	}
	call->wake_tsc = call->park[0];
	call->wake_events = 0;
	return OP_PENDING;
}

/*
 * hardware.console.read: the console input bytes waiting (at most the
 * output's capacity, which must be at least 1, else BOUNDS) at output
 * offset 0; out->size = value = their count.  With nothing waiting it
 * waits up to timeout_ns for the first byte; nothing by then (or at once
 * with timeout 0) is BOX_ERR_TIMEOUT with out->size = 0.
 */
int32_t hw_console_read(struct op_call *call)
{
	OP_PARAMS(box_params_hardware_console_read, p);
	int32_t st = op_check_buf(call->out);
	if (st != BOX_OK)
		return st;
	if (call->out->capacity == 0)
		return BOX_ERR_BOUNDS;

	uint64_t cap = call->out->capacity;
	unsigned n = console_input_read(call->out->data, cap > UINT32_MAX ? UINT32_MAX : (unsigned)cap);
	if (n == 0)
		return nothing_yet(call, p->timeout_ns, OP_WAKE_CONSOLE);
	call->out->size = n;
	call->value = n;
	return BOX_OK;
}

/*
 * hardware.kbd.read: the key events waiting, KBD_EVENT_SIZE (8) bytes each
 * (layout in hardware.c), as many as fit in the output (room for at least
 * one, else BOUNDS); out->size = 8 * value, value = the events.  Waiting
 * and TIMEOUT as console.read.
 */
int32_t hw_kbd_read(struct op_call *call)
{
	OP_PARAMS(box_params_hardware_kbd_read, p);
	int32_t st = op_check_buf(call->out);
	if (st != BOX_OK)
		return st;
	uint64_t room = call->out->capacity / KBD_EVENT_SIZE;
	if (room == 0)
		return BOX_ERR_BOUNDS;

	uint64_t total = 0;
	struct kbd_event batch[EVENTS_PER_BATCH];
	while (total < room) {
		uint64_t want = room - total < EVENTS_PER_BATCH ? room - total : EVENTS_PER_BATCH;
		unsigned got = kbd_events_read(batch, (unsigned)want);
		for (unsigned i = 0; i < got; i++)
			kbd_event_encode(&batch[i], call->out->data + (total + i) * KBD_EVENT_SIZE);
		total += got;
		if (got < want)
			break;
	}
	if (total == 0)
		return nothing_yet(call, p->timeout_ns, OP_WAKE_KBD);
	call->out->size = total * KBD_EVENT_SIZE;
	call->value = total;
	return BOX_OK;
}

static int colour_ok(uint32_t c)
{
	return c <= 0xFFFFFFu;
}

/*
 * hardware.fb.write: the input's bytes (printable ASCII 0x20-0x7e, else
 * INVALID) at text cell col, row in colours fg and bg (0xRRGGBB, else
 * INVALID).  The whole text must fit in that row of the grid (else BOUNDS);
 * no framebuffer is NOENT.  Any error draws nothing.  value = bytes drawn.
 */
int32_t hw_fb_write(struct op_call *call)
{
	OP_PARAMS(box_params_hardware_fb_write, p);
	int32_t st = op_check_buf(call->in);
	if (st != BOX_OK)
		return st;
	if (!colour_ok(p->fg) || !colour_ok(p->bg))
		return BOX_ERR_INVALID;
	const struct op_buf *in = call->in;
	for (uint64_t i = 0; i < in->size; i++)
		if (in->data[i] < 0x20 || in->data[i] > 0x7e)
			return BOX_ERR_INVALID;
	struct fbcon_info fb;
	if (!fbcon_info(&fb))
		return BOX_ERR_NOENT;
	if (p->row >= fb.rows || p->col >= fb.cols || in->size > fb.cols - p->col)
		return BOX_ERR_BOUNDS;

	if (in->size && fbcon_draw_text(p->col, p->row, (const char *)in->data, (unsigned)in->size,
					p->fg, p->bg) != 0)
		return BOX_ERR_BOUNDS; /* the grid changed under us; nothing was drawn */
	call->value = in->size;
	return BOX_OK;
}

/* hardware.fb.clear: the whole screen in bg (0xRRGGBB, else INVALID), log cursor home; no framebuffer is NOENT. */
int32_t hw_fb_clear(struct op_call *call)
{
	OP_PARAMS(box_params_hardware_fb_clear, p);
	if (!colour_ok(p->bg))
		return BOX_ERR_INVALID;
	if (fbcon_clear(p->bg) != 0)
		return BOX_ERR_NOENT;
	call->value = 0;
	return BOX_OK;
}

/*
 * hardware.fb.info: eight u32 (32 bytes): width, height, pitch (bytes),
 * bits per pixel, text columns, text rows, glyph width, glyph height;
 * out->size = 32, value = columns * rows.  No framebuffer is NOENT.
 */
int32_t hw_fb_info(struct op_call *call)
{
	int32_t st = op_check_buf(call->out);
	if (st != BOX_OK)
		return st;
	if (call->out->capacity < HW_FB_INFO_SIZE)
		return BOX_ERR_BOUNDS;
	struct fbcon_info fb;
	if (!fbcon_info(&fb))
		return BOX_ERR_NOENT;
	const uint32_t v[8] = {fb.width, fb.height, fb.pitch, fb.bpp,
			       fb.cols, fb.rows, fb.glyph_width, fb.glyph_height};
	for (unsigned i = 0; i < 8; i++)
		op_put_le(call->out->data + 4 * i, v[i], 4);
	call->out->size = HW_FB_INFO_SIZE;
	call->value = (uint64_t)fb.cols * fb.rows;
	return BOX_OK;
}
