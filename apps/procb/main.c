/*
 * procb: the answering side of proca (see apps/proca/main.c, procab.h).
 *
 * Waits on its inbox (WAIT with BOX_WAIT_INBOX: asleep while nothing
 * comes), answers every data message with its bytes complemented, folds
 * message and reply into the checksum, and answers the done message with
 * its count and checksum, then exits 0.  It gives up with status 1 when no
 * message comes for PROCB_IDLE_US (started by hand, nobody talks to it).
 */
#include <stdint.h>

#include "boxlib/calls.h"
#include "boxlib/inbox.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"
#include "procab.h"

#define PROCB_IDLE_US 10000000ull

static void usage(void)
{
	printf("usage: procb [--help]\n");
	printf("the partner of proca: answer its messages and report a checksum of what crossed\n");
	printf("(proca starts it; on its own it waits %llu s for a message and exits 1)\n",
	       PROCB_IDLE_US / 1000000);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc > 1) {
		printf("unexpected argument '%s' (try procb --help)\n", argv[1]);
		return 2;
	}
	uint64_t sum = PROC_FNV_OFFSET, count = 0;
	for (;;) {
		struct box_message m;
		int rc = box_inbox_wait(&m, PROCB_IDLE_US);
		if (rc != BOX_OK) {
			printf("no message: %s\n", box_status_name(rc));
			return 1;
		}
		if (m.kind != BOX_MSG_IPC)
			continue;
		if (m.cookie == PROC_COOKIE_DONE) {
			struct proc_done d = {count, sum};
			int32_t st = box_system_ipc_reply(m.msg_id, &d, sizeof(d), NULL);
			printf("answered %llu messages, checksum 0x%016llx\n",
			       (unsigned long long)count, (unsigned long long)sum);
			return st == BOX_OK ? 0 : 1;
		}
		uint8_t reply[BOX_MESSAGE_PAYLOAD];
		uint32_t len = m.length <= sizeof(reply) ? m.length : (uint32_t)sizeof(reply);
		for (uint32_t k = 0; k < len; k++)
			reply[k] = (uint8_t)~m.payload[k];
		int32_t st = box_system_ipc_reply(m.msg_id, reply, len, NULL);
		if (st != BOX_OK) {
			printf("ipc.reply failed: %s\n", box_status_name(st));
			return 1;
		}
		sum = proc_fnv(sum, m.payload, len);
		sum = proc_fnv(sum, reply, len);
		count++;
	}
}
