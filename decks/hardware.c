/*
 * hardware.c: the Hardware Deck, the machine's devices as ops.
 *
 * Kernel-only (it talks to drivers, the APICs and the CPU, so the host
 * tests do not compile it); the portable handlers -- timer.sleep,
 * console.read, kbd.read and the fb.* ops -- are in hardware_io.c, and this
 * file holds the Deck's one table.  Each handler decodes first -- parameter
 * blob, the Crates it needs (missing -> BOX_ERR_INVALID), output capacity
 * (too small -> BOX_ERR_BOUNDS) -- without touching anything, then acts.
 * SYSTEM ops (port.*, cpu.halt, system.*) are stopped for APP Cabins by the
 * engine's auth gate before a handler runs.  timer.sleep, console.read and
 * kbd.read wait without blocking the Guide (OP_PENDING, core/op.h).
 *
 * Output layouts (all integers little-endian):
 *   timer.ticks  16 bytes: u64 ticks, u64 ticks per second.  A tick is one
 *                microsecond since boot (timer_us_since_boot(), from the
 *                TSC, monotonic and the same on every CPU), so ticks per
 *                second is always 1000000.  value = ticks.
 *   timer.sleep   no output; value = nanoseconds that really passed.
 *   rtc.read      8 bytes: u64 seconds since 1970-01-01 UTC; value = that.
 *   console.read  the bytes as typed (serial input and keyboard characters
 *                merged; CR, LF, CRLF untouched); value = count.  Nothing
 *                within timeout_ns (0 = only look): BOX_ERR_TIMEOUT, size 0.
 *   kbd.read      8 bytes per key event:
 *                  0 u16 scancode (set 1 make code; 0xE0nn extended, 0xE11D Pause)
 *                  2 u8  key code (USB HID keyboard usage; 0x04 = A, 0x52 = Up)
 *                  3 u8  character typed (US layout, modifiers applied; 0 none)
 *                  4 u8  modifiers after the event: 1 shift, 2 ctrl, 4 alt,
 *                        8 caps lock on, 16 num lock on
 *                  5 u8  action: 1 press, 2 release, 3 repeat (typematic)
 *                  6 u16 zero
 *                value = events; waiting and TIMEOUT as console.read.
 *   fb.info      32 bytes: u32 width, height, pitch (bytes per line), bits
 *                per pixel (32), text columns, text rows, glyph width,
 *                glyph height; value = columns * rows.
 *   fb.write, fb.clear  no output; value = bytes drawn / 0.  No framebuffer
 *                is BOX_ERR_NOENT; text past the row's end BOX_ERR_BOUNDS;
 *                a byte outside 0x20-0x7e or a colour above 0xFFFFFF
 *                BOX_ERR_INVALID; an error draws nothing.
 *   cpu.info     36 bytes: u32 cpu count at 0; CPUID vendor string at 4
 *                (12 bytes, no NUL); u32 family at 16, u32 model at 20,
 *                u32 stepping at 24 (extended family/model folded in, as
 *                the SDM says); u32 CPUID.1 EDX at 28 and u32 CPUID.1 ECX
 *                at 32 (the feature flags).  value = cpu count.
 *   irq.info     u32 route count n, u32 entry size (24), then n entries:
 *                  0 u32 GSI, 4 u8 ISA IRQ, 5 u8 vector,
 *                  6 u8 flags (1 level-triggered, 2 active low, 4 masked), 7 u8 zero,
 *                  8 u32 target CPU (0xFFFFFFFF: none), 12 u32 target APIC id,
 *                  16 u64 interrupts taken on the vector since boot
 *                the output must hold all of them (else BOUNDS); value = n.
 *   port.in       4 bytes: u32 value read (zero-extended); value = that.
 *   cpu.stats     one struct box_cpu_stats per CPU (boxos/abi/info.h); its
 *                handler is in hardware_cpu.c.
 *   cpu.halt, system.*  never return.
 */
#include <stdint.h>

#include "boxos/ops.h"
#include "decks/decks.h"
#include "decks/hardware.h"
#include "core/cabin.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "drivers/power.h"
#include "drivers/rtc.h"
#include "lib/log.h"

