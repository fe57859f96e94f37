/*
 * test_boxlib_heap.c: boxlib's heap core (boxlib/heap.c) over a plain buffer.
 *
 * A model (an array of live allocations with their size and fill byte)
 * follows long random sequences of alloc, aligned alloc, free and realloc;
 * after every step box_heap_check() must pass, and every live block must lie
 * in the range, be aligned, not overlap another and still hold its fill.
 * Then the edge cases: exhaustion and recovery, the heap shrinking back to
 * empty, and each kind of misuse (double free, a pointer into a block, a
 * foreign pointer, an overrun header, a second free of a block that went
 * back to top) reaching on_corrupt without changing the heap.  ASan checks the core never reads or writes outside the buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "boxlib/heap.h"

#define ARENA (4u << 20)
#define SLOTS 600

static uint8_t *arena;
static struct box_heap heap;
static int corruptions;
static const char *last_corruption;

static void on_corrupt(struct box_heap *h, const char *what, const void *ptr)
{
	(void)h, (void)ptr;
	corruptions++;
	last_corruption = what;
}

struct slot {
	uint8_t *p;
	size_t size;
	uint8_t fill;
};
static struct slot slots[SLOTS];

static uint64_t rng = 0x123456789ABCDEFull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t random_size(void)
{
	switch (next_rand() % 10) {
	case 0:  return 1 + next_rand() % 40000;  /* large */
	case 1:  return 0;
	case 2:  case 3: return 1 + next_rand() % 1000;
	default: return 1 + next_rand() % 100;
	}
}

static void heap_reset(void)
{
	memset(arena, 0, ARENA);  /* like the kernel's fresh zero pages */
	heap.on_corrupt = on_corrupt;
	box_heap_init(&heap, arena, ARENA);
	memset(slots, 0, sizeof(slots));
	corruptions = 0;
}

static int heap_ok(void)
{
	const char *why;
	int rc = box_heap_check(&heap, &why);
	if (rc)
		printf("heap check: %s\n", why);
	return rc == 0;
}

/* Every live slot: inside the heap, 16-aligned, usable >= size, still filled, no overlap. */
static int model_ok(void)
{
	struct slot *sorted[SLOTS];
	unsigned n = 0;
	for (unsigned i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];
		if (!s->p)
			continue;
		if ((uintptr_t)s->p < heap.base || (uintptr_t)s->p + s->size > heap.top ||
		    ((uintptr_t)s->p & 15) || box_heap_usable(&heap, s->p) < s->size)
			return 0;
		for (size_t k = 0; k < s->size; k++)
			if (s->p[k] != s->fill)
				return 0;
		sorted[n++] = s;
	}
	for (unsigned i = 1; i < n; i++) /* insertion sort by address */
		for (unsigned j = i; j > 0 && sorted[j - 1]->p > sorted[j]->p; j--) {
			struct slot *t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (unsigned i = 1; i < n; i++)
		if (sorted[i - 1]->p + sorted[i - 1]->size > sorted[i]->p)
			return 0;
	return 1;
}

static void test_random(void)
{
	heap_reset();
	int bad_check = 0, bad_model = 0, null_allocs = 0, reallocs = 0, aligned = 0;
	for (int step = 0; step < 60000; step++) {
		struct slot *s = &slots[next_rand() % SLOTS];
		unsigned what = next_rand() % 10;
		if (!s->p && what < 6) {
			size_t size = random_size();
			size_t align = 0;
			if (what == 5) {
				align = (size_t)1 << (next_rand() % 13);  /* 1 .. 4096 */
				s->p = box_heap_alloc_aligned(&heap, align, size);
				if (s->p && ((uintptr_t)s->p & (align - 1)))
					bad_model++;
				aligned += s->p != NULL;
			} else {
				s->p = box_heap_alloc(&heap, size);
			}
			if (size == 0 && s->p)
				bad_model++;
			if (size && !s->p)
				null_allocs++;
			s->size = size;
			s->fill = (uint8_t)next_rand();
			if (s->p)
				memset(s->p, s->fill, size);
		} else if (s->p && what < 8) {
			box_heap_free(&heap, s->p);
			s->p = NULL;
		} else if (s->p) {
			size_t size = 1 + random_size();
			uint8_t *p = box_heap_realloc(&heap, s->p, size);
			if (p) {
				size_t keep = size < s->size ? size : s->size;
				for (size_t k = 0; k < keep; k++)
					if (p[k] != s->fill)
						bad_model++;
				s->p = p;
				s->size = size;
				memset(p, s->fill, size);
				reallocs++;
			}
		}
		if (!heap_ok())
			bad_check++;
		if (step % 97 == 0 && !model_ok())
			bad_model++;
		if (bad_check || bad_model)
			break;
	}
	CHECK_EQ(bad_check, 0);
	CHECK_EQ(bad_model, 0);
	CHECK(model_ok());
	CHECK_EQ(corruptions, 0);
	CHECK(reallocs > 1000);
	CHECK(aligned > 500);
	CHECK(null_allocs < 100);  /* 600 slots of at most 40 KB fit easily in 4 MiB */
	/* Free everything: the heap goes back to empty. */
	for (unsigned i = 0; i < SLOTS; i++)
		if (slots[i].p)
			box_heap_free(&heap, slots[i].p);
	CHECK(heap_ok());
	CHECK_EQ(heap.top, heap.base);
	CHECK_EQ(heap.live, 0);
	CHECK_EQ(heap.in_use, 0);
	for (unsigned c = 0; c < BOX_HEAP_CLASSES; c++)
		CHECK(heap.free_lists[c] == NULL);
}

