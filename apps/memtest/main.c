/*
 * memtest: stress the kernel's physical page allocator and check that
 * every page comes back.
 *
 * `memtest [ROUNDS [CHILDREN [PAGES]]]` (defaults 3, 4, 512): each round
 * spawns CHILDREN copies of itself as `memtest --child PAGES`, all alive at
 * once.  A child mallocs PAGES pages of heap, so the kernel backs each page
 * it touches with a fresh physical page (demand fill), writes a pattern
 * that depends on its Cabin id and the word into every word, reads it all
 * back (exit 1 on a wrong word), then holds the pages while the parent
 * looks: it answers the parent's first IPC message (so the parent knows
 * the pages are in use) and exits after answering the second.  The parent
 * reaps every child (system.proc.wait) and checks its status.
 *
 * system.mem.info (free pages per zone, kernel heap) is read before the
 * first round -- after one warm-up child, so that whatever the kernel sets
 * up on first use is not counted -- at the peak of the last round (every
 * child holding its pages) and after the last child is reaped.  PASS needs
 * every child to have exited 0, at least CHILDREN x PAGES pages taken at
 * the peak, the kernel heap's bytes in use back where they were, and the
 * free pages back too -- counting the pages the kernel heap grew into
 * (heap_pages), which it keeps for later allocations rather than losing.
 * Exit: 0 PASS, 1 FAIL, 2 bad arguments.
 */
#include <stdint.h>

#include "boxos/abi/info.h"
#include "boxlib/calls.h"
#include "boxlib/heap.h"
#include "boxlib/inbox.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define PAGE 4096u
#define MAX_CHILDREN 32u
#define MAX_PAGES 16384u   /* 64 MiB per child */
#define MAX_ROUNDS 1000u
#define WAIT_NS 30000000000ull
#define HOLD_US 30000000ull      /* a child waits this long for the parent */

static void usage(void)
{
	printf("usage: memtest [--help] [ROUNDS [CHILDREN [PAGES]]]\n");
	printf("stress the physical page allocator with child Cabins and check every page came back\n");
	printf("defaults 3 rounds of 4 children touching 512 pages each; at most %u rounds, %u children, %u pages\n",
	       MAX_ROUNDS, MAX_CHILDREN, MAX_PAGES);
}

static int child(uint64_t pages)
{
	uint64_t *mem = malloc(pages * PAGE);
	if (!mem) {
		printf("child %u: no memory for %llu pages\n", box_cabin_id(),
		       (unsigned long long)pages);
		return 1;
	}
	uint64_t salt = (uint64_t)box_cabin_id() << 40;
	uint64_t words = pages * PAGE / 8;
	for (uint64_t i = 0; i < words; i++)
		mem[i] = salt ^ (i * 0x9E3779B97F4A7C15ull);
	for (uint64_t i = 0; i < words; i++)
		if (mem[i] != (salt ^ (i * 0x9E3779B97F4A7C15ull))) {
			printf("child %u: word %llu changed\n", box_cabin_id(),
			       (unsigned long long)i);
			return 1;
		}
	/* hold the pages while the parent looks: its first message asks
	 * whether the pages are touched (they are, by now), its second lets
	 * the child go */
	for (int phase = 0; phase < 2; phase++) {
		struct box_message m;
		int rc = box_inbox_wait(&m, HOLD_US);
		if (rc != BOX_OK) {
			printf("child %u: no word from the parent: %s\n", box_cabin_id(), box_status_name(rc));
			return 1;
		}
		box_system_ipc_reply(m.msg_id, "ok", 2, NULL);
	}
	free(mem);
	return 0;
}

static int mem_info(struct box_mem_info *m)
{
	uint64_t len = 0;
	int32_t st = box_system_mem_info(m, sizeof(*m), &len, NULL);
	if (st != BOX_OK || len != sizeof(*m)) {
		printf("system.mem.info failed: %s\n", box_status_name(st));
		return -1;
	}
	return 0;
}

static int parse(const char *s, uint64_t max, uint64_t *out, const char *what)
{
	char *end = NULL;
	if (box_strtou64(s, &end, 10, out) != 0 || *end || *out == 0 || *out > max) {
		printf("%s must be a number from 1 to %llu, not '%s'\n", what,
		       (unsigned long long)max, s);
		return -1;
	}
	return 0;
}

/* Spawn `memtest --child PAGES`; its id, or 0. */
static uint64_t spawn_child(uint64_t pages)
{
	char args[48];
	int n = snprintf(args, sizeof(args), "memtest%c--child%c%llu", 0, 0, (unsigned long long)pages);
	uint8_t out[8];
	uint64_t len = 0, id = 0;
	int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, (uint64_t)n + 1, out,
					   sizeof(out), &len, &id);
	if (st != BOX_OK) {
		printf("spawn failed: %s\n", box_status_name(st));
		return 0;
	}
	return id;
}

