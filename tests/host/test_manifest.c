/*
 * test_manifest.c: host tests for the Manifest engine (kernel/core/manifest.c)
 * and the auth gate (kernel/core/auth.c).
 *
 * The registry is built from a fake spec (one op per auth level, a command
 * op, an op without a handler, ops that misbehave) with fake handlers that
 * record every call.  The command op's parameters say what status to
 * return and how many bytes to produce, so each test builds a plan by hand
 * (as box_validate_pocket() would) and checks the calls made, the Crate
 * sizes and every Result field: stop/skip/optional, FEED chains, decode
 * failures that run nothing, auth levels, tags and the kernel bypass, long
 * chains and op_status clipping.
 */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "core/manifest.h"
#include "core/auth.h"

/* ---- fake spec ---- */

#define OP_CMD      0xC0DE000000000001ull
#define OP_NONE     0xC0DE000000000002ull
#define OP_APP      0xC0DE000000000003ull
#define OP_UTIL     0xC0DE000000000004ull
#define OP_SYS      0xC0DE000000000005ull
#define OP_NET      0xC0DE000000000006ull
#define OP_NOHAND   0xC0DE000000000007ull
#define OP_RET      0xC0DE000000000008ull
#define OP_OVER     0xC0DE000000000009ull
#define OP_WAIT     0xC0DE00000000000Aull
#define OP_UNKNOWN  0xC0DE0000000000FFull

struct cmd {
	int64_t status;    /* returned as is; nonzero: nothing changes */
	uint64_t produce;  /* bytes written to the output */
};

static const struct box_op_desc spec[] = {
	{ .id = OP_CMD,    .name = "t.cmd",    .auth = BOX_AUTH_APP,     .param_size = 16 },
	{ .id = OP_NONE,   .name = "t.none",   .auth = BOX_AUTH_NONE },
	{ .id = OP_APP,    .name = "t.app",    .auth = BOX_AUTH_APP },
	{ .id = OP_UTIL,   .name = "t.util",   .auth = BOX_AUTH_UTILITY },
	{ .id = OP_SYS,    .name = "t.sys",    .auth = BOX_AUTH_SYSTEM },
	{ .id = OP_NET,    .name = "t.net",    .auth = BOX_AUTH_NETWORK },
	{ .id = OP_NOHAND, .name = "t.nohand", .auth = BOX_AUTH_APP },
	{ .id = OP_RET,    .name = "t.ret",    .auth = BOX_AUTH_APP,     .param_size = 8 },
	{ .id = OP_OVER,   .name = "t.over",   .auth = BOX_AUTH_APP },
	{ .id = OP_WAIT,   .name = "t.wait",   .auth = BOX_AUTH_APP,     .param_size = 8 },
};
#define SPEC_N (sizeof(spec) / sizeof(spec[0]))
_Static_assert(SPEC_N <= BOX_OP_COUNT, "fake spec fits the table");

/* ---- fake handlers ---- */

struct call_rec {
	const void *params;
	const struct op_buf *in;
	struct op_buf *out;
	struct cabin *caller;
	uint64_t in_size;
	uint64_t id;       /* which fake op */
};
static struct call_rec calls[600];
static unsigned ncalls;

static void record(struct op_call *c, uint64_t id)
{
	if (ncalls < sizeof(calls) / sizeof(calls[0]))
		calls[ncalls] = (struct call_rec){ c->params, c->in, c->out, c->caller,
						   c->in ? c->in->size : ~0ull, id };
	ncalls++;
}

static int32_t h_cmd(struct op_call *c)
{
	const struct cmd *p = c->params;
	record(c, OP_CMD);
	if (c->param_size != sizeof(*p))
		return BOX_ERR_INTERNAL;
	if (p->status)
		return (int32_t)p->status;
	if (p->produce) {
		if (!c->out || p->produce > c->out->capacity)
			return BOX_ERR_BOUNDS;
		for (uint64_t k = 0; k < p->produce; k++)
			c->out->data[k] = (c->in && c->in->size) ?
				(uint8_t)(c->in->data[k % c->in->size] + 1) : 0x10;
		c->out->size = p->produce;
	}
	c->value = 0x1000 + ncalls;
	return BOX_OK;
}

static int32_t h_plain(struct op_call *c)
{
	record(c, 0);
	c->value = 7;
	return BOX_OK;
}

static int32_t h_ret(struct op_call *c)
{
	record(c, OP_RET);
	c->value = 99;
	return (int32_t)*(const int64_t *)c->params;
}

static int32_t h_over(struct op_call *c)
{
	record(c, OP_OVER);
	if (c->out)
		c->out->size = c->out->capacity + 1;
	return BOX_OK;
}

/* Waits (OP_PENDING) params[0] times, counting in park[0], then ends with
 * params[1]... as its status: value = how often it was called. */
