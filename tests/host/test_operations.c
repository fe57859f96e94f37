/*
 * test_operations.c: host tests for the Operations and Execution Decks
 * (decks/operations.c, decks/execution.c).
 *
 * Every handler is called through its Deck table, the way the Manifest engine
 * calls it.  Crates are fixtures with a canary area after their capacity.
 * Normal cases check exact output bytes, out->size and the scalar value (the
 * hash against the xxHash library's XXH3_64bits_withSeed).  Every error case
 * checks the status and that nothing changed: both Crates' bytes (canary
 * included), their sizes and call->value.  Finally the Deck tables are
 * checked against the generated box_op_table: every Operations/Execution op
 * in ops/ops.spec exactly once, and nothing else.
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "boxos/ops.h"
#include "check.h"
#include "decks/decks.h"

#define CAP_MAX 512
#define CANARY  32
#define VALUE_SENTINEL 0x5a5a5a5a5a5a5a5aULL

struct crate {
	uint8_t mem[CAP_MAX + CANARY];
	struct op_buf b;
};

/* cap bytes of 0xcc holding size bytes of `bytes`, then 0xa5 canaries. */
static void crate_init(struct crate *c, uint64_t cap, const void *bytes, uint64_t size)
{
	memset(c->mem, 0xcc, sizeof(c->mem));
	memset(c->mem + cap, 0xa5, sizeof(c->mem) - cap);
	if (size)
		memcpy(c->mem, bytes, size);
	c->b.data = c->mem;
	c->b.size = size;
	c->b.capacity = cap;
}

static int canary_ok(const struct crate *c)
{
	for (size_t i = c->b.capacity; i < sizeof(c->mem); i++)
		if (c->mem[i] != 0xa5)
			return 0;
	return 1;
}

static op_handler_t find_handler(uint64_t id)
{
	const struct deck *decks[] = { &operations_deck, &execution_deck };
	for (unsigned d = 0; d < 2; d++)
		for (unsigned i = 0; i < decks[d]->count; i++)
			if (decks[d]->ops[i].id == id)
				return decks[d]->ops[i].handler;
	return NULL;
}

static uint64_t last_value;

/* Call op `id` like the engine would; in/out may be NULL. */
static int32_t call_op(uint64_t id, const void *params, uint16_t psize, struct crate *in, struct crate *out)
{
	op_handler_t h = find_handler(id);
	if (!h) {
		printf("no handler for op 0x%llx\n", (unsigned long long)id);
		CHECK(h != NULL);
		return BOX_ERR_INTERNAL;
	}
	uint64_t pbuf[BOX_OP_PARAM_MAX / 8];
	memset(pbuf, 0, sizeof(pbuf));
	if (psize)
		memcpy(pbuf, params, psize);
	struct op_call call = {
		.params = pbuf, .param_size = psize,
		.in = in ? &in->b : NULL, .out = out ? &out->b : NULL,
		.value = VALUE_SENTINEL, .caller = NULL,
	};
	int32_t st = h(&call);
	last_value = call.value;
	if (in)
		CHECK(canary_ok(in));
	if (out)
		CHECK(canary_ok(out));
	return st;
}

#define CALL(id, p, in, out) call_op((id), &(p), sizeof(p), (in), (out))

