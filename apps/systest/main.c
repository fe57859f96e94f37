/*
 * systest: the System Deck end to end, from a SYSTEM Cabin.
 *
 * Run as `run=systest:system`.  Each step prints "systest: NAME ok" or
 * "systest: NAME FAILED (detail)" on the console; the exit status is the
 * number of failed steps.  Children are sysprobe (apps/sysprobe) and
 * exit42.  Steps:
 *   self       proc.info on itself and its start page agree (id, auth, name,
 *              argv), and proc.list names it
 *   heap       the heap range fills on first touch (user_pages grows by one
 *              per page touched; the bytes read back), also when the first
 *              touch is the kernel writing an output Crate that straddles
 *              two untouched pages
 *   spawn      spawn exit42 and sysprobe with arguments, wait for 42 and the
 *              argument-derived status; a second wait is NOENT; a missing
 *              program NOENT; bad argument strings INVALID; wait with no
 *              timeout on a live child TIMEOUT
 *   many       64 children at once, all reaped with status 42
 *   ipc        100 round trips with a sysprobe echo (each byte + 1 comes
 *              back), checksum of all that crossed; sends to nobody, to
 *              itself and of 100 bytes fail as they must
 *   kill       a spinning child is killed (the op completes once it is
 *              gone), and waiting for it gives BOX_PROC_KILLED
 *   exitop     a child ending itself with proc.exit 7 is reaped with 7
 *   perm       an APP child finds SYSTEM/UTILITY ops closed (sysprobe perm)
 *   events     tag a listening child, then notify.send and ipc.broadcast
 *              reach it exactly once each
 *   warm       the same pointer-Manifest sent again and again (the Guide's
 *              warm plan) still notices every change: a new fill value, an
 *              unknown op id, a Crate's direction, size, address, capacity
 *   ctx        ctx.use / ctx.get / ctx.clear, and bad lists refused
 */
#include <stdint.h>
#include "call.h"

static const struct box_start *start = (const struct box_start *)BOX_START_VA;
static int failures;

static void report(const char *step, int ok, const char *detail)
{
	char line[120];
	size_t n = 0;
	const char *parts[] = {"", step, ok ? " ok\n" : " FAILED (", ok ? "" : detail,
			       ok ? "" : ")\n"};
	for (unsigned i = 0; i < 5; i++)
		for (const char *s = parts[i]; *s && n < sizeof(line) - 1; s++)
			line[n++] = *s;
	line[n] = 0;
	say(line);
	failures += !ok;
}