struct wait_params {
	uint32_t waits;
	int32_t final;
};
static unsigned wait_calls;
static uint64_t wait_park_seen[8];

static int32_t h_wait(struct op_call *c)
{
	const struct wait_params *p = c->params;
	record(c, OP_WAIT);
	if (wait_calls < 8)
		wait_park_seen[wait_calls] = c->park[0];
	wait_calls++;
	if (c->park[0] < p->waits) {
		c->park[0]++;
		c->park[1] = 0xABCD;
		c->wake_events = 4;
		c->wake_tsc = 1000 + c->park[0];
		return OP_PENDING;
	}
	c->value = wait_calls;
	return p->final;
}

static const struct deck_op fake_ops[] = {
	{ OP_CMD, h_cmd }, { OP_NONE, h_plain }, { OP_APP, h_plain }, { OP_UTIL, h_plain },
	{ OP_SYS, h_plain }, { OP_NET, h_plain }, { OP_RET, h_ret }, { OP_OVER, h_over },
	{ OP_WAIT, h_wait },
};
static const struct deck fake_deck = { "operations", BOX_DECK_OPERATIONS, fake_ops,
				       sizeof(fake_ops) / sizeof(fake_ops[0]) };

/* ---- plan building ---- */

static struct registry reg;
static struct box_plan plan;
static struct cmd cmds[BOX_MAX_OPS];
static int64_t rets[BOX_MAX_OPS];
static uint8_t mem[4][256];
static struct op_buf bufs[4];
static struct box_result res;
static char cabin_dummy;
#define CALLER ((struct cabin *)&cabin_dummy)

static void reset(unsigned crates)
{
	memset(&plan, 0, sizeof(plan));
	plan.pocket.cookie = 0xC00C1E5ull;
	plan.crate_count = crates;
	memset(mem, 0, sizeof(mem));
	for (unsigned i = 0; i < 4; i++)
		bufs[i] = (struct op_buf){ mem[i], 0, sizeof(mem[i]) };
	memset(&res, 0x5A, sizeof(res));
	ncalls = 0;
}

static unsigned add(uint64_t id, uint8_t policy, uint8_t in, uint8_t out, bool feed,
		    const void *params, uint16_t psize)
{
	unsigned i = plan.op_count++;
	plan.ops[i] = (struct box_plan_op){ .op_id = id, .params = params, .param_size = psize,
					    .policy = policy, .in = in, .out = out, .feed = feed };
	return i;
}

static unsigned add_cmd(uint8_t policy, uint8_t in, uint8_t out, bool feed, int32_t status,
			uint64_t produce)
{
	unsigned i = plan.op_count;
	cmds[i] = (struct cmd){ status, produce };
	return add(OP_CMD, policy, in, out, feed, &cmds[i], sizeof(cmds[i]));
}

static unsigned add_ret(uint8_t policy, int64_t status)
{
	unsigned i = plan.op_count;
	rets[i] = status;
	return add(OP_RET, policy, BOX_NO_CRATE, BOX_NO_CRATE, false, &rets[i], 8);
}

static const struct exec_ctx app_ctx = { CALLER, BOX_AUTH_APP, 0, false, NULL, NULL };

static int32_t run(const struct exec_ctx *ctx)
{
	return manifest_execute(&reg, &plan, bufs, ctx, &res);
}

static unsigned cmd_index(const void *params)
{
	return (unsigned)((const struct cmd *)params - cmds);
}

/* ---- tests ---- */

static void test_ok_chain(void)
{
	reset(3);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 10);
	add_cmd(BOX_POLICY_STOP, 0, 1, false, 0, 20);
	add(OP_APP, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	add_cmd(BOX_POLICY_STOP, 1, 2, false, 0, 5);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK_EQ(res.cookie, 0xC00C1E5ull);
	CHECK_EQ(res.status, BOX_OK);
	CHECK_EQ(res.ops_run, 4);
	CHECK_EQ(res.failed_op, BOX_NO_FAILED_OP);
	CHECK_EQ(res.bytes_out, 35);
	CHECK_EQ(res.value, 0x1000 + 4);   /* the last op's */
	for (unsigned i = 0; i < BOX_RESULT_OPS; i++)
		CHECK_EQ(res.op_status[i], 0);
	CHECK_EQ(ncalls, 4);
	CHECK_EQ(bufs[0].size, 10);
	CHECK_EQ(bufs[1].size, 20);
	CHECK_EQ(bufs[2].size, 5);
	CHECK_EQ(mem[0][9], 0x10);
	CHECK_EQ(mem[1][19], 0x11);
	CHECK_EQ(mem[2][4], 0x12);
	/* Handler arguments. */
	CHECK(calls[0].in == NULL && calls[0].out == &bufs[0]);
	CHECK(calls[1].in == &bufs[0] && calls[1].out == &bufs[1] && calls[1].in_size == 10);
	CHECK(calls[2].in == NULL && calls[2].out == NULL && calls[2].params == NULL);
	CHECK(calls[3].params == &cmds[3]);
	CHECK(calls[0].caller == CALLER && calls[3].caller == CALLER);

	/* value: the last *successful* op's; a final op with no value sets 7. */
	reset(1);
	add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 0, false, 0, 3);
	add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 0, false, BOX_ERR_BUSY, 0);
	CHECK_EQ(run(&app_ctx), BOX_ERR_BUSY);
	CHECK_EQ(res.value, 0x1001);
	CHECK_EQ(res.bytes_out, 3);
}