static void test_exhaustion(void)
{
	heap_reset();
	CHECK(box_heap_alloc(&heap, ARENA) == NULL);       /* headers make it too big */
	CHECK(box_heap_alloc(&heap, SIZE_MAX) == NULL);
	CHECK(box_heap_alloc(&heap, SIZE_MAX - 8) == NULL);
	CHECK(box_heap_alloc_aligned(&heap, 3, 16) == NULL);  /* not a power of two */
	CHECK(box_heap_alloc_aligned(&heap, (size_t)1 << 40, 16) == NULL);
	void *big = box_heap_alloc(&heap, ARENA - 64);
	CHECK(big != NULL);
	CHECK(box_heap_alloc(&heap, 1) == NULL);
	box_heap_free(&heap, big);
	CHECK_EQ(heap.top, heap.base);

	/* Fill with 1 KiB blocks until full; free every other; the holes get reused. */
	static void *ptrs[8192];
	unsigned n = 0;
	while (n < 8192 && (ptrs[n] = box_heap_alloc(&heap, 1000)) != NULL)
		n++;
	CHECK(n > 3000 && n < 8192);
	CHECK(heap_ok());
	for (unsigned i = 0; i < n; i += 2)
		box_heap_free(&heap, ptrs[i]);
	CHECK(heap_ok());
	CHECK(box_heap_alloc(&heap, 4000) == NULL);  /* holes are only ~1 KiB each */
	void *again = box_heap_alloc(&heap, 900);
	CHECK(again != NULL);
	CHECK(heap_ok());
	box_heap_free(&heap, again);
	for (unsigned i = 1; i < n; i += 2)
		box_heap_free(&heap, ptrs[i]);
	CHECK(heap_ok());
	CHECK_EQ(heap.top, heap.base);
	CHECK_EQ(corruptions, 0);
}

static void test_coalesce_and_realloc(void)
{
	heap_reset();
	uint8_t *a = box_heap_alloc(&heap, 100), *b = box_heap_alloc(&heap, 100);
	uint8_t *c = box_heap_alloc(&heap, 100), *d = box_heap_alloc(&heap, 100);
	CHECK(a && b && c && d && a < b && b < c && c < d);
	box_heap_free(&heap, a);
	box_heap_free(&heap, c);
	box_heap_free(&heap, b);  /* a, b, c merge into one free block */
	CHECK(heap_ok());
	uint8_t *e = box_heap_alloc(&heap, 300);
	CHECK(e == a);  /* the merged block is reused from its start */

	/* realloc grows in place into a free successor and at top */
	box_heap_free(&heap, e);
	uint8_t *f = box_heap_alloc(&heap, 50);
	memset(f, 0x5A, 50);
	uint8_t *g = box_heap_realloc(&heap, f, 250);
	CHECK(g == f);
	CHECK(g[0] == 0x5A && g[49] == 0x5A);
	uint8_t *h2 = box_heap_realloc(&heap, d, 100000);
	CHECK(h2 == d);  /* d was last: grows into top */
	uint8_t *small = box_heap_realloc(&heap, h2, 10);
	CHECK(small == h2);
	CHECK(heap_ok());
	/* realloc that has to move keeps the contents */
	uint8_t *x = box_heap_alloc(&heap, 64);
	memset(x, 0x33, 64);
	uint8_t *y = box_heap_alloc(&heap, 64);
	uint8_t *moved = box_heap_realloc(&heap, x, 5000);
	CHECK(moved && moved != x);
	for (int i = 0; i < 64; i++)
		if (moved[i] != 0x33)
			CHECK(!"realloc lost the contents");
	CHECK(box_heap_realloc(&heap, NULL, 10) != NULL);        /* NULL: allocates */
	CHECK(box_heap_realloc(&heap, y, 0) == NULL);            /* size 0: frees */
	CHECK(box_heap_realloc(&heap, moved, SIZE_MAX) == NULL); /* too big: old block stays */
	CHECK(moved[63] == 0x33);
	CHECK(heap_ok());
	CHECK_EQ(corruptions, 0);
}

