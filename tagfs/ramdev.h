/*
 * ramdev.h: a struct tagfs_dev kept in memory (tests, tools, a RAM disk).
 *
 * Reads run the caller's check once (TAGFS_ECORRUPT when it fails, the
 * bytes still copied out); flush does nothing.  With regions > 1 the device
 * pretends to be a stripe: region_of() is (block / 16) % regions.  Counters
 * and direct access to the bytes let tests damage blocks on purpose.
 */
#ifndef TAGFS_RAMDEV_H
#define TAGFS_RAMDEV_H

#include "tagfs.h" /* blockdev.h, with its comment warning silenced */

struct tagfs_ramdev {
	uint8_t *mem;
	uint64_t reads, writes, flushes;
};

int tagfs_ramdev_init(struct tagfs_dev *dev, uint64_t blocks, uint32_t regions);
void tagfs_ramdev_free(struct tagfs_dev *dev);
/* The bytes of one block (NULL when out of range). */
uint8_t *tagfs_ramdev_block(struct tagfs_dev *dev, uint64_t block);
struct tagfs_ramdev *tagfs_ramdev_of(struct tagfs_dev *dev);

#endif
