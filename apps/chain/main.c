/*
 * chain: the message-ring path end to end, as a test program.
 *
 * Builds Manifests with boxlib's builder (a fill, then a hash fed by the
 * fill's output, then execution.result), sends each as one Pocket with
 * box_call() (push, doorbell, wait for the Result) and checks the Result:
 * per-op statuses, the bytes the fill wrote (and did not write), the output
 * sizes the kernel wrote back into the Crate descriptors, the hash being a
 * function of the data, and the errors for an unknown op, a kernel pointer
 * and an unmapped buffer.  Exits 0 when everything held, else the number of the first check
 * that failed.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define WAIT_US 2000000

static uint8_t data[4096] __attribute__((aligned(64)));
static uint64_t hash_out;
static struct box_crate crates[2];
static uint8_t manifest[512] __attribute__((aligned(8)));
static struct box_mb mb;

/* Append one op (policy STOP); a Manifest that does not fit fails the submit. */
static int add_op(uint64_t id, uint8_t in, uint8_t out, const void *params, uint16_t size)
{
	return box_mb_add(&mb, id, BOX_POLICY_STOP, in, out, params, size);
}

/* Submit the Manifest in `mb` with `crate_count` Crates; wait for its Result. */
static int submit(int built, const struct box_crate *c, uint16_t crate_count,
		  struct box_result *res)
{
	struct box_pocket p;
	if (built != 0)
		return -1;
	box_pocket_init(&p, mb.buf, mb.len, c, crate_count);
	return box_call(&p, res, WAIT_US) == BOX_OK ? 0 : -2;
}

static int fill_then_hash(uint8_t value)
{
	struct box_params_operations_fill fill = {.offset = 0, .length = 256, .value = value};
	struct box_params_operations_hash hash = {.seed = 0};
	struct box_params_execution_result done = {.code = 7};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	if (add_op(BOX_OP_OPERATIONS_FILL, BOX_NO_CRATE, 0, &fill, sizeof(fill)) != 0 ||
	    add_op(BOX_OP_OPERATIONS_HASH, BOX_FEED, 1, &hash, sizeof(hash)) != 0)
		return -1;
	return add_op(BOX_OP_EXECUTION_RESULT, BOX_NO_CRATE, BOX_NO_CRATE, &done, sizeof(done));
}

static void set_crates(uint64_t data_addr)
{
	crates[0] = (struct box_crate){.addr = data_addr, .size = 0, .capacity = sizeof(data),
				       .dir = BOX_CRATE_INOUT};
	crates[1] = (struct box_crate){.addr = (uint64_t)&hash_out, .size = 0, .capacity = 8,
				       .dir = BOX_CRATE_OUT};
}

int main(void)
{
	struct box_result res;
	if (box_rings_init() != BOX_OK)
		return 1;

	/* 1. fill -> hash (fed) -> result: one Pocket, three ops */
	set_crates((uint64_t)data);
	if (submit(fill_then_hash(0x5A), crates, 2, &res) != 0)
		return 2;
	if (res.status != BOX_OK || res.ops_run != 3 || res.failed_op != 0xFFFF)
		return 3;
	if (res.op_status[0] != 0 || res.op_status[1] != 0 || res.op_status[2] != 0)
		return 4;
	for (int i = 0; i < 256; i++)
		if (data[i] != 0x5A)
			return 5;
	if (data[256] != 0)
		return 6; /* the fill wrote past its length */
	if (crates[0].size != 256 || crates[1].size != 8)
		return 7; /* output sizes were not written back */
	uint64_t first = hash_out;

	/* 2. the same data hashes the same; other data hashes differently */
	set_crates((uint64_t)data);
	if (submit(fill_then_hash(0x5A), crates, 2, &res) != 0 || res.status != BOX_OK)
		return 8;
	if (hash_out != first)
		return 9;
	set_crates((uint64_t)data);
	if (submit(fill_then_hash(0x5B), crates, 2, &res) != 0 || res.status != BOX_OK)
		return 10;
	if (hash_out == first)
		return 11;

	/* 3. an unknown op id: nothing runs */
	box_mb_begin(&mb, manifest, sizeof(manifest));
	if (submit(add_op(0x0123456789ABCDEFull, BOX_NO_CRATE, BOX_NO_CRATE, 0, 0), 0, 0, &res) != 0)
		return 12;
	if (res.status != BOX_ERR_INVALID_OPCODE || res.ops_run != 0)
		return 13;

	/* 4. a Crate pointing into the kernel, and one at an unmapped user address */
	set_crates(0xFFFF800000000000ull);
	if (submit(fill_then_hash(1), crates, 2, &res) != 0 || res.status != BOX_ERR_FAULT)
		return 14;
	set_crates(0x10000000ull);
	if (submit(fill_then_hash(1), crates, 2, &res) != 0 || res.status != BOX_ERR_FAULT)
		return 15;
	return 0;
}
