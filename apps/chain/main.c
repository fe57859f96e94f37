/*
 * chain: the message-ring path end to end, as a test program.
 *
 * Builds Manifests by hand (a fill, then a hash fed by the fill's output,
 * then execution.result), pushes each as one Pocket onto this Cabin's ring,
 * rings the doorbell, waits for the Result and checks it: per-op statuses,
 * the bytes the fill wrote (and did not write), the output sizes the kernel
 * wrote back into the Crate descriptors, the hash being a function of the
 * data, and the errors for an unknown op, a kernel pointer and an unmapped
 * buffer.  Exits 0 when everything held, else the number of the first check
 * that failed.
 */
#include <stdint.h>
#include "boxlib/notify.h"
#include "boxlib/ops.h"
#include "boxos/abi/abi.h"
#include "boxos/ring.h"

static uint8_t data[4096] __attribute__((aligned(64)));
static uint64_t hash_out;
static struct box_crate crates[2];
static uint8_t manifest[512] __attribute__((aligned(8)));
static struct ring pockets, results;
static uint64_t next_cookie = 1;

/* Append one op entry and its parameters; returns the new length. */
static uint32_t add_op(uint32_t len, uint64_t id, uint8_t in, uint8_t out, const void *params,
		       uint16_t size)
{
	struct box_op *op = (struct box_op *)(manifest + len);
	*op = (struct box_op){.op_id = id, .policy = BOX_POLICY_STOP, .in_crate = in,
			      .out_crate = out, .param_size = size};
	len += sizeof(*op);
	const uint8_t *p = params;
	for (uint16_t i = 0; i < size; i++)
		manifest[len + i] = p[i];
	len += (size + 7u) & ~7u;
	struct box_manifest *m = (struct box_manifest *)manifest;
	m->op_count++;
	m->size = (uint16_t)len;
	return len;
}

static uint32_t begin(void)
{
	for (unsigned i = 0; i < sizeof(manifest); i++)
		manifest[i] = 0;
	*(struct box_manifest *)manifest =
		(struct box_manifest){.magic = BOX_MANIFEST_MAGIC, .version = BOX_MANIFEST_VERSION,
				      .size = sizeof(struct box_manifest)};
	return sizeof(struct box_manifest);
}

/* Submit the Manifest in `manifest` with `crate_count` Crates; wait for its Result. */
static int submit(uint32_t len, uint64_t crate_ptr, uint16_t crate_count, struct box_result *res)
{
	struct box_pocket p = {.cookie = next_cookie++, .manifest_size = (uint16_t)len,
			       .crate_count = crate_count, .crates = crate_ptr,
			       .manifest = (uint64_t)manifest};
	if (ring_push(&pockets, &p) != BOX_OK)
		return -1;
	box_doorbell();
	if (box_wait(2000000) != BOX_OK)
		return -2;
	if (ring_pop(&results, res) != BOX_OK)
		return -3;
	return res->cookie == p.cookie ? 0 : -4;
}

static uint32_t fill_then_hash(uint8_t value)
{
	struct box_params_operations_fill fill = {.offset = 0, .length = 256, .value = value};
	struct box_params_operations_hash hash = {.seed = 0};
	struct box_params_execution_result done = {.code = 7};
	uint32_t len = begin();
	len = add_op(len, BOX_OP_OPERATIONS_FILL, BOX_NO_CRATE, 0, &fill, sizeof(fill));
	len = add_op(len, BOX_OP_OPERATIONS_HASH, BOX_FEED, 1, &hash, sizeof(hash));
	return add_op(len, BOX_OP_EXECUTION_RESULT, BOX_NO_CRATE, BOX_NO_CRATE, &done, sizeof(done));
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
	if (ring_attach(&pockets, (struct box_ring_header *)BOX_POCKET_RING_VA,
			(void *)(BOX_POCKET_RING_VA + BOX_RING_HEADER_SIZE), BOX_RING_SLOTS,
			sizeof(struct box_pocket)) != BOX_OK ||
	    ring_attach(&results, (struct box_ring_header *)BOX_RESULT_RING_VA,
			(void *)(BOX_RESULT_RING_VA + BOX_RING_HEADER_SIZE), BOX_RING_SLOTS,
			sizeof(struct box_result)) != BOX_OK)
		return 1;

	/* 1. fill -> hash (fed) -> result: one Pocket, three ops */
	set_crates((uint64_t)data);
	if (submit(fill_then_hash(0x5A), (uint64_t)crates, 2, &res) != 0)
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
	if (submit(fill_then_hash(0x5A), (uint64_t)crates, 2, &res) != 0 || res.status != BOX_OK)
		return 8;
	if (hash_out != first)
		return 9;
	set_crates((uint64_t)data);
	if (submit(fill_then_hash(0x5B), (uint64_t)crates, 2, &res) != 0 || res.status != BOX_OK)
		return 10;
	if (hash_out == first)
		return 11;

	/* 3. an unknown op id: nothing runs */
	uint32_t len = begin();
	len = add_op(len, 0x0123456789ABCDEFull, BOX_NO_CRATE, BOX_NO_CRATE, 0, 0);
	if (submit(len, 0, 0, &res) != 0)
		return 12;
	if (res.status != BOX_ERR_INVALID_OPCODE || res.ops_run != 0)
		return 13;

	/* 4. a Crate pointing into the kernel, and one at an unmapped user address */
	set_crates(0xFFFF800000000000ull);
	if (submit(fill_then_hash(1), (uint64_t)crates, 2, &res) != 0 || res.status != BOX_ERR_FAULT)
		return 14;
	set_crates(0x10000000ull);
	if (submit(fill_then_hash(1), (uint64_t)crates, 2, &res) != 0 || res.status != BOX_ERR_FAULT)
		return 15;
	return 0;
}
