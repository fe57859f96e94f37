/*
 * hostile: attacks the message ring, as a test program.
 *
 * Sends one malformed or malicious Pocket per attack and checks that the
 * kernel answers each with the exact error Result the rules of docs/abi.md
 * (kernel/core/validate.c, the decode pass of kernel/core/manifest.c and
 * the page checks of kernel/core/guide.c) call for: never a crash, never
 * success, no byte written to the Cabin's memory.  Then it corrupts the
 * Pocket ring's head index, and finally fills both rings to the brim (256
 * Results it does not read, then 256 Pockets the Guide may not take, since
 * it takes a Pocket only when its Result has room; a polling K-Core would
 * drain a Pocket ring that only lacks a doorbell) and drains all of it.  Between the steps a
 * normal Manifest (fill + execution.result) must still work.
 *
 * Exit 0 when every check held, else the number of the first one that failed:
 *   1  attaching the rings
 *   2  a normal Manifest works before the attacks               BOX_OK
 *   3  Crate address in the kernel half (0xFFFF800000000000)    ERR_FAULT
 *   4  non-canonical Crate address 0x0000800000000000           ERR_FAULT
 *   5  non-canonical Crate address 0x8000000000000000           ERR_FAULT
 *   6  Manifest pointer in the kernel half                      ERR_FAULT
 *   7  Crate array pointer unmapped (0x10000000)                ERR_FAULT
 *   8  unknown op id (engine decode, failed_op 0)               ERR_INVALID_OPCODE
 *   9  op_count 0                                               ERR_INVALID
 *  10  Manifest size 4, smaller than its header                 ERR_INVALID
 *  11  inline Manifest size 96 (> 88)                           ERR_TOO_BIG
 *  12  truncated Manifest (size cuts the last op's params)      ERR_INVALID
 *  13  bad Manifest magic                                       ERR_INVALID
 *  14  fill with 8 bytes of params (engine decode, failed_op 0) ERR_INVALID
 *  15  output Crate index 5 of 1 Crate                          ERR_BOUNDS
 *  16  BOX_FEED on op 0                                         ERR_INVALID
 *  17  overlapping input and output Crates of one op (move)     ERR_BOUNDS
 *  18  two OUT Crates overlapping                               ERR_BOUNDS
 *  19  capacity 1 GiB + 4 KiB                                   ERR_TOO_BIG
 *  20  size > capacity                                          ERR_BOUNDS
 *  21  Crate running 1 MiB past .bss into unmapped memory       ERR_FAULT
 *  22  output Crate on a read-only .rodata page                 ERR_FAULT
 *  23  unknown Pocket flag bits (0x2, then 0x80000000)          ERR_INVALID
 *  24  Pocket ring head = tail + 1000: one Result               ERR_INVALID
 *  25  head restored: a normal Manifest works again             BOX_OK
 *  26  with the Result ring full (256 Results not read, so the
 *      Guide takes no more Pockets), 256 more pushes succeed and
 *      the next is                                              ERR_FULL
 *  27  all 512 Pockets come back, in order, each                BOX_OK
 *  28  a normal Manifest works after the full ring              BOX_OK
 * Checks 3-23 also require that the attack's fill wrote nothing.
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define KERNEL_VA   0xFFFF800000000000ull
#define UNMAPPED_VA 0x10000000ull
#define WAIT_US     2000000
#define POISON      0xEE /* what attacking fills write; must never appear */

static uint8_t data[4096] __attribute__((aligned(4096)));
static const uint8_t ro_page[4096] __attribute__((aligned(4096))) = {0x11};
static struct box_crate crates[2];
static uint8_t man[512] __attribute__((aligned(8)));
static struct box_mb mb;      /* builds into man; mb.len is the Manifest's size */
static int mb_overflow;       /* an op did not fit: the Manifest is not the one meant */

/* ---- Manifest building (boxlib/manifest.h; the breakage is done by hand) ---- */

static void begin(void)
{
	box_mb_begin(&mb, man, sizeof(man));
	mb_overflow = 0;
}

static void add_op(uint64_t id, uint8_t in, uint8_t out, const void *params, uint16_t size)
{
	if (box_mb_add(&mb, id, BOX_POLICY_STOP, in, out, params, size) != 0)
		mb_overflow = 1;
}

