/*
 * chain: one multi-op Manifest through the message ring, shown op by op.
 *
 * `chain [BYTE]` builds ONE Manifest of seven ops over four Crates and
 * sends it as one Pocket (box_call: push, doorbell, wait for the Result):
 *
 *   0 operations.fill   A = BYTE x 256            (default BYTE 0x5a)
 *   1 operations.fill   B = 0x0f x 256
 *   2 operations.xor    B ^= A                    -> BYTE ^ 0x0f x 256
 *   3 operations.hash   H = XXH3-64(B), seed 0
 *   4 operations.move   K = B
 *   5 operations.cmp    B against K               -> 256: equal
 *   6 execution.result  code 0xC4A1
 *
 * It prints each op's status from the Result, the Result itself (status,
 * ops run, bytes out, value) and then checks it against what it computes
 * on its own: every status OK, B's bytes, the hash (XXH3 computed here), the
 * cmp offset and the result code.  Then it runs its older self-checks
 * (fill then a fed hash, a hash that depends on the data, an unknown op, a
 * kernel pointer and an unmapped Crate getting their errors).  Exit status
 * 0 when everything held, 1 when the demo Manifest was wrong, else the
 * number of the self-check that failed (10 + n); 2 for bad arguments.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_SCALAR
#define XXH_FORCE_MEMORY_ACCESS 1
#define XXH_NO_STDLIB
#define XXH_NO_STREAM
#include <xxhash.h>

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

static int self_checks(void)
{
	struct box_result res;

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

/* ---- the demo Manifest -------------------------------------------------- */

#define DEMO_LEN 256
#define DEMO_CODE 0xC4A1u
enum { CRATE_A, CRATE_B, CRATE_H, CRATE_K, DEMO_CRATES };

static uint8_t buf_a[DEMO_LEN], buf_b[DEMO_LEN], buf_k[DEMO_LEN];
static uint64_t buf_h;
static const char *const demo_names[] = {
	"operations.fill", "operations.fill", "operations.xor", "operations.hash",
	"operations.move", "operations.cmp", "execution.result",
};
#define DEMO_OPS ((int)(sizeof(demo_names) / sizeof(demo_names[0])))

static int build_demo(uint8_t value)
{
	struct box_params_operations_fill fill_a = {.offset = 0, .length = DEMO_LEN, .value = value};
	struct box_params_operations_fill fill_b = {.offset = 0, .length = DEMO_LEN, .value = 0x0f};
	struct box_params_operations_xor x = {.length = DEMO_LEN};
	struct box_params_operations_hash h = {.seed = 0};
	struct box_params_operations_move mv = {.src_offset = 0, .dst_offset = 0, .length = 0};
	struct box_params_operations_cmp cmp = {.length = DEMO_LEN};
	struct box_params_execution_result done = {.code = DEMO_CODE};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	return add_op(BOX_OP_OPERATIONS_FILL, BOX_NO_CRATE, CRATE_A, &fill_a, sizeof(fill_a)) |
	       add_op(BOX_OP_OPERATIONS_FILL, BOX_NO_CRATE, CRATE_B, &fill_b, sizeof(fill_b)) |
	       add_op(BOX_OP_OPERATIONS_XOR, CRATE_A, CRATE_B, &x, sizeof(x)) |
	       add_op(BOX_OP_OPERATIONS_HASH, CRATE_B, CRATE_H, &h, sizeof(h)) |
	       add_op(BOX_OP_OPERATIONS_MOVE, CRATE_B, CRATE_K, &mv, sizeof(mv)) |
	       add_op(BOX_OP_OPERATIONS_CMP, CRATE_B, CRATE_K, &cmp, sizeof(cmp)) |
	       add_op(BOX_OP_EXECUTION_RESULT, BOX_NO_CRATE, BOX_NO_CRATE, &done, sizeof(done));
}

