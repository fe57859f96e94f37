/*
 * mtest: stress the boxlib heap (malloc, calloc, realloc, aligned_alloc,
 * free) and verify every byte.
 *
 * `mtest [STEPS]` (default 20000) keeps up to SLOTS live blocks.  Each step
 * picks a slot with a xorshift generator and either allocates a block of a
 * random size (small, medium or up to 64 KiB; sometimes calloc, checked
 * for zeroes, sometimes aligned_alloc with a random power-of-two alignment,
 * checked), reallocs it to a new size (the kept prefix must survive), or
 * frees it after checking it.  Every live block is filled with a pattern
 * that depends on its slot and generation, and checked whenever it is
 * touched; every 1000 steps and at the end every live block is checked and
 * box_heap_check walks the whole heap.  At the end everything is freed:
 * the heap must be back to no live blocks and no bytes in use, and an
 * allocation of the largest size used must still succeed.
 * Exit: 0 PASS, 1 FAIL, 2 bad arguments.
 */
#include <stdint.h>

#include "boxlib/heap.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define SLOTS 512
#define MAX_STEPS 10000000ull
#define BIG 65536u

struct slot { uint8_t *p; uint32_t size; uint32_t gen; };
static struct slot slots[SLOTS];
static uint64_t rng = 0x243F6A8885A308D3ull;
static uint64_t failures;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint8_t pattern(unsigned slot, uint32_t gen, uint32_t i)
{
	return (uint8_t)(slot * 31u + gen * 7u + i * 13u + (i >> 8));
}

static void fill(unsigned s, uint32_t from)
{
	for (uint32_t i = from; i < slots[s].size; i++)
		slots[s].p[i] = pattern(s, slots[s].gen, i);
}

static int check(unsigned s, uint32_t upto)
{
	for (uint32_t i = 0; i < upto; i++)
		if (slots[s].p[i] != pattern(s, slots[s].gen, i)) {
			if (failures++ < 5)
				printf("slot %u (gen %u, %u bytes) byte %u is 0x%02x, want 0x%02x\n", s,
				       slots[s].gen, slots[s].size, i, slots[s].p[i], pattern(s, slots[s].gen, i));
			return -1;
		}
	return 0;
}

static uint32_t random_size(void)
{
	uint64_t r = next();
	switch (r % 8) {
	case 0: return (uint32_t)(r >> 8) % BIG + 1;
	case 1: case 2: return (uint32_t)(r >> 8) % 4096 + 1;
	default: return (uint32_t)(r >> 8) % 256 + 1;
	}
}

static void step(void)
{
	unsigned s = (unsigned)(next() % SLOTS);
	struct slot *b = &slots[s];
	uint64_t what = next() % 10;
	if (!b->p) {
		uint32_t size = random_size();
		b->gen++;
		if (what < 2) {
			b->p = calloc(1, size);
			for (uint32_t i = 0; b->p && i < size; i++)
				if (b->p[i] && failures++ < 5)
					printf("calloc byte %u not zero\n", i);
		} else if (what < 3) {
			uint64_t align = 16ull << (next() % 9); /* 16 .. 4096 */
			b->p = aligned_alloc(align, size);
			if (b->p && ((uintptr_t)b->p & (align - 1)) && failures++ < 5)
				printf("aligned_alloc(%llu) gave %p\n", (unsigned long long)align, b->p);
		} else {
			b->p = malloc(size);
		}
		if (!b->p) {
			if (failures++ < 5)
				printf("allocating %u bytes failed\n", size);
			return;
		}
		b->size = size;
		fill(s, 0);
	} else if (what < 4) {
		uint32_t size = random_size();
		check(s, b->size);
		uint8_t *q = realloc(b->p, size);
		if (!q) {
			if (failures++ < 5)
				printf("realloc to %u bytes failed\n", size);
			return;
		}
		uint32_t kept = size < b->size ? size : b->size;
		b->p = q;
		check(s, kept);            /* the prefix moved with the block */
		b->size = size;
		fill(s, kept);
	} else {
		check(s, b->size);
		free(b->p);
		b->p = NULL;
	}
}

static void check_all(const char *when)
{
	for (unsigned s = 0; s < SLOTS; s++)
		if (slots[s].p)
			check(s, slots[s].size);
	const char *why = NULL;
	if (box_heap_check(&box_global_heap, &why) != 0 && failures++ < 5)
		printf("heap check %s: %s\n", when, why ? why : "?");
}

static void usage(void)
{
	printf("usage: mtest [--help] [STEPS]\n");
	printf("stress the boxlib heap (malloc, free, realloc) and verify every byte\n");
	printf("STEPS: random heap operations (default 20000, at most %llu)\n", MAX_STEPS);
}

int main(int argc, char **argv)
{
	uint64_t steps = 20000;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc > 2) {
		printf("too many arguments (try mtest --help)\n");
		return 2;
	}
	char *end = NULL;
	if (argc == 2 && (box_strtou64(argv[1], &end, 10, &steps) != 0 || *end || steps == 0 ||
			  steps > MAX_STEPS)) {
		printf("STEPS must be a number from 1 to %llu, not '%s'\n", MAX_STEPS, argv[1]);
		return 2;
	}
	size_t live0 = box_global_heap.live, in_use0 = box_global_heap.in_use;
	size_t peak = 0;
	for (uint64_t i = 1; i <= steps; i++) {
		step();
		if (box_global_heap.in_use > peak)
			peak = box_global_heap.in_use;
		if (i % 1000 == 0)
			check_all("during the run");
	}
	check_all("at the end");
	for (unsigned s = 0; s < SLOTS; s++) {
		free(slots[s].p);
		slots[s].p = NULL;
	}
	const char *why = NULL;
	if (box_heap_check(&box_global_heap, &why) != 0 && failures++ < 5)
		printf("heap check after freeing everything: %s\n", why ? why : "?");
	int back = box_global_heap.live == live0 && box_global_heap.in_use == in_use0;
	if (!back)
		printf("after freeing everything %zu blocks / %zu bytes are live, was %zu / %zu\n",
		       box_global_heap.live, box_global_heap.in_use, live0, in_use0);
	void *big = malloc(BIG);
	if (!big && failures++ < 5)
		printf("a %u-byte block no longer fits\n", BIG);
	free(big);
	printf("%llu steps over %u slots, peak %zu bytes in use, %llu failures, heap %s\n",
	       (unsigned long long)steps, SLOTS, peak, (unsigned long long)failures,
	       back ? "back to empty" : "NOT back");
	int pass = failures == 0 && back;
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
