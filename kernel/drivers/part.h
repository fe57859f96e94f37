/*
 * part.h: GPT partition tables, and a partition as a block device.
 *
 * part_gpt_header() checks a GPT header (LBA 1, 512-byte sectors): its
 * signature, size, CRC32 and that the entry array lies inside the disk;
 * part_gpt_find() checks the entry array's CRC32 and returns the partitions
 * of one type GUID, each checked to lie in the header's usable range and to
 * start and end on a 4 KiB boundary (TagFS works in 4 KiB blocks).  Both are
 * pure functions over bytes the caller read, so the host tests feed them
 * hostile tables; every refusal comes with a one-line reason.
 *
 * part_dev_init() turns a range of blocks on a disk into a struct tagfs_dev
 * that refuses any block outside the range.
 */
#ifndef DRIVERS_PART_H
#define DRIVERS_PART_H

#include <stddef.h>
#include <stdint.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcomment"
#include "tagfs/blockdev.h"
#pragma GCC diagnostic pop

#define PART_SECTOR 512u
#define PART_GPT_ENTRIES_MAX_BYTES (32u * 4096u) /* the most entry bytes we read */
#define PART_MAX 8u                              /* partitions of one type we report */

/* The BoxOS TagFS partition type, 7a6f0b1e-5c2d-4b8f-9e31-b0c5f5a9d7e2, in
 * on-disk byte order (the first three fields little-endian). */
extern const uint8_t part_type_tagfs[16];
#define PART_TYPE_TAGFS_STR "7a6f0b1e-5c2d-4b8f-9e31-b0c5f5a9d7e2"

struct part_gpt {
	uint64_t first_usable, last_usable;  /* sectors */
	uint64_t entries_lba;
	uint32_t entry_count, entry_size;
	uint32_t entries_crc;
};

struct part_range {
	uint32_t index;        /* 1-based partition number */
	uint64_t first_block;  /* in 4 KiB blocks */
	uint64_t blocks;
};

uint32_t part_crc32(const void *data, size_t len);

/* 0, or -1 with *why: sector is the 512 bytes of LBA 1. */
int part_gpt_header(const uint8_t *sector, uint64_t disk_sectors, struct part_gpt *out,
		    const char **why);
/* Bytes the entry array takes (entry_count * entry_size). */
uint64_t part_gpt_entries_bytes(const struct part_gpt *g);
/* 0 with out[0..*n) (n may be 0), or -1 with *why (bad CRC, a partition
 * of the type that is out of range or not 4 KiB aligned). */
int part_gpt_find(const struct part_gpt *g, const uint8_t *entries, size_t len,
		  const uint8_t type[16], struct part_range *out, unsigned max, unsigned *n,
		  const char **why);

struct part_dev {
	struct tagfs_dev dev;   /* what TagFS mounts; dev.ctx points here */
	struct tagfs_dev *disk;
	uint64_t first;         /* first block on the disk */
};

void part_dev_init(struct part_dev *p, struct tagfs_dev *disk, uint64_t first_block,
		   uint64_t blocks);

#endif
