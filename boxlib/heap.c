/*
 * heap.c: the allocator core of boxlib/heap.h (boundary tags, size-class
 * free lists, immediate coalescing).
 *
 * A block is a 16-byte header, the payload, and an 8-byte footer:
 *
 *   +0   size   block bytes (a multiple of 16, >= MIN_BLOCK) | IN_USE bit
 *   +8   check  size ^ block address ^ MAGIC: a header that was overwritten,
 *               or a pointer that is not a block, fails this check
 *   +16  payload (free blocks keep their list links here)
 *   +size-8 footer: the size word again, so a block can find and check the
 *               block before it
 *
 * Blocks tile [base, top) with no gaps; [top, end) was never handed out and
 * never touched, so the heap's footprint is what it has used.  Invariants
 * (box_heap_check tests all of them): no two free blocks are neighbours (a
 * free merges with both), the block before top is never free (it gives its
 * bytes back to top instead), and every free block is on the list of its
 * size class (floor(log2(size)) - 5, the last class holds everything
 * larger).  Allocation takes the first fitting block of the request's own
 * class, else the head of any larger class (which always fits), else
 * carves from top, and splits off any remainder that can be a block.
 *
 * Headers of blocks that stop existing (merged into a neighbour) get the
 * POISON check word, so freeing such a pointer again is reported as a double
 * free instead of passing the check with a stale header.
 */
#include "boxlib/heap.h"
#include "boxlib/string.h"

#define MAGIC     0x9E3779B97F4A7C15ull
#define POISON    0xDEADF7EEDEADF7EEull
#define IN_USE    1ull
#define HDR       16u
#define FOOTER    8u
#define MIN_BLOCK 48u   /* header + two links + footer, rounded to 16 */

struct box_heap_block {
	uint64_t size;
	uint64_t check;
	struct box_heap_block *next, *prev;  /* free blocks only */
};

static size_t block_size(const struct box_heap_block *b) { return (size_t)(b->size & ~IN_USE); }
static int block_used(const struct box_heap_block *b) { return (int)(b->size & IN_USE); }
static uint64_t *footer_of(struct box_heap_block *b)
{
	return (uint64_t *)((uintptr_t)b + block_size(b) - FOOTER);
}
static struct box_heap_block *block_at(uintptr_t a) { return (struct box_heap_block *)a; }
static struct box_heap_block *next_block(struct box_heap_block *b)
{
	return block_at((uintptr_t)b + block_size(b));
}

/* Write header and footer of a block of `size` bytes at b. */
static void set_block(struct box_heap_block *b, size_t size, int used)
{
	b->size = size | (used ? IN_USE : 0);
	b->check = b->size ^ (uintptr_t)b ^ MAGIC;
	*footer_of(b) = b->size;
}

static void poison(struct box_heap_block *b)
{
	b->check = POISON;
}

static unsigned size_class(size_t size)
{
	unsigned log = 63u - (unsigned)__builtin_clzll((unsigned long long)size);
	unsigned c = log >= 5 ? log - 5 : 0;
	return c < BOX_HEAP_CLASSES ? c : BOX_HEAP_CLASSES - 1;
}

static void list_insert(struct box_heap *h, struct box_heap_block *b)
{
	unsigned c = size_class(block_size(b));
	b->prev = NULL;
	b->next = h->free_lists[c];
	if (b->next)
		b->next->prev = b;
	h->free_lists[c] = b;
}

static void list_remove(struct box_heap *h, struct box_heap_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		h->free_lists[size_class(block_size(b))] = b->next;
	if (b->next)
		b->next->prev = b->prev;
}

/* Is there a well-formed block header at a (inside [base, top))? */
static int header_ok(const struct box_heap *h, uintptr_t a)
{
	if (a < h->base || a >= h->top || (a & (BOX_HEAP_ALIGN - 1)))
		return 0;
	const struct box_heap_block *b = block_at(a);
	size_t size = block_size(b);
	if (b->check != (b->size ^ a ^ MAGIC) || size < MIN_BLOCK || (size & 15u) ||
	    size > h->top - a)
		return 0;
	return *footer_of((struct box_heap_block *)b) == b->size;
}

static void corrupt(struct box_heap *h, const char *what, const void *ptr)
{
	if (h->on_corrupt)
		h->on_corrupt(h, what, ptr);
}

/* The live block of payload pointer p, or NULL after reporting why not. */
static struct box_heap_block *live_block(struct box_heap *h, const void *p, const char *op)
{
	int is_free = op[0] == 'f';
	uintptr_t a = (uintptr_t)p - HDR;
	if ((uintptr_t)p < h->base + HDR || (uintptr_t)p >= h->end ||
	    ((uintptr_t)p & (BOX_HEAP_ALIGN - 1))) {
		corrupt(h, is_free ? "free: pointer outside the heap or misaligned"
				   : "realloc: pointer outside the heap or misaligned", p);
		return NULL;
	}
	/* A freed block keeps its poisoned header even after it went back to
	 * top, so this is checked before "past top". */
	struct box_heap_block *b = block_at(a);
	if (b->check == POISON || (header_ok(h, a) && !block_used(b))) {
		corrupt(h, is_free ? "free: double free (the block is already free)"
				   : "realloc: the block was already freed", p);
		return NULL;
	}
	if (!header_ok(h, a)) {
		corrupt(h, is_free ? "free: corrupted block header or not a heap pointer"
				   : "realloc: corrupted block header or not a heap pointer", p);
		return NULL;
	}
	return b;
}