static void test_stop(void)
{
	reset(2);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 8);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 1, false, BOX_ERR_BUSY, 8);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 1, false, 0, 8);
	add_cmd(BOX_POLICY_OPTIONAL, BOX_NO_CRATE, 1, false, 0, 8);
	CHECK_EQ(run(&app_ctx), BOX_ERR_BUSY);
	CHECK_EQ(res.status, BOX_ERR_BUSY);
	CHECK_EQ(res.ops_run, 2);
	CHECK_EQ(res.failed_op, 1);
	CHECK_EQ(res.op_status[0], 0);
	CHECK_EQ(res.op_status[1], (int8_t)BOX_ERR_BUSY);
	CHECK_EQ(res.op_status[2], (int8_t)BOX_ERR_NOT_RUN);
	CHECK_EQ(res.op_status[3], (int8_t)BOX_ERR_NOT_RUN);
	CHECK_EQ(res.op_status[4], 0);    /* past the chain */
	CHECK_EQ(ncalls, 2);
	CHECK_EQ(bufs[1].size, 0);        /* the failed op changed nothing */
	CHECK_EQ(res.bytes_out, 8);

	/* The first op stops the chain. */
	reset(0);
	add_ret(BOX_POLICY_STOP, BOX_ERR_NOENT);
	add(OP_NONE, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	CHECK_EQ(manifest_execute(&reg, &plan, NULL, &app_ctx, &res), BOX_ERR_NOENT);
	CHECK_EQ(res.ops_run, 1);
	CHECK_EQ(res.failed_op, 0);
	CHECK_EQ(res.value, 0);
	CHECK_EQ(res.op_status[1], (int8_t)BOX_ERR_NOT_RUN);
}

static void test_skip(void)
{
	reset(2);
	add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 0, false, 0, 4);
	add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 1, false, BOX_ERR_NOENT, 4);
	add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 1, false, BOX_ERR_BUSY, 4);
	add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 1, false, 0, 6);
	CHECK_EQ(run(&app_ctx), BOX_ERR_NOENT);   /* the first SKIP failure */
	CHECK_EQ(res.failed_op, 1);
	CHECK_EQ(res.ops_run, 4);
	CHECK_EQ(ncalls, 4);
	CHECK_EQ(res.op_status[0], 0);
	CHECK_EQ(res.op_status[1], (int8_t)BOX_ERR_NOENT);   /* the real status, not SKIPPED */
	CHECK_EQ(res.op_status[2], (int8_t)BOX_ERR_BUSY);
	CHECK_EQ(res.op_status[3], 0);
	CHECK_EQ(res.bytes_out, 10);
	CHECK_EQ(bufs[1].size, 6);
	CHECK_EQ(res.value, 0x1000 + 4);

	/* SKIP failure then a STOP failure: status stays the first, the chain ends. */
	reset(0);
	add_ret(BOX_POLICY_SKIP, BOX_ERR_TIMEOUT);
	add_ret(BOX_POLICY_STOP, BOX_ERR_BUSY);
	add_ret(BOX_POLICY_STOP, BOX_OK);
	CHECK_EQ(run(&app_ctx), BOX_ERR_TIMEOUT);
	CHECK_EQ(res.failed_op, 0);
	CHECK_EQ(res.ops_run, 2);
	CHECK_EQ(res.op_status[1], (int8_t)BOX_ERR_BUSY);
	CHECK_EQ(res.op_status[2], (int8_t)BOX_ERR_NOT_RUN);
}

