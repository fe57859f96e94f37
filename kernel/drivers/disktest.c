/*
 * disktest.c: the `disktest` boot check of every disk, for the QEMU tests
 * (tests/qemu/test_disks.py) and for trying a new machine.
 *
 * Per disk: read block 0 and print its XXH3-64 (the host compares it with
 * what it put there); check that a read past the end is refused with
 * TAGFS_ERANGE; unless the disk is read-only or carries a partition table
 * (the 0x55 0xAA boot signature at the end of sector 0: it is somebody's
 * boot disk, whose last blocks hold the backup GPT), write a pattern to the
 * last 8 blocks, flush, read them back and compare.  One line per disk:
 * "disktest: NAME: PASS ...", "FAIL: why" or "SKIP: why" (after a FAIL, whether
 * block 0 still reads, i.e. whether the driver recovered), then a summary.
 */
#include "drivers/disk.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"

/* xxHash configuration as in decks/operations.c: everything static inline,
 * scalar code (the kernel has no SSE), no allocation. */
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_SCALAR
#define XXH_FORCE_MEMORY_ACCESS 1
#define XXH_NO_STDLIB
#define XXH_NO_STREAM
#include <xxhash.h>

#define TEST_BLOCKS 8u
#define WORDS_PER_BLOCK (TAGFS_BLOCK_SIZE / 8)

uint64_t disktest_pattern_word(uint64_t seed, uint64_t block, unsigned word)
{
	return (((block << 16) | word) ^ seed) * 0x9E3779B97F4A7C15ull + 0x426F784F53ull;
}

static void fill_pattern(uint64_t *words, uint64_t seed, uint64_t block)
{
	for (unsigned i = 0; i < WORDS_PER_BLOCK; i++)
		words[i] = disktest_pattern_word(seed, block, i);
}

static int parse_seed(const char *arg, uint64_t *seed)
{
	*seed = 0;
	if (!arg || !*arg)
		return 0;
	unsigned digits = 0;
	for (const char *p = arg; *p; p++, digits++) {
		char c = *p;
		unsigned v;
		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (digits >= 16)
			return -1;
		*seed = *seed << 4 | v;
	}
	return 0;
}

/* 1 pass, 0 fail, -1 skip; prints the disk's lines. */
static int test_disk(unsigned i, uint64_t seed, uint64_t *buf, uint64_t *expect)
{
	const char *name = disk_name(i);
	struct tagfs_dev *dev = disk_get(i);
	int err = dev->read(dev, 0, buf, NULL);
	if (err) {
		log_error("disktest: %s: FAIL: read block 0: error %d", name, err);
		return 0;
	}
	log_info("disktest: %s: block 0 xxh3 %016lx", name,
		 (uint64_t)XXH3_64bits(buf, TAGFS_BLOCK_SIZE));
	err = dev->read(dev, dev->blocks, expect, NULL);
	if (err != TAGFS_ERANGE) {
		log_error("disktest: %s: FAIL: a read past the end gave %d, not TAGFS_ERANGE", name,
			  err);
		return 0;
	}
	const uint8_t *sector0 = (const uint8_t *)buf;
	if (sector0[510] == 0x55 && sector0[511] == 0xAA) {
		log_info("disktest: %s: SKIP: partitioned (boot signature in sector 0), not written",
			 name);
		return -1;
	}
	if (disk_read_only(i)) {
		log_info("disktest: %s: SKIP: read-only, not written", name);
		return -1;
	}
	if (dev->blocks <= TEST_BLOCKS) {
		log_error("disktest: %s: FAIL: %lu blocks, too small to test", name, dev->blocks);
		return 0;
	}
	uint64_t first = dev->blocks - TEST_BLOCKS;
	for (uint64_t b = first; b < dev->blocks; b++) {
		fill_pattern(expect, seed, b);
		if ((err = dev->write(dev, b, expect)) != 0) {
			log_error("disktest: %s: FAIL: write block %lu: error %d", name, b, err);
			return 0;
		}
	}
	if ((err = dev->flush(dev)) != 0) {
		log_error("disktest: %s: FAIL: flush: error %d", name, err);
		return 0;
	}
	for (uint64_t b = first; b < dev->blocks; b++) {
		memset(buf, 0, TAGFS_BLOCK_SIZE);
		if ((err = dev->read(dev, b, buf, NULL)) != 0) {
			log_error("disktest: %s: FAIL: read back block %lu: error %d", name, b, err);
			return 0;
		}
		fill_pattern(expect, seed, b);
		for (unsigned w = 0; w < WORDS_PER_BLOCK; w++) {
			if (buf[w] != expect[w]) {
				log_error("disktest: %s: FAIL: block %lu word %u reads %#lx, wrote %#lx",
					  name, b, w, buf[w], expect[w]);
				return 0;
			}
		}
	}
	log_info("disktest: %s: PASS: blocks %lu-%lu written, flushed, read back", name, first,
		 dev->blocks - 1);
	return 1;
}

void disktest_run(const char *arg)
{
	uint64_t seed;
	if (parse_seed(arg, &seed) != 0) {
		log_error("disktest: bad seed \"%s\" (up to 16 hex digits)", arg);
		return;
	}
	uint64_t *buf = kmalloc(TAGFS_BLOCK_SIZE), *expect = kmalloc(TAGFS_BLOCK_SIZE);
	if (!buf || !expect) {
		log_error("disktest: out of memory");
		kfree(buf);
		kfree(expect);
		return;
	}
	unsigned passed = 0, failed = 0, skipped = 0;
	for (unsigned i = 0; i < disk_count(); i++) {
		int r = test_disk(i, seed, buf, expect);
		if (r > 0) {
			passed++;
		} else if (r == 0) {
			failed++;
			/* did the driver recover from the failure, or give the disk up? */
			struct tagfs_dev *dev = disk_get(i);
			int err = dev->read(dev, 0, buf, NULL);
			if (err == 0)
				log_info("disktest: %s: after the failure block 0 still reads", disk_name(i));
			else
				log_info("disktest: %s: after the failure block 0 does not read: error %d",
					 disk_name(i), err);
		} else {
			skipped++;
		}
	}
	kfree(buf);
	kfree(expect);
	log_info("disktest: %u disks: %u passed, %u failed, %u skipped (seed %#lx)", disk_count(),
		 passed, failed, skipped, seed);
}
