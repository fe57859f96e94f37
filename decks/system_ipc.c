/*
 * system_ipc.c: messages between Cabins, and events.
 *
 * Every message travels as one struct box_message (abi/start.h) on the
 * receiver's inbox ring, payload at most BOX_MESSAGE_PAYLOAD bytes (more is
 * BOX_ERR_TOO_BIG); a full inbox answers BOX_ERR_FULL at once.
 *
 *   ipc.send       delivers the input to the target's inbox (kind IPC, a
 *                  fresh msg_id, the sender's cookie) and waits, up to
 *                  timeout_ns (0 = a minute), for the target's ipc.reply:
 *                  the answer's bytes go to the output (BOX_ERR_BOUNDS if
 *                  they do not fit), value = their count.  BOX_ERR_NOENT if
 *                  the target ends without answering, BOX_ERR_TIMEOUT late.
 *                  Sending to oneself is BOX_ERR_INVALID (the answer could
 *                  never come: one's own ring waits behind the send).
 *   ipc.reply      answers msg_id, which must be an unanswered send to the
 *                  caller; the sender's op completes with the input's bytes.
 *   ipc.broadcast  (UTILITY) delivers the input (kind BROADCAST) to every
 *                  other running Cabin with a tag in tag_mask; value = how
 *                  many inboxes took it.
 *   listen.add / listen.remove   the caller's Listen entry for tag_mask.
 *   notify.send    (UTILITY) posts event with the input as payload (kind
 *                  EVENT) to every Cabin with a Listen entry meeting
 *                  tag_mask; value = how many inboxes took it.
 *
 * Pending sends wait in a table of REPLY_SLOTS answers-to-be; a slot lives
 * from the send until it completes (answered, timed out, or the target
 * gone), and slots of senders that ended meanwhile are taken back.
 */
#include "decks/system.h"
#include "arch/x86_64/cpu.h"
#include "core/cabin.h"
#include "core/guide.h"
#include "lib/string.h"

#define REPLY_SLOTS 256
#define SEND_DEFAULT_NS (60ull * 1000000000ull)

struct reply_slot {
	uint64_t msg_id;        /* 0 = free */
	uint32_t sender, target;
	bool answered;
	uint32_t length;
	uint8_t data[BOX_MESSAGE_PAYLOAD];
};

static struct reply_slot replies[REPLY_SLOTS];
static uint64_t next_msg_id = 1;

static bool gone(uint32_t id)
{
	struct cabin *c = cabin_find(id);
	return !c || c->state >= CABIN_EXITING;
}

static struct reply_slot *slot_of(uint64_t msg_id)
{
	for (unsigned i = 0; i < REPLY_SLOTS; i++)
		if (replies[i].msg_id == msg_id)
			return &replies[i];
	return NULL;
}

static struct reply_slot *free_slot(void)
{
	for (unsigned i = 0; i < REPLY_SLOTS; i++)
		if (replies[i].msg_id == 0 || gone(replies[i].sender))
			return &replies[i];
	return NULL;
}

static void fill_message(struct box_message *m, const struct cabin *from, uint32_t kind,
			 const struct op_buf *in)
{
	memset(m, 0, sizeof(*m));
	m->sender = from ? from->id : 0;
	m->kind = kind;
	m->length = in ? (uint32_t)in->size : 0;
	if (m->length)
		memcpy(m->payload, in->data, m->length);
}

/* A resumed send: finished once answered, the target gone, or too late. */
static int32_t send_progress(struct op_call *call, struct reply_slot *r)
{
	int32_t st = OP_PENDING;
	if (!r) {
		st = BOX_ERR_INTERNAL;
	} else if (r->answered) {
		if (r->length && (!call->out || call->out->capacity < r->length)) {
			st = BOX_ERR_BOUNDS;
		} else {
			if (r->length)
				memcpy(call->out->data, r->data, r->length);
			if (call->out)
				call->out->size = r->length;
			call->value = r->length;
			st = BOX_OK;
		}
	} else if (gone(r->target)) {
		st = BOX_ERR_NOENT;
	} else if (rdtsc() >= call->park[1]) {
		st = BOX_ERR_TIMEOUT;
	}
	if (st == OP_PENDING) {
		call->wake_events = OP_WAKE_IPC | OP_WAKE_CABIN_EXIT;
		call->wake_tsc = call->park[1];
	} else if (r) {
		r->msg_id = 0;
	}
	return st;
}