#define TICKS_PER_SECOND 1000000ull
#define CONSOLE_WRITE_MAX 200u
#define CPU_INFO_SIZE 36u
#define IRQ_INFO_HEADER 8u
#define IRQ_INFO_ENTRY 24u

uint64_t hw_clock_now(void)
{
	return rdtsc();
}

uint64_t hw_clock_hz(void)
{
	return timer_tsc_hz();
}


/* The output must be there and hold at least n bytes. */
static int32_t check_out(const struct op_call *call, uint64_t n)
{
	int32_t st = op_check_buf(call->out);
	if (st != BOX_OK)
		return st;
	return call->out->capacity < n ? BOX_ERR_BOUNDS : BOX_OK;
}


static int width_ok(uint8_t w)
{
	return w == 1 || w == 2 || w == 4;
}

/*
 * hardware.timer.ticks: u64 tick count (microseconds since boot) and u64
 * ticks per second (1000000) at output offsets 0 and 8; out->size = 16,
 * value = the tick count.
 */
static int32_t op_timer_ticks(struct op_call *call)
{
	int32_t st = check_out(call, 16);
	if (st != BOX_OK)
		return st;

	uint64_t ticks = timer_us_since_boot();
	op_put_le(call->out->data, ticks, 8);
	op_put_le(call->out->data + 8, TICKS_PER_SECOND, 8);
	call->out->size = 16;
	call->value = ticks;
	return BOX_OK;
}

/*
 * hardware.rtc.read: the CMOS clock as u64 Unix seconds at output offset 0;
 * out->size = 8, value = the seconds.  A clock that never settles is BUSY
 * (the output is left alone).
 */
static int32_t op_rtc_read(struct op_call *call)
{
	int32_t st = check_out(call, 8);
	if (st != BOX_OK)
		return st;

	struct rtc_time t;
	if (rtc_read(&t) != 0)
		return BOX_ERR_BUSY;
	uint64_t secs = rtc_to_unix(&t);
	op_put_le(call->out->data, secs, 8);
	call->out->size = 8;
	call->value = secs;
	return BOX_OK;
}

/*
 * hardware.console.write: the input's valid bytes (at most 200, else
 * TOO_BIG) become one kernel log line "<cabin name>: <text>" on every
 * console.  One trailing newline is dropped and every other byte outside
 * printable ASCII (0x20-0x7e) is shown as '?', so a Cabin cannot forge
 * log lines or send terminal escapes.  An empty input logs nothing.
 * The console session is the exception (core/cabin.h, CABIN_CONSOLE_*):
 * the init program (the shell) writes its bytes as they are, escape
 * sequences included, and what it starts writes them as they are except
 * that bytes outside printable ASCII, \n, \r, \t and \b show as '?'.
 * value = input bytes consumed (in->size).
 */
