/*
 * ring.h: the shared ring layout and the fixed ring addresses of a Cabin (ABI).
 *
 * Each Cabin has a Pocket ring (Cabin produces, kernel consumes) and a Result
 * ring (kernel produces, Cabin consumes), both single-producer
 * single-consumer.  A ring is a 4 KiB header page followed directly by
 * slot_count slots of slot_size bytes:
 *
 *   VA + 0x000  head   (u64, written only by the producer; its own 64-byte line)
 *   VA + 0x040  tail   (u64, written only by the consumer; its own 64-byte line)
 *   VA + 0x080  slot_count, slot_size, magic, reserved (u32 each)
 *   VA + 0x1000 slot[0], slot[1], ... slot[slot_count - 1]
 *
 * head and tail are free-running 64-bit counters (never masked in memory);
 * slot i lives at index i & (slot_count - 1).  Empty: head == tail.  Full:
 * head - tail == slot_count.  Anything else with head - tail > slot_count is
 * a corrupted ring.  See docs/abi.md and include/boxos/ring.h.
 */
#ifndef BOXOS_ABI_RING_H
#define BOXOS_ABI_RING_H

#include <stdint.h>
#include <stddef.h>

#include "boxos/abi/pocket.h"
#include "boxos/abi/result.h"

#define BOX_RING_MAGIC        0x474E4952u              /* "RING" little-endian */
#define BOX_RING_SLOTS        256u
#define BOX_RING_HEADER_SIZE  4096u                    /* slots start one page in */

#define BOX_POCKET_RING_VA    0x0000700000000000ull
#define BOX_RESULT_RING_VA    0x0000700000100000ull
#define BOX_POCKET_RING_SIZE  (BOX_RING_HEADER_SIZE + BOX_RING_SLOTS * sizeof(struct box_pocket))
#define BOX_RESULT_RING_SIZE  (BOX_RING_HEADER_SIZE + BOX_RING_SLOTS * sizeof(struct box_result))

struct box_ring_header {
	uint64_t head;          /* producer index, monotonic */
	uint8_t  pad0[56];
	uint64_t tail;          /* consumer index, monotonic */
	uint8_t  pad1[56];
	uint32_t slot_count;    /* power of two */
	uint32_t slot_size;     /* bytes per slot, a multiple of 8 */
	uint32_t magic;         /* BOX_RING_MAGIC */
	uint32_t reserved;      /* 0 */
	uint8_t  pad2[48];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct box_ring_header) == 192, "ring header is three cache lines");
_Static_assert(_Alignof(struct box_ring_header) == 64, "ring header is cache-line aligned");
_Static_assert(offsetof(struct box_ring_header, head) == 0, "ring.head");
_Static_assert(offsetof(struct box_ring_header, tail) == 64, "ring.tail");
_Static_assert(offsetof(struct box_ring_header, slot_count) == 128, "ring.slot_count");
_Static_assert(offsetof(struct box_ring_header, slot_size) == 132, "ring.slot_size");
_Static_assert(offsetof(struct box_ring_header, magic) == 136, "ring.magic");
_Static_assert(offsetof(struct box_ring_header, reserved) == 140, "ring.reserved");
_Static_assert(sizeof(struct box_ring_header) <= BOX_RING_HEADER_SIZE, "header fits its page");
_Static_assert((BOX_RING_SLOTS & (BOX_RING_SLOTS - 1)) == 0, "slot count is a power of two");
_Static_assert(BOX_POCKET_RING_SIZE == 0x9000, "Pocket ring: header page + 32 KiB");
_Static_assert(BOX_RESULT_RING_SIZE == 0x5000, "Result ring: header page + 16 KiB");
_Static_assert(BOX_POCKET_RING_VA + BOX_POCKET_RING_SIZE <= BOX_RESULT_RING_VA,
	       "rings do not overlap");
_Static_assert((BOX_POCKET_RING_VA & 0xFFF) == 0 && (BOX_RESULT_RING_VA & 0xFFF) == 0,
	       "rings are page aligned");

#endif
