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
 * The free lists are doubly linked through two arrays of 32-bit page indices
 * in the metadata, not through the free pages themselves: the allocator never
 * touches the memory it manages.  That matters in a virtual machine, where
 * the first write to a guest page makes the host allocate it: intrusive lists
 * would touch one page in every 4 MiB block while building the zones (under
 * QEMU that cost 2.2 s of a 2.3 s boot with 2 GiB), and free memory the guest
 * never uses would be backed by host memory for nothing.  Every page also has
 * one state byte:
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
	uint32_t i = (uint32_t)page_index(z, phys);
	z->prev[i] = BUDDY_NIL;
	z->next[i] = z->free_list[order];
	if (z->next[i] != BUDDY_NIL)
		z->prev[z->next[i]] = i;
	z->free_list[order] = i;
	z->free_blocks[order]++;
}

static void list_remove(struct buddy_zone *z, unsigned order, uint64_t phys)
{
	uint32_t i = (uint32_t)page_index(z, phys);
	if (z->prev[i] != BUDDY_NIL)
		z->next[z->prev[i]] = z->next[i];
	else
		z->free_list[order] = z->next[i];
	if (z->next[i] != BUDDY_NIL)
		z->prev[z->next[i]] = z->prev[i];
	z->free_blocks[order]--;
}

/* State bytes first, then the two link arrays, 4-byte aligned. */
static size_t state_bytes(uint64_t npages)
{
	return (size_t)((npages + 3) & ~3ull);
}

size_t buddy_meta_bytes(uint64_t npages)
{
	return state_bytes(npages) + 2 * sizeof(uint32_t) * (size_t)npages;
}

void buddy_init(struct buddy_zone *z, const char *name, uint64_t base_phys,
		uint64_t npages, void *meta)
{
	if (npages > BUDDY_MAX_PAGES)
		npages = BUDDY_MAX_PAGES;
	z->name = name;
	z->base = base_phys;
	z->npages = npages;
	z->free_pages = 0;
	z->meta = meta;
	z->next = (uint32_t *)((uint8_t *)meta + state_bytes(npages));
	z->prev = z->next + npages;
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		z->free_list[order] = BUDDY_NIL;
		z->free_blocks[order] = 0;
	}
	/* only the state bytes: next/prev are written before they are read */
	memset(z->meta, META_RESERVED, state_bytes(npages));
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
		list_remove(z, order, buddy);
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
	uint64_t i = first, end = first + count;
	/* word at a time where aligned: META_RESERVED is 0 */
	for (; i < end && (i & 7); i++)
		if (z->meta[i] != META_RESERVED)
			return false;
	for (; i + 8 <= end; i += 8) {
		uint64_t word;
		__builtin_memcpy(&word, &z->meta[i], 8);
		if (word)
			return false;
	}
	for (; i < end; i++)
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
		memset(&z->meta[i + 1], META_TAIL, (1ULL << order) - 1);
		release_block(z, p, order);
		i += 1ULL << order;
	}
}

uint64_t buddy_alloc(struct buddy_zone *z, unsigned order)
{
	if (order > BUDDY_MAX_ORDER)
		return 0;
	unsigned k = order;
	while (k <= BUDDY_MAX_ORDER && z->free_list[k] == BUDDY_NIL)
		k++;
	if (k > BUDDY_MAX_ORDER)
		return 0;

	uint64_t phys = page_phys(z, z->free_list[k]);
	list_remove(z, k, phys);
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
		uint32_t prev = BUDDY_NIL;
		uint64_t n = 0;
		for (uint32_t i = z->free_list[order]; i != BUDDY_NIL; i = z->next[i]) {
			/* Validate the index before following it. */
			if (i >= z->npages)
				return -8;
			if (z->meta[i] != (META_FREE | order))
				return -9;
			if (z->prev[i] != prev)
				return -10;
			if (++n > heads[order])
				return -11; /* a cycle or a block listed twice */
			prev = i;
		}
		if (n != heads[order] || n != z->free_blocks[order])
			return -12;
	}
	return 0;
}