/* The call fails with `want` and changes nothing. */
static void expect_err_(int line, uint64_t id, const void *params, uint16_t psize,
			struct crate *in, struct crate *out, int32_t want)
{
	static struct crate in_snap, out_snap;
	if (in)
		in_snap = *in;
	if (out)
		out_snap = *out;
	int32_t st = call_op(id, params, psize, in, out);
	if (st != want)
		printf("  (line %d: got %s, want %s)\n", line, box_status_name(st), box_status_name(want));
	CHECK_EQ(st, want);
	CHECK_EQ(last_value, VALUE_SENTINEL);
	if (in) {
		CHECK(memcmp(in_snap.mem, in->mem, sizeof(in->mem)) == 0);
		CHECK_EQ(in_snap.b.size, in->b.size);
	}
	if (out) {
		CHECK(memcmp(out_snap.mem, out->mem, sizeof(out->mem)) == 0);
		CHECK_EQ(out_snap.b.size, out->b.size);
	}
}
#define EXPECT_ERR(id, p, in, out, want) expect_err_(__LINE__, (id), &(p), sizeof(p), (in), (out), (want))

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static struct crate A, B; /* input, output */
static const uint8_t seq[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static void test_move(void)
{
	struct box_params_operations_move p = { .src_offset = 2, .dst_offset = 4, .length = 5 };
	crate_init(&A, 16, seq, 16);
	crate_init(&B, 16, NULL, 0);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_MOVE, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 5);
	CHECK_EQ(B.b.size, 9);
	static const uint8_t want[16] = { 0xcc, 0xcc, 0xcc, 0xcc, 2, 3, 4, 5, 6,
					  0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc };
	CHECK(memcmp(B.mem, want, 16) == 0);

	/* out->size stays when the write ends before it. */
	B.b.size = 12;
	p = (struct box_params_operations_move){ .src_offset = 0, .dst_offset = 0, .length = 1 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_MOVE, p, &A, &B), BOX_OK);
	CHECK_EQ(B.b.size, 12);
	CHECK_EQ(B.mem[0], 0);

	/* length 0 = the rest of the input. */
	crate_init(&B, 16, NULL, 0);
	p = (struct box_params_operations_move){ .src_offset = 10, .dst_offset = 10, .length = 0 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_MOVE, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 6);
	CHECK_EQ(B.b.size, 16);
	CHECK(memcmp(B.mem + 10, seq + 10, 6) == 0);
	CHECK_EQ(B.mem[9], 0xcc);

	/* src_offset == size with length 0 copies nothing. */
	crate_init(&B, 16, NULL, 0);
	p = (struct box_params_operations_move){ .src_offset = 16, .dst_offset = 16, .length = 0 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_MOVE, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 0);
	CHECK_EQ(B.b.size, 16);

	/* Whole capacity. */
	crate_init(&B, 16, NULL, 0);
	p = (struct box_params_operations_move){ 0, 0, 16 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_MOVE, p, &A, &B), BOX_OK);
	CHECK(memcmp(B.mem, seq, 16) == 0);

	/* Errors. */
	crate_init(&A, 32, seq, 16);
	crate_init(&B, 16, "xyz", 3);
	p = (struct box_params_operations_move){ 0, 0, 4 };
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, NULL, &B, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, NULL, BOX_ERR_INVALID);
	p = (struct box_params_operations_move){ 17, 0, 0 };
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_move){ 10, 0, 7 }; /* past in->size, inside capacity */
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_move){ 0, 13, 4 }; /* past out capacity */
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_move){ 0, 17, 0 }; /* dst past capacity, len 16 */
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_move){ UINT64_MAX, 0, 0 };
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_move){ 1, 0, UINT64_MAX }; /* overflow */
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_move){ 0, UINT64_MAX, 2 };
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);
	/* Short parameter blob. */
	expect_err_(__LINE__, BOX_OP_OPERATIONS_MOVE, &p, 8, &A, &B, BOX_ERR_INVALID);
	/* A Crate whose size exceeds its capacity. */
	B.b.size = 17;
	p = (struct box_params_operations_move){ 0, 0, 1 };
	EXPECT_ERR(BOX_OP_OPERATIONS_MOVE, p, &A, &B, BOX_ERR_BOUNDS);

	/* Same buffer, overlapping ranges (memmove semantics). */
	crate_init(&A, 16, seq, 16);
	p = (struct box_params_operations_move){ 0, 2, 8 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_MOVE, p, &A, &A), BOX_OK);
	static const uint8_t ov[10] = { 0, 1, 0, 1, 2, 3, 4, 5, 6, 7 };
	CHECK(memcmp(A.mem, ov, 10) == 0);
	crate_init(&A, 16, seq, 16);
	p = (struct box_params_operations_move){ 2, 0, 8 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_MOVE, p, &A, &A), BOX_OK);
	CHECK(memcmp(A.mem, seq + 2, 8) == 0);
}

