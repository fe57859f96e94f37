/* heap.h: kernel heap (see heap.c). */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

void *kmalloc(size_t size);              /* 16-byte aligned, NULL when out of memory */
void *kzalloc(size_t size);              /* kmalloc + zero */
void kfree(void *p);                     /* NULL is fine */
void *kmalloc_or_panic(size_t size);     /* for boot-time allocations that cannot fail */

struct heap_stats { uint64_t allocs, frees, bytes_in_use, pages; };
void heap_stats(struct heap_stats *out);

#endif
