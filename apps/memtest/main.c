/*
 * memtest: stress the kernel's physical page allocator and check that
 * every page comes back.
 *
 * `memtest [ROUNDS [CHILDREN [PAGES]]]` (defaults 3, 4, 512): each round
 * spawns CHILDREN copies of itself as `memtest --child PAGES`, all alive at
 * once.  A child mallocs PAGES pages of heap, so the kernel backs each page
 * it touches with a fresh physical page (demand fill), writes a pattern
 * that depends on its Cabin id and the page into every word it touched,
 * reads it all back and exits 0 (1 on a wrong word or no memory).  The
 * parent reaps every child (system.proc.wait) and checks its status.
 *
 * system.mem.info (free pages per zone, kernel heap bytes) is read before
 * the first round -- after one warm-up child, so that anything the kernel
 * sets up on first use is not counted -- while the last round's children
 * are all alive (to show the pages really were taken), and after the last
 * child is reaped.  PASS needs every child to have exited 0 and the free
 * pages and kernel heap bytes to be exactly what they were before.
 * Exit: 0 PASS, 1 FAIL, 2 bad arguments.
 */
#include <stdint.h>

#include "boxos/abi/info.h"
#include "boxlib/calls.h"
#include "boxlib/heap.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define PAGE 4096u
#define MAX_CHILDREN 32u
#define MAX_PAGES 16384u   /* 64 MiB per child */
#define MAX_ROUNDS 1000u
#define WAIT_NS 30000000000ull

static void usage(void)
{
	printf("usage: memtest [--help] [ROUNDS [CHILDREN [PAGES]]]\n");
	printf("memtest: stress the physical page allocator with child Cabins and check every page came back\n");
	printf("defaults 3 rounds of 4 children touching 512 pages each; at most %u rounds, %u children, %u pages\n",
	       MAX_ROUNDS, MAX_CHILDREN, MAX_PAGES);
}

static int child(uint64_t pages)
{
	uint64_t *mem = malloc(pages * PAGE);
	if (!mem) {
		printf("memtest: child %u: no memory for %llu pages\n", box_cabin_id(),
		       (unsigned long long)pages);
		return 1;
	}
	uint64_t salt = (uint64_t)box_cabin_id() << 40;
	uint64_t words = pages * PAGE / 8;
	for (uint64_t i = 0; i < words; i++)
		mem[i] = salt ^ (i * 0x9E3779B97F4A7C15ull);
	for (uint64_t i = 0; i < words; i++)
		if (mem[i] != (salt ^ (i * 0x9E3779B97F4A7C15ull))) {
			printf("memtest: child %u: word %llu changed\n", box_cabin_id(),
			       (unsigned long long)i);
			return 1;
		}
	free(mem);
	return 0;
}

static int mem_info(struct box_mem_info *m)
{
	uint64_t len = 0;
	int32_t st = box_system_mem_info(m, sizeof(*m), &len, NULL);
	if (st != BOX_OK || len != sizeof(*m)) {
		printf("memtest: system.mem.info failed: %s\n", box_status_name(st));
		return -1;
	}
	return 0;
}

static int parse(const char *s, uint64_t max, uint64_t *out, const char *what)
{
	char *end = NULL;
	if (box_strtou64(s, &end, 10, out) != 0 || *end || *out == 0 || *out > max) {
		printf("memtest: %s must be a number from 1 to %llu, not '%s'\n", what,
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
		printf("memtest: spawn failed: %s\n", box_status_name(st));
		return 0;
	}
	return id;
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
		printf("memtest: wait for cabin %llu failed: %s\n", (unsigned long long)id,
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
		printf("memtest: too many arguments (try memtest --help)\n");
		return 2;
	}
	if ((argc > 1 && parse(argv[1], MAX_ROUNDS, &rounds, "ROUNDS") != 0) ||
	    (argc > 2 && parse(argv[2], MAX_CHILDREN, &children, "CHILDREN") != 0) ||
	    (argc > 3 && parse(argv[3], MAX_PAGES, &pages, "PAGES") != 0))
		return 2;

	/* warm-up: whatever the kernel sets up on first use is not a leak */
	uint64_t warm = spawn_child(1);
	if (!warm || reap(warm) != 0) {
		printf("memtest: FAIL: the warm-up child did not run\n");
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
		if (r + 1 == rounds) {
			/* give the children a moment to touch their pages, then look */
			box_hardware_timer_sleep(50000000ull, NULL);
			have_peak = mem_info(&peak) == 0;
		}
		for (uint64_t c = 0; c < children; c++) {
			if (!ids[c])
				continue;
			int64_t st = reap(ids[c]);
			ran++;
			if (st != 0) {
				bad++;
				printf("memtest: round %llu: child %llu ended with %lld\n",
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

	int64_t lost = (int64_t)before.free_pages - (int64_t)after.free_pages;
	int64_t heap = (int64_t)after.heap_bytes - (int64_t)before.heap_bytes;
	printf("memtest: %llu rounds, %llu children x %llu pages, %llu failed; pages not back %lld, kernel heap bytes not back %lld\n",
	       (unsigned long long)rounds, (unsigned long long)ran, (unsigned long long)pages,
	       (unsigned long long)bad, (long long)lost, (long long)heap);
	int pass = bad == 0 && ran == rounds * children && lost == 0 && heap == 0;
	printf("memtest: %s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