void box_heap_init(struct box_heap *h, void *base, size_t size)
{
	uintptr_t lo = ((uintptr_t)base + BOX_HEAP_ALIGN - 1) & ~(uintptr_t)(BOX_HEAP_ALIGN - 1);
	uintptr_t hi = ((uintptr_t)base + size) & ~(uintptr_t)(BOX_HEAP_ALIGN - 1);
	if ((uintptr_t)base + size < (uintptr_t)base || hi < lo)  /* wrapped or too small */
		hi = lo;
	void (*handler)(struct box_heap *, const char *, const void *) = h->on_corrupt;
	memset(h, 0, sizeof(*h));
	h->on_corrupt = handler;
	h->base = h->top = lo;
	h->end = hi;
}

/* Block bytes for a request of n payload bytes; 0 if it can never fit. */
static size_t need_for(const struct box_heap *h, size_t n)
{
	if (n > h->end - h->base)
		return 0;
	size_t need = (n + HDR + FOOTER + 15u) & ~(size_t)15u;
	return need < MIN_BLOCK ? MIN_BLOCK : need;
}

/*
 * Give the bytes [b + keep, b + size(b)) of the in-use block b back: they
 * become a free block (merged with a free successor, or returned to top),
 * if they are at least MIN_BLOCK; otherwise b keeps them.
 */
static void trim(struct box_heap *h, struct box_heap_block *b, size_t keep)
{
	size_t size = block_size(b);
	if (size - keep < MIN_BLOCK)
		return;
	uintptr_t rest_end = (uintptr_t)b + size;
	struct box_heap_block *after = rest_end < h->top ? block_at(rest_end) : NULL;
	if (after && !header_ok(h, rest_end)) {
		corrupt(h, "the block after this one is corrupted (overrun?)", (uint8_t *)b + HDR);
		return;  /* keep the whole block; touch nothing past it */
	}
	set_block(b, keep, 1);
	struct box_heap_block *rest = next_block(b);
	size_t rest_size = size - keep;
	if (after && !block_used(after)) {
		list_remove(h, after);
		rest_size += block_size(after);
		poison(after);
		rest_end += block_size(after);
	}
	if (rest_end == h->top) {
		h->top = (uintptr_t)rest;
		return;
	}
	set_block(rest, rest_size, 0);
	list_insert(h, rest);
}

static struct box_heap_block *find_free(struct box_heap *h, size_t need)
{
	unsigned c = size_class(need);
	for (struct box_heap_block *b = h->free_lists[c]; b; b = b->next)
		if (block_size(b) >= need)
			return b;
	for (unsigned k = c + 1; k < BOX_HEAP_CLASSES; k++)
		if (h->free_lists[k])
			return h->free_lists[k];
	return NULL;
}

/* An in-use block of at least need bytes (not yet trimmed), or NULL. */
static struct box_heap_block *take(struct box_heap *h, size_t need)
{
	struct box_heap_block *b = find_free(h, need);
	if (b) {
		list_remove(h, b);
		set_block(b, block_size(b), 1);
		return b;
	}
	if (h->end - h->top < need)
		return NULL;
	b = block_at(h->top);
	h->top += need;
	set_block(b, need, 1);
	return b;
}

static void *hand_out(struct box_heap *h, struct box_heap_block *b, size_t need)
{
	trim(h, b, need);
	h->in_use += block_size(b);
	h->live++;
	return (uint8_t *)b + HDR;
}

void *box_heap_alloc(struct box_heap *h, size_t size)
{
	size_t need = size ? need_for(h, size) : 0;
	if (!need)
		return NULL;
	struct box_heap_block *b = take(h, need);
	return b ? hand_out(h, b, need) : NULL;
}

void *box_heap_alloc_aligned(struct box_heap *h, size_t align, size_t size)
{
	if (align & (align - 1))
		return NULL;
	if (align <= BOX_HEAP_ALIGN)
		return box_heap_alloc(h, size);
	size_t need = size ? need_for(h, size) : 0;
	if (!need || align + MIN_BLOCK > h->end - h->base ||
	    need > h->end - h->base - align - MIN_BLOCK)
		return NULL;
	struct box_heap_block *b = take(h, need + align + MIN_BLOCK);
	if (!b)
		return NULL;
	uintptr_t payload = ((uintptr_t)b + HDR + align - 1) & ~(uintptr_t)(align - 1);
	while (payload - HDR != (uintptr_t)b && payload - HDR - (uintptr_t)b < MIN_BLOCK)
		payload += align;
	uintptr_t front = payload - HDR - (uintptr_t)b;
	if (front) {
		/* The front piece becomes a free block; b's predecessor is in use
		 * (free blocks have no free neighbours, and top's left block is
		 * in use), so it needs no merging. */
		size_t total = block_size(b);
		struct box_heap_block *a = block_at(payload - HDR);
		set_block(b, front, 0);
		list_insert(h, b);
		set_block(a, total - front, 1);
		b = a;
	}
	return hand_out(h, b, need);
}

