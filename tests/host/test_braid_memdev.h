/*
 * test_braid_memdev.h: an in-memory struct tagfs_dev with fault injection,
 * the member disks of the Braid host tests.
 *
 * Faults: every transfer fails (fail_io, a pulled disk), reads of one block
 * fail (bad_block, a bad sector), flushes fail, writes are acknowledged but
 * dropped (drop_writes, a lying cache); bit rot is done by flipping bytes in
 * data directly (memdev_flip).  It counts what it was asked to do.
 */
#ifndef TEST_BRAID_MEMDEV_H
#define TEST_BRAID_MEMDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tagfs/braid.h"

struct memdev {
	struct tagfs_dev dev;
	uint8_t *data;
	bool fail_io, fail_flush, drop_writes;
	int64_t bad_block;  /* reads of this block fail; -1 = none */
	uint64_t reads, writes, flushes;
};

static int memdev_read(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *check)
{
	struct memdev *m = d->ctx;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	m->reads++;
	if (m->fail_io || (int64_t)block == m->bad_block)
		return TAGFS_EIO;
	memcpy(buf, m->data + block * TAGFS_BLOCK_SIZE, TAGFS_BLOCK_SIZE);
	if (check && !check->ok(buf, check->arg))
		return TAGFS_ECORRUPT;
	return TAGFS_OK;
}

static int memdev_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	struct memdev *m = d->ctx;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	m->writes++;
	if (m->fail_io)
		return TAGFS_EIO;
	if (!m->drop_writes)
		memcpy(m->data + block * TAGFS_BLOCK_SIZE, buf, TAGFS_BLOCK_SIZE);
	return TAGFS_OK;
}

static int memdev_flush(struct tagfs_dev *d)
{
	struct memdev *m = d->ctx;
	m->flushes++;
	return m->fail_io || m->fail_flush ? TAGFS_EIO : TAGFS_OK;
}

static void memdev_init(struct memdev *m, uint64_t blocks)
{
	memset(m, 0, sizeof *m);
	m->data = calloc(blocks, TAGFS_BLOCK_SIZE);
	m->bad_block = -1;
	m->dev.ctx = m;
	m->dev.blocks = blocks;
	m->dev.regions = 1;
	m->dev.read = memdev_read;
	m->dev.write = memdev_write;
	m->dev.flush = memdev_flush;
}

static void memdev_free(struct memdev *m)
{
	free(m->data);
	m->data = NULL;
}

static uint8_t *memdev_block(struct memdev *m, uint64_t block)
{
	return m->data + block * TAGFS_BLOCK_SIZE;
}

/* Changes one byte of a block to a different value. */
static void memdev_flip(struct memdev *m, uint64_t block, uint32_t offset, uint8_t x)
{
	memdev_block(m, block)[offset % TAGFS_BLOCK_SIZE] ^= (uint8_t)(x ? x : 1);
}

/* xorshift64*: deterministic test randomness. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static void fill_random(void *buf, size_t n)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* The test's check: the block must equal the expected bytes in arg, as
 * TagFS's BoxHash comparison would say. */
static bool check_equal(const void *block, const void *arg)
{
	return memcmp(block, arg, TAGFS_BLOCK_SIZE) == 0;
}

#endif