static void test_optional(void)
{
	reset(1);
	add_cmd(BOX_POLICY_OPTIONAL, BOX_NO_CRATE, 0, false, BOX_ERR_NOMEM, 0);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 2);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK_EQ(res.failed_op, BOX_NO_FAILED_OP);
	CHECK_EQ(res.ops_run, 2);
	CHECK_EQ(res.op_status[0], (int8_t)BOX_ERR_NOMEM);
	CHECK_EQ(res.op_status[1], 0);
	CHECK_EQ(res.bytes_out, 2);

	/* An OPTIONAL failure, then a SKIP failure: the SKIP one sets the status. */
	reset(0);
	add_ret(BOX_POLICY_OPTIONAL, BOX_ERR_NOMEM);
	add_ret(BOX_POLICY_SKIP, BOX_ERR_BUSY);
	add_ret(BOX_POLICY_OPTIONAL, BOX_ERR_FULL);
	CHECK_EQ(run(&app_ctx), BOX_ERR_BUSY);
	CHECK_EQ(res.failed_op, 1);
	CHECK_EQ(res.ops_run, 3);
	CHECK_EQ(res.op_status[2], (int8_t)BOX_ERR_FULL);
	CHECK_EQ(res.value, 0);   /* no op succeeded */

	/* All OPTIONAL and all failing: OK. */
	reset(0);
	for (unsigned i = 0; i < 5; i++)
		add_ret(BOX_POLICY_OPTIONAL, BOX_ERR_INVALID);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK_EQ(res.ops_run, 5);
	CHECK_EQ(res.op_status[4], (int8_t)BOX_ERR_INVALID);
}

static void test_feed(void)
{
	/* op0 writes Crate 1, op1 reads it by FEED and writes Crate 2, op2 feeds on. */
	reset(4);
	memcpy(mem[0], "abc", 3);
	bufs[0].size = 3;
	add_cmd(BOX_POLICY_STOP, 0, 1, false, 0, 6);
	add_cmd(BOX_POLICY_STOP, 1, 2, true, 0, 4);
	add_cmd(BOX_POLICY_STOP, 2, 3, true, 0, 2);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK_EQ(res.ops_run, 3);
	CHECK(memcmp(mem[1], "bcdbcd", 6) == 0);
	CHECK(memcmp(mem[2], "cdec", 4) == 0);
	CHECK(memcmp(mem[3], "de", 2) == 0);
	CHECK(calls[1].in == &bufs[1] && calls[1].in_size == 6);
	CHECK(calls[2].in == &bufs[2] && calls[2].in_size == 4);
	CHECK_EQ(res.bytes_out, 12);
	CHECK_EQ(bufs[0].size, 3);

	/* FEED after a SKIP failure: not called, NOT_RUN; STOP on it ends the chain. */
	reset(3);
	add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 1, false, BOX_ERR_BUSY, 6);
	add_cmd(BOX_POLICY_STOP, 1, 2, true, 0, 4);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 1);
	CHECK_EQ(run(&app_ctx), BOX_ERR_BUSY);
	CHECK_EQ(res.failed_op, 0);
	CHECK_EQ(res.ops_run, 1);
	CHECK_EQ(ncalls, 1);
	CHECK_EQ(res.op_status[1], (int8_t)BOX_ERR_NOT_RUN);
	CHECK_EQ(res.op_status[2], (int8_t)BOX_ERR_NOT_RUN);
	CHECK_EQ(bufs[2].size, 0);

	/* FEED after an OPTIONAL failure: its NOT_RUN is a STOP failure of its own. */
	reset(3);
	add_cmd(BOX_POLICY_OPTIONAL, BOX_NO_CRATE, 1, false, BOX_ERR_BUSY, 6);
	add_cmd(BOX_POLICY_STOP, 1, 2, true, 0, 4);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 1);
	CHECK_EQ(run(&app_ctx), BOX_ERR_NOT_RUN);
	CHECK_EQ(res.failed_op, 1);
	CHECK_EQ(res.ops_run, 1);

	/* NOT_RUN cascades down a FEED chain; an independent op after it still runs. */
	reset(4);
	add_cmd(BOX_POLICY_OPTIONAL, BOX_NO_CRATE, 1, false, BOX_ERR_FAULT, 0);
	add_cmd(BOX_POLICY_OPTIONAL, 1, 2, true, 0, 4);
	add_cmd(BOX_POLICY_OPTIONAL, 2, 3, true, 0, 4);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 9);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK_EQ(res.ops_run, 2);
	CHECK_EQ(ncalls, 2);
	CHECK_EQ(cmd_index(calls[1].params), 3);
	CHECK_EQ(res.op_status[0], (int8_t)BOX_ERR_FAULT);
	CHECK_EQ(res.op_status[1], (int8_t)BOX_ERR_NOT_RUN);
	CHECK_EQ(res.op_status[2], (int8_t)BOX_ERR_NOT_RUN);
	CHECK_EQ(res.op_status[3], 0);
	CHECK_EQ(res.bytes_out, 9);

	/* In-place: FEED of the same Crate the op writes. */
	reset(1);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 3);
	add_cmd(BOX_POLICY_STOP, 0, 0, true, 0, 3);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK(calls[1].in == &bufs[0] && calls[1].out == &bufs[0]);
	CHECK_EQ(mem[0][0], 0x11);
}