/* A fill of the whole output Crate `out` with `value`. */
static void add_fill(uint8_t out, uint8_t value)
{
	struct box_params_operations_fill f = {.offset = 0, .length = 0, .value = value};
	add_op(BOX_OP_OPERATIONS_FILL, BOX_NO_CRATE, out, &f, sizeof(f));
}

static void add_result(void)
{
	struct box_params_execution_result r = {.code = 0};
	add_op(BOX_OP_EXECUTION_RESULT, BOX_NO_CRATE, BOX_NO_CRATE, &r, sizeof(r));
}

static struct box_crate crate(uint64_t addr, uint64_t size, uint64_t cap, uint32_t dir)
{
	return (struct box_crate){.addr = addr, .size = size, .capacity = cap, .dir = dir};
}

/* A Pocket pointing at `man` (len bytes) and `n` Crates at `c`. */
static struct box_pocket pocket(uint32_t len, const struct box_crate *c, uint16_t n)
{
	struct box_pocket p;
	box_pocket_init(&p, man, len, c, n);
	return p;
}

/* The same with the Manifest carried inline (only the first 88 bytes fit). */
static struct box_pocket pocket_inline(uint32_t len, const struct box_crate *c, uint16_t n)
{
	struct box_pocket p = pocket(len, c, n);
	p.flags = BOX_POCKET_INLINE;
	p.manifest = 0;
	for (uint32_t i = 0; i < len && i < BOX_INLINE_MAX; i++)
		p.inline_manifest[i] = man[i];
	return p;
}

/* ---- sending ---- */

/* box_call() and no other Result waiting; false on any transport problem. */
static int send(struct box_pocket *p, struct box_result *res)
{
	if (mb_overflow || box_call(p, res, WAIT_US) != BOX_OK)
		return 0;
	return ring_count(box_result_ring()) == 0;
}

/*
 * The Pocket must come back with `status`.  failed_op BOX_NO_FAILED_OP means
 * refused by validation or the page checks (nothing ran); 0 means refused by
 * the engine's decode of op 0 (nothing ran either).
 */
static int expect(struct box_pocket *p, int32_t status, uint16_t failed_op)
{
	struct box_result res;
	if (!send(p, &res))
		return 0;
	if (res.status != status || res.ops_run != 0 || res.failed_op != failed_op ||
	    res.bytes_out != 0)
		return 0;
	if (failed_op != BOX_NO_FAILED_OP && res.op_status[failed_op] != status)
		return 0;
	for (unsigned i = 0; i < sizeof(data); i++)
		if (data[i] == POISON)
			return 0; /* an attack's fill ran after all */
	return 1;
}

#define REJECT(n, pk, st)                                    \
	do {                                                 \
		struct box_pocket rej_ = (pk);               \
		if (!expect(&rej_, (st), BOX_NO_FAILED_OP))  \
			return (n);                          \
	} while (0)

/* fill the first 64 bytes of data with `value`, then execution.result: must succeed. */
static int normal(uint8_t value)
{
	struct box_result res;
	crates[0] = crate((uint64_t)data, 0, 64, BOX_CRATE_OUT);
	begin();
	add_fill(0, value);
	add_result();
	struct box_pocket p = pocket_inline(mb.len, crates, 1);
	if (!send(&p, &res))
		return 0;
	if (res.status != BOX_OK || res.ops_run != 2 || res.failed_op != BOX_NO_FAILED_OP ||
	    res.op_status[0] != 0 || res.op_status[1] != 0 || crates[0].size != 64)
		return 0;
	for (unsigned i = 0; i < sizeof(data); i++)
		if (data[i] != (i < 64 ? value : 0))
			return 0;
	for (unsigned i = 0; i < 64; i++)
		data[i] = 0;
	return 1;
}

/* A fill of Crate 0 (with POISON) over `n` Crates from `crates`. */
static struct box_pocket fill_with(uint16_t n)
{
	begin();
	add_fill(0, POISON);
	return pocket(mb.len, crates, n);
}

