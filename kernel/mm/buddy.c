/*
 * buddy.c: binary buddy allocator for one zone of physical memory.
 *
 * Free memory is kept as blocks of 2^order pages, each aligned to its own size
 * in physical address terms, on one free list per order.  Allocation takes the
 * smallest free block that is big enough and splits it in halves, returning
 * the unused halves to the lists.  Freeing merges a block with its "buddy" (the
 * other half of the block it was split from, found by flipping one address
 * bit) for as long as the buddy is free too.
 *
 * The free lists are intrusive: a free block's list links live in its own
 * first bytes, reached through virt_offset.  Besides that, every page has one
 * metadata byte:
 *   RESERVED          not managed (hole, never given, or metadata)
 *   FREE  | order     first page of a free block
 *   ALLOC | order     first page of an allocated block
 *   TAIL              any other page of a free or allocated block
 * Recording the order of allocated blocks lets buddy_free() reject a bad free
 * instead of corrupting the lists, and TAIL lets buddy_add_free() skip pages
 * that are already managed.  Split and merge only ever touch block heads, so
 * both stay O(BUDDY_MAX_ORDER).
 */
#include "mm/buddy.h"
#include "lib/string.h"

#define META_RESERVED 0x00
#define META_TAIL     0x40
#define META_FREE     0x80
#define META_ALLOC    0xC0
#define META_STATE    0xC0
#define META_ORDER    0x0F

_Static_assert(BUDDY_MAX_ORDER <= META_ORDER, "order must fit in a meta byte");

static uint64_t block_bytes(unsigned order)
{
	return PAGE_SIZE << order;
}

static uint64_t page_index(const struct buddy_zone *z, uint64_t phys)
{
	return (phys - z->base) >> PAGE_SHIFT;
}

static uint64_t page_phys(const struct buddy_zone *z, uint64_t index)
{
	return z->base + (index << PAGE_SHIFT);
}

static struct buddy_free_block *block_at(const struct buddy_zone *z, uint64_t phys)
{
	return (struct buddy_free_block *)(uintptr_t)(phys + z->virt_offset);
}

static uint64_t block_phys(const struct buddy_zone *z, const struct buddy_free_block *b)
{
	return (uint64_t)((uintptr_t)b - z->virt_offset);
}

/* Whether the whole block of 2^order pages at phys lies inside the zone. */
static bool block_in_zone(const struct buddy_zone *z, uint64_t phys, unsigned order)
{
	if (phys < z->base || (phys & (PAGE_SIZE - 1)))
		return false;
	uint64_t index = page_index(z, phys);
	return index < z->npages && z->npages - index >= (1ULL << order);
}

static void list_push(struct buddy_zone *z, unsigned order, uint64_t phys)
{
	struct buddy_free_block *b = block_at(z, phys);
	b->prev = NULL;
	b->next = z->free_list[order];
	if (b->next)
		b->next->prev = b;
	z->free_list[order] = b;
	z->free_blocks[order]++;
}

static void list_remove(struct buddy_zone *z, unsigned order, struct buddy_free_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		z->free_list[order] = b->next;
	if (b->next)
		b->next->prev = b->prev;
	z->free_blocks[order]--;
}

size_t buddy_meta_bytes(uint64_t npages)
{
	return (size_t)npages;
}

void buddy_init(struct buddy_zone *z, const char *name, uint64_t base_phys,
		uint64_t npages, void *meta, uintptr_t virt_offset)
{
	z->name = name;
	z->base = base_phys;
	z->npages = npages;
	z->free_pages = 0;
	z->virt_offset = virt_offset;
	z->meta = meta;
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		z->free_list[order] = NULL;
		z->free_blocks[order] = 0;
	}
	memset(z->meta, META_RESERVED, buddy_meta_bytes(npages));
}

/*
 * Put a block whose pages are all owned by the caller (head not FREE, the rest
 * TAIL) on the free lists, merging it with free buddies first.
 */
static void release_block(struct buddy_zone *z, uint64_t phys, unsigned order)
{
	z->free_pages += 1ULL << order;
	while (order < BUDDY_MAX_ORDER) {
		uint64_t buddy = phys ^ block_bytes(order);
		if (!block_in_zone(z, buddy, order))
			break;
		if (z->meta[page_index(z, buddy)] != (META_FREE | order))
			break;
		list_remove(z, order, block_at(z, buddy));
		/* The higher half stops being a block head. */
		if (buddy < phys) {
			z->meta[page_index(z, phys)] = META_TAIL;
			phys = buddy;
		} else {
			z->meta[page_index(z, buddy)] = META_TAIL;
		}
		order++;
	}
	z->meta[page_index(z, phys)] = META_FREE | order;
	list_push(z, order, phys);
}

static bool pages_reserved(const struct buddy_zone *z, uint64_t first, uint64_t count)
{
	for (uint64_t i = first; i < first + count; i++)
		if (z->meta[i] != META_RESERVED)
			return false;
	return true;
}