/* Decode failure at op `bad`: nothing runs, nothing changes. */
static void expect_decode_fail(int32_t want, unsigned bad, const struct exec_ctx *ctx, int line)
{
	uint64_t sizes[4];
	for (unsigned i = 0; i < 4; i++)
		sizes[i] = bufs[i].size;
	int32_t st = run(ctx);
	bool ok = st == want && res.status == want && res.ops_run == 0 && res.failed_op == bad &&
		  ncalls == 0 && res.bytes_out == 0 && res.value == 0 && res.cookie == 0xC00C1E5ull;
	for (unsigned i = 0; i < BOX_RESULT_OPS; i++) {
		int8_t e = i == bad ? (int8_t)want : i < plan.op_count ? (int8_t)BOX_ERR_NOT_RUN : 0;
		ok = ok && res.op_status[i] == e;
	}
	for (unsigned i = 0; i < 4; i++)
		ok = ok && bufs[i].size == sizes[i];
	if (ok) {
		check_passed++;
	} else {
		check_failed++;
		printf("FAIL %s:%d: decode: got %d (%s) at %u, ran %u, calls %u; want %d at %u\n",
		       __FILE__, line, st, box_status_name(st), res.failed_op, res.ops_run, ncalls,
		       want, bad);
	}
}

/* Three good ops, then op `bad` replaced by the caller. */
static void good3(void)
{
	reset(2);
	bufs[0].size = 5;
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 4);
	add_cmd(BOX_POLICY_STOP, 0, 1, true, 0, 4);
	add(OP_NONE, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
}