static void test_fill(void)
{
	struct box_params_operations_fill p = { .offset = 3, .length = 4, .value = 0x7e };
	crate_init(&B, 16, "abcdef", 6);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FILL, p, NULL, &B), BOX_OK);
	CHECK_EQ(last_value, 4);
	CHECK_EQ(B.b.size, 7);
	CHECK(memcmp(B.mem, "abc\x7e\x7e\x7e\x7e\xcc", 8) == 0);

	/* Inside the valid bytes: size unchanged. */
	p = (struct box_params_operations_fill){ .offset = 0, .length = 1, .value = 'z' };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FILL, p, NULL, &B), BOX_OK);
	CHECK_EQ(B.b.size, 7);
	CHECK_EQ(B.mem[0], 'z');

	/* length 0 = up to capacity; an input Crate is ignored. */
	crate_init(&A, 4, "in", 2);
	crate_init(&B, 16, NULL, 0);
	p = (struct box_params_operations_fill){ .offset = 10, .length = 0, .value = 1 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FILL, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 6);
	CHECK_EQ(B.b.size, 16);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(B.mem[i], i >= 10 ? 1 : 0xcc);
	p = (struct box_params_operations_fill){ .offset = 16, .length = 0, .value = 1 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FILL, p, NULL, &B), BOX_OK);
	CHECK_EQ(last_value, 0);

	/* Errors. */
	crate_init(&B, 16, "abc", 3);
	EXPECT_ERR(BOX_OP_OPERATIONS_FILL, p, &A, NULL, BOX_ERR_INVALID);
	p = (struct box_params_operations_fill){ .offset = 17, .length = 0, .value = 1 };
	EXPECT_ERR(BOX_OP_OPERATIONS_FILL, p, NULL, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_fill){ .offset = 8, .length = 9, .value = 1 };
	EXPECT_ERR(BOX_OP_OPERATIONS_FILL, p, NULL, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_fill){ .offset = 0, .length = 17, .value = 1 };
	EXPECT_ERR(BOX_OP_OPERATIONS_FILL, p, NULL, &B, BOX_ERR_BOUNDS);
	p = (struct box_params_operations_fill){ .offset = 2, .length = UINT64_MAX, .value = 1 };
	EXPECT_ERR(BOX_OP_OPERATIONS_FILL, p, NULL, &B, BOX_ERR_BOUNDS);
	expect_err_(__LINE__, BOX_OP_OPERATIONS_FILL, &p, 16, NULL, &B, BOX_ERR_INVALID);
	expect_err_(__LINE__, BOX_OP_OPERATIONS_FILL, NULL, 0, NULL, &B, BOX_ERR_INVALID);
}

static void test_xor(void)
{
	static const uint8_t key[6] = { 0xff, 0x0f, 0xf0, 0x00, 0x55, 0xaa };
	struct box_params_operations_xor p = { .length = 0 };
	crate_init(&A, 16, key, 6);
	crate_init(&B, 16, seq, 4); /* bytes 4, 5 of the output are past its size: count as 0 */
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_XOR, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 6);
	CHECK_EQ(B.b.size, 6);
	static const uint8_t want[7] = { 0xff, 0x0e, 0xf2, 0x03, 0x55, 0xaa, 0xcc };
	CHECK(memcmp(B.mem, want, 7) == 0);

	/* Explicit length inside a longer output keeps its size. */
	crate_init(&B, 16, seq, 10);
	p.length = 2;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_XOR, p, &A, &B), BOX_OK);
	CHECK_EQ(B.b.size, 10);
	CHECK_EQ(B.mem[0], 0xff);
	CHECK_EQ(B.mem[1], 0x0e);
	CHECK_EQ(B.mem[2], 2);

	/* Twice = identity, in place. */
	crate_init(&A, 16, key, 6);
	crate_init(&B, 16, seq, 16);
	p.length = 6;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_XOR, p, &A, &B), BOX_OK);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_XOR, p, &A, &B), BOX_OK);
	CHECK(memcmp(B.mem, seq, 16) == 0);

	/* Errors. */
	crate_init(&A, 32, seq, 16);
	crate_init(&B, 8, seq, 8);
	p.length = 4;
	EXPECT_ERR(BOX_OP_OPERATIONS_XOR, p, NULL, &B, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_XOR, p, &A, NULL, BOX_ERR_INVALID);
	p.length = 17; /* past the input */
	EXPECT_ERR(BOX_OP_OPERATIONS_XOR, p, &A, &B, BOX_ERR_BOUNDS);
	p.length = 9; /* past the output's capacity */
	EXPECT_ERR(BOX_OP_OPERATIONS_XOR, p, &A, &B, BOX_ERR_BOUNDS);
	p.length = 0; /* all 16 input bytes into 8 */
	EXPECT_ERR(BOX_OP_OPERATIONS_XOR, p, &A, &B, BOX_ERR_BOUNDS);
	p.length = UINT64_MAX;
	EXPECT_ERR(BOX_OP_OPERATIONS_XOR, p, &A, &B, BOX_ERR_BOUNDS);
}

