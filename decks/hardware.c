/*
 * hardware.c: the Hardware Deck, the machine's devices as ops.
 *
 * Kernel-only (unlike operations.c it talks to drivers and the CPU, so the
 * host tests do not compile it).  Each handler decodes first -- parameter
 * blob, the Crates it needs (missing -> BOX_ERR_INVALID), output capacity
 * (too small -> BOX_ERR_BOUNDS) -- without touching anything, then acts.
 * Only these ops have handlers; the Deck's other ops in ops/ops.spec
 * (timer.sleep, console.read, fb.*, irq.info, cpu.halt, kbd.read) answer
 * BOX_ERR_INVALID_OPCODE.  SYSTEM ops (port.*, system.*) are stopped for
 * APP Cabins by the engine's auth gate before a handler runs.
 *
 * Output layouts (all integers little-endian):
 *   timer.ticks  16 bytes: u64 ticks, u64 ticks per second.  A tick is one
 *                microsecond since boot (timer_us_since_boot(), from the
 *                TSC, monotonic and the same on every CPU), so ticks per
 *                second is always 1000000.  value = ticks.
 *   rtc.read      8 bytes: u64 seconds since 1970-01-01 UTC; value = that.
 *   cpu.info     36 bytes: u32 cpu count at 0; CPUID vendor string at 4
 *                (12 bytes, no NUL); u32 family at 16, u32 model at 20,
 *                u32 stepping at 24 (extended family/model folded in, as
 *                the SDM says); u32 CPUID.1 EDX at 28 and u32 CPUID.1 ECX
 *                at 32 (the feature flags).  value = cpu count.
 *   port.in       4 bytes: u32 value read (zero-extended); value = that.
 */
#include <stdint.h>

#include "boxos/ops.h"
#include "decks/decks.h"
#include "core/cabin.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "drivers/power.h"
#include "drivers/rtc.h"
#include "lib/log.h"

#define TICKS_PER_SECOND 1000000ull
#define CONSOLE_WRITE_MAX 200u
#define CPU_INFO_SIZE 36u


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

	if (in->size) {
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
	{ BOX_OP_HARDWARE_RTC_READ, op_rtc_read },
	{ BOX_OP_HARDWARE_CONSOLE_WRITE, op_console_write },
	{ BOX_OP_HARDWARE_CPU_INFO, op_cpu_info },
	{ BOX_OP_HARDWARE_PORT_IN, op_port_in },
	{ BOX_OP_HARDWARE_PORT_OUT, op_port_out },
	{ BOX_OP_HARDWARE_SYSTEM_SHUTDOWN, op_system_shutdown },
	{ BOX_OP_HARDWARE_SYSTEM_REBOOT, op_system_reboot },
};

const struct deck hardware_deck = {
	"hardware", BOX_DECK_HARDWARE, ops, sizeof(ops) / sizeof(ops[0]),
};
