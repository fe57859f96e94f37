/*
 * rows.c: how the bench app measures each row.
 *
 * Every row first runs r->warmup untimed rounds (caches, TLBs, the
 * K-Core's first wake-up), then `iters` timed ones; one sample per round.
 * The Pocket rows push with box_submit() (no waiting for the Result) and
 * then either spin on the Result ring (pocket.rtt, chain.64, hash.xxh3:
 * the K-Core's answer as soon as it is there) or wait with box_result_next()
 * (pocket.wait: what box_op and every typed wrapper does, WAIT included).
 * ipc.rtt and spawn use the typed wrappers, as any app would.  Every Result
 * is checked (status, ops run, value), so a row cannot time a failure.
 */
#include "bench.h"
#include "boxlib/calls.h"
#include "boxlib/inbox.h"
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/pocket.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define WAIT_SECONDS 5
/* The ping-pong's waits pause after 1, 2, 4, ... tight spins, as in
 * decks/system_bench.c: under multi-threaded QEMU a pause on every spin
 * starves the other vCPUs of QEMU's global lock for as long as the other
 * side spins too.  spin_result() pauses on every spin: the K-Core does not
 * spin meanwhile, and a back-off there was seen to triple pocket.rtt. */
#define BACKOFF_MAX 65536u

static uint64_t limit_cycles(void)
{
	return bench_cfg.tsc_hz * WAIT_SECONDS;
}

/* One op as an inline Manifest in p (every other field zero). */
static void inline_pocket(struct box_pocket *p, uint64_t op, const void *params, uint16_t psize,
			  uint8_t in, uint8_t out, const struct box_crate *crates, uint16_t ncrates)
{
	memset(p, 0, sizeof(*p));
	struct box_mb mb;
	box_mb_begin(&mb, p->inline_manifest, sizeof(p->inline_manifest));
	box_mb_add(&mb, op, BOX_POLICY_STOP, in, out, params, psize);
	p->flags = BOX_POCKET_INLINE;
	p->manifest_size = (uint16_t)mb.len;
	p->crate_count = ncrates;
	p->crates = ncrates ? (uint64_t)(uintptr_t)crates : 0;
}

/* Spin on the Result ring (no WAIT) until the next Result is there. */
static int spin_result(struct box_result *res)
{
	const struct ring *results = box_result_ring();
	if (!results)
		return BOX_ERR_INVALID;
	uint64_t start = tsc_begin();
	for (uint32_t n = 1;; n++) {
		int rc = ring_pop(results, res);
		if (rc != BOX_ERR_NOENT)
			return rc;
		if ((n & 255) == 0 && tsc_begin() - start > limit_cycles())
			return BOX_ERR_TIMEOUT;
		bench_pause();
	}
}

/*
 * Time `rounds` round trips of Pocket p, checking each Result: status OK,
 * ops_run == ops, and the same value every time.  per divides each sample.
 */
static void time_pockets(struct row *r, struct box_pocket *p, uint16_t ops, int wait,
			 uint64_t per, uint64_t *value)
{
	struct box_result res;
	for (uint32_t i = 0; i < r->warmup + r->iters; i++) {
		uint64_t t0 = tsc_begin();
		int rc = box_submit(p);
		if (rc == BOX_OK)
			rc = wait ? box_result_next(&res, WAIT_SECONDS * 1000000ull) : spin_result(&res);
		uint64_t t1 = tsc_end();
		if (rc != BOX_OK) {
			row_fail(r, ROW_FAILED, "round %u: %s", i, box_status_name(rc));
			return;
		}
		if (res.cookie != p->cookie || res.status != BOX_OK || res.ops_run != ops) {
			row_fail(r, ROW_FAILED, "round %u: status %s, %u ops run, cookie %llu", i,
				 box_status_name(res.status), res.ops_run,
				 (unsigned long long)res.cookie);
			return;
		}
		if (i == 0)
			*value = res.value;
		else if (res.value != *value) {
			row_fail(r, ROW_FAILED, "round %u: value %llu, first %llu", i,
				 (unsigned long long)res.value, (unsigned long long)*value);
			return;
		}
		if (i >= r->warmup)
			row_add(r, t0, t1, per);
	}
}

void bench_rdtsc(struct row *r)
{
	for (uint32_t i = 0; i < r->warmup + r->iters; i++) {
		uint64_t t0 = tsc_begin();
		uint64_t t1 = tsc_end();
		if (i >= r->warmup)
			row_add(r, t0, t1, 1);
	}
}

/* The shared word, alone on its cache line. */
static volatile uint64_t line[8] __attribute__((aligned(64)));