static void test_hash(void)
{
	static uint8_t big[CAP_MAX];
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 131 + 7);
	/* Sizes cover every XXH3 length class: 0, 1-3, 4-8, 9-16, 17-128, 129-240, long. */
	static const unsigned sizes[] = { 0, 1, 3, 4, 8, 9, 16, 17, 100, 128, 129, 240, 241, 500, 512 };
	static const uint64_t seeds[] = { 0, 1, 0x9e3779b97f4a7c15ULL, UINT64_MAX };
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (unsigned k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
			struct box_params_operations_hash p = { .seed = seeds[k] };
			uint64_t want = XXH3_64bits_withSeed(big, sizes[s], seeds[k]);
			crate_init(&A, CAP_MAX, big, sizes[s]);
			crate_init(&B, 8, NULL, 0);
			CHECK_EQ(CALL(BOX_OP_OPERATIONS_HASH, p, &A, &B), BOX_OK);
			CHECK_EQ(last_value, want);
			CHECK_EQ(le64(B.mem), want);
			CHECK_EQ(B.b.size, 8);
		}
	}
	/* Known value: XXH3-64 of "" with seed 0. */
	struct box_params_operations_hash p = { .seed = 0 };
	crate_init(&A, 0, NULL, 0);
	A.b.data = NULL;
	crate_init(&B, 16, seq, 16);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_HASH, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 0x2d06800538d394c2ULL);
	CHECK_EQ(B.b.size, 8);
	CHECK_EQ(B.mem[8], 8); /* the rest of the old bytes stay */

	/* Errors. */
	crate_init(&A, 16, seq, 16);
	crate_init(&B, 7, seq, 3);
	EXPECT_ERR(BOX_OP_OPERATIONS_HASH, p, &A, &B, BOX_ERR_BOUNDS);
	crate_init(&B, 8, seq, 3);
	EXPECT_ERR(BOX_OP_OPERATIONS_HASH, p, NULL, &B, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_HASH, p, &A, NULL, BOX_ERR_INVALID);
	A.b.size = 17;
	EXPECT_ERR(BOX_OP_OPERATIONS_HASH, p, &A, &B, BOX_ERR_BOUNDS);
	A.b.data = NULL;
	A.b.size = 0;
	EXPECT_ERR(BOX_OP_OPERATIONS_HASH, p, &A, &B, BOX_ERR_INVALID); /* no data, capacity 16 */
}

static void test_cmp(void)
{
	struct box_params_operations_cmp p = { .length = 10 };
	crate_init(&A, 16, seq, 16);
	uint8_t other[16];
	memcpy(other, seq, 16);
	other[6] ^= 0x40;
	crate_init(&B, 16, other, 16);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_CMP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 6);
	CHECK_EQ(le64(B.mem), 6);
	CHECK_EQ(B.b.size, 8);
	CHECK_EQ(B.mem[8], 8);

	/* Difference past length: equal. */
	crate_init(&B, 16, other, 16);
	p.length = 6;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_CMP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 6);
	crate_init(&B, 16, seq, 16);
	p.length = 16;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_CMP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 16);
	CHECK_EQ(le64(B.mem), 16);
	/* First byte differs. */
	crate_init(&B, 16, "\x01", 1);
	p.length = 1;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_CMP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 0);
	/* length 0 compares nothing. */
	crate_init(&B, 8, NULL, 0);
	p.length = 0;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_CMP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 0);
	CHECK_EQ(B.b.size, 8);

	/* Errors. */
	crate_init(&A, 16, seq, 12);
	crate_init(&B, 16, seq, 10);
	p.length = 11; /* past the output's size */
	EXPECT_ERR(BOX_OP_OPERATIONS_CMP, p, &A, &B, BOX_ERR_BOUNDS);
	p.length = 13; /* past the input's size */
	crate_init(&B, 16, seq, 16);
	EXPECT_ERR(BOX_OP_OPERATIONS_CMP, p, &A, &B, BOX_ERR_BOUNDS);
	crate_init(&B, 7, seq, 7);
	p.length = 4; /* no room for the result */
	EXPECT_ERR(BOX_OP_OPERATIONS_CMP, p, &A, &B, BOX_ERR_BOUNDS);
	EXPECT_ERR(BOX_OP_OPERATIONS_CMP, p, NULL, &B, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_CMP, p, &A, NULL, BOX_ERR_INVALID);
}