void box_heap_free(struct box_heap *h, void *ptr)
{
	if (!ptr)
		return;
	struct box_heap_block *b = live_block(h, ptr, "free");
	if (!b)
		return;
	size_t size = block_size(b);
	uintptr_t start = (uintptr_t)b, end = start + size;

	/* Check both neighbours before changing anything. */
	struct box_heap_block *before = NULL, *after = NULL;
	if (start > h->base) {
		uint64_t prev_word = *(uint64_t *)(start - FOOTER);
		if (!(prev_word & IN_USE)) {
			if (prev_word > start - h->base || !header_ok(h, start - (size_t)prev_word)) {
				corrupt(h, "free: the block before this one is corrupted", ptr);
				return;
			}
			before = block_at(start - (size_t)prev_word);
		}
	}
	if (end < h->top) {
		if (!header_ok(h, end)) {
			corrupt(h, "free: the block after this one is corrupted (overrun?)", ptr);
			return;
		}
		if (!block_used(block_at(end)))
			after = block_at(end);
	}

	h->in_use -= size;
	h->live--;
	poison(b);  /* a second free of ptr must not find a valid header */
	if (before) {
		list_remove(h, before);
		size += start - (uintptr_t)before;
		start = (uintptr_t)before;
	}
	if (after) {
		list_remove(h, after);
		size += block_size(after);
		poison(after);
	}
	if (start + size == h->top) {
		h->top = start;
		return;
	}
	set_block(block_at(start), size, 0);
	list_insert(h, block_at(start));
}

void *box_heap_realloc(struct box_heap *h, void *ptr, size_t size)
{
	if (!ptr)
		return box_heap_alloc(h, size);
	if (!size) {
		box_heap_free(h, ptr);
		return NULL;
	}
	struct box_heap_block *b = live_block(h, ptr, "realloc");
	if (!b)
		return NULL;
	size_t need = need_for(h, size);
	if (!need)
		return NULL;
	size_t have = block_size(b);
	uintptr_t end = (uintptr_t)b + have;
	if (need > have) {
		if (end == h->top && h->end - (uintptr_t)b >= need) {
			h->top = (uintptr_t)b + need;  /* grow into untouched space */
			set_block(b, need, 1);
		} else if (end < h->top && header_ok(h, end) && !block_used(block_at(end)) &&
			   have + block_size(block_at(end)) >= need) {
			struct box_heap_block *after = block_at(end);
			list_remove(h, after);
			set_block(b, have + block_size(after), 1);
			poison(after);
		} else {
			void *p = box_heap_alloc(h, size);
			if (!p)
				return NULL;
			memcpy(p, ptr, have - HDR - FOOTER);
			box_heap_free(h, ptr);
			return p;
		}
	}
	h->in_use -= have;
	trim(h, b, need);
	h->in_use += block_size(b);
	return ptr;
}

size_t box_heap_usable(struct box_heap *h, const void *ptr)
{
	uintptr_t a = (uintptr_t)ptr - HDR;
	if (!ptr || (uintptr_t)ptr < h->base + HDR || !header_ok(h, a) || !block_used(block_at(a)))
		return 0;
	return block_size(block_at(a)) - HDR - FOOTER;
}

int box_heap_check(const struct box_heap *h, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	size_t free_blocks = 0, used_bytes = 0, used_blocks = 0;
	int prev_free = 0;
	uintptr_t a = h->base;
	while (a < h->top) {
		if (!header_ok(h, a)) {
			*why = "a block header or footer is broken";
			return -1;
		}
		struct box_heap_block *b = block_at(a);
		if (!block_used(b)) {
			if (prev_free) {
				*why = "two free blocks are neighbours";
				return -2;
			}
			free_blocks++;
		} else {
			used_bytes += block_size(b);
			used_blocks++;
		}
		prev_free = !block_used(b);
		a += block_size(b);
	}
	if (a != h->top || h->top > h->end) {
		*why = "blocks do not end at top";
		return -3;
	}
	if (prev_free) {
		*why = "the block before top is free";
		return -4;
	}
	size_t listed = 0;
	for (unsigned c = 0; c < BOX_HEAP_CLASSES; c++) {
		const struct box_heap_block *prev = NULL;
		for (const struct box_heap_block *b = h->free_lists[c]; b; b = b->next) {
			if (!header_ok(h, (uintptr_t)b) || block_used(b) ||
			    size_class(block_size(b)) != c || b->prev != prev) {
				*why = "a free list holds a bad block or broken links";
				return -5;
			}
			if (++listed > free_blocks) {
				*why = "the free lists hold more blocks than the heap";
				return -6;
			}
			prev = b;
		}
	}
	if (listed != free_blocks) {
		*why = "a free block is on no list";
		return -7;
	}
	if (used_bytes != h->in_use || used_blocks != h->live) {
		*why = "the in-use counters disagree with the blocks";
		return -8;
	}
	*why = "ok";
	return 0;
}
