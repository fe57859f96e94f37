/*
 * disk.h: the list of disks the kernel found (see disk.c).
 *
 * A disk driver (ahci.c, virtio_blk.c) registers each working disk with its
 * sector-level operations; disk.c turns it into a struct tagfs_dev with
 * 4096-byte blocks (8 sectors of 512 bytes) and gives it a name: the
 * driver's prefix and a number, e.g. ahci0, ahci1, vblk0.
 */
#ifndef DRIVERS_DISK_H
#define DRIVERS_DISK_H

#include <stdbool.h>
#include <stdint.h>
/* blockdev.h has a slash-star inside its header comment, which -Wcomment flags;
 * the interface file is fixed, so the warning is silenced for it alone. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcomment"
#include "tagfs/blockdev.h"
#pragma GCC diagnostic pop

#define DISK_SECTOR_SIZE 512u
#define DISK_SECTORS_PER_BLOCK (TAGFS_BLOCK_SIZE / DISK_SECTOR_SIZE)
#define DISK_MAX 16

/* What a driver provides.  Every call transfers 1..DISK_SECTORS_PER_BLOCK
 * sectors to or from a kernel buffer (any alignment, any address) and
 * returns 0, or -1 when the transfer failed (the driver has already logged
 * why).  Once a driver gives up on a device (a timeout it could not
 * recover from) it answers -1 to every later call. */
struct disk_ops {
	int (*read)(void *ctx, uint64_t lba, uint32_t sectors, void *buf);
	int (*write)(void *ctx, uint64_t lba, uint32_t sectors, const void *buf);
	int (*flush)(void *ctx);
};

/* Find the disks: PCI enumeration, then every driver.  Needs ACPI, paging
 * and the calibrated TSC (for timeouts).  A disk that fails to come up is
 * logged and left out; this never stops the boot. */
void disk_init(void);

/* Called by drivers.  model is copied (trimmed); sectors of 512 bytes.
 * Returns the disk's index, or -1 when the list is full. */
int disk_register(const char *prefix, const char *model, uint64_t sectors,
		  const struct disk_ops *ops, void *ctx, bool read_only);

unsigned disk_count(void);
struct tagfs_dev *disk_get(unsigned i);  /* NULL past the end */
const char *disk_name(unsigned i);       /* "" past the end */
const char *disk_model(unsigned i);      /* "" past the end */
bool disk_read_only(unsigned i);

/* The `disktest[=SEED]` command-line word (SEED: up to 16 hex digits, default
 * 0): for each disk print the XXH3-64 of block 0, write a pattern derived
 * from SEED to the last 8 blocks, flush, read back, compare; one
 * PASS/FAIL/SKIP line per disk (disktest.c).  arg is SEED or "". */
void disktest_run(const char *arg);
/* The 64-bit word `word` (0..511) of block `block` in the disktest pattern. */
uint64_t disktest_pattern_word(uint64_t seed, uint64_t block, unsigned word);

#endif