static void test_find(void)
{
	static const uint8_t hay[12] = { 'a', 'b', 'c', 'a', 'b', 'd', 0x34, 0x12, 0, 0xff, 'a', 'b' };
	struct box_params_operations_find p = { .start = 0, .pattern = 'a' | 'b' << 8 | 'd' << 16, .pattern_len = 3 };
	crate_init(&A, 16, hay, 12);
	crate_init(&B, 8, NULL, 0);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 3);
	CHECK_EQ(le64(B.mem), 3);
	CHECK_EQ(B.b.size, 8);

	p = (struct box_params_operations_find){ .start = 1, .pattern = 'a' | 'b' << 8, .pattern_len = 2 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 3);
	p.start = 4;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 10); /* match ending exactly at the input's end */
	p.start = 11;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, UINT64_MAX);
	CHECK_EQ(le64(B.mem), UINT64_MAX);
	p.start = 12; /* start == size: nothing to search */
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, UINT64_MAX);

	/* Little-endian u16 0x1234, a zero byte, a 1-byte and an 8-byte pattern. */
	p = (struct box_params_operations_find){ .start = 0, .pattern = 0x1234, .pattern_len = 2 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 6);
	p = (struct box_params_operations_find){ .start = 0, .pattern = 0, .pattern_len = 1 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 8);
	p = (struct box_params_operations_find){ .start = 0, .pattern = 0xff, .pattern_len = 1 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 9);
	p = (struct box_params_operations_find){ .start = 0, .pattern = le64(hay + 4), .pattern_len = 8 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 4);
	p = (struct box_params_operations_find){ .start = 0, .pattern = 0x0102030405060708ULL, .pattern_len = 8 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, UINT64_MAX);
	/* Pattern longer than the input. */
	crate_init(&A, 16, "abc", 3);
	p = (struct box_params_operations_find){ .start = 0, .pattern = 'a', .pattern_len = 4 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_FIND, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, UINT64_MAX);

	/* Errors. */
	crate_init(&A, 16, hay, 12);
	crate_init(&B, 8, "q", 1);
	p = (struct box_params_operations_find){ .start = 0, .pattern = 'a', .pattern_len = 0 };
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, &B, BOX_ERR_INVALID);
	p.pattern_len = 9;
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, &B, BOX_ERR_INVALID);
	p.pattern_len = 255;
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, &B, BOX_ERR_INVALID);
	p = (struct box_params_operations_find){ .start = 0, .pattern = 0x100, .pattern_len = 1 }; /* stray high byte */
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, &B, BOX_ERR_INVALID);
	p = (struct box_params_operations_find){ .start = 13, .pattern = 'a', .pattern_len = 1 };
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, &B, BOX_ERR_BOUNDS);
	p.start = UINT64_MAX;
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, &B, BOX_ERR_BOUNDS);
	p.start = 0;
	crate_init(&B, 7, NULL, 0);
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, &B, BOX_ERR_BOUNDS);
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, NULL, &B, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_FIND, p, &A, NULL, BOX_ERR_INVALID);
}