#define CHECK(step, cond)                          \
	do {                                       \
		if (!(cond)) {                     \
			report(step, 0, #cond);    \
			return;                    \
		}                                  \
	} while (0)

static int64_t spawn(const char *args, uint64_t len, uint8_t auth, uint64_t *id)
{
	struct box_params_system_proc_spawn s = {.flags = 0, .auth = auth};
	return op(BOX_OP_SYSTEM_PROC_SPAWN, &s, sizeof(s), args, len, 0, 0, id, 0);
}

static int32_t wait_for(uint64_t id, uint64_t timeout_ns, int64_t *status)
{
	struct box_params_system_proc_wait w = {.cabin = id, .timeout_ns = timeout_ns};
	uint64_t value = 0;
	int64_t out = 0;
	uint64_t len = 0;
	int32_t st = op(BOX_OP_SYSTEM_PROC_WAIT, &w, sizeof(w), 0, 0, &out, sizeof(out), &value, &len);
	if (st == BOX_OK && (len != 8 || (uint64_t)out != value))
		return BOX_ERR_INTERNAL;
	*status = out;
	return st;
}

static int32_t info(uint64_t id, struct box_proc_info *pi)
{
	struct box_params_system_proc_info p = {.cabin = id};
	uint64_t len = 0;
	int32_t st = op(BOX_OP_SYSTEM_PROC_INFO, &p, sizeof(p), 0, 0, pi, sizeof(*pi), 0, &len);
	return st == BOX_OK && len != sizeof(*pi) ? BOX_ERR_INTERNAL : st;
}

static void step_self(void)
{
	struct box_proc_info pi;
	CHECK("self", info(0, &pi) == BOX_OK);
	CHECK("self", start->magic == BOX_START_MAGIC && start->version == BOX_START_VERSION);
	CHECK("self", pi.id == start->cabin && pi.parent == 0 && start->parent == 0);
	CHECK("self", pi.auth == BOX_AUTH_SYSTEM && start->auth == BOX_AUTH_SYSTEM);
	CHECK("self", pi.state == BOX_PROC_RUNNING || pi.state == BOX_PROC_BLOCKED);
	CHECK("self", memcmp(pi.name, "systest", 8) == 0);
	CHECK("self", start->argc == 1 && memcmp(start->args, "systest", 8) == 0);
	CHECK("self", start->tsc_hz > 0 && start->heap_size >= (1u << 20));
	uint64_t ids[64], len = 0, count = 0;
	CHECK("self", op(BOX_OP_SYSTEM_PROC_LIST, 0, 0, 0, 0, ids, sizeof(ids), &count, &len) ==
			      BOX_OK);
	CHECK("self", len % 8 == 0 && len / 8 == (count < 64 ? count : 64) && count >= 1);
	int found = 0;
	for (uint64_t i = 0; i < len / 8; i++)
		found |= ids[i] == pi.id;
	CHECK("self", found);
	report("self", 1, "");
}

static void step_heap(void)
{
	struct box_proc_info before, after;
	CHECK("heap", info(0, &before) == BOX_OK);
	volatile uint64_t *a = (uint64_t *)(start->heap_base + (5u << 20));
	volatile uint64_t *b = (uint64_t *)(start->heap_base + (9u << 20) + 8);
	CHECK("heap", *a == 0);
	*a = 0x1234567887654321ull;
	*b = 42;
	CHECK("heap", *a == 0x1234567887654321ull && *b == 42);
	CHECK("heap", info(0, &after) == BOX_OK);
	CHECK("heap", after.user_pages == before.user_pages + 2);
	CHECK("heap", after.kernel_bytes > 0);
	/* an output Crate on heap pages never touched: the kernel backs them first */
	struct box_proc_info *fresh = (struct box_proc_info *)(start->heap_base + (20u << 20) - 40);
	CHECK("heap", info(0, fresh) == BOX_OK && fresh->id == start->cabin);
	CHECK("heap", info(0, &after) == BOX_OK && after.user_pages == before.user_pages + 4);
	report("heap", 1, "");
}

static void step_spawn(void)
{
	uint64_t id, id2;
	int64_t status;
	CHECK("spawn", spawn("exit42", 7, BOX_AUTH_APP, &id) == BOX_OK && id != 0);
	CHECK("spawn", wait_for(id, 10000000000ull, &status) == BOX_OK && status == 42);
	CHECK("spawn", wait_for(id, 0, &status) == BOX_ERR_NOENT);
	static const char args[] = "sysprobe\0args\0hello";
	CHECK("spawn", spawn(args, sizeof(args), BOX_SPAWN_AUTH_SAME, &id2) == BOX_OK);
	CHECK("spawn", wait_for(id2, 10000000000ull, &status) == BOX_OK && status == 3 * 10 + 5);
	CHECK("spawn", spawn("nosuchapp", 10, BOX_AUTH_APP, &id) == BOX_ERR_NOENT);
	CHECK("spawn", spawn("exit42", 6, BOX_AUTH_APP, &id) == BOX_ERR_INVALID);  /* no NUL */
	CHECK("spawn", spawn("\0exit42", 8, BOX_AUTH_APP, &id) == BOX_ERR_INVALID); /* empty argv[0] */
	CHECK("spawn", spawn("exit42", 7, 9, &id) == BOX_ERR_INVALID);              /* no such level */
	static const char spin[] = "sysprobe\0spin";
	CHECK("spawn", spawn(spin, sizeof(spin), BOX_AUTH_APP, &id) == BOX_OK);
	CHECK("spawn", wait_for(id, 0, &status) == BOX_ERR_TIMEOUT);
	CHECK("spawn", wait_for(id, 30000000ull, &status) == BOX_ERR_TIMEOUT); /* 30 ms */
	struct box_params_system_proc_kill k = {.cabin = id};
	CHECK("spawn", op(BOX_OP_SYSTEM_PROC_KILL, &k, sizeof(k), 0, 0, 0, 0, 0, 0) == BOX_OK);
	CHECK("spawn", wait_for(id, 0, &status) == BOX_OK && status == BOX_PROC_KILLED);
	report("spawn", 1, "");
}

static void step_many(void)
{
	uint64_t ids[64];
	int64_t status;
	for (unsigned i = 0; i < 64; i++)
		CHECK("many", spawn("exit42", 7, BOX_AUTH_APP, &ids[i]) == BOX_OK);
	for (unsigned i = 0; i < 64; i++)
		CHECK("many", wait_for(ids[i], 10000000000ull, &status) == BOX_OK && status == 42);
	report("many", 1, "");
}

static void step_ipc(void)
{
	static const char echo[] = "sysprobe\0echo";
	uint64_t id, value, len;
	int64_t status;
	CHECK("ipc", spawn(echo, sizeof(echo), BOX_AUTH_APP, &id) == BOX_OK);
	uint64_t sum = 0;
	for (unsigned round = 0; round < 100; round++) {
		uint8_t msg[16], answer[16];
		for (unsigned i = 0; i < sizeof(msg); i++)
			msg[i] = (uint8_t)(round * 7 + i);
		struct box_params_system_ipc_send s = {.target = id, .cookie = round};
		CHECK("ipc", op(BOX_OP_SYSTEM_IPC_SEND, &s, sizeof(s), msg, sizeof(msg), answer,
				sizeof(answer), &value, &len) == BOX_OK);
		CHECK("ipc", value == sizeof(msg) && len == sizeof(msg));
		for (unsigned i = 0; i < sizeof(msg); i++) {
			CHECK("ipc", answer[i] == (uint8_t)(msg[i] + 1));
			sum = sum * 31 + answer[i];
		}
	}
	char bye[8];
	struct box_params_system_ipc_send q = {.target = id, .cookie = 999};
	CHECK("ipc", op(BOX_OP_SYSTEM_IPC_SEND, &q, sizeof(q), "quit", 4, bye, sizeof(bye), 0, &len) ==
			     BOX_OK && len == 3 && memcmp(bye, "bye", 3) == 0);
	CHECK("ipc", wait_for(id, 10000000000ull, &status) == BOX_OK && status == 0);
	/* the echo is gone now */
	CHECK("ipc", op(BOX_OP_SYSTEM_IPC_SEND, &q, sizeof(q), "x", 1, bye, sizeof(bye), 0, 0) ==
			     BOX_ERR_NOENT);
	q.target = start->cabin;
	CHECK("ipc", op(BOX_OP_SYSTEM_IPC_SEND, &q, sizeof(q), "x", 1, bye, sizeof(bye), 0, 0) ==
			     BOX_ERR_INVALID);
	static uint8_t big[100];
	q.target = id;
	CHECK("ipc", op(BOX_OP_SYSTEM_IPC_SEND, &q, sizeof(q), big, sizeof(big), 0, 0, 0, 0) ==
			     BOX_ERR_TOO_BIG);
	struct box_params_system_ipc_reply r = {.msg_id = 12345};
	CHECK("ipc", op(BOX_OP_SYSTEM_IPC_REPLY, &r, sizeof(r), "x", 1, 0, 0, 0, 0) == BOX_ERR_NOENT);
	char line[64] = "ipc 100 round trips, checksum ";
	size_t n = strlen(line);
	for (int shift = 60; shift >= 0; shift -= 4)
		line[n++] = "0123456789abcdef"[(sum >> shift) & 15];
	line[n++] = '\n';
	line[n] = 0;
	say(line);
	report("ipc", 1, "");
}

static void step_exitop(void)
{
	static const char args[] = "sysprobe\0exitop";
	uint64_t id;
	int64_t status;
	CHECK("exitop", spawn(args, sizeof(args), BOX_AUTH_APP, &id) == BOX_OK);
	CHECK("exitop", wait_for(id, 10000000000ull, &status) == BOX_OK && status == 7);
	report("exitop", 1, "");
}

static void step_perm(void)
{
	static const char args[] = "sysprobe\0perm";
	uint64_t id;
	int64_t status = -1;
	CHECK("perm", spawn(args, sizeof(args), BOX_AUTH_APP, &id) == BOX_OK);
	CHECK("perm", wait_for(id, 10000000000ull, &status) == BOX_OK);
	if (status != 0) {
		char d[] = "sysprobe perm check N failed";
		d[sizeof(d) - 9] = (char)('0' + (status % 10));
		report("perm", 0, d);
		return;
	}
	report("perm", 1, "");
}

static void step_events(void)
{
	static const char args[] = "sysprobe\0listen";
	uint64_t id, tags = 0, value = 0;
	int64_t status = -1;
	struct box_message m;
	CHECK("events", spawn(args, sizeof(args), BOX_AUTH_APP, &id) == BOX_OK);
	CHECK("events", next_message(&m, 10000000) == 0);
	CHECK("events", m.kind == BOX_MSG_IPC && m.sender == id && m.cookie == 5 && m.length == 5 &&
				memcmp(m.payload, "ready", 5) == 0);
	struct box_params_system_tag_add t = {.cabin = id};
	CHECK("events", op(BOX_OP_SYSTEM_TAG_ADD, &t, sizeof(t), "blue", 4, 0, 0, &tags, 0) == BOX_OK);
	CHECK("events", tags != 0 && (tags & (tags - 1)) == 0);
	struct box_params_system_ipc_reply r = {.msg_id = m.msg_id};
	CHECK("events", op(BOX_OP_SYSTEM_IPC_REPLY, &r, sizeof(r), "go", 2, 0, 0, 0, 0) == BOX_OK);
	struct box_params_system_notify_send ev = {.tag_mask = 0x300, .event = 7};
	CHECK("events", op(BOX_OP_SYSTEM_NOTIFY_SEND, &ev, sizeof(ev), "ev", 2, 0, 0, &value, 0) ==
				BOX_OK && value == 1);
	struct box_params_system_ipc_broadcast b = {.tag_mask = tags};
	CHECK("events", op(BOX_OP_SYSTEM_IPC_BROADCAST, &b, sizeof(b), "all", 3, 0, 0, &value, 0) ==
				BOX_OK && value == 1);
	CHECK("events", wait_for(id, 10000000000ull, &status) == BOX_OK);
	if (status != 0) {
		char d[] = "sysprobe listen check N failed";
		d[sizeof(d) - 9] = (char)('0' + (status % 10));
		report("events", 0, d);
		return;
	}
	struct box_params_system_tag_remove tr = {.cabin = 0};
	CHECK("events", op(BOX_OP_SYSTEM_TAG_REMOVE, &tr, sizeof(tr), "never-seen", 10, 0, 0, 0, 0) ==
				BOX_ERR_NOENT);
	CHECK("events", op(BOX_OP_SYSTEM_TAG_ADD, &t, sizeof(t), "Bad Tag", 7, 0, 0, 0, 0) ==
				BOX_ERR_NOENT); /* the child is gone */
	t.cabin = 0;
	CHECK("events", op(BOX_OP_SYSTEM_TAG_ADD, &t, sizeof(t), "Bad Tag", 7, 0, 0, 0, 0) ==
				BOX_ERR_INVALID);
	report("events", 1, "");
}

/* The Guide's warm plan (kernel/core/warm.c) must never run a stale chain. */
static int32_t warm_send(uint8_t *manifest, uint32_t len, struct box_crate *crates,
			 uint16_t n, struct box_result *res)
{
	struct box_pocket p;
	box_pocket_init(&p, manifest, len, crates, n);
	int st = box_call(&p, res, CALL_WAIT_US);
	return st == BOX_OK ? res->status : st;
}

static void step_warm(void)
{
	static uint8_t manifest[128] __attribute__((aligned(8)));
	static uint8_t buf[16] __attribute__((aligned(8)));
	static struct box_crate crates[1];
	struct box_mb mb;
	struct box_result res;
	struct box_params_operations_fill f = {.offset = 0, .length = 8, .value = 'a'};
	struct box_params_execution_result er = {.code = 5};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	CHECK("warm", box_mb_add(&mb, BOX_OP_OPERATIONS_FILL, BOX_POLICY_STOP, BOX_NO_CRATE, 0, &f,
				 sizeof(f)) == 0);
	CHECK("warm", box_mb_add(&mb, BOX_OP_EXECUTION_RESULT, BOX_POLICY_STOP, BOX_NO_CRATE,
				 BOX_NO_CRATE, &er, sizeof(er)) == 0);
	crates[0] = (struct box_crate){.addr = (uint64_t)buf, .size = 0, .capacity = sizeof(buf),
				       .dir = BOX_CRATE_OUT};
	/* the first send decodes, the next ones may run the kept plan */
	for (int round = 0; round < 3; round++) {
		memset(buf, 0, sizeof(buf));
		CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_OK);
		CHECK("warm", res.value == 5 && buf[0] == 'a' && buf[7] == 'a' && buf[8] == 0);
	}
	/* the fill value is the 8th..: find and change it in place */
	uint8_t *value = manifest + 8 + 16 + 16; /* header, op entry, offset and length */
	CHECK("warm", *value == 'a');
	*value = 'b';
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_OK && buf[0] == 'b');
	/* an op id changed to one nobody knows */
	uint64_t *op_id = (uint64_t *)(manifest + 8);
	uint64_t saved = *op_id;
	*op_id = 0x0123456789ABCDEFull;
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_ERR_INVALID_OPCODE);
	*op_id = saved;
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_OK);
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_OK);
	/* Crate descriptors changed under the same Pocket shape */
	crates[0].dir = BOX_CRATE_IN;
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_ERR_INVALID);
	crates[0].dir = BOX_CRATE_OUT;
	crates[0].size = 17;
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_ERR_BOUNDS);
	crates[0].size = 0;
	crates[0].addr = 0xFFFF800000000000ull;
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_ERR_FAULT);
	crates[0].addr = (uint64_t)buf;
	crates[0].capacity = 4;
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) != BOX_OK);
	crates[0].capacity = sizeof(buf);
	*value = 'c';
	CHECK("warm", warm_send(manifest, mb.len, crates, 1, &res) == BOX_OK && buf[0] == 'c');
	report("warm", 1, "");
}