/* One message to a child and its answer: 0, or -1 (the child died, or hung). */
static int ask(uint64_t id)
{
	char reply[8];
	uint64_t len = 0;
	int32_t st = box_system_ipc_send(id, 0x3E3, WAIT_NS, "go", 2, reply, sizeof(reply), &len, NULL);
	if (st != BOX_OK)
		printf("message to child %llu: %s\n", (unsigned long long)id, box_status_name(st));
	return st == BOX_OK ? 0 : -1;
}

/* Reap a child: its exit status, or -1000 when the wait failed. */
static int64_t reap(uint64_t id)
{
	uint8_t out[8];
	uint64_t len = 0, status = 0;
	uint64_t saved = box_call_timeout_us;
	box_call_timeout_us = WAIT_NS / 1000 + 1000000;
	int32_t st = box_system_proc_wait(id, WAIT_NS, out, sizeof(out), &len, &status);
	box_call_timeout_us = saved;
	if (st != BOX_OK) {
		printf("wait for cabin %llu failed: %s\n", (unsigned long long)id,
		       box_status_name(st));
		return -1000;
	}
	return (int64_t)status;
}

static void show(const char *when, const struct box_mem_info *m)
{
	printf("%s: free pages %llu (", when, (unsigned long long)m->free_pages);
	for (unsigned z = 0; z < BOX_MEM_ZONES; z++)
		printf("%s%.8s %llu", z ? ", " : "", m->zones[z].name,
		       (unsigned long long)m->zones[z].free_pages);
	printf("), kernel heap %llu bytes in %llu pages\n", (unsigned long long)m->heap_bytes,
	       (unsigned long long)m->heap_pages);
}

int main(int argc, char **argv)
{
	uint64_t rounds = 3, children = 4, pages = 512;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--child") == 0) {
		if (parse(argv[2], MAX_PAGES, &pages, "PAGES") != 0)
			return 2;
		return child(pages);
	}
	if (argc > 4) {
		printf("too many arguments (try memtest --help)\n");
		return 2;
	}
	if ((argc > 1 && parse(argv[1], MAX_ROUNDS, &rounds, "ROUNDS") != 0) ||
	    (argc > 2 && parse(argv[2], MAX_CHILDREN, &children, "CHILDREN") != 0) ||
	    (argc > 3 && parse(argv[3], MAX_PAGES, &pages, "PAGES") != 0))
		return 2;

	/* warm-up: whatever the kernel sets up on first use is not a leak */
	uint64_t warm = spawn_child(1);
	if (!warm || ask(warm) != 0 || ask(warm) != 0 || reap(warm) != 0) {
		printf("FAIL: the warm-up child did not run\n");
		return 1;
	}
	struct box_mem_info before, peak, after;
	if (mem_info(&before) != 0)
		return 1;
	show("before", &before);

	uint64_t ids[MAX_CHILDREN];
	uint64_t bad = 0, ran = 0;
	int have_peak = 0;
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t started = 0;
		for (uint64_t c = 0; c < children; c++) {
			ids[c] = spawn_child(pages);
			started += ids[c] != 0;
		}
		/* each child answers our first message once its pages are touched
		 * and holds them until the second: look in between */
		for (uint64_t c = 0; c < children; c++)
			if (ids[c] && ask(ids[c]) != 0)
				bad++;
		if (r + 1 == rounds)
			have_peak = mem_info(&peak) == 0;
		for (uint64_t c = 0; c < children; c++)
			if (ids[c] && ask(ids[c]) != 0)
				bad++;
		for (uint64_t c = 0; c < children; c++) {
			if (!ids[c])
				continue;
			int64_t st = reap(ids[c]);
			ran++;
			if (st != 0) {
				bad++;
				printf("round %llu: child %llu ended with %lld\n",
				       (unsigned long long)r, (unsigned long long)ids[c], (long long)st);
			}
		}
		bad += children - started;
	}
	if (have_peak)
		show("peak", &peak);
	if (mem_info(&after) != 0)
		return 1;
	show("after", &after);

	/* the kernel heap keeps pages it grew into (heap_pages): those are
	 * accounted for, not lost, as long as its bytes in use came back */
	int64_t lost = (int64_t)(before.free_pages + before.heap_pages) -
		       (int64_t)(after.free_pages + after.heap_pages);
	int64_t taken = have_peak ? (int64_t)before.free_pages - (int64_t)peak.free_pages : 0;
	int64_t heap = (int64_t)after.heap_bytes - (int64_t)before.heap_bytes;
	printf("%llu rounds, %llu children x %llu pages, %llu failed; %lld pages taken at the peak; pages not back %lld, kernel heap bytes not back %lld\n",
	       (unsigned long long)rounds, (unsigned long long)ran, (unsigned long long)pages,
	       (unsigned long long)bad, (long long)taken, (long long)lost, (long long)heap);
	int pass = bad == 0 && ran == rounds * children && lost == 0 && heap == 0 &&
		   taken >= (int64_t)(children * pages);
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