static int32_t op_console_write(struct op_call *call)
{
	int32_t st = op_check_buf(call->in);
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	if (in->size > CONSOLE_WRITE_MAX)
		return BOX_ERR_TOO_BIG;

	uint8_t mode = call->caller ? call->caller->console : CABIN_CONSOLE_LOG;
	static bool first_output_seen;
	if (in->size && mode == CABIN_CONSOLE_TERMINAL && !first_output_seen) {
		/* the boot's last milestone: kernel entry to the shell's first bytes */
		first_output_seen = true;
		uint64_t us = timer_us_since_boot();
		log_info("boot: %s's first output %lu.%03lu ms after kernel entry", call->caller->name,
			 us / 1000, us % 1000);
	}
	if (in->size && mode != CABIN_CONSOLE_LOG) {
		char text[CONSOLE_WRITE_MAX];
		for (unsigned i = 0; i < in->size; i++) {
			uint8_t c = in->data[i];
			bool shown = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t' ||
				     c == '\b' || (c == 0x1b && mode == CABIN_CONSOLE_TERMINAL);
			text[i] = shown ? (char)c : '?';
		}
		log_write_raw(text, in->size);
	} else if (in->size) {
		char text[CONSOLE_WRITE_MAX];
		unsigned len = (unsigned)in->size;
		if (in->data[len - 1] == '\n')
			len--;
		for (unsigned i = 0; i < len; i++) {
			uint8_t c = in->data[i];
			text[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
		const char *who = call->caller ? call->caller->name : "kernel";
		log_info("%s: %.*s", who, (int)len, text);
	}
	call->value = in->size;
	return BOX_OK;
}

/*
 * hardware.cpu.info: 36 bytes, layout in the file comment; out->size = 36,
 * value = the cpu count.
 */
static int32_t op_cpu_info(struct op_call *call)
{
	int32_t st = check_out(call, CPU_INFO_SIZE);
	if (st != BOX_OK)
		return st;

	uint32_t v[4], f[4] = {0, 0, 0, 0};
	cpuid(0, 0, v);
	if (v[0] >= 1)
		cpuid(1, 0, f);
	uint32_t family = (f[0] >> 8) & 0xF, model = (f[0] >> 4) & 0xF, stepping = f[0] & 0xF;
	if (family == 0xF)
		family += (f[0] >> 20) & 0xFF;
	if (family == 0x6 || family >= 0xF)
		model |= ((f[0] >> 16) & 0xF) << 4;

	uint8_t *o = call->out->data;
	op_put_le(o, cpu_count, 4);
	op_put_le(o + 4, v[1], 4);   /* vendor: EBX, EDX, ECX */
	op_put_le(o + 8, v[3], 4);
	op_put_le(o + 12, v[2], 4);
	op_put_le(o + 16, family, 4);
	op_put_le(o + 20, model, 4);
	op_put_le(o + 24, stepping, 4);
	op_put_le(o + 28, f[3], 4);
	op_put_le(o + 32, f[2], 4);
	call->out->size = CPU_INFO_SIZE;
	call->value = cpu_count;
	return BOX_OK;
}

/*
 * hardware.port.in: read width (1, 2 or 4, else INVALID) bytes from port;
 * the value, zero-extended, as a u32 at output offset 0; out->size = 4,
 * value = the value read.
 */
static int32_t op_port_in(struct op_call *call)
{
	OP_PARAMS(box_params_hardware_port_in, p);
	if (!width_ok(p->width))
		return BOX_ERR_INVALID;
	int32_t st = check_out(call, 4);
	if (st != BOX_OK)
		return st;

	uint32_t v = p->width == 1 ? inb(p->port) : p->width == 2 ? inw(p->port) : inl(p->port);
	op_put_le(call->out->data, v, 4);
	call->out->size = 4;
	call->value = v;
	return BOX_OK;
}

/*
 * hardware.port.out: write the low width (1, 2 or 4, else INVALID) bytes
 * of value to port.  No Crates; value = the value written.
 */
static int32_t op_port_out(struct op_call *call)
{
	OP_PARAMS(box_params_hardware_port_out, p);
	if (!width_ok(p->width))
		return BOX_ERR_INVALID;

	if (p->width == 1)
		outb(p->port, (uint8_t)p->value);
	else if (p->width == 2)
		outw(p->port, (uint16_t)p->value);
	else
		outl(p->port, p->value);
	call->value = p->width == 4 ? p->value : p->value & ((1u << (8 * p->width)) - 1);
	return BOX_OK;
}

/* The CPU index with this Local APIC id, or 0xFFFFFFFF. */
static uint32_t cpu_of_apic(uint32_t apic_id)
{
	for (uint32_t i = 0; i < cpu_count; i++)
		if (cpus[i].apic_id == apic_id)
			return i;
	return 0xFFFFFFFFu;
}

/*
 * hardware.irq.info: every IRQ routed through the IO-APICs with its
 * interrupt count (layout in the file comment); value = the route count.
 */
static int32_t op_irq_info(struct op_call *call)
{
	int32_t st = op_check_buf(call->out);
	if (st != BOX_OK)
		return st;
	struct ioapic_route routes[IOAPIC_MAX_ROUTES];
	unsigned n = ioapic_routes(routes, IOAPIC_MAX_ROUTES);
	if (n > IOAPIC_MAX_ROUTES)
		n = IOAPIC_MAX_ROUTES;
	if (call->out->capacity < IRQ_INFO_HEADER + (uint64_t)n * IRQ_INFO_ENTRY)
		return BOX_ERR_BOUNDS;

	uint8_t *o = call->out->data;
	op_put_le(o, n, 4);
	op_put_le(o + 4, IRQ_INFO_ENTRY, 4);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = o + IRQ_INFO_HEADER + i * IRQ_INFO_ENTRY;
		const struct ioapic_route *r = &routes[i];
		op_put_le(e, r->gsi, 4);
		e[4] = r->isa_irq;
		e[5] = r->vector;
		e[6] = (uint8_t)((r->level ? 1 : 0) | (r->active_low ? 2 : 0) | (r->masked ? 4 : 0));
		e[7] = 0;
		op_put_le(e + 8, cpu_of_apic(r->apic_id), 4);
		op_put_le(e + 12, r->apic_id, 4);
		op_put_le(e + 16, irq_count(r->vector), 8);
	}
	call->out->size = IRQ_INFO_HEADER + (uint64_t)n * IRQ_INFO_ENTRY;
	call->value = n;
	return BOX_OK;
}

static void halt_this_cpu(struct trap_frame *f)
{
	(void)f;
	cpu_stop(); /* interrupts are off in an interrupt gate; cli; hlt for good */
}

/*
 * hardware.cpu.halt: one log line, then every other online CPU gets the
 * VEC_HALT IPI (its handler stops it with interrupts off) and this CPU
 * stops too.  Only a reset brings the machine back; nothing is powered off.
 */
static int32_t op_cpu_halt(struct op_call *call)
{
	const char *who = call->caller ? call->caller->name : "kernel";
	uint32_t me = this_cpu()->id, online = 0;
	for (uint32_t i = 0; i < cpu_count; i++)
		online += cpus[i].online ? 1 : 0;
	log_info("hardware: cpu.halt by %s: stopping %u CPUs, interrupts off, until reset", who,
		 online);
	irq_disable();
	irq_register(VEC_HALT, halt_this_cpu);
	for (uint32_t i = 0; i < cpu_count; i++)
		if (i != me && cpus[i].online)
			lapic_send_ipi(cpus[i].apic_id, VEC_HALT);
	cpu_stop();
}

/* hardware.system.shutdown: ACPI S5 power-off; never returns. */
static int32_t op_system_shutdown(struct op_call *call)
{
	(void)call;
	power_off();
}

/* hardware.system.reboot: reset the machine; never returns. */
static int32_t op_system_reboot(struct op_call *call)
{
	(void)call;
	power_reboot();
}

static const struct deck_op ops[] = {
	{ BOX_OP_HARDWARE_TIMER_TICKS, op_timer_ticks },
	{ BOX_OP_HARDWARE_TIMER_SLEEP, hw_timer_sleep },
	{ BOX_OP_HARDWARE_RTC_READ, op_rtc_read },
	{ BOX_OP_HARDWARE_CONSOLE_READ, hw_console_read },
	{ BOX_OP_HARDWARE_CONSOLE_WRITE, op_console_write },
	{ BOX_OP_HARDWARE_FB_WRITE, hw_fb_write },
	{ BOX_OP_HARDWARE_FB_CLEAR, hw_fb_clear },
	{ BOX_OP_HARDWARE_FB_INFO, hw_fb_info },
	{ BOX_OP_HARDWARE_PORT_IN, op_port_in },
	{ BOX_OP_HARDWARE_PORT_OUT, op_port_out },
	{ BOX_OP_HARDWARE_IRQ_INFO, op_irq_info },
	{ BOX_OP_HARDWARE_CPU_INFO, op_cpu_info },
	{ BOX_OP_HARDWARE_CPU_STATS, hw_cpu_stats },
	{ BOX_OP_HARDWARE_CPU_HALT, op_cpu_halt },
	{ BOX_OP_HARDWARE_SYSTEM_REBOOT, op_system_reboot },
	{ BOX_OP_HARDWARE_SYSTEM_SHUTDOWN, op_system_shutdown },
	{ BOX_OP_HARDWARE_KBD_READ, hw_kbd_read },
};

const struct deck hardware_deck = {
	"hardware", BOX_DECK_HARDWARE, ops, sizeof(ops) / sizeof(ops[0]),
};