static int attacks(void)
{
	struct box_pocket p;

	crates[0] = crate(KERNEL_VA, 0, 4096, BOX_CRATE_OUT);
	REJECT(3, fill_with(1), BOX_ERR_FAULT);
	crates[0] = crate(0x0000800000000000ull, 0, 4096, BOX_CRATE_OUT);
	REJECT(4, fill_with(1), BOX_ERR_FAULT);
	crates[0] = crate(0x8000000000000000ull, 0, 4096, BOX_CRATE_OUT);
	REJECT(5, fill_with(1), BOX_ERR_FAULT);

	crates[0] = crate((uint64_t)data, 0, sizeof(data), BOX_CRATE_OUT);
	p = fill_with(1);
	p.manifest = KERNEL_VA;
	REJECT(6, p, BOX_ERR_FAULT);
	p = fill_with(1);
	p.crates = UNMAPPED_VA;
	REJECT(7, p, BOX_ERR_FAULT);

	begin();
	add_op(0x0123456789ABCDEFull, BOX_NO_CRATE, BOX_NO_CRATE, 0, 0);
	p = pocket(mb.len, 0, 0);
	if (!expect(&p, BOX_ERR_INVALID_OPCODE, 0))
		return 8;

	begin();
	REJECT(9, pocket(sizeof(struct box_manifest), 0, 0), BOX_ERR_INVALID);

	begin();
	add_result();
	REJECT(10, pocket(4, 0, 0), BOX_ERR_INVALID);

	begin();
	for (int i = 0; i < 4; i++)
		add_result(); /* 8 + 4 * 24 = 104 */
	REJECT(11, pocket_inline(96, 0, 0), BOX_ERR_TOO_BIG);

	begin();
	add_fill(0, POISON); /* 48 bytes; cut 8 of the 24 bytes of params */
	((struct box_manifest *)man)->size = (uint16_t)(mb.len - 8);
	REJECT(12, pocket(mb.len - 8, crates, 1), BOX_ERR_INVALID);

	begin();
	add_fill(0, POISON);
	((struct box_manifest *)man)->magic = BOX_MANIFEST_MAGIC + 1;
	REJECT(13, pocket(mb.len, crates, 1), BOX_ERR_INVALID);

	uint64_t eight = 0;
	begin();
	add_op(BOX_OP_OPERATIONS_FILL, BOX_NO_CRATE, 0, &eight, sizeof(eight));
	p = pocket(mb.len, crates, 1);
	if (!expect(&p, BOX_ERR_INVALID, 0))
		return 14;

	begin();
	add_fill(5, POISON);
	REJECT(15, pocket(mb.len, crates, 1), BOX_ERR_BOUNDS);

	struct box_params_operations_hash hash = {.seed = 0};
	begin();
	add_op(BOX_OP_OPERATIONS_HASH, BOX_FEED, BOX_NO_CRATE, &hash, sizeof(hash));
	REJECT(16, pocket(mb.len, 0, 0), BOX_ERR_INVALID);

	struct box_params_operations_move mv = {.src_offset = 0, .dst_offset = 0, .length = 0};
	crates[0] = crate((uint64_t)data, 256, 256, BOX_CRATE_IN);
	crates[1] = crate((uint64_t)data + 128, 0, 256, BOX_CRATE_OUT);
	begin();
	add_op(BOX_OP_OPERATIONS_MOVE, 0, 1, &mv, sizeof(mv));
	REJECT(17, pocket(mb.len, crates, 2), BOX_ERR_BOUNDS);

	crates[0] = crate((uint64_t)data, 0, 256, BOX_CRATE_OUT);
	crates[1] = crate((uint64_t)data + 200, 0, 256, BOX_CRATE_OUT);
	REJECT(18, fill_with(2), BOX_ERR_BOUNDS);

	crates[0] = crate((uint64_t)data, 0, BOX_CRATE_MAX_BYTES + 4096, BOX_CRATE_OUT);
	REJECT(19, fill_with(1), BOX_ERR_TOO_BIG);

	crates[0] = crate((uint64_t)data, 4097, 4096, BOX_CRATE_INOUT);
	REJECT(20, fill_with(1), BOX_ERR_BOUNDS);

	/* .bss is a few KiB: 1 MiB past data nothing is mapped any more */
	crates[0] = crate((uint64_t)data, 0, sizeof(data) + (1u << 20), BOX_CRATE_OUT);
	REJECT(21, fill_with(1), BOX_ERR_FAULT);

	crates[0] = crate((uint64_t)ro_page, 0, sizeof(ro_page), BOX_CRATE_OUT);
	REJECT(22, fill_with(1), BOX_ERR_FAULT);
	const volatile uint8_t *ro = ro_page;
	if (ro[0] != 0x11 || ro[1] != 0)
		return 22;

	crates[0] = crate((uint64_t)data, 0, sizeof(data), BOX_CRATE_OUT);
	p = fill_with(1);
	p.flags = 0x2;
	REJECT(23, p, BOX_ERR_INVALID);
	p = fill_with(1);
	p.flags = 0x80000000u;
	REJECT(23, p, BOX_ERR_INVALID);
	return 0;
}