static void test_pack_unpack(void)
{
	/* Three records: 5 bytes, 0 bytes, 12 bytes. */
	crate_init(&B, 64, NULL, 0);
	crate_init(&A, 16, seq, 5);
	CHECK_EQ(call_op(BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 1);
	CHECK_EQ(B.b.size, 16);
	crate_init(&A, 16, NULL, 0);
	CHECK_EQ(call_op(BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 2);
	CHECK_EQ(B.b.size, 24);
	crate_init(&A, 16, seq + 4, 12);
	CHECK_EQ(call_op(BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 3);
	CHECK_EQ(B.b.size, 40);
	static const uint8_t want[40] = {
		5, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		12, 0, 0, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	CHECK(memcmp(B.mem, want, 40) == 0);
	CHECK_EQ(B.mem[40], 0xcc);

	/* Exactly filling the capacity: 4 + 4 bytes = 8. */
	struct crate C;
	crate_init(&C, 48, want, 40);
	crate_init(&A, 16, "wxyz", 4);
	CHECK_EQ(call_op(BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &C), BOX_OK);
	CHECK_EQ(last_value, 4);
	CHECK_EQ(C.b.size, 48);

	/* Pack errors. */
	crate_init(&A, 16, "wxyz", 5);
	crate_init(&C, 48, want, 40); /* 4 + 5 -> 16 bytes: no room */
	expect_err_(__LINE__, BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &C, BOX_ERR_BOUNDS);
	expect_err_(__LINE__, BOX_OP_OPERATIONS_PACK, NULL, 0, NULL, &C, BOX_ERR_INVALID);
	expect_err_(__LINE__, BOX_OP_OPERATIONS_PACK, NULL, 0, &A, NULL, BOX_ERR_INVALID);
	crate_init(&C, 64, want, 39); /* last record cut short */
	expect_err_(__LINE__, BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &C, BOX_ERR_INVALID);
	crate_init(&C, 64, want, 2); /* header cut short */
	expect_err_(__LINE__, BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &C, BOX_ERR_INVALID);
	crate_init(&C, 64, "\xff\xff\xff\xff\0\0\0\0", 8); /* count past the end */
	expect_err_(__LINE__, BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &C, BOX_ERR_INVALID);
	/* An input over 4 GiB - 1 (size only: the handler must refuse before reading). */
	crate_init(&C, 64, NULL, 0);
	crate_init(&A, 16, NULL, 0);
	A.b.size = A.b.capacity = (uint64_t)UINT32_MAX + 1;
	expect_err_(__LINE__, BOX_OP_OPERATIONS_PACK, NULL, 0, &A, &C, BOX_ERR_TOO_BIG);

	/* Unpack each record of B. */
	struct box_params_operations_unpack u = { .index = 0 };
	crate_init(&A, 64, want, 40);
	crate_init(&C, 16, NULL, 0);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_UNPACK, u, &A, &C), BOX_OK);
	CHECK_EQ(last_value, 5);
	CHECK_EQ(C.b.size, 5);
	CHECK(memcmp(C.mem, seq, 5) == 0);
	CHECK_EQ(C.mem[5], 0xcc);
	u.index = 1;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_UNPACK, u, &A, &C), BOX_OK);
	CHECK_EQ(last_value, 0);
	CHECK_EQ(C.b.size, 0);
	u.index = 2;
	crate_init(&C, 12, NULL, 0); /* exactly big enough */
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_UNPACK, u, &A, &C), BOX_OK);
	CHECK_EQ(last_value, 12);
	CHECK_EQ(C.b.size, 12);
	CHECK(memcmp(C.mem, seq + 4, 12) == 0);

	/* Unpack errors. */
	crate_init(&C, 11, "old", 3);
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_BOUNDS); /* 12 bytes into 11 */
	u.index = 3;
	crate_init(&C, 16, "old", 3);
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_NOENT);
	u.index = UINT32_MAX;
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_NOENT);
	u.index = 0;
	crate_init(&A, 64, NULL, 0); /* empty stream */
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_NOENT);
	crate_init(&A, 64, want, 39); /* record 2 cut short */
	u.index = 2;
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_INVALID);
	u.index = 1; /* records before the damage are still readable */
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_UNPACK, u, &A, &C), BOX_OK);
	crate_init(&A, 64, want, 26); /* header of record 2 cut short */
	u.index = 2;
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_INVALID);
	u.index = 3;
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_INVALID);
	crate_init(&A, 64, "\xf8\xff\xff\xff\0\0\0\0", 8);
	u.index = 0;
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, &C, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, NULL, &C, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_UNPACK, u, &A, NULL, BOX_ERR_INVALID);
}