static void test_misuse(void)
{
	heap_reset();
	uint8_t *a = box_heap_alloc(&heap, 64), *b = box_heap_alloc(&heap, 64);
	uint8_t *c = box_heap_alloc(&heap, 64);
	(void)c;
	box_heap_free(&heap, a);
	size_t live = heap.live;
	box_heap_free(&heap, a);
	CHECK_EQ(corruptions, 1);
	CHECK(last_corruption && strstr(last_corruption, "double free"));
	CHECK_EQ(heap.live, live);
	CHECK(heap_ok());

	/* b merges into a's free block when freed; freeing b again is caught too */
	box_heap_free(&heap, b);
	CHECK(heap_ok());
	box_heap_free(&heap, b);
	CHECK_EQ(corruptions, 2);
	CHECK(strstr(last_corruption, "double free"));

	uint8_t *d = box_heap_alloc(&heap, 64);
	box_heap_free(&heap, d + 16);  /* into the middle of a block */
	CHECK_EQ(corruptions, 3);
	static uint8_t elsewhere[64] __attribute__((aligned(16)));
	box_heap_free(&heap, elsewhere + 16);
	CHECK_EQ(corruptions, 4);
	CHECK(strstr(last_corruption, "outside"));
	box_heap_free(&heap, d + 1);  /* misaligned */
	CHECK_EQ(corruptions, 5);
	CHECK(box_heap_realloc(&heap, d + 32, 10) == NULL);
	CHECK_EQ(corruptions, 6);
	CHECK(heap_ok());
	CHECK(box_heap_usable(&heap, d + 16) == 0);

	/* An overrun of d smashes the next block's header: freeing d or the next one is caught. */
	uint8_t *e = box_heap_alloc(&heap, 64);
	CHECK(e > d);
	size_t usable = box_heap_usable(&heap, d);
	memset(d, 0xEE, usable + 24);  /* footer and the next header */
	box_heap_free(&heap, e);
	CHECK_EQ(corruptions, 7);
	box_heap_free(&heap, d);
	CHECK_EQ(corruptions, 8);
	CHECK(box_heap_check(&heap, NULL) != 0);  /* and the walk sees it */
}

/* The last block goes back to top when freed; a second free is still a double free. */
static void test_double_free_at_top(void)
{
	heap_reset();
	uint8_t *first = box_heap_alloc(&heap, 64), *last = box_heap_alloc(&heap, 200);
	box_heap_free(&heap, last);
	CHECK_EQ(heap.top, (uintptr_t)last - 16);
	box_heap_free(&heap, last);
	CHECK_EQ(corruptions, 1);
	CHECK(last_corruption && strstr(last_corruption, "double free"));
	CHECK(box_heap_realloc(&heap, last, 10) == NULL);
	CHECK_EQ(corruptions, 2);
	CHECK(strstr(last_corruption, "already freed"));
	box_heap_free(&heap, first + 4096);  /* past top, never a block */
	CHECK_EQ(corruptions, 3);
	CHECK(strstr(last_corruption, "not a heap pointer"));
	CHECK(heap_ok());
	box_heap_free(&heap, first);
	CHECK_EQ(heap.top, heap.base);
}

static void test_tiny_ranges(void)
{
	struct box_heap t = {.on_corrupt = on_corrupt};
	box_heap_init(&t, arena + 3, 40);  /* too small for any block */
	CHECK(box_heap_alloc(&t, 1) == NULL);
	CHECK(box_heap_check(&t, NULL) == 0);
	box_heap_init(&t, arena, 0);
	CHECK(box_heap_alloc(&t, 1) == NULL);
	box_heap_init(&t, arena + 1, 64);  /* trimmed to 16-aligned: 48 bytes remain */
	void *p = box_heap_alloc(&t, 24);
	CHECK(p != NULL && ((uintptr_t)p & 15) == 0);
	CHECK(box_heap_alloc(&t, 1) == NULL);
	box_heap_free(&t, p);
	CHECK(box_heap_check(&t, NULL) == 0 && t.top == t.base);
}

int main(void)
{
	arena = malloc(ARENA);
	test_random();
	test_exhaustion();
	test_coalesce_and_realloc();
	test_misuse();
	test_double_free_at_top();
	test_tiny_ranges();
	free(arena);
	return check_report();
}
