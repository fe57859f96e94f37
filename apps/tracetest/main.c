/*
 * tracetest: PerfTrace through system.trace.read, from a UTILITY Cabin.
 *
 * Run as `run=...,tracetest:utility` (trace.read is a UTILITY op).  Sends a
 * fill, an unknown op and a second fill, then reads the trace.  An unknown
 * op fails the engine's decode pass, so no handler runs and PerfTrace
 * records nothing for it: the two fills must be the two newest entries,
 * with consecutive sequence numbers.  Entries are 32 bytes (u64 tsc, u32
 * cabin, u8 deck, 3 zero bytes, u64 op id, i32 status, u32 seq_lo; see
 * kernel/core/perftrace.h).  Exits 0 when every check held, else the
 * number of the first one that failed:
 *    1  the rings could not be attached
 *    2  fill #1: no Result, or not BOX_OK with one op run
 *    3  unknown op: no Result, or not BOX_ERR_INVALID_OPCODE with no op run
 *    4  fill #2: no Result, or not BOX_OK with one op run
 *    5  trace.read (full buffer): no Result, or not BOX_OK with one op run
 *    6  trace.read: size not a whole number of entries, value != entries,
 *       or fewer than 2 entries
 *    7  the two newest entries are not both operations.fill with status 0
 *    8  the two newest entries have different cabins or non-consecutive
 *       sequence numbers (something was recorded for the unknown op)
 *    9  the unknown op id appears in the trace
 *   10  TSCs decrease somewhere, or an entry has nonzero pad bytes or a
 *       Deck id out of range
 *   11  trace.read (room for 3 entries in 100 bytes): not BOX_OK, or size
 *       not 96 or value not 3
 *   12  its newest entry is not the first trace.read (system Deck, status
 *       0, the same cabin, the sequence number after fill #2)
 *   13  trace.read with no output Crate: not BOX_ERR_INVALID
 */
#include <stdint.h>
#include "boxlib/manifest.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define WAIT_US 2000000
#define ENTRY 32u
#define SLOTS 256u
#define UNKNOWN_OP 0x0123456789ABCDEFull

static uint8_t buf[64] __attribute__((aligned(64)));
static uint8_t trace[ENTRY * SLOTS] __attribute__((aligned(64)));
static struct box_crate crates[1];
static uint8_t manifest[256] __attribute__((aligned(8)));
static struct box_mb mb;

struct entry {
	uint64_t tsc;
	uint32_t cabin;
	uint8_t deck;
	uint8_t pad[3];
	uint64_t op_id;
	int32_t status;
	uint32_t seq_lo;
};
_Static_assert(sizeof(struct entry) == ENTRY, "a PerfTrace entry is 32 bytes");

/* Send one op with the first crate_count Crates; 0, or -1 if no Result. */
static int one_op(uint64_t id, uint8_t out, const void *params, uint16_t size,
		  uint16_t crate_count, struct box_result *res)
{
	struct box_pocket p;
	box_mb_begin(&mb, manifest, sizeof(manifest));
	if (box_mb_add(&mb, id, BOX_POLICY_STOP, BOX_NO_CRATE, out, params, size) != 0)
		return -1;
	box_pocket_init(&p, mb.buf, mb.len, crates, crate_count);
	return box_call(&p, res, WAIT_US) == BOX_OK ? 0 : -1;
}

static int ran_ok(const struct box_result *res)
{
	return res->status == BOX_OK && res->ops_run == 1;
}

static int fill(uint8_t value, struct box_result *res)
{
	struct box_params_operations_fill f = {.offset = 0, .length = 16, .value = value};
	crates[0] = (struct box_crate){.addr = (uint64_t)buf, .size = 0, .capacity = sizeof(buf),
				       .dir = BOX_CRATE_INOUT};
	return one_op(BOX_OP_OPERATIONS_FILL, 0, &f, sizeof(f), 1, res);
}

static int read_trace(uint64_t capacity, struct box_result *res)
{
	crates[0] = (struct box_crate){.addr = (uint64_t)trace, .size = 0, .capacity = capacity,
				       .dir = BOX_CRATE_OUT};
	return one_op(BOX_OP_SYSTEM_TRACE_READ, 0, 0, 0, 1, res);
}

int main(void)
{
	struct box_result res;
	if (box_rings_init() != BOX_OK)
		return 1;

	if (fill('a', &res) != 0 || !ran_ok(&res))
		return 2;
	if (one_op(UNKNOWN_OP, BOX_NO_CRATE, 0, 0, 0, &res) != 0 ||
	    res.status != BOX_ERR_INVALID_OPCODE || res.ops_run != 0)
		return 3;
	if (fill('b', &res) != 0 || !ran_ok(&res))
		return 4;

	if (read_trace(sizeof(trace), &res) != 0 || !ran_ok(&res))
		return 5;
	uint64_t size = crates[0].size;
	uint64_t n = size / ENTRY;
	if (size % ENTRY || res.value != n || n < 2 || n > SLOTS)
		return 6;
	const struct entry *e = (const struct entry *)trace;
	const struct entry *a = &e[n - 2], *b = &e[n - 1];
	if (a->op_id != BOX_OP_OPERATIONS_FILL || b->op_id != BOX_OP_OPERATIONS_FILL ||
	    a->status != 0 || b->status != 0 || a->deck != BOX_DECK_OPERATIONS ||
	    b->deck != BOX_DECK_OPERATIONS)
		return 7;
	if (a->cabin != b->cabin || b->seq_lo != a->seq_lo + 1)
		return 8;
	for (uint64_t i = 0; i < n; i++)
		if (e[i].op_id == UNKNOWN_OP)
			return 9;
	for (uint64_t i = 0; i < n; i++) {
		if (e[i].pad[0] || e[i].pad[1] || e[i].pad[2] || e[i].deck >= BOX_DECK_COUNT)
			return 10;
		if (i && e[i].tsc < e[i - 1].tsc)
			return 10;
	}
	uint32_t me = b->cabin, fill_seq = b->seq_lo;

	/* room for 3 whole entries and a bit: the bit stays unused */
	if (read_trace(100, &res) != 0 || !ran_ok(&res) || crates[0].size != 3 * ENTRY ||
	    res.value != 3)
		return 11;
	const struct entry *t = &e[2];
	if (t->op_id != BOX_OP_SYSTEM_TRACE_READ || t->deck != BOX_DECK_SYSTEM || t->status != 0 ||
	    t->cabin != me || t->seq_lo != fill_seq + 1)
		return 12;

	/* no output Crate */
	if (one_op(BOX_OP_SYSTEM_TRACE_READ, BOX_NO_CRATE, 0, 0, 0, &res) != 0 ||
	    res.status != BOX_ERR_INVALID || res.ops_run != 1)
		return 13;
	return 0;
}
