/*
 * hwtest: the Hardware Deck seen from an APP Cabin, as a test program.
 *
 * Sends one Manifest per check (built with boxlib/manifest.h, sent with
 * box_call() of boxlib/pocket.h) and checks each Result.  Exits 0 when everything held, else the number of the first
 * check that failed:
 *    1  the rings could not be attached
 *    2  console.write "hello from a Cabin": no Result
 *    3  console.write: status not BOX_OK or value not the byte count
 *    4  timer.ticks (first): no Result or not BOX_OK
 *    5  timer.ticks (first): output size not 16 or value not the count
 *    6  timer.ticks (second): no Result or not BOX_OK
 *    7  timer.ticks: the second count is below the first
 *    8  timer.ticks: ticks per second is not 1000000 (microseconds)
 *    9  rtc.read: no Result or not BOX_OK
 *   10  rtc.read: before 2024-01-01 (1704067200) or value != output
 *   11  cpu.info: no Result or not BOX_OK, or output size not 36
 *   12  cpu.info: cpu count 0 or value != count
 *   13  cpu.info: the vendor string is not 12 printable characters
 *   14  port.out (SYSTEM) from this APP Cabin: no Result
 *   15  port.out: not BOX_ERR_PERM with failed_op 0 and no op run
 *   16  system.shutdown: no Result
 *   17  system.shutdown: not BOX_ERR_PERM with failed_op 0 and no op run
 *   18  fill 8 'x' -> console.write (fed): no Result
 *   19  fill -> console.write: not BOX_OK with both ops run
 *   20  fill -> console.write: the buffer is not 8 'x' then zeros
 * The kernel logs "hwtest: hello from a Cabin" and "hwtest: xxxxxxxx".
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define WAIT_US 2000000

static uint8_t buf[64] __attribute__((aligned(64)));
static uint8_t hello[] = "hello from a Cabin";
static struct box_crate crates[2];
static uint8_t manifest[512] __attribute__((aligned(8)));
static struct box_mb mb;

/* Start the Manifest in `mb` with one op (policy STOP); 0, or -1 if it did not fit. */
static int first_op(uint64_t id, uint8_t in, uint8_t out, const void *params, uint16_t size)
{
	box_mb_begin(&mb, manifest, sizeof(manifest));
	return box_mb_add(&mb, id, BOX_POLICY_STOP, in, out, params, size);
}

/* Send the Manifest in `mb` with the first `crate_count` Crates; wait for its Result. */
static int submit(uint16_t crate_count, struct box_result *res)
{
	struct box_pocket p;
	box_pocket_init(&p, mb.buf, mb.len, crates, crate_count);
	return box_call(&p, res, WAIT_US) == BOX_OK ? 0 : -1;
}

/* Crate 0 = buf (zeroed, empty, INOUT). */
static void buf_crate(void)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = 0;
	crates[0] = (struct box_crate){.addr = (uint64_t)buf, .size = 0, .capacity = sizeof(buf),
				       .dir = BOX_CRATE_INOUT};
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* One op with Crate 0 as its output; BOX_OK or a negative code. */
static int run_out_op(uint64_t id, struct box_result *res)
{
	buf_crate();
	if (first_op(id, BOX_NO_CRATE, 0, 0, 0) != 0 || submit(1, res) != 0)
		return -1;
	return res->status == BOX_OK && res->ops_run == 1 ? 0 : -2;
}

/* Nothing ran and op 0 was refused by the auth gate. */
static int refused(const struct box_result *res)
{
	return res->status == BOX_ERR_PERM && res->failed_op == 0 && res->ops_run == 0;
}

int main(void)
{
	struct box_result res;
	if (box_rings_init() != BOX_OK)
		return 1;

	/* console.write from an input Crate */
	crates[0] = (struct box_crate){.addr = (uint64_t)hello, .size = sizeof(hello) - 1,
				       .capacity = sizeof(hello) - 1, .dir = BOX_CRATE_IN};
	if (first_op(BOX_OP_HARDWARE_CONSOLE_WRITE, 0, BOX_NO_CRATE, 0, 0) != 0 ||
	    submit(1, &res) != 0)
		return 2;
	if (res.status != BOX_OK || res.ops_run != 1 || res.value != sizeof(hello) - 1)
		return 3;

	/* timer.ticks twice, in separate Pockets */
	if (run_out_op(BOX_OP_HARDWARE_TIMER_TICKS, &res) != 0)
		return 4;
	uint64_t t0 = get_le(buf, 8);
	if (crates[0].size != 16 || res.value != t0)
		return 5;
	if (run_out_op(BOX_OP_HARDWARE_TIMER_TICKS, &res) != 0)
		return 6;
	uint64_t t1 = get_le(buf, 8);
	if (t1 < t0)
		return 7;
	if (get_le(buf + 8, 8) != 1000000)
		return 8;

	/* rtc.read */
	if (run_out_op(BOX_OP_HARDWARE_RTC_READ, &res) != 0)
		return 9;
	uint64_t secs = get_le(buf, 8);
	if (secs < 1704067200ull || res.value != secs || crates[0].size != 8)
		return 10;

	/* cpu.info */
	if (run_out_op(BOX_OP_HARDWARE_CPU_INFO, &res) != 0 || crates[0].size != 36)
		return 11;
	uint64_t count = get_le(buf, 4);
	if (count < 1 || res.value != count)
		return 12;
	for (int i = 4; i < 16; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return 13;

	/* port.out is SYSTEM: refused before anything runs (port 0x80 is harmless anyway) */
	struct box_params_hardware_port_out po = {.value = 0, .port = 0x80, .width = 1};
	if (first_op(BOX_OP_HARDWARE_PORT_OUT, BOX_NO_CRATE, BOX_NO_CRATE, &po, sizeof(po)) != 0 ||
	    submit(0, &res) != 0)
		return 14;
	if (!refused(&res))
		return 15;

	/* system.shutdown is SYSTEM: refused, the machine stays up */
	if (first_op(BOX_OP_HARDWARE_SYSTEM_SHUTDOWN, BOX_NO_CRATE, BOX_NO_CRATE, 0, 0) != 0 ||
	    submit(0, &res) != 0)
		return 16;
	if (!refused(&res))
		return 17;

	/* fill 8 'x' -> console.write fed by the fill's output */
	buf_crate();
	struct box_params_operations_fill fill = {.offset = 0, .length = 8, .value = 'x'};
	if (first_op(BOX_OP_OPERATIONS_FILL, BOX_NO_CRATE, 0, &fill, sizeof(fill)) != 0 ||
	    box_mb_add(&mb, BOX_OP_HARDWARE_CONSOLE_WRITE, BOX_POLICY_STOP, BOX_FEED, BOX_NO_CRATE,
		       0, 0) != 0 ||
	    submit(1, &res) != 0)
		return 18;
	if (res.status != BOX_OK || res.ops_run != 2 || res.op_status[0] != 0 || res.op_status[1] != 0)
		return 19;
	for (unsigned i = 0; i < sizeof(buf); i++)
		if (buf[i] != (i < 8 ? 'x' : 0))
			return 20;
	return 0;
}
