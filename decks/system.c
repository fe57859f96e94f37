/*
 * system.c: the System Deck's table, its shared state, and trace.read.
 *
 * The handlers live by vocabulary: system_proc.c (spawn, kill, exit, wait,
 * list, info), system_ipc.c (ipc send/reply/broadcast, listen, notify),
 * system_tags.c (tag add/remove, the use context).  Shared helpers and the
 * Deck's state (tag names, the Listen table) are here.
 *
 * trace.read writes the newest PerfTrace entries (core/perftrace.h, 32
 * bytes each: u64 tsc, u32 cabin, u8 deck, 3 zero bytes, u64 op id, i32
 * status, u32 low sequence bits), oldest first, as many whole entries as
 * the output's capacity holds (the op's own dispatch is recorded after it
 * returns, so it is not among them).  out->size = bytes written, value =
 * entries written.  With PerfTrace compiled out (BOXOS_PERFTRACE=0) the
 * output is empty and value 0.
 */
#include <stdint.h>

#include "decks/system.h"
#include "decks/decks.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "core/cabin.h"
#include "core/perftrace.h"

static struct tags tags;
static struct listen_table listen;
static bool state_ready;

static void ready(void)
{
	if (!state_ready) {
		tags_init(&tags);
		listen_init(&listen);
		state_ready = true;
	}
}

struct tags *sys_tags(void)
{
	ready();
	return &tags;
}

struct listen_table *sys_listen(void)
{
	ready();
	return &listen;
}

void system_deck_forget_gone(void)
{
	if (!state_ready)
		return;
	for (unsigned i = 0; i < LISTEN_SLOTS; i++) {
		uint32_t id = listen.e[i].cabin;
		if (!id)
			continue;
		struct cabin *c = cabin_find(id);
		if (!c || c->state >= CABIN_EXITING)
			listen_forget(&listen, id);
	}
}

struct cabin *sys_target(const struct op_call *call, uint64_t id)
{
	if (id == 0)
		return call->caller;
	if (id > UINT32_MAX)
		return NULL;
	return cabin_find((uint32_t)id);
}

uint64_t sys_deadline(uint64_t timeout_ns)
{
	uint64_t per_us = timer_tsc_hz() / 1000000;
	uint64_t us = timeout_ns / 1000;
	uint64_t now = rdtsc();
	if (per_us && us > (UINT64_MAX - now) / per_us)
		return UINT64_MAX;
	return now + us * per_us;
}

int32_t sys_check_small_input(const struct op_buf *in, uint64_t max)
{
	if (!in)
		return BOX_OK;
	int32_t st = op_check_buf(in);
	if (st != BOX_OK)
		return st;
	return in->size > max ? BOX_ERR_TOO_BIG : BOX_OK;
}

int32_t sys_check_out(const struct op_buf *out, uint64_t n)
{
	if (!out)
		return BOX_ERR_INVALID;
	int32_t st = op_check_buf(out);
	if (st != BOX_OK)
		return st;
	return out->capacity < n ? BOX_ERR_BOUNDS : BOX_OK;
}

/* Only the Guide calls handlers, one at a time: too big for a kernel stack. */
static struct perftrace_entry snap[PERFTRACE_SLOTS];

static int32_t trace_read(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	uint64_t fit = out->capacity / sizeof(struct perftrace_entry);
	unsigned n = perftrace_snapshot(snap, fit < PERFTRACE_SLOTS ? (unsigned)fit : PERFTRACE_SLOTS);
	const uint8_t *src = (const uint8_t *)snap;
	uint64_t bytes = (uint64_t)n * sizeof(struct perftrace_entry);
	for (uint64_t i = 0; i < bytes; i++)
		out->data[i] = src[i];
	out->size = bytes;
	call->value = n;
	return BOX_OK;
}

static const struct deck_op ops[] = {
	{BOX_OP_SYSTEM_PROC_SPAWN, sys_proc_spawn},
	{BOX_OP_SYSTEM_PROC_KILL, sys_proc_kill},
	{BOX_OP_SYSTEM_PROC_EXIT, sys_proc_exit},
	{BOX_OP_SYSTEM_PROC_WAIT, sys_proc_wait},
	{BOX_OP_SYSTEM_PROC_LIST, sys_proc_list},
	{BOX_OP_SYSTEM_PROC_INFO, sys_proc_info},
	{BOX_OP_SYSTEM_IPC_SEND, sys_ipc_send},
	{BOX_OP_SYSTEM_IPC_REPLY, sys_ipc_reply},
	{BOX_OP_SYSTEM_IPC_BROADCAST, sys_ipc_broadcast},
	{BOX_OP_SYSTEM_TAG_ADD, sys_tag_add},
	{BOX_OP_SYSTEM_TAG_REMOVE, sys_tag_remove},
	{BOX_OP_SYSTEM_CTX_USE, sys_ctx_use},
	{BOX_OP_SYSTEM_CTX_CLEAR, sys_ctx_clear},
	{BOX_OP_SYSTEM_CTX_GET, sys_ctx_get},
	{BOX_OP_SYSTEM_LISTEN_ADD, sys_listen_add},
	{BOX_OP_SYSTEM_LISTEN_REMOVE, sys_listen_remove},
	{BOX_OP_SYSTEM_NOTIFY_SEND, sys_notify_send},
	{BOX_OP_SYSTEM_TRACE_READ, trace_read},
	{BOX_OP_SYSTEM_OP_LIST, sys_op_list},
	{BOX_OP_SYSTEM_MEM_INFO, sys_mem_info},
	{BOX_OP_SYSTEM_BENCH_PINGPONG, sys_bench_pingpong},
};

const struct deck system_deck = {
	"system", BOX_DECK_SYSTEM, ops, sizeof(ops) / sizeof(ops[0]),
};