void buddy_add_free(struct buddy_zone *z, uint64_t phys, uint64_t npages)
{
	uint64_t zone_end = z->base + (z->npages << PAGE_SHIFT);
	uint64_t start = (phys + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t end;

	if (start < phys) /* rounding wrapped past the top */
		return;
	if (npages > ((UINT64_MAX - phys) >> PAGE_SHIFT))
		end = UINT64_MAX & ~(PAGE_SIZE - 1);
	else
		end = phys + (npages << PAGE_SHIFT);
	if (start < z->base)
		start = z->base;
	if (end > zone_end)
		end = zone_end;
	if (start >= end)
		return;

	uint64_t i = page_index(z, start);
	uint64_t last = page_index(z, end);
	while (i < last) {
		if (z->meta[i] != META_RESERVED) {
			i++;
			continue;
		}
		/* Grow the block while it stays aligned, in range and unmanaged. */
		uint64_t p = page_phys(z, i);
		unsigned order = 0;
		while (order < BUDDY_MAX_ORDER) {
			uint64_t doubled = 1ULL << (order + 1);
			if (p & (block_bytes(order + 1) - 1))
				break;
			if (last - i < doubled)
				break;
			if (!pages_reserved(z, i + (1ULL << order), 1ULL << order))
				break;
			order++;
		}
		for (uint64_t j = 1; j < (1ULL << order); j++)
			z->meta[i + j] = META_TAIL;
		release_block(z, p, order);
		i += 1ULL << order;
	}
}

uint64_t buddy_alloc(struct buddy_zone *z, unsigned order)
{
	if (order > BUDDY_MAX_ORDER)
		return 0;
	unsigned k = order;
	while (k <= BUDDY_MAX_ORDER && !z->free_list[k])
		k++;
	if (k > BUDDY_MAX_ORDER)
		return 0;

	struct buddy_free_block *b = z->free_list[k];
	uint64_t phys = block_phys(z, b);
	list_remove(z, k, b);
	while (k > order) {
		k--;
		uint64_t upper = phys + block_bytes(k);
		z->meta[page_index(z, upper)] = META_FREE | k;
		list_push(z, k, upper);
	}
	z->meta[page_index(z, phys)] = META_ALLOC | order;
	z->free_pages -= 1ULL << order;
	return phys;
}

int buddy_free(struct buddy_zone *z, uint64_t phys, unsigned order)
{
	if (order > BUDDY_MAX_ORDER)
		return -1;
	if (phys & (block_bytes(order) - 1))
		return -1;
	if (!block_in_zone(z, phys, order))
		return -1;
	if (z->meta[page_index(z, phys)] != (META_ALLOC | order))
		return -1;
	release_block(z, phys, order);
	return 0;
}

bool buddy_contains(const struct buddy_zone *z, uint64_t phys)
{
	return phys >= z->base && ((phys - z->base) >> PAGE_SHIFT) < z->npages;
}

int buddy_check(const struct buddy_zone *z)
{
	uint64_t heads[BUDDY_MAX_ORDER + 1] = { 0 };
	uint64_t free_pages = 0;

	/* Walk the metadata block by block. */
	uint64_t i = 0;
	while (i < z->npages) {
		uint8_t m = z->meta[i];
		uint8_t state = m & META_STATE;
		unsigned order = m & META_ORDER;

		if (m == META_RESERVED) {
			i++;
			continue;
		}
		if (state == META_TAIL)
			return -1; /* a tail page with no block head before it */
		if (state == META_RESERVED || order > BUDDY_MAX_ORDER)
			return -2; /* a byte no code writes */
		uint64_t phys = page_phys(z, i);
		if (phys & (block_bytes(order) - 1))
			return -3;
		if (z->npages - i < (1ULL << order))
			return -4;
		for (uint64_t j = 1; j < (1ULL << order); j++)
			if (z->meta[i + j] != META_TAIL)
				return -5;
		if (state == META_FREE) {
			heads[order]++;
			free_pages += 1ULL << order;
			uint64_t buddy = phys ^ block_bytes(order);
			if (order < BUDDY_MAX_ORDER && block_in_zone(z, buddy, order) &&
			    z->meta[page_index(z, buddy)] == (META_FREE | order))
				return -6; /* two free buddies left unmerged */
		}
		i += 1ULL << order;
	}
	if (free_pages != z->free_pages)
		return -7;

	/* Every list holds exactly the free heads of its order, linked both ways. */
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		const struct buddy_free_block *prev = NULL;
		uint64_t n = 0;
		for (const struct buddy_free_block *b = z->free_list[order]; b; b = b->next) {
			uint64_t phys = block_phys(z, b);
			/* Validate the address before reading through it. */
			if (!block_in_zone(z, phys, 0))
				return -8;
			if (z->meta[page_index(z, phys)] != (META_FREE | order))
				return -9;
			if (b->prev != prev)
				return -10;
			if (++n > heads[order])
				return -11; /* a cycle or a block listed twice */
			prev = b;
		}
		if (n != heads[order] || n != z->free_blocks[order])
			return -12;
	}
	return 0;
}
