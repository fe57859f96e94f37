/*
 * system_proc.c: the System Deck's proc vocabulary, Cabins as ops.
 *
 *   proc.spawn  input: argc NUL-terminated strings (argv[0] = the program in
 *               the boot bundle, at most BOX_START_ARGS_MAX bytes in all);
 *               flags BOX_SPAWN_DETACHED or 0; auth an enum box_auth level
 *               the caller itself may use, or BOX_SPAWN_AUTH_SAME.  The new
 *               Cabin is queued on the least-busy App-Core; its u64 id goes
 *               to the output (optional) and the Result's value.
 *   proc.kill   (SYSTEM) stops another Cabin and completes once it has
 *               ended and every page of it is back (a waiting op): value =
 *               its exit status (BOX_PROC_KILLED).
 *   proc.exit   ends the caller with the code: the Result is posted, and the
 *               Cabin ends the next time it enters the kernel (its WAIT for
 *               that Result, at the latest).
 *   proc.wait   a child the caller spawned (not detached): once it has ended
 *               (waiting up to timeout_ns; 0 = just look), its i64 exit
 *               status goes to the output (optional) and the value, and its
 *               last trace is freed.  BOX_ERR_TIMEOUT while it still runs.
 *   proc.list   u64 ids of every Cabin that has not ended, as many as the
 *               output holds; value = how many there are.
 *   proc.info   one struct box_proc_info (cabin 0 = the caller).
 * An id that names no Cabin is BOX_ERR_NOENT.
 */
#include "decks/system.h"
#include "core/auth.h"
#include "core/cabin.h"
#include "core/launch.h"
#include "core/sched.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "arch/x86_64/cpu.h"
#include "mm/paging.h"

int32_t sys_proc_spawn(struct op_call *call)
{
	OP_PARAMS(box_params_system_proc_spawn, p);
	struct cabin *me = call->caller;
	const struct op_buf *in = call->in;
	if (!me || !in || op_check_buf(in) != BOX_OK || in->size == 0)
		return BOX_ERR_INVALID;
	if (in->size > BOX_START_ARGS_MAX)
		return BOX_ERR_TOO_BIG;
	if (p->flags & ~BOX_SPAWN_FLAGS)
		return BOX_ERR_INVALID;
	if (call->out && sys_check_out(call->out, 8) != BOX_OK)
		return BOX_ERR_BOUNDS;
	/* copy in once (the Cabin runs on meanwhile), then check the copy:
	 * NUL-terminated strings, the last byte a NUL, argv[0] not empty */
	static char args[BOX_START_ARGS_MAX];
	memcpy(args, in->data, in->size);
	if (args[in->size - 1] != 0 || args[0] == 0)
		return BOX_ERR_INVALID;
	uint32_t argc = 0;
	for (uint64_t i = 0; i < in->size; i++)
		argc += args[i] == 0;
	uint8_t level = p->auth == BOX_SPAWN_AUTH_SAME ? me->auth : p->auth;
	if (level > BOX_AUTH_NETWORK)
		return BOX_ERR_INVALID;
	if (auth_check(me->auth, me->tags, level) != BOX_OK)
		return BOX_ERR_PERM; /* never more than the caller has */

	const char *why;
	struct cabin *c = launch_spawn(args, (uint32_t)in->size, argc, &why);
	if (!c) {
		if (strcmp(why, "not in the boot bundle") == 0 || strcmp(why, "program name too long") == 0)
			return BOX_ERR_NOENT;
		if (strcmp(why, "too many Cabins") == 0)
			return BOX_ERR_BUSY;
		if (strncmp(why, "out of memory", 13) == 0)
			return BOX_ERR_NOMEM;
		return BOX_ERR_INVALID; /* a broken ELF in the bundle */
	}
	cabin_set_origin(c, level, me->id);
	c->autoreap = p->flags & BOX_SPAWN_DETACHED;
	/* what a console session (the shell) starts writes plain text, not log
	 * lines; a SYSTEM Cabin it starts (a nested shell) has the terminal too */
	if (me->console == CABIN_CONSOLE_LOG)
		c->console = CABIN_CONSOLE_LOG;
	else if (me->console == CABIN_CONSOLE_TERMINAL && level == BOX_AUTH_SYSTEM)
		c->console = CABIN_CONSOLE_TERMINAL;
	else
		c->console = CABIN_CONSOLE_PLAIN;
	sched_add(c);
	if (call->out) {
		op_put_le(call->out->data, c->id, 8);
		call->out->size = 8;
	}
	call->value = c->id;
	return BOX_OK;
}