/* Corrupt the Pocket ring's head; expect one INVALID Result, then repair it. */
static int corrupt_ring(void)
{
	const struct ring *pockets = box_pocket_ring(), *results = box_result_ring();
	struct box_ring_header *h = pockets->hdr;
	struct box_result res;
	if (ring_count(results) != 0 || ring_count(pockets) != 0)
		return 24;
	uint64_t tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
	__atomic_store_n(&h->head, tail + 1000, __ATOMIC_RELEASE);
	box_doorbell();
	if (box_result_next(&res, WAIT_US) != BOX_OK)
		return 24;
	if (res.status != BOX_ERR_INVALID || res.ops_run != 0 || res.failed_op != BOX_NO_FAILED_OP)
		return 24;
	if (ring_pop(results, &res) != BOX_ERR_NOENT)
		return 24; /* exactly one Result */
	if (__atomic_load_n(&h->tail, __ATOMIC_ACQUIRE) != tail)
		return 24; /* the kernel must not have moved its index */
	__atomic_store_n(&h->head, tail, __ATOMIC_RELEASE);
	return normal(0x42) ? 0 : 25;
}

static uint64_t tsc_now(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Fill the Result ring, then the Pocket ring behind it, then drain everything. */
static int full_ring(void)
{
	static struct box_crate fc;
	struct box_result res;
	fc = crate((uint64_t)data, 0, 64, BOX_CRATE_OUT);
	const struct ring *pockets = box_pocket_ring(), *results = box_result_ring();
	begin();
	add_fill(0, 0x33);
	add_result();
	if (mb_overflow)
		return 26;
	uint64_t first = 0;
	for (unsigned i = 0; i < BOX_RING_SLOTS; i++) {
		struct box_pocket p = pocket_inline(mb.len, &fc, 1);
		if (box_push(&p) != BOX_OK)
			return 26;
		if (i == 0)
			first = p.cookie;
	}
	/* let the Guide answer all of them, without reading a Result (WAIT returns at
	 * once while Results are there, so wait on the clock: up to 2 s) */
	uint64_t deadline = tsc_now() + 2 * ((const struct box_start *)BOX_START_VA)->tsc_hz;
	while (ring_count(results) < BOX_RING_SLOTS && tsc_now() < deadline) {
		box_doorbell();
		for (int spin = 0; spin < 1000; spin++)
			__asm__ volatile("pause");
	}
	if (ring_count(results) != BOX_RING_SLOTS)
		return 26;
	/* no room for a Result: these stay queued, and the ring fills */
	for (unsigned i = 0; i < BOX_RING_SLOTS; i++) {
		struct box_pocket p = pocket_inline(mb.len, &fc, 1);
		if (box_push(&p) != BOX_OK)
			return 26;
	}
	box_doorbell();
	struct box_pocket extra = pocket_inline(mb.len, &fc, 1);
	if (box_push(&extra) != BOX_ERR_FULL || ring_count(results) != BOX_RING_SLOTS)
		return 26;

	unsigned got = 0;
	for (unsigned round = 0; got < 2 * BOX_RING_SLOTS && round < 1000; round++) {
		while (ring_pop(results, &res) == BOX_OK) {
			if (res.cookie != first + got || res.status != BOX_OK || res.ops_run != 2)
				return 27;
			got++;
		}
		box_doorbell();
		if (got < 2 * BOX_RING_SLOTS && box_wait(WAIT_US) != BOX_OK)
			return 27;
	}
	if (got != 2 * BOX_RING_SLOTS || ring_count(pockets) != 0)
		return 27;
	for (unsigned i = 0; i < 64; i++)
		if (data[i] != 0x33)
			return 27;
	for (unsigned i = 0; i < 64; i++)
		data[i] = 0;
	return normal(0x24) ? 0 : 28;
}

int main(void)
{
	if (box_rings_init() != BOX_OK)
		return 1;
	if (!normal(0x5A))
		return 2;
	int rc = attacks();
	if (rc)
		return rc;
	rc = corrupt_ring();
	if (rc)
		return rc;
	return full_ring();
}
