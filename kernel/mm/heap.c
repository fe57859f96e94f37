/*
 * heap.c: kmalloc/kfree for small kernel objects.
 *
 * Requests up to 2 KiB come from power-of-two size classes (32 B .. 2 KiB):
 * each class carves whole pages into equal chunks and keeps a free list.
 * Larger requests get their own run of pages from the PMM.  Every chunk
 * starts with a 16-byte header naming its class (or page order), so kfree
 * needs no size and the payload stays 16-byte aligned.  A magic word in the
 * header catches frees of pointers the heap never handed out, and double
 * frees.  Pages come through the direct map; one lock covers the heap.
 */
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "core/panic.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define HEADER 16
#define MIN_SHIFT 5   /* 32 B */
#define MAX_SHIFT 11  /* 2 KiB */
#define CLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define MAGIC_USED 0xB0C5A110C0FFEE00ULL
#define MAGIC_FREE 0xB0C5F4EEDEADBE00ULL
#define LARGE_FLAG 0x80

struct chunk {
	uint64_t magic; /* MAGIC_* | class (0..CLASSES-1) or LARGE_FLAG|order */
	struct chunk *next_free;
};

static struct chunk *free_lists[CLASSES];
static struct spinlock heap_lock = SPINLOCK_INIT;
static struct heap_stats stats;

static int class_for(size_t total)
{
	for (int c = 0; c < CLASSES; c++)
		if (total <= (1u << (MIN_SHIFT + c)))
			return c;
	return -1;
}

static int refill(int c)
{
	uint64_t phys = pmm_alloc(ZONE_USER, 0);
	if (!phys)
		return -1;
	stats.pages++;
	uint8_t *page = phys_to_virt(phys);
	size_t size = 1u << (MIN_SHIFT + c);
	for (size_t off = 0; off + size <= PAGE_SIZE; off += size) {
		struct chunk *ch = (struct chunk *)(page + off);
		ch->magic = MAGIC_FREE | c;
		ch->next_free = free_lists[c];
		free_lists[c] = ch;
	}
	return 0;
}

void *kmalloc(size_t size)
{
	if (size == 0 || size > (1ULL << 30))
		return NULL;
	size_t total = size + HEADER;
	int c = class_for(total);
	struct chunk *ch;
	if (c < 0) {
		unsigned order = 0;
		while ((PAGE_SIZE << order) < total)
			order++;
		if (order > BUDDY_MAX_ORDER)
			return NULL;
		uint64_t phys = pmm_alloc(ZONE_USER, order);
		if (!phys)
			return NULL;
		ch = phys_to_virt(phys);
		ch->magic = MAGIC_USED | LARGE_FLAG | order;
		spin_lock(&heap_lock);
		stats.pages += 1u << order;
	} else {
		spin_lock(&heap_lock);
		if (!free_lists[c] && refill(c) < 0) {
			spin_unlock(&heap_lock);
			return NULL;
		}
		ch = free_lists[c];
		free_lists[c] = ch->next_free;
		ch->magic = MAGIC_USED | c;
	}
	stats.allocs++;
	stats.bytes_in_use += size;
	spin_unlock(&heap_lock);
	ch->next_free = (struct chunk *)size; /* remember the request for the stats */
	return (uint8_t *)ch + HEADER;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void *kmalloc_or_panic(size_t size)
{
	void *p = kzalloc(size);
	if (!p)
		panic("heap: out of memory allocating %zu bytes", size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct chunk *ch = (struct chunk *)((uint8_t *)p - HEADER);
	if ((ch->magic & ~0xFFULL) != MAGIC_USED)
		panic("heap: kfree(%p): not an allocated block (double free or corruption)", p);
	unsigned tag = ch->magic & 0xFF;
	size_t size = (size_t)ch->next_free;
	spin_lock(&heap_lock);
	stats.frees++;
	stats.bytes_in_use -= size;
	if (tag & LARGE_FLAG) {
		unsigned order = tag & ~LARGE_FLAG;
		stats.pages -= 1u << order;
		ch->magic = MAGIC_FREE;
		spin_unlock(&heap_lock);
		pmm_free(virt_to_phys_direct(ch), order);
		return;
	}
	ch->magic = MAGIC_FREE | tag;
	ch->next_free = free_lists[tag];
	free_lists[tag] = ch;
	spin_unlock(&heap_lock);
}

void heap_stats(struct heap_stats *out)
{
	spin_lock(&heap_lock);
	*out = stats;
	spin_unlock(&heap_lock);
}
