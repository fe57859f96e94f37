/*
 * sysprobe: the child systest spawns; what it does is its first argument.
 *
 *   sysprobe echo     answer every ipc.send with its payload, each byte + 1,
 *                     until a message "quit" (answered "bye"); exit 0
 *   sysprobe spin     loop forever (to be killed); never exits by itself
 *   sysprobe perm     (run at APP) check that SYSTEM and UTILITY ops and a
 *                     spawn above its own level answer BOX_ERR_PERM; exit 0,
 *                     or the number of the check that failed
 *   sysprobe listen   listen.add(0x100), tell the parent "ready" with an
 *                     ipc.send, then expect an event (7, payload "ev") and a
 *                     broadcast (payload "all"); exit 0, or a check number
 *   sysprobe exitop   end itself with the proc.exit op, code 7
 *   sysprobe args A B exit with argc * 10 + the length of argv[2]
 * With no argument or an unknown one it exits 99.
 */
#include <stdint.h>
#include "../systest/call.h"

static const struct box_start *start = (const struct box_start *)BOX_START_VA;

static int streq(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && memcmp(a, b, n) == 0;
}

static const char *arg(uint32_t n)
{
	const char *p = start->args;
	for (uint32_t i = 0; i < n; i++)
		p += strlen(p) + 1;
	return p;
}

static int echo(void)
{
	struct box_message m;
	for (;;) {
		if (next_message(&m, 20000000) != 0)
			return 1;
		if (m.kind != BOX_MSG_IPC)
			continue;
		struct box_params_system_ipc_reply r = {.msg_id = m.msg_id};
		if (m.length == 4 && memcmp(m.payload, "quit", 4) == 0) {
			op(BOX_OP_SYSTEM_IPC_REPLY, &r, sizeof(r), "bye", 3, 0, 0, 0, 0);
			return 0;
		}
		for (uint32_t i = 0; i < m.length; i++)
			m.payload[i]++;
		if (op(BOX_OP_SYSTEM_IPC_REPLY, &r, sizeof(r), m.payload, m.length, 0, 0, 0, 0) != BOX_OK)
			return 2;
	}
}

static int perm(void)
{
	struct box_params_system_proc_kill k = {.cabin = start->parent};
	if (op(BOX_OP_SYSTEM_PROC_KILL, &k, sizeof(k), 0, 0, 0, 0, 0, 0) != BOX_ERR_PERM)
		return 1;
	struct box_params_system_proc_spawn s = {.flags = 0, .auth = BOX_AUTH_SYSTEM};
	if (op(BOX_OP_SYSTEM_PROC_SPAWN, &s, sizeof(s), "exit42", 7, 0, 0, 0, 0) != BOX_ERR_PERM)
		return 2;
	struct box_params_system_tag_add t = {.cabin = 0};
	if (op(BOX_OP_SYSTEM_TAG_ADD, &t, sizeof(t), "god", 3, 0, 0, 0, 0) != BOX_ERR_PERM)
		return 3;
	if (op(BOX_OP_SYSTEM_CTX_USE, 0, 0, "x", 1, 0, 0, 0, 0) != BOX_ERR_PERM)
		return 4;
	struct box_params_system_ipc_broadcast b = {.tag_mask = ~0ull};
	if (op(BOX_OP_SYSTEM_IPC_BROADCAST, &b, sizeof(b), "x", 1, 0, 0, 0, 0) != BOX_ERR_PERM)
		return 5;
	/* its own level is fine */
	s.auth = BOX_SPAWN_AUTH_SAME;
	uint64_t child;
	if (op(BOX_OP_SYSTEM_PROC_SPAWN, &s, sizeof(s), "exit42", 7, 0, 0, &child, 0) != BOX_OK)
		return 6;
	struct box_params_system_proc_wait w = {.cabin = child, .timeout_ns = 10000000000ull};
	uint64_t status;
	if (op(BOX_OP_SYSTEM_PROC_WAIT, &w, sizeof(w), 0, 0, 0, 0, &status, 0) != BOX_OK ||
	    status != 42)
		return 7;
	return 0;
}

static int listen(void)
{
	struct box_params_system_listen_add l = {.tag_mask = 0x100};
	if (op(BOX_OP_SYSTEM_LISTEN_ADD, &l, sizeof(l), 0, 0, 0, 0, 0, 0) != BOX_OK)
		return 1;
	struct box_params_system_ipc_send s = {.target = start->parent, .cookie = 5};
	char answer[8];
	if (op(BOX_OP_SYSTEM_IPC_SEND, &s, sizeof(s), "ready", 5, answer, sizeof(answer), 0, 0) !=
	    BOX_OK)
		return 2;
	struct box_message m;
	int got_event = 0, got_broadcast = 0;
	while (!got_event || !got_broadcast) {
		if (next_message(&m, 20000000) != 0)
			return 3;
		if (m.kind == BOX_MSG_EVENT) {
			if (m.event != 7 || m.length != 2 || memcmp(m.payload, "ev", 2) != 0 ||
			    m.sender != start->parent || m.tag_mask != 0x300)
				return 4;
			got_event = 1;
		} else if (m.kind == BOX_MSG_BROADCAST) {
			if (m.length != 3 || memcmp(m.payload, "all", 3) != 0)
				return 5;
			got_broadcast = 1;
		} else {
			return 6;
		}
	}
	return 0;
}

int main(void)
{
	if (start->magic != BOX_START_MAGIC || start->argc < 2)
		return 99;
	const char *mode = arg(1);
	if (streq(mode, "echo"))
		return echo();
	if (streq(mode, "spin"))
		for (volatile uint64_t n = 0;; n++)
			;
	if (streq(mode, "perm"))
		return perm();
	if (streq(mode, "listen"))
		return listen();
	if (streq(mode, "exitop")) {
		struct box_params_system_proc_exit e = {.code = 7};
		op(BOX_OP_SYSTEM_PROC_EXIT, &e, sizeof(e), 0, 0, 0, 0, 0, 0);
		for (;;) /* the kernel ends us at the next notify */
			box_yield();
	}
	if (streq(mode, "args") && start->argc >= 3)
		return (int)(start->argc * 10 + strlen(arg(2)));
	return 99;
}
