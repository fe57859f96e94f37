/*
 * proca: two Cabins talking through the K-Core, the sending side.
 *
 * `proca [N]` spawns procb, then sends it N messages (default 100) with
 * system.ipc.send.  Message i carries 64 bytes: the u64 sequence number i
 * and 56 bytes from a xorshift generator seeded by i; procb answers each
 * with ipc.reply, sending back the same 64 bytes with every byte
 * complemented, which proca checks.  Both sides fold every byte that
 * crossed, in either direction, into an FNV-1a 64-bit checksum in the
 * same order.  After the N round trips proca sends one "done" message
 * (cookie PROC_COOKIE_DONE); procb answers it with its own count and
 * checksum and exits.  proca prints the round trips and their time, both
 * checksums and whether they match, and exits 0 only when the counts and
 * checksums match and every reply was right (1 otherwise, 2 for bad
 * arguments).  The message layout is in procab.h, shared by both apps.
 */
#include <stdint.h>

#include "boxlib/calls.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"
#include "../procb/procab.h"

#define MAX_MESSAGES 1000000u
#define SEND_TIMEOUT_NS 5000000000ull

static void usage(void)
{
	printf("usage: proca [--help] [N]\n");
	printf("send N messages (default 100, at most %u) to procb through the K-Core and check both sides saw the same bytes\n",
	       MAX_MESSAGES);
}

static uint64_t now_us(void)
{
	uint8_t out[16];
	uint64_t len = 0, ticks = 0;
	return box_hardware_timer_ticks(out, sizeof(out), &len, &ticks) == BOX_OK ? ticks : 0;
}

int main(int argc, char **argv)
{
	uint64_t n = 100;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc > 2) {
		printf("too many arguments (try proca --help)\n");
		return 2;
	}
	char *end = NULL;
	if (argc == 2 && (box_strtou64(argv[1], &end, 10, &n) != 0 || *end || n == 0 ||
			  n > MAX_MESSAGES)) {
		printf("N must be a number from 1 to %u, not '%s'\n", MAX_MESSAGES, argv[1]);
		return 2;
	}

	static const char args[] = "procb";
	uint8_t idbuf[8];
	uint64_t len = 0, child = 0;
	int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, sizeof(args), idbuf,
					   sizeof(idbuf), &len, &child);
	if (st != BOX_OK) {
		printf("cannot spawn procb: %s\n", box_status_name(st));
		return 1;
	}
	printf("cabin %u spawned procb as cabin %llu, sending %llu messages\n", box_cabin_id(),
	       (unsigned long long)child, (unsigned long long)n);

	uint64_t sum = PROC_FNV_OFFSET, t0 = now_us(), bad_replies = 0, sent = 0;
	uint8_t msg[PROC_MSG_BYTES], reply[PROC_MSG_BYTES];
	for (uint64_t i = 0; i < n; i++) {
		proc_fill_message(msg, i);
		len = 0;
		st = box_system_ipc_send(child, PROC_COOKIE_DATA, SEND_TIMEOUT_NS, msg, sizeof(msg), reply,
					 sizeof(reply), &len, NULL);
		if (st != BOX_OK) {
			printf("message %llu: ipc.send failed: %s\n", (unsigned long long)i,
			       box_status_name(st));
			break;
		}
		sent++;
		int ok = len == PROC_MSG_BYTES;
		for (unsigned k = 0; ok && k < PROC_MSG_BYTES; k++)
			ok = reply[k] + msg[k] == 0xFF; /* the complement */
		bad_replies += !ok;
		sum = proc_fnv(sum, msg, sizeof(msg));
		sum = proc_fnv(sum, reply, len < sizeof(reply) ? len : sizeof(reply));
	}
	uint64_t t1 = now_us();

	struct proc_done done = {0};
	len = 0;
	if (st == BOX_OK)
		st = box_system_ipc_send(child, PROC_COOKIE_DONE, SEND_TIMEOUT_NS, "done", 4, &done,
					 sizeof(done), &len, NULL);
	if (st != BOX_OK || len != sizeof(done))
		printf("procb did not report its checksum: %s\n", box_status_name(st));

	uint64_t status = 0;
	uint8_t sbuf[8];
	uint64_t slen = 0;
	int32_t wst = box_system_proc_wait(child, 4000000000ull, sbuf, sizeof(sbuf), &slen, &status);

	uint64_t us = t1 - t0;
	printf("%llu round trips in %llu us (%llu us each), %llu bytes crossed\n",
	       (unsigned long long)sent, (unsigned long long)us,
	       (unsigned long long)(sent ? us / sent : 0), (unsigned long long)(sent * 2 * PROC_MSG_BYTES));
	printf("checksum proca 0x%016llx procb 0x%016llx (procb saw %llu messages): %s\n",
	       (unsigned long long)sum, (unsigned long long)done.checksum,
	       (unsigned long long)done.messages,
	       done.checksum == sum && done.messages == sent ? "match" : "MISMATCH");
	if (bad_replies)
		printf("%llu replies were not the complement of their message\n",
		       (unsigned long long)bad_replies);
	if (wst != BOX_OK || status != 0)
		printf("procb ended with %s, status %lld\n", box_status_name(wst), (long long)status);
	int pass = st == BOX_OK && sent == n && done.messages == n && done.checksum == sum &&
		   !bad_replies && wst == BOX_OK && status == 0;
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