static void test_bswap(void)
{
	struct box_params_operations_bswap p = { .width = 2 };
	crate_init(&A, 16, seq, 8);
	crate_init(&B, 8, NULL, 0);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_BSWAP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 4);
	CHECK_EQ(B.b.size, 8);
	CHECK(memcmp(B.mem, "\1\0\3\2\5\4\7\6", 8) == 0);
	p.width = 4;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_BSWAP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 2);
	CHECK(memcmp(B.mem, "\3\2\1\0\7\6\5\4", 8) == 0);
	p.width = 8;
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_BSWAP, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 1);
	CHECK(memcmp(B.mem, "\7\6\5\4\3\2\1\0", 8) == 0);
	/* In place, and an empty input. */
	crate_init(&A, 16, seq, 16);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_BSWAP, p, &A, &A), BOX_OK);
	CHECK_EQ(le64(A.mem), 0x0001020304050607ULL);
	CHECK_EQ(le64(A.mem + 8), 0x08090a0b0c0d0e0fULL);
	crate_init(&A, 16, NULL, 0);
	crate_init(&B, 8, seq, 8);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_BSWAP, p, &A, &B), BOX_OK);
	CHECK_EQ(B.b.size, 0);
	CHECK_EQ(last_value, 0);

	/* Errors. */
	crate_init(&A, 16, seq, 8);
	crate_init(&B, 8, "zz", 2);
	static const uint8_t bad[] = { 0, 1, 3, 5, 6, 7, 9, 16, 255 };
	for (unsigned i = 0; i < sizeof(bad); i++) {
		p.width = bad[i];
		EXPECT_ERR(BOX_OP_OPERATIONS_BSWAP, p, &A, &B, BOX_ERR_INVALID);
	}
	crate_init(&A, 16, seq, 6);
	p.width = 4; /* 6 is not a multiple of 4 */
	EXPECT_ERR(BOX_OP_OPERATIONS_BSWAP, p, &A, &B, BOX_ERR_INVALID);
	crate_init(&A, 16, seq, 12);
	EXPECT_ERR(BOX_OP_OPERATIONS_BSWAP, p, &A, &B, BOX_ERR_BOUNDS); /* 12 into 8 */
	EXPECT_ERR(BOX_OP_OPERATIONS_BSWAP, p, NULL, &B, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_BSWAP, p, &A, NULL, BOX_ERR_INVALID);
}

static void test_vadd(void)
{
	static const uint8_t in[8] = { 0xff, 0x00, 0x7f, 0x80, 0xfe, 0xff, 0xff, 0xff };
	struct box_params_operations_vadd p = { .addend = 1, .width = 1 };
	crate_init(&A, 8, in, 8);
	crate_init(&B, 8, NULL, 0);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_VADD, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 8);
	CHECK_EQ(B.b.size, 8);
	CHECK(memcmp(B.mem, "\x00\x01\x80\x81\xff\x00\x00\x00", 8) == 0);
	p = (struct box_params_operations_vadd){ .addend = 0x101, .width = 2 };
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_VADD, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 4);
	/* 0x00ff+0x101=0x0200, 0x807f+0x101=0x8180, 0xfffe+0x101=0x00ff, 0xffff+0x101=0x0100 */
	CHECK(memcmp(B.mem, "\x00\x02\x80\x81\xff\x00\x00\x01", 8) == 0);
	p = (struct box_params_operations_vadd){ .addend = 0xffffffff00000002ULL, .width = 4 }; /* high bits drop */
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_VADD, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 2);
	CHECK(memcmp(B.mem, "\x01\x01\x7f\x80\x00\x00\x00\x00", 8) == 0);
	p = (struct box_params_operations_vadd){ .addend = UINT64_MAX, .width = 8 }; /* = subtract 1 */
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_VADD, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, 1);
	CHECK_EQ(le64(B.mem), le64(in) - 1);
	/* In place. */
	p = (struct box_params_operations_vadd){ .addend = 3, .width = 1 };
	crate_init(&A, 16, seq, 16);
	CHECK_EQ(CALL(BOX_OP_OPERATIONS_VADD, p, &A, &A), BOX_OK);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(A.mem[i], i + 3);

	/* Errors. */
	crate_init(&A, 16, seq, 8);
	crate_init(&B, 4, "zz", 2);
	static const uint8_t bad[] = { 0, 3, 5, 6, 7, 9, 16, 255 };
	for (unsigned i = 0; i < sizeof(bad); i++) {
		p.width = bad[i];
		EXPECT_ERR(BOX_OP_OPERATIONS_VADD, p, &A, &B, BOX_ERR_INVALID);
	}
	p.width = 8;
	crate_init(&A, 16, seq, 12);
	crate_init(&B, 16, "zz", 2);
	EXPECT_ERR(BOX_OP_OPERATIONS_VADD, p, &A, &B, BOX_ERR_INVALID); /* 12 % 8 */
	p.width = 4;
	crate_init(&B, 8, "zz", 2);
	EXPECT_ERR(BOX_OP_OPERATIONS_VADD, p, &A, &B, BOX_ERR_BOUNDS); /* 12 into 8 */
	EXPECT_ERR(BOX_OP_OPERATIONS_VADD, p, NULL, &B, BOX_ERR_INVALID);
	EXPECT_ERR(BOX_OP_OPERATIONS_VADD, p, &A, NULL, BOX_ERR_INVALID);
}