static void step_ctx(void)
{
	char got[64];
	uint64_t len = 0, value = 0;
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_USE, 0, 0, "kernel notify", 13, 0, 0, &value, 0) == BOX_OK &&
			     value == 2);
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_GET, 0, 0, 0, 0, got, sizeof(got), &value, &len) == BOX_OK);
	CHECK("ctx", value == 2 && len == 13 && memcmp(got, "kernel notify", 13) == 0);
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_GET, 0, 0, 0, 0, got, 5, 0, 0) == BOX_ERR_BOUNDS);
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_USE, 0, 0, "Kernel!", 7, 0, 0, 0, 0) == BOX_ERR_INVALID);
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_USE, 0, 0, "a b c d e f g h i", 17, 0, 0, 0, 0) ==
			     BOX_ERR_TOO_BIG);
	/* a refused list leaves the context as it was */
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_GET, 0, 0, 0, 0, got, sizeof(got), &value, &len) == BOX_OK &&
			     len == 13);
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_CLEAR, 0, 0, 0, 0, 0, 0, 0, 0) == BOX_OK);
	CHECK("ctx", op(BOX_OP_SYSTEM_CTX_GET, 0, 0, 0, 0, got, sizeof(got), &value, &len) == BOX_OK &&
			     len == 0 && value == 0);
	report("ctx", 1, "");
}

int main(void)
{
	if (box_rings_init() != BOX_OK)
		return 100;
	step_self();
	step_heap();
	step_spawn();
	step_many();
	step_ipc();
	step_exitop();
	step_perm();
	step_events();
	step_warm();
	step_ctx();
	say(failures ? "FAILED\n" : "all steps passed\n");
	return failures;
}
