/*
 * boxlib/heap.h: a heap allocator over one address range.
 *
 * The core (struct box_heap, box_heap_*) works on any range [base, base +
 * size) and touches only memory it hands out or its own block headers, so a
 * range the kernel backs lazily (the Cabin's heap range of the start page)
 * only costs pages as far up as the heap has ever grown.  The host tests run
 * it over a plain buffer.  malloc/free/calloc/realloc/aligned_alloc (below)
 * use one global heap that boxlib's start code sets up from the start page.
 *
 * Blocks are 16-byte aligned, carry a checked header and a footer, and free
 * blocks sit in size-class lists and are merged with free neighbours at
 * once.  A free or realloc of something that is not a live block (double
 * free, a pointer into the middle of a block or outside the heap, a header
 * overwritten by a buffer overrun) is never ignored: the heap calls its
 * on_corrupt handler with a message (boxlib's prints it and ends the Cabin
 * with BOX_HEAP_CORRUPT_EXIT).  See docs/boxlib.md.
 */
#ifndef BOXLIB_HEAP_H
#define BOXLIB_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define BOX_HEAP_ALIGN        16u
#define BOX_HEAP_CLASSES      48u   /* free lists: one per power of two of block size */
#define BOX_HEAP_CORRUPT_EXIT 134   /* exit code after a detected heap corruption */

struct box_heap_block;

struct box_heap {
	uintptr_t base;   /* first block, 16-aligned */
	uintptr_t top;    /* end of the blocks handed out so far; [top, end) is untouched */
	uintptr_t end;    /* end of the range, 16-aligned */
	struct box_heap_block *free_lists[BOX_HEAP_CLASSES];
	size_t in_use;    /* bytes of live blocks, headers and footers included */
	size_t live;      /* live allocations */
	/* Called with a message when a corrupted or foreign pointer is found;
	 * if it returns, the operation that found it does nothing (free) or
	 * fails (realloc returns NULL). */
	void (*on_corrupt)(struct box_heap *h, const char *what, const void *ptr);
};

/* Set up an empty heap over [base, base + size); the range is trimmed to 16-byte
 * alignment.  Nothing in the range is touched. */
void box_heap_init(struct box_heap *h, void *base, size_t size);

/* NULL when size is 0 or there is no room. */
void *box_heap_alloc(struct box_heap *h, size_t size);
/* align: a power of two (anything below 16 means 16); NULL if it is not or there is no room. */
void *box_heap_alloc_aligned(struct box_heap *h, size_t align, size_t size);
void box_heap_free(struct box_heap *h, void *ptr);
/* realloc semantics: NULL ptr allocates, size 0 frees (and returns NULL); on
 * failure the old block stays valid and NULL is returned. */
void *box_heap_realloc(struct box_heap *h, void *ptr, size_t size);
/* Bytes usable at ptr (>= what was asked for); 0 if ptr is not a live block. */
size_t box_heap_usable(struct box_heap *h, const void *ptr);

/*
 * Walk every block and every free list and check the invariants (headers,
 * footers, no two free neighbours, lists and blocks agree, counters).  0 if
 * all hold, else a negative number naming the first broken rule; *why (if
 * not NULL) gets a short description.  For tests and debugging: O(blocks).
 */
int box_heap_check(const struct box_heap *h, const char **why);

/* The global heap used by malloc & co. (set up by boxlib's start code). */
extern struct box_heap box_global_heap;

void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void *aligned_alloc(size_t align, size_t size);

#endif