int32_t sys_proc_kill(struct op_call *call)
{
	OP_PARAMS(box_params_system_proc_kill, p);
	struct cabin *me = call->caller;
	if (!me)
		return BOX_ERR_INVALID;
	if (call->park[0]) { /* resumed: done once it is released (or already freed) */
		struct cabin *c = sys_target(call, p->cabin);
		if (c && c->state != CABIN_DONE) {
			call->wake_events = OP_WAKE_CABIN_EXIT;
			return OP_PENDING;
		}
		call->value = c ? (uint64_t)(int64_t)c->exit_status : (uint64_t)(int64_t)CABIN_KILLED;
		return BOX_OK;
	}
	if (p->cabin == 0 || p->cabin == me->id)
		return BOX_ERR_INVALID; /* a Cabin ends itself with proc.exit */
	struct cabin *c = sys_target(call, p->cabin);
	if (!c || c->state >= CABIN_EXITING)
		return BOX_ERR_NOENT;

	char why[48];
	fmt_snprintf(why, sizeof(why), "killed by cabin %u", me->id);
	cabin_stop(c, CABIN_KILLED, why);
	call->park[0] = 1;
	call->wake_events = OP_WAKE_CABIN_EXIT;
	return OP_PENDING;
}

int32_t sys_proc_exit(struct op_call *call)
{
	OP_PARAMS(box_params_system_proc_exit, p);
	if (!call->caller)
		return BOX_ERR_INVALID;
	cabin_stop(call->caller, (int32_t)p->code, NULL);
	call->value = (uint64_t)p->code;
	return BOX_OK;
}

int32_t sys_proc_wait(struct op_call *call)
{
	OP_PARAMS(box_params_system_proc_wait, p);
	struct cabin *me = call->caller;
	if (!me || p->cabin == 0)
		return BOX_ERR_INVALID;
	if (call->out && sys_check_out(call->out, 8) != BOX_OK)
		return BOX_ERR_BOUNDS;
	struct cabin *c = sys_target(call, p->cabin);
	if (!c || c->parent != me->id || c->autoreap)
		return BOX_ERR_NOENT; /* only its own, undetached children */

	if (c->state != CABIN_DONE) {
		if (!call->park[0]) {
			if (p->timeout_ns == 0)
				return BOX_ERR_TIMEOUT;
			call->park[0] = sys_deadline(p->timeout_ns);
		} else if (rdtsc() >= call->park[0]) {
			return BOX_ERR_TIMEOUT;
		}
		call->wake_events = OP_WAKE_CABIN_EXIT;
		call->wake_tsc = call->park[0];
		return OP_PENDING;
	}
	int64_t status = c->exit_status;
	if (call->out) {
		op_put_le(call->out->data, (uint64_t)status, 8);
		call->out->size = 8;
	}
	call->value = (uint64_t)status;
	cabin_destroy(c);
	return BOX_OK;
}

struct list_walk {
	struct op_buf *out;
	uint64_t total;
};

static void list_one(struct cabin *c, void *arg)
{
	struct list_walk *w = arg;
	if (c->state == CABIN_DONE)
		return;
	if (w->out->size + 8 <= w->out->capacity) {
		op_put_le(w->out->data + w->out->size, c->id, 8);
		w->out->size += 8;
	}
	w->total++;
}

int32_t sys_proc_list(struct op_call *call)
{
	if (sys_check_out(call->out, 0) != BOX_OK)
		return BOX_ERR_INVALID;
	struct list_walk w = {call->out, 0};
	call->out->size = 0;
	cabin_foreach(list_one, &w);
	call->value = w.total;
	return BOX_OK;
}

int32_t sys_proc_info(struct op_call *call)
{
	OP_PARAMS(box_params_system_proc_info, p);
	int32_t st = sys_check_out(call->out, sizeof(struct box_proc_info));
	if (st != BOX_OK)
		return st;
	struct cabin *c = sys_target(call, p->cabin);
	if (!c)
		return BOX_ERR_NOENT;

	struct box_proc_info info;
	memset(&info, 0, sizeof(info));
	info.id = c->id;
	info.parent = c->parent;
	info.auth = c->auth;
	info.state = (uint8_t)c->state;
	info.level = c->level;
	info.core = c->core;
	info.tags = c->tags;
	info.user_pages = c->user_pages;
	info.kernel_bytes = cabin_kernel_bytes(c);
	info.runs = c->runs;
	info.ticks = c->ticks;
	info.exit_status = c->state == CABIN_DONE ? c->exit_status : 0;
	kstrlcpy(info.name, c->name, sizeof(info.name));
	if (c->state == CABIN_DONE && c->exit_status == CABIN_KILLED)
		kstrlcpy(info.why, c->why, sizeof(info.why));
	memcpy(call->out->data, &info, sizeof(info));
	call->out->size = sizeof(info);
	call->value = c->id;
	return BOX_OK;
}