/* Run the demo Manifest, print it, and check it: 0 when it is all right. */
static int demo(uint8_t value)
{
	static struct box_crate dc[DEMO_CRATES];
	struct box_result res;
	memset(buf_a, 0, sizeof(buf_a));
	memset(buf_b, 0, sizeof(buf_b));
	memset(buf_k, 0, sizeof(buf_k));
	buf_h = 0;
	dc[CRATE_A] = (struct box_crate){.addr = (uint64_t)buf_a, .capacity = DEMO_LEN, .dir = BOX_CRATE_INOUT};
	dc[CRATE_B] = (struct box_crate){.addr = (uint64_t)buf_b, .capacity = DEMO_LEN, .dir = BOX_CRATE_INOUT};
	dc[CRATE_H] = (struct box_crate){.addr = (uint64_t)&buf_h, .capacity = 8, .dir = BOX_CRATE_OUT};
	dc[CRATE_K] = (struct box_crate){.addr = (uint64_t)buf_k, .capacity = DEMO_LEN, .dir = BOX_CRATE_INOUT};

	int built = build_demo(value);
	printf("one Pocket, %d ops, %u-byte Manifest, fill byte 0x%02x\n", DEMO_OPS, mb.len, value);
	if (submit(built, dc, DEMO_CRATES, &res) != 0) {
		printf("the Pocket got no Result\n");
		return 1;
	}
	for (int i = 0; i < DEMO_OPS; i++)
		printf("  op %d %-18s status %d (%s)\n", i, demo_names[i], res.op_status[i],
		       box_status_name(res.op_status[i]));
	printf("Result: status %d (%s), ops run %u, failed op %d, bytes out %llu, value 0x%llx\n",
	       res.status, box_status_name(res.status), res.ops_run,
	       res.failed_op == 0xFFFF ? -1 : (int)res.failed_op, (unsigned long long)res.bytes_out,
	       (unsigned long long)res.value);

	/* the same, computed here */
	uint8_t want_b = value ^ 0x0f;
	uint8_t expect_b[DEMO_LEN];
	memset(expect_b, want_b, sizeof(expect_b));
	uint64_t want_hash = XXH3_64bits_withSeed(expect_b, sizeof(expect_b), 0);
	uint64_t cmp_offset;
	memcpy(&cmp_offset, buf_k, 8);
	printf("hash 0x%016llx (here 0x%016llx), cmp offset %llu (here %u)\n",
	       (unsigned long long)buf_h, (unsigned long long)want_hash,
	       (unsigned long long)cmp_offset, DEMO_LEN);
	int bad = res.status != BOX_OK || res.ops_run != DEMO_OPS || res.value != DEMO_CODE ||
		  memcmp(buf_b, expect_b, DEMO_LEN) != 0 || buf_h != want_hash ||
		  cmp_offset != DEMO_LEN;
	for (int i = 0; i < DEMO_OPS; i++)
		bad |= res.op_status[i] != BOX_OK;
	printf("%s\n", bad ? "FAIL: the Result is not what the ops should give" :
				      "every op OK, the Result matches what was computed here");
	return bad;
}

static void usage(void)
{
	printf("usage: chain [--help] [BYTE]\n");
	printf("send one multi-op Manifest (fill, xor, hash, move, cmp, result) and show each op's status\n");
	printf("BYTE (0-255, decimal or 0x hex) is the first fill's value; default 0x5a\n");
}

int main(int argc, char **argv)
{
	uint64_t value = 0x5a;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc > 2) {
		printf("too many arguments (try chain --help)\n");
		return 2;
	}
	if (argc == 2) {
		char *end;
		value = strtoul(argv[1], &end, 0);
		if (end == argv[1] || *end || value > 255) {
			printf("BYTE must be 0-255, not '%s'\n", argv[1]);
			return 2;
		}
	}
	if (box_rings_init() != BOX_OK) {
		printf("cannot attach the rings\n");
		return 1;
	}
	if (demo((uint8_t)value) != 0)
		return 1;
	int failed = self_checks();
	if (failed)
		printf("self-check %d failed\n", failed);
	else
		printf("self-checks held (fed hash, data-dependent hash, unknown op, bad Crates)\n");
	return failed ? 10 + failed : 0;
}