void bench_cacheline(struct row *r)
{
	static struct box_pocket p;
	static struct box_crate crate;
	uint32_t rounds = r->warmup + r->iters;
	line[0] = 0;
	crate = (struct box_crate){.addr = (uint64_t)(uintptr_t)line, .size = 8,
				   .capacity = sizeof(line), .dir = BOX_CRATE_INOUT};
	struct box_params_system_bench_pingpong prm = {.rounds = rounds};
	inline_pocket(&p, BOX_OP_SYSTEM_BENCH_PINGPONG, &prm, sizeof(prm), BOX_NO_CRATE, 0, &crate, 1);
	int rc = box_submit(&p);
	if (rc != BOX_OK) {
		row_fail(r, ROW_FAILED, "submit: %s", box_status_name(rc));
		return;
	}
	const struct ring *results = box_result_ring();
	uint32_t k = 0;
	/* on one CPU the doorbell ran the Guide already: the Result is there */
	int ended = ring_count(results) != 0, timed_out = 0;
	for (; k < rounds && !ended && !timed_out; k++) {
		uint64_t want = 2ull * k + 2, start = 0;
		uint64_t t0 = tsc_begin();
		__atomic_store_n(&line[0], want - 1, __ATOMIC_RELEASE);
		uint32_t spins = 0, budget = 1;
		for (uint32_t n = 1; __atomic_load_n(&line[0], __ATOMIC_ACQUIRE) != want;) {
			if (++spins < budget)
				continue;
			spins = 0;
			if (budget < BACKOFF_MAX)
				budget *= 2;
			if ((n++ & 63) == 0) {
				if (ring_count(results) != 0) {
					ended = 1; /* the K-Core gave up (or refused) */
					break;
				}
				uint64_t now = tsc_begin();
				if (!start)
					start = now;
				else if (now - start > limit_cycles()) {
					timed_out = 1;
					break;
				}
			}
			bench_pause();
		}
		uint64_t t1 = tsc_end();
		if (!ended && !timed_out && k >= r->warmup)
			row_add(r, t0, t1, 1);
	}
	struct box_result res;
	rc = spin_result(&res);
	if (rc != BOX_OK) {
		row_fail(r, ROW_FAILED, "no Result: %s", box_status_name(rc));
		return;
	}
	if (res.status == BOX_ERR_BUSY)
		row_fail(r, ROW_NA, "one CPU: the K-Core is this core (%s)", box_status_name(res.status));
	else if (res.status != BOX_OK || res.value != rounds || timed_out)
		row_fail(r, ROW_FAILED, "%s; bench at round %u of %u, word %llu%s",
			 box_status_name(res.status), k, rounds, (unsigned long long)line[0],
			 timed_out ? ", bench timed out" : "");
}

void bench_syscall(struct row *r)
{
	for (uint32_t i = 0; i < r->warmup + r->iters; i++) {
		uint64_t t0 = tsc_begin();
		long rc = box_notify(BOX_NOTIFY_NOP, 0, 0, 0);
		uint64_t t1 = tsc_end();
		if (rc != BOX_OK) {
			row_fail(r, ROW_FAILED, "NOP answered %ld", rc);
			return;
		}
		if (i >= r->warmup)
			row_add(r, t0, t1, 1);
	}
}

void bench_pocket(struct row *r, int wait)
{
	static struct box_pocket p;
	struct box_params_execution_result prm = {.code = 7};
	inline_pocket(&p, BOX_OP_EXECUTION_RESULT, &prm, sizeof(prm), BOX_NO_CRATE, BOX_NO_CRATE,
		      NULL, 0);
	uint64_t value = 0;
	time_pockets(r, &p, 1, wait, 1, &value);
	if (r->state == ROW_OK && value != 7)
		row_fail(r, ROW_FAILED, "value %llu, expected 7", (unsigned long long)value);
}

/* 64 ops of 16 + 8 bytes and the header: a pointer Manifest. */
static uint8_t chain_buf[8 + CHAIN_OPS * 24] __attribute__((aligned(8)));

void bench_chain(struct row *r)
{
	static struct box_pocket p;
	struct box_mb mb;
	box_mb_begin(&mb, chain_buf, sizeof(chain_buf));
	for (uint32_t i = 0; i < CHAIN_OPS; i++) {
		struct box_params_execution_result prm = {.code = i + 1};
		if (box_mb_add(&mb, BOX_OP_EXECUTION_RESULT, BOX_POLICY_STOP, BOX_NO_CRATE,
			       BOX_NO_CRATE, &prm, sizeof(prm)) != 0) {
			row_fail(r, ROW_FAILED, "Manifest does not fit");
			return;
		}
	}
	box_pocket_init(&p, chain_buf, mb.len, NULL, 0);
	uint64_t value = 0;
	time_pockets(r, &p, CHAIN_OPS, 0, CHAIN_OPS, &value);
	if (r->state == ROW_OK && value != CHAIN_OPS)
		row_fail(r, ROW_FAILED, "value %llu, expected %u", (unsigned long long)value, CHAIN_OPS);
}

