/*
 * malloc.c: malloc, free, calloc, realloc and aligned_alloc over the
 * Cabin's heap range (boxlib/heap.h).  box_global_heap is set up by start.c
 * from the start page; until then (or without a valid heap range) it is an
 * empty heap and every allocation returns NULL.  A detected corruption
 * (double free, a bad pointer, a smashed header) prints what was found and
 * ends the Cabin with BOX_HEAP_CORRUPT_EXIT: running on with a broken heap
 * would only move the damage somewhere harder to see.
 */
#include "boxlib/heap.h"
#include "boxlib/notify.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

static void heap_corrupt(struct box_heap *h, const char *what, const void *ptr)
{
	(void)h;
	box_console_flush();
	printf("boxlib: heap corruption: %s (pointer %p)\n", what, ptr);
	box_exit(BOX_HEAP_CORRUPT_EXIT);
}

struct box_heap box_global_heap = {.on_corrupt = heap_corrupt};

void *malloc(size_t size)
{
	return box_heap_alloc(&box_global_heap, size);
}

void free(void *ptr)
{
	box_heap_free(&box_global_heap, ptr);
}

void *calloc(size_t count, size_t size)
{
	if (size && count > (size_t)-1 / size)
		return NULL;
	/* Fresh pages are zero, but reused blocks are not: always clear. */
	void *p = box_heap_alloc(&box_global_heap, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *realloc(void *ptr, size_t size)
{
	return box_heap_realloc(&box_global_heap, ptr, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	return box_heap_alloc_aligned(&box_global_heap, align, size);
}