int32_t sys_ipc_send(struct op_call *call)
{
	OP_PARAMS(box_params_system_ipc_send, p);
	struct cabin *me = call->caller;
	if (!me)
		return BOX_ERR_INVALID;
	if (call->park[0])
		return send_progress(call, slot_of(call->park[0]));

	int32_t st = sys_check_small_input(call->in, BOX_MESSAGE_PAYLOAD);
	if (st != BOX_OK)
		return st;
	if (call->out && op_check_buf(call->out) != BOX_OK)
		return BOX_ERR_INVALID;
	if (p->target == 0 || p->target == me->id)
		return BOX_ERR_INVALID;
	struct cabin *target = sys_target(call, p->target);
	if (!target || target->state >= CABIN_EXITING)
		return BOX_ERR_NOENT;
	struct reply_slot *r = free_slot();
	if (!r)
		return BOX_ERR_BUSY;

	struct box_message m;
	fill_message(&m, me, BOX_MSG_IPC, call->in);
	m.msg_id = next_msg_id++;
	m.cookie = p->cookie;
	st = cabin_deliver(target, &m);
	if (st != BOX_OK)
		return st;
	*r = (struct reply_slot){.msg_id = m.msg_id, .sender = me->id, .target = target->id};
	call->park[0] = m.msg_id;
	call->park[1] = sys_deadline(p->timeout_ns ? p->timeout_ns : SEND_DEFAULT_NS);
	call->wake_events = OP_WAKE_IPC | OP_WAKE_CABIN_EXIT;
	call->wake_tsc = call->park[1];
	return OP_PENDING;
}

int32_t sys_ipc_reply(struct op_call *call)
{
	OP_PARAMS(box_params_system_ipc_reply, p);
	struct cabin *me = call->caller;
	if (!me)
		return BOX_ERR_INVALID;
	int32_t st = sys_check_small_input(call->in, BOX_MESSAGE_PAYLOAD);
	if (st != BOX_OK)
		return st;
	struct reply_slot *r = p->msg_id ? slot_of(p->msg_id) : NULL;
	if (!r || r->target != me->id || r->answered)
		return BOX_ERR_NOENT;
	if (gone(r->sender)) {
		r->msg_id = 0;
		return BOX_ERR_NOENT;
	}
	r->length = call->in ? (uint32_t)call->in->size : 0;
	if (r->length)
		memcpy(r->data, call->in->data, r->length);
	r->answered = true;
	guide_signal(OP_WAKE_IPC);
	return BOX_OK;
}

struct fanout {
	struct box_message msg;
	uint64_t mask;
	uint32_t skip;        /* the sender */
	uint64_t delivered;
};

/* Decode and fill a fan-out message (broadcast or event) to tag_mask: the
 * shared first half of both ops; NULL with *st set when the call is bad. */
static struct fanout *fanout_begin(struct op_call *call, uint64_t tag_mask, uint32_t kind,
				   int32_t *st)
{
	static struct fanout f;
	*st = BOX_ERR_INVALID;
	if (!call->caller || tag_mask == 0)
		return NULL;
	*st = sys_check_small_input(call->in, BOX_MESSAGE_PAYLOAD);
	if (*st != BOX_OK)
		return NULL;
	fill_message(&f.msg, call->caller, kind, call->in);
	f.msg.msg_id = next_msg_id++;
	f.msg.tag_mask = tag_mask;
	f.mask = tag_mask;
	f.skip = call->caller->id;
	f.delivered = 0;
	return &f;
}

static void broadcast_one(struct cabin *c, void *arg)
{
	struct fanout *f = arg;
	if (c->id != f->skip && (c->tags & f->mask) && c->state < CABIN_EXITING &&
	    cabin_deliver(c, &f->msg) == BOX_OK)
		f->delivered++;
}

int32_t sys_ipc_broadcast(struct op_call *call)
{
	OP_PARAMS(box_params_system_ipc_broadcast, p);
	int32_t st;
	struct fanout *f = fanout_begin(call, p->tag_mask, BOX_MSG_BROADCAST, &st);
	if (!f)
		return st;
	cabin_foreach(broadcast_one, f);
	call->value = f->delivered;
	return BOX_OK;
}

int32_t sys_listen_add(struct op_call *call)
{
	OP_PARAMS(box_params_system_listen_add, p);
	if (!call->caller || p->tag_mask == 0)
		return BOX_ERR_INVALID;
	struct listen_table *t = sys_listen();
	int32_t st = listen_add(t, call->caller->id, p->tag_mask);
	if (st == BOX_ERR_FULL) {
		/* make room: entries of Cabins that have ended */
		for (unsigned i = 0; i < LISTEN_SLOTS; i++)
			if (t->e[i].cabin && gone(t->e[i].cabin))
				listen_forget(t, t->e[i].cabin);
		st = listen_add(t, call->caller->id, p->tag_mask);
	}
	return st;
}

int32_t sys_listen_remove(struct op_call *call)
{
	OP_PARAMS(box_params_system_listen_remove, p);
	if (!call->caller)
		return BOX_ERR_INVALID;
	return listen_remove(sys_listen(), call->caller->id, p->tag_mask);
}

static void notify_one(uint32_t id, void *arg)
{
	struct fanout *f = arg;
	struct cabin *c = cabin_find(id);
	if (c && cabin_deliver(c, &f->msg) == BOX_OK)
		f->delivered++;
}

int32_t sys_notify_send(struct op_call *call)
{
	OP_PARAMS(box_params_system_notify_send, p);
	int32_t st;
	struct fanout *f = fanout_begin(call, p->tag_mask, BOX_MSG_EVENT, &st);
	if (!f)
		return st;
	f->msg.event = p->event;
	listen_match(sys_listen(), p->tag_mask, notify_one, f);
	call->value = f->delivered;
	return BOX_OK;
}