static uint8_t hash_input[HASH_BYTES] __attribute__((aligned(64)));

void bench_hash(struct row *r)
{
	static struct box_pocket p;
	static uint8_t hash_out[8] __attribute__((aligned(8)));
	static struct box_crate crates[2];
	uint32_t x = 0x9E3779B9u;
	for (uint32_t i = 0; i < HASH_BYTES; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		hash_input[i] = (uint8_t)x;
	}
	crates[0] = (struct box_crate){.addr = (uint64_t)(uintptr_t)hash_input, .size = HASH_BYTES,
				       .capacity = HASH_BYTES, .dir = BOX_CRATE_IN};
	crates[1] = (struct box_crate){.addr = (uint64_t)(uintptr_t)hash_out, .size = 0,
				       .capacity = sizeof(hash_out), .dir = BOX_CRATE_OUT};
	struct box_params_operations_hash prm = {.seed = 1};
	inline_pocket(&p, BOX_OP_OPERATIONS_HASH, &prm, sizeof(prm), 0, 1, crates, 2);
	uint64_t value = 0;
	time_pockets(r, &p, 1, 0, 1, &value);
}

void bench_ipc(struct row *r)
{
	static const char args[] = "bench\0--echo";
	uint64_t child = 0;
	int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, sizeof(args), NULL, 0, NULL,
					   &child);
	if (st != BOX_OK) {
		row_fail(r, ROW_FAILED, "spawn bench --echo: %s", box_status_name(st));
		return;
	}
	for (uint32_t i = 0; i < r->warmup + r->iters; i++) {
		uint8_t msg[16], reply[BOX_MESSAGE_PAYLOAD];
		for (unsigned b = 0; b < sizeof(msg); b++)
			msg[b] = (uint8_t)(i * 13 + b);
		uint64_t len = 0;
		uint64_t t0 = tsc_begin();
		st = box_system_ipc_send(child, i, WAIT_SECONDS * 1000000000ull, msg, sizeof(msg), reply,
					 sizeof(reply), &len, NULL);
		uint64_t t1 = tsc_end();
		if (st != BOX_OK || len != sizeof(msg) || memcmp(msg, reply, sizeof(msg)) != 0) {
			row_fail(r, ROW_FAILED, "round %u: %s, %llu bytes back", i, box_status_name(st),
				 (unsigned long long)len);
			break;
		}
		if (i >= r->warmup)
			row_add(r, t0, t1, 1);
	}
	uint64_t len = 0, status = 0;
	uint8_t bye[BOX_MESSAGE_PAYLOAD];
	box_system_ipc_send(child, 0, WAIT_SECONDS * 1000000000ull, "quit", 4, bye, sizeof(bye), &len,
			    NULL);
	st = box_system_proc_wait(child, WAIT_SECONDS * 1000000000ull, NULL, 0, NULL, &status);
	if (st != BOX_OK || status != 0)
		row_fail(r, ROW_FAILED, "echo child: wait %s, status %lld", box_status_name(st),
			 (long long)status);
}

int bench_echo(void)
{
	struct box_message m;
	for (;;) {
		if (box_inbox_wait(&m, 10ull * 1000000) != BOX_OK)
			return 1;
		if (m.kind != BOX_MSG_IPC)
			continue;
		int quit = m.length == 4 && memcmp(m.payload, "quit", 4) == 0;
		if (box_system_ipc_reply(m.msg_id, m.payload, m.length, NULL) != BOX_OK)
			return 2;
		if (quit)
			return 0;
	}
}

void bench_spawn(struct row *r)
{
	static const char args[] = "nop";
	for (uint32_t i = 0; i < r->warmup + r->iters; i++) {
		uint64_t child = 0, status = 1;
		uint64_t t0 = tsc_begin();
		int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, sizeof(args), NULL, 0,
						   NULL, &child);
		if (st == BOX_OK)
			st = box_system_proc_wait(child, WAIT_SECONDS * 1000000000ull, NULL, 0, NULL,
						  &status);
		uint64_t t1 = tsc_end();
		if (st != BOX_OK || status != 0) {
			row_fail(r, ROW_FAILED, "round %u: %s, status %lld", i, box_status_name(st),
				 (long long)status);
			return;
		}
		if (i >= r->warmup)
			row_add(r, t0, t1, 1);
	}
}
