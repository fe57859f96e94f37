/*
 * blockdev.h: the block-device interface TagFS is built on.
 *
 * TagFS (the .c files in tagfs/) never touches hardware or files: it reads and writes
 * 4 KiB blocks through a struct tagfs_dev.  The kernel backs one with a disk
 * driver (AHCI, virtio-blk), the host tools and tests with an image file or
 * a RAM buffer, and Braid (tagfs/braid.c) with two or three other devices,
 * so the same TagFS sources run in all three places.
 *
 * Every read may carry a check: a function that says whether a block's bytes
 * are right (TagFS passes one that compares the block's BoxHash, or a
 * metadata block's own checksum).  A plain device runs the check once and
 * answers TAGFS_ECORRUPT when it fails; Braid runs it on every copy, answers
 * with a good copy and rewrites the bad ones (a heal).  A NULL check means
 * "no way to tell": the device returns the bytes it reads.
 *
 * Placement: a device may consist of several regions (the disks of a Braid
 * stripe).  TagFS asks region_of() where a block lives so that files sharing
 * a tag can prefer the same region; a device with one region sets regions to
 * 1 and region_of to NULL.
 *
 * All calls return TAGFS_OK (0) or a negative TAGFS_E* code.  A device never
 * prints and never aborts: errors are values.
 */
#ifndef TAGFS_BLOCKDEV_H
#define TAGFS_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>

#define TAGFS_BLOCK_SIZE 4096u

enum tagfs_err {
	TAGFS_OK = 0,
	TAGFS_EIO = -1,       /* the device failed the transfer (or is missing) */
	TAGFS_ECORRUPT = -2,  /* bytes were read but no copy passed the check */
	TAGFS_ERANGE = -3,    /* block number past the end of the device */
	TAGFS_ENOSPC = -4,    /* no free block, inode or log room */
	TAGFS_ENOENT = -5,    /* no such file, tag, snapshot */
	TAGFS_EEXIST = -6,    /* already there */
	TAGFS_EINVAL = -7,    /* a bad argument */
	TAGFS_EFORMAT = -8,   /* not a TagFS volume, or a format version we refuse */
	TAGFS_ENOMEM = -9,    /* the host or kernel allocator said no */
	TAGFS_EROFS = -10,    /* mounted read-only (degraded past repair) */
};

/* Says whether a block's bytes are right; arg is whatever the caller passed. */
struct tagfs_check {
	bool (*ok)(const void *block, const void *arg);
	const void *arg;
};

struct tagfs_dev {
	void *ctx;                 /* the implementation's own state */
	uint64_t blocks;           /* device size in TAGFS_BLOCK_SIZE blocks */
	uint32_t regions;          /* placement regions; 1 for a single disk */
	int (*read)(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *check);
	int (*write)(struct tagfs_dev *d, uint64_t block, const void *buf);
	/* Everything written before the flush is durable when it returns. */
	int (*flush)(struct tagfs_dev *d);
	/* Which region holds a block; NULL when regions == 1. */
	uint32_t (*region_of)(struct tagfs_dev *d, uint64_t block);
};

#endif