static void test_result(void)
{
	struct box_params_execution_result p = { .code = 42 };
	CHECK_EQ(CALL(BOX_OP_EXECUTION_RESULT, p, NULL, NULL), BOX_OK);
	CHECK_EQ(last_value, 42);
	p.code = UINT32_MAX;
	crate_init(&A, 16, seq, 16);
	crate_init(&B, 16, seq, 3);
	struct crate A0 = A, B0 = B;
	CHECK_EQ(CALL(BOX_OP_EXECUTION_RESULT, p, &A, &B), BOX_OK);
	CHECK_EQ(last_value, UINT32_MAX);
	CHECK(memcmp(&A0.mem, &A.mem, sizeof(A.mem)) == 0); /* writes nothing */
	CHECK(memcmp(&B0.mem, &B.mem, sizeof(B.mem)) == 0);
	CHECK_EQ(B.b.size, 3);
	expect_err_(__LINE__, BOX_OP_EXECUTION_RESULT, NULL, 0, NULL, NULL, BOX_ERR_INVALID);
}

/* Every Operations/Execution op in the spec is in its Deck exactly once, and nothing else. */
static void test_tables(void)
{
	const struct deck *decks[] = { &operations_deck, &execution_deck };
	const uint8_t ids[] = { BOX_DECK_OPERATIONS, BOX_DECK_EXECUTION };

	for (unsigned d = 0; d < 2; d++) {
		const struct deck *dk = decks[d];
		CHECK_EQ(dk->deck_id, ids[d]);
		CHECK(strcmp(dk->name, box_deck_names[ids[d]]) == 0);
		CHECK_EQ(dk->count, box_deck_ops[ids[d]]);
		CHECK(dk->count > 0);
		for (unsigned i = 0; i < dk->count; i++) {
			CHECK(dk->ops[i].handler != NULL);
			unsigned in_spec = 0;
			for (unsigned k = 0; k < box_op_count; k++)
				if (box_op_table[k].id == dk->ops[i].id && box_op_table[k].deck == ids[d])
					in_spec++;
			CHECK_EQ(in_spec, 1);
		}
		for (unsigned k = 0; k < box_op_count; k++) {
			if (box_op_table[k].deck != ids[d])
				continue;
			unsigned listed = 0;
			for (unsigned i = 0; i < dk->count; i++)
				listed += dk->ops[i].id == box_op_table[k].id;
			if (listed != 1)
				printf("  %s listed %u times\n", box_op_table[k].name, listed);
			CHECK_EQ(listed, 1);
		}
	}
	/* The parameter structs the handlers read match the spec's blob sizes. */
	for (unsigned k = 0; k < box_op_count; k++) {
		if (box_op_table[k].id == BOX_OP_OPERATIONS_FIND)
			CHECK_EQ(box_op_table[k].param_size, sizeof(struct box_params_operations_find));
		if (box_op_table[k].id == BOX_OP_OPERATIONS_PACK)
			CHECK_EQ(box_op_table[k].param_size, 0);
	}
}

int main(void)
{
	test_move();
	test_fill();
	test_xor();
	test_hash();
	test_cmp();
	test_find();
	test_pack_unpack();
	test_bswap();
	test_vadd();
	test_result();
	test_tables();
	return check_report();
}
