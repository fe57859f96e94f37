/*
 * crate.h: the Crate, a descriptor of one user buffer (ABI).
 *
 * A Pocket carries a pointer to an array of Crates; Manifest ops name them by
 * index.  A Crate is only a description: [addr, addr + capacity) must lie in
 * the sending Cabin's user range, `size` bytes of it are valid input, and an
 * op writing it may fill up to `capacity`.  40 bytes, little-endian, every
 * offset pinned below.
 */
#ifndef BOXOS_ABI_CRATE_H
#define BOXOS_ABI_CRATE_H

#include <stdint.h>
#include <stddef.h>

#define BOX_CRATE_IN    1u  /* ops may read it */
#define BOX_CRATE_OUT   2u  /* ops may write it */
#define BOX_CRATE_INOUT 3u

#define BOX_MAX_CRATES       64                /* per Pocket */
#define BOX_CRATE_MAX_BYTES  (1ull << 30)      /* capacity limit: 1 GiB */

struct box_crate {
	uint64_t addr;      /* user virtual address */
	uint64_t size;      /* valid bytes (input), <= capacity */
	uint64_t capacity;  /* bytes the buffer can hold */
	uint32_t dir;       /* BOX_CRATE_IN / OUT / INOUT */
	uint32_t flags;     /* 0; any other value is invalid */
	uint64_t reserved;  /* 0 */
};

_Static_assert(sizeof(struct box_crate) == 40, "box_crate is 40 bytes");
_Static_assert(_Alignof(struct box_crate) == 8, "box_crate alignment");
_Static_assert(offsetof(struct box_crate, addr) == 0, "crate.addr");
_Static_assert(offsetof(struct box_crate, size) == 8, "crate.size");
_Static_assert(offsetof(struct box_crate, capacity) == 16, "crate.capacity");
_Static_assert(offsetof(struct box_crate, dir) == 24, "crate.dir");
_Static_assert(offsetof(struct box_crate, flags) == 28, "crate.flags");
_Static_assert(offsetof(struct box_crate, reserved) == 32, "crate.reserved");

#endif