static void test_decode(void)
{
	static const uint8_t zeros[16];

	good3();
	plan.ops[2].op_id = OP_UNKNOWN;
	expect_decode_fail(BOX_ERR_INVALID_OPCODE, 2, &app_ctx, __LINE__);

	good3();
	plan.ops[1].param_size = 8;
	expect_decode_fail(BOX_ERR_INVALID, 1, &app_ctx, __LINE__);

	good3();
	plan.ops[2].param_size = 8;
	plan.ops[2].params = zeros;
	expect_decode_fail(BOX_ERR_INVALID, 2, &app_ctx, __LINE__);

	good3();
	plan.ops[0].params = NULL;
	expect_decode_fail(BOX_ERR_INVALID, 0, &app_ctx, __LINE__);

	good3();
	plan.ops[2].op_id = OP_NOHAND;
	expect_decode_fail(BOX_ERR_INVALID_OPCODE, 2, &app_ctx, __LINE__);

	good3();
	plan.ops[2].op_id = OP_SYS;
	expect_decode_fail(BOX_ERR_PERM, 2, &app_ctx, __LINE__);

	good3();
	plan.ops[1].policy = 3;
	expect_decode_fail(BOX_ERR_INVALID, 1, &app_ctx, __LINE__);

	good3();
	plan.ops[0].out = 2;
	expect_decode_fail(BOX_ERR_BOUNDS, 0, &app_ctx, __LINE__);

	good3();
	plan.ops[1].feed = false;
	plan.ops[1].in = 7;
	expect_decode_fail(BOX_ERR_BOUNDS, 1, &app_ctx, __LINE__);

	good3();
	plan.ops[0].feed = true;   /* FEED on op 0 */
	plan.ops[0].in = 0;
	expect_decode_fail(BOX_ERR_INVALID, 0, &app_ctx, __LINE__);

	good3();
	plan.ops[1].in = 1;        /* FEED that is not the previous op's output */
	expect_decode_fail(BOX_ERR_INVALID, 1, &app_ctx, __LINE__);

	/* The first failing op is reported, even when a later one fails too. */
	good3();
	plan.ops[1].op_id = OP_UTIL;
	plan.ops[1].param_size = 0;
	plan.ops[2].op_id = OP_UNKNOWN;
	expect_decode_fail(BOX_ERR_PERM, 1, &app_ctx, __LINE__);

	/* A failure past op 31 is not in op_status, but still in failed_op. */
	reset(0);
	for (unsigned i = 0; i < 40; i++)
		add(OP_APP, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	plan.ops[37].op_id = OP_UNKNOWN;
	expect_decode_fail(BOX_ERR_INVALID_OPCODE, 37, &app_ctx, __LINE__);
}

static void test_bad_args(void)
{
	good3();
	CHECK_EQ(manifest_execute(&reg, &plan, bufs, &app_ctx, NULL), BOX_ERR_INVALID);
	CHECK_EQ(manifest_execute(NULL, &plan, bufs, &app_ctx, &res), BOX_ERR_INVALID);
	CHECK_EQ(res.failed_op, BOX_NO_FAILED_OP);
	CHECK_EQ(res.cookie, 0xC00C1E5ull);
	CHECK_EQ(manifest_execute(&reg, NULL, bufs, &app_ctx, &res), BOX_ERR_INVALID);
	CHECK_EQ(manifest_execute(&reg, &plan, bufs, NULL, &res), BOX_ERR_INVALID);
	CHECK_EQ(manifest_execute(&reg, &plan, NULL, &app_ctx, &res), BOX_ERR_INVALID);
	plan.crate_count = BOX_MAX_CRATES + 1;
	CHECK_EQ(run(&app_ctx), BOX_ERR_INVALID);
	good3();
	plan.op_count = 0;
	CHECK_EQ(run(&app_ctx), BOX_ERR_INVALID);
	CHECK_EQ(res.ops_run, 0);
	plan.op_count = BOX_MAX_OPS + 1;
	CHECK_EQ(run(&app_ctx), BOX_ERR_INVALID);
	CHECK_EQ(ncalls, 0);
}

static void test_auth_gate(void)
{
	/* allowed[cabin][op]: NONE APP UTILITY SYSTEM NETWORK */
	static const bool allowed[BOX_AUTH_COUNT][BOX_AUTH_COUNT] = {
		[BOX_AUTH_NONE]    = { 1, 0, 0, 0, 0 },
		[BOX_AUTH_APP]     = { 1, 1, 0, 0, 0 },
		[BOX_AUTH_UTILITY] = { 1, 1, 1, 0, 0 },
		[BOX_AUTH_SYSTEM]  = { 1, 1, 1, 1, 1 },
		[BOX_AUTH_NETWORK] = { 1, 1, 0, 0, 1 },
	};
	for (uint8_t c = 0; c < BOX_AUTH_COUNT; c++)
		for (uint8_t o = 0; o < BOX_AUTH_COUNT; o++) {
			CHECK_EQ(auth_check(c, 0, o), allowed[c][o] ? BOX_OK : BOX_ERR_PERM);
			CHECK_EQ(auth_check(c, AUTH_TAG_GOD, o), BOX_OK);
			CHECK_EQ(auth_check(c, AUTH_TAG_STOPPED, o), BOX_ERR_PERM);
			CHECK_EQ(auth_check(c, AUTH_TAG_GOD | AUTH_TAG_STOPPED, o), BOX_ERR_PERM);
			/* Other tag bits change nothing. */
			CHECK_EQ(auth_check(c, ~(AUTH_TAG_GOD | AUTH_TAG_STOPPED), o),
				 allowed[c][o] ? BOX_OK : BOX_ERR_PERM);
		}
	/* Out-of-range levels fail closed, except for god. */
	CHECK_EQ(auth_check(BOX_AUTH_COUNT, 0, BOX_AUTH_NONE), BOX_ERR_PERM);
	CHECK_EQ(auth_check(255, 0, BOX_AUTH_NONE), BOX_ERR_PERM);
	CHECK_EQ(auth_check(BOX_AUTH_SYSTEM, 0, BOX_AUTH_COUNT), BOX_ERR_PERM);
	CHECK_EQ(auth_check(BOX_AUTH_SYSTEM, AUTH_TAG_GOD, 200), BOX_OK);
	CHECK_EQ(auth_check(200, AUTH_TAG_GOD | AUTH_TAG_STOPPED, 200), BOX_ERR_PERM);

	/* Through the engine: one op per level, every Cabin level. */
	static const uint64_t lvl_op[BOX_AUTH_COUNT] = { OP_NONE, OP_APP, OP_UTIL, OP_SYS, OP_NET };
	unsigned bad = 0;
	for (uint8_t c = 0; c < BOX_AUTH_COUNT; c++)
		for (uint8_t o = 0; o < BOX_AUTH_COUNT; o++) {
			struct exec_ctx ctx = { CALLER, c, 0, false, NULL, NULL };
			reset(0);
			add(OP_NONE, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
			add(lvl_op[o], BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
			int32_t st = run(&ctx);
			if (allowed[c][o] ? (st != BOX_OK || ncalls != 2)
					  : (st != BOX_ERR_PERM || ncalls != 0 || res.failed_op != 1))
				bad++;
		}
	CHECK_EQ(bad, 0);

	/* god at NONE runs a SYSTEM op; stopped (even with god) cannot run a NONE op. */
	struct exec_ctx god = { CALLER, BOX_AUTH_NONE, AUTH_TAG_GOD, false, NULL, NULL };
	struct exec_ctx stopped = { CALLER, BOX_AUTH_SYSTEM, AUTH_TAG_GOD | AUTH_TAG_STOPPED, false, NULL, NULL };
	reset(0);
	add(OP_SYS, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	add(OP_NET, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	CHECK_EQ(run(&god), BOX_OK);
	CHECK_EQ(ncalls, 2);
	reset(0);
	add(OP_NONE, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	expect_decode_fail(BOX_ERR_PERM, 0, &stopped, __LINE__);

	/* Kernel-internal Manifests bypass the gate, whatever the level and tags say. */
	struct exec_ctx kern = { NULL, BOX_AUTH_NONE, AUTH_TAG_STOPPED, true, NULL, NULL };
	reset(0);
	add(OP_SYS, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	add(OP_UTIL, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	add(OP_NET, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, NULL, 0);
	CHECK_EQ(run(&kern), BOX_OK);
	CHECK_EQ(ncalls, 3);
	CHECK(calls[0].caller == NULL);
	/* ... but not the other decode checks. */
	plan.ops[1].op_id = OP_NOHAND;
	ncalls = 0;
	expect_decode_fail(BOX_ERR_INVALID_OPCODE, 1, &kern, __LINE__);
}

static void test_long_chains(void)
{
	/* 64 ops, each feeding the next through two Crates in turn. */
	reset(2);
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 16);
	for (unsigned i = 1; i < 64; i++)
		add_cmd(BOX_POLICY_STOP, (uint8_t)((i - 1) % 2), (uint8_t)(i % 2), true, 0, 16);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK_EQ(res.ops_run, 64);
	CHECK_EQ(ncalls, 64);
	CHECK_EQ(res.bytes_out, 64 * 16);
	CHECK_EQ(res.failed_op, BOX_NO_FAILED_OP);
	CHECK_EQ(mem[1][15], (uint8_t)(0x10 + 63));  /* op 63 wrote Crate 1 */
	unsigned order_bad = 0;
	for (unsigned i = 0; i < 64; i++)
		order_bad += cmd_index(calls[i].params) != i;
	CHECK_EQ(order_bad, 0);

	/* 255 ops (the maximum), SKIP failure at op 40: status set, op_status only has 32. */
	reset(1);
	for (unsigned i = 0; i < BOX_MAX_OPS; i++)
		add_cmd(BOX_POLICY_SKIP, BOX_NO_CRATE, 0, false, i == 40 ? BOX_ERR_BUSY : 0, 1);
	CHECK_EQ(run(&app_ctx), BOX_ERR_BUSY);
	CHECK_EQ(res.ops_run, BOX_MAX_OPS);
	CHECK_EQ(res.failed_op, 40);
	CHECK_EQ(res.bytes_out, BOX_MAX_OPS - 1);
	unsigned nz = 0;
	for (unsigned i = 0; i < BOX_RESULT_OPS; i++)
		nz += res.op_status[i] != 0;
	CHECK_EQ(nz, 0);

	/* STOP failure at op 100 of 200. */
	reset(1);
	for (unsigned i = 0; i < 200; i++)
		add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, i == 100 ? BOX_ERR_FULL : 0, 1);
	CHECK_EQ(run(&app_ctx), BOX_ERR_FULL);
	CHECK_EQ(res.ops_run, 101);
	CHECK_EQ(ncalls, 101);
	CHECK_EQ(res.failed_op, 100);

	/* STOP failure at op 20 of 40: ops 21..31 show NOT_RUN. */
	reset(1);
	for (unsigned i = 0; i < 40; i++)
		add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, i == 20 ? BOX_ERR_FULL : 0, 1);
	CHECK_EQ(run(&app_ctx), BOX_ERR_FULL);
	CHECK_EQ(res.op_status[19], 0);
	CHECK_EQ(res.op_status[20], (int8_t)BOX_ERR_FULL);
	CHECK_EQ(res.op_status[31], (int8_t)BOX_ERR_NOT_RUN);
}

static void test_misbehaving_handlers(void)
{
	/* A status below int8 is clipped in op_status but kept in status. */
	reset(0);
	add_ret(BOX_POLICY_SKIP, -200);
	add_ret(BOX_POLICY_SKIP, BOX_OK);
	CHECK_EQ(run(&app_ctx), -200);
	CHECK_EQ(res.op_status[0], -128);
	CHECK_EQ(res.op_status[1], 0);
	CHECK_EQ(res.value, 99);

	/* A positive return is a handler bug: BOX_ERR_INTERNAL. */
	reset(0);
	add_ret(BOX_POLICY_STOP, 5);
	CHECK_EQ(run(&app_ctx), BOX_ERR_INTERNAL);
	CHECK_EQ(res.op_status[0], (int8_t)BOX_ERR_INTERNAL);
	CHECK_EQ(res.value, 0);

	/* size > capacity: clamped, BOX_ERR_INTERNAL, not counted in bytes_out. */
	reset(1);
	add(OP_OVER, BOX_POLICY_OPTIONAL, BOX_NO_CRATE, 0, false, NULL, 0);
	CHECK_EQ(run(&app_ctx), BOX_OK);
	CHECK_EQ(bufs[0].size, bufs[0].capacity);
	CHECK_EQ(res.op_status[0], (int8_t)BOX_ERR_INTERNAL);
	CHECK_EQ(res.bytes_out, 0);

	/* An op whose output does not fit reports BOUNDS, nothing written. */
	reset(1);
	bufs[0].capacity = 8;
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 9);
	CHECK_EQ(run(&app_ctx), BOX_ERR_BOUNDS);
	CHECK_EQ(bufs[0].size, 0);
}

/* OP_PENDING: parked and resumed by manifest_start/continue, a bug for manifest_execute. */
static void test_pending(void)
{
	static struct wait_params twice = {2, BOX_OK}, fails = {1, BOX_ERR_BUSY};
	struct manifest_cursor cur;

	/* manifest_execute never parks: a pending op is an internal error */
	reset(0);
	wait_calls = 0;
	add(OP_WAIT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, &twice, 8);
	CHECK_EQ(run(&app_ctx), BOX_ERR_INTERNAL);
	CHECK_EQ(res.op_status[0], BOX_ERR_INTERNAL);

	/* produce -> wait twice -> a FEED op that consumes the first op's output */
	reset(2);
	wait_calls = 0;
	add_cmd(BOX_POLICY_STOP, BOX_NO_CRATE, 0, false, 0, 4);
	add(OP_WAIT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, &twice, 8);
	add_cmd(BOX_POLICY_STOP, 0, 1, false, 0, 8);
	CHECK_EQ(manifest_start(&reg, &plan, bufs, &app_ctx, &res, &cur), OP_PENDING);
	CHECK_EQ(cur.next, 1);
	CHECK(cur.pending);
	CHECK_EQ(cur.park[0], 1);
	CHECK_EQ(cur.park[1], 0xABCD);
	CHECK_EQ(cur.wake_events, 4);
	CHECK_EQ(cur.wake_tsc, 1001);
	CHECK_EQ(res.ops_run, 1);                         /* the pending op is not counted yet */
	CHECK_EQ(res.op_status[1], BOX_ERR_NOT_RUN);
	CHECK_EQ(ncalls, 2);
	CHECK_EQ(manifest_continue(&reg, &plan, bufs, &app_ctx, &res, &cur), OP_PENDING);
	CHECK_EQ(cur.park[0], 2);
	CHECK_EQ(wait_park_seen[1], 1);                   /* park[] came back as it was left */
	CHECK_EQ(manifest_continue(&reg, &plan, bufs, &app_ctx, &res, &cur), BOX_OK);
	CHECK_EQ(wait_park_seen[2], 2);
	CHECK_EQ(wait_calls, 3);
	CHECK_EQ(res.ops_run, 3);
	CHECK_EQ(res.status, BOX_OK);
	CHECK_EQ(res.op_status[0], 0);
	CHECK_EQ(res.op_status[1], 0);
	CHECK_EQ(res.op_status[2], 0);
	CHECK_EQ(bufs[1].size, 8);
	CHECK_EQ(mem[1][0], 0x11);                        /* made from crate 0's 0x10 bytes */
	CHECK_EQ(res.bytes_out, 4 + 8);
	CHECK(!cur.pending);

	/* a waiting op that then fails stops the chain under STOP */
	reset(0);
	wait_calls = 0;
	add(OP_WAIT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, &fails, 8);
	add_ret(BOX_POLICY_STOP, BOX_OK);
	CHECK_EQ(manifest_start(&reg, &plan, bufs, &app_ctx, &res, &cur), OP_PENDING);
	CHECK_EQ(manifest_continue(&reg, &plan, bufs, &app_ctx, &res, &cur), BOX_ERR_BUSY);
	CHECK_EQ(res.failed_op, 0);
	CHECK_EQ(res.ops_run, 1);
	CHECK_EQ(res.op_status[1], BOX_ERR_NOT_RUN);

	/* a fresh op after a resumed one starts with park zeroed */
	reset(0);
	wait_calls = 0;
	static struct wait_params once = {1, BOX_OK};
	add(OP_WAIT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, &once, 8);
	add(OP_WAIT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, false, &once, 8);
	CHECK_EQ(manifest_start(&reg, &plan, bufs, &app_ctx, &res, &cur), OP_PENDING);
	CHECK_EQ(manifest_continue(&reg, &plan, bufs, &app_ctx, &res, &cur), OP_PENDING);
	CHECK_EQ(cur.next, 1);
	CHECK_EQ(wait_park_seen[2], 0);
	CHECK_EQ(manifest_continue(&reg, &plan, bufs, &app_ctx, &res, &cur), BOX_OK);
	CHECK_EQ(res.ops_run, 2);
}

int main(void)
{
	char err[128];
	const struct deck *decks[] = { &fake_deck };
	CHECK_EQ(registry_init_spec(&reg, spec, SPEC_N, decks, 1, err, sizeof(err)), 0);
	if (check_failed) {
		printf("registry: %s\n", err);
		return check_report();
	}
	test_ok_chain();
	test_stop();
	test_skip();
	test_optional();
	test_feed();
	test_decode();
	test_bad_args();
	test_auth_gate();
	test_long_chains();
	test_misbehaving_handlers();
	test_pending();
	return check_report();
}
