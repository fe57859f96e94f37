/*
 * test_braid_fixture.h: what the Braid host tests share.  An in-memory
 * struct tagfs_dev with fault injection (the member disks), deterministic
 * randomness, a check that compares with expected bytes, and a formatted
 * set of members with a model of what every logical block should hold.
 *
 * Faults: every transfer fails (fail_io, a pulled disk), reads of one block
 * fail (bad_block, a bad sector), flushes fail, writes are acknowledged but
 * dropped (drop_writes, a lying cache), the power is cut after N writes
 * across all disks sharing one counter (power), and a volatile write cache
 * loses what was not flushed (memdev_use_cache, memdev_lose_cache); bit rot
 * is done by flipping bytes in data directly (memdev_flip).  It counts what it was asked to do.
 */
#ifndef TEST_BRAID_FIXTURE_H
#define TEST_BRAID_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tagfs/braid.h"
#include "check.h"

struct memdev {
	struct tagfs_dev dev;
	uint8_t *data;
	bool fail_io, fail_flush, drop_writes;
	int64_t bad_block;  /* reads of this block fail; -1 = none */
	uint64_t reads, writes, flushes;
	uint64_t out_of_range;  /* requests past the end: a geometry bug upstairs */
	int64_t *power;  /* writes left before the power cut (shared by a machine's disks); NULL = none */
	uint8_t *durable;  /* with a volatile cache: what survives power loss (flush copies data here) */
};

/* After the power cut every transfer fails; a write spends one unit. */
static inline bool memdev_powered(struct memdev *m, bool spend)
{
	if (!m->power)
		return true;
	if (*m->power <= 0)
		return false;
	if (spend)
		(*m->power)--;
	return true;
}

static inline int memdev_read(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *check)
{
	struct memdev *m = d->ctx;
	if (block >= d->blocks) {
		m->out_of_range++;
		return TAGFS_ERANGE;
	}
	m->reads++;
	if (m->fail_io || (int64_t)block == m->bad_block || !memdev_powered(m, false))
		return TAGFS_EIO;
	memcpy(buf, m->data + block * TAGFS_BLOCK_SIZE, TAGFS_BLOCK_SIZE);
	if (check && !check->ok(buf, check->arg))
		return TAGFS_ECORRUPT;
	return TAGFS_OK;
}

static inline int memdev_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	struct memdev *m = d->ctx;
	if (block >= d->blocks) {
		m->out_of_range++;
		return TAGFS_ERANGE;
	}
	m->writes++;
	if (m->fail_io || !memdev_powered(m, true))
		return TAGFS_EIO;
	if (!m->drop_writes)
		memcpy(m->data + block * TAGFS_BLOCK_SIZE, buf, TAGFS_BLOCK_SIZE);
	return TAGFS_OK;
}

static inline int memdev_flush(struct tagfs_dev *d)
{
	struct memdev *m = d->ctx;
	m->flushes++;
	if (m->fail_io || m->fail_flush || !memdev_powered(m, false))
		return TAGFS_EIO;
	if (m->durable)
		memcpy(m->durable, m->data, m->dev.blocks * TAGFS_BLOCK_SIZE);
	return TAGFS_OK;
}

/* Gives the disk a volatile write cache: writes are lost at power loss
 * (memdev_lose_cache) unless a flush came after them. */
static inline void memdev_use_cache(struct memdev *m)
{
	m->durable = malloc(m->dev.blocks * TAGFS_BLOCK_SIZE);
	memcpy(m->durable, m->data, m->dev.blocks * TAGFS_BLOCK_SIZE);
}

/* Power loss or a pulled cable: the cache is gone, the medium remains. */
static inline void memdev_lose_cache(struct memdev *m)
{
	if (m->durable)
		memcpy(m->data, m->durable, m->dev.blocks * TAGFS_BLOCK_SIZE);
}

static inline void memdev_init(struct memdev *m, uint64_t blocks)
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

static inline void memdev_free(struct memdev *m)
{
	free(m->data);
	free(m->durable);
	m->data = NULL;
	m->durable = NULL;
}

static inline uint8_t *memdev_block(struct memdev *m, uint64_t block)
{
	return m->data + block * TAGFS_BLOCK_SIZE;
}

/* Changes one byte of a block to a different value (on the medium too). */
static inline void memdev_flip(struct memdev *m, uint64_t block, uint32_t offset, uint8_t x)
{
	memdev_block(m, block)[offset % TAGFS_BLOCK_SIZE] ^= (uint8_t)(x ? x : 1);
	if (m->durable)
		m->durable[block * TAGFS_BLOCK_SIZE + offset % TAGFS_BLOCK_SIZE] ^= (uint8_t)(x ? x : 1);
}

/* xorshift64*: deterministic test randomness. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static inline uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static inline void fill_random(void *buf, size_t n)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* The test's check: the block must equal the expected bytes in arg, as
 * TagFS's BoxHash comparison would say. */
static inline bool check_equal(const void *block, const void *arg)
{
	return memcmp(block, arg, TAGFS_BLOCK_SIZE) == 0;
}

/* ---- a formatted set and its model ---------------------------------------- */

#define LB BRAID_LABEL_BLOCKS

struct set {
	struct memdev m[BRAID_MAX_MEMBERS];
	struct tagfs_dev *devs[BRAID_MAX_MEMBERS];
	struct braid *b;
	struct tagfs_dev *d;
	uint32_t n;
	uint8_t *model;  /* what every logical block should hold */
};

static inline const struct braid_config *config(enum braid_mode mode, uint8_t id, uint32_t extent)
{
	static struct braid_config c;
	memset(&c, 0, sizeof c);
	c.mode = mode;
	memset(c.set_id, id, sizeof c.set_id);
	c.set_id[0] = 0xb7;
	c.extent_blocks = extent;
	return &c;
}

/* Makes n members of member_blocks blocks and formats them. */
static inline int set_make(struct set *s, enum braid_mode mode, uint32_t n, uint64_t member_blocks,
		    uint32_t extent)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	s->b = calloc(1, sizeof *s->b);
	for (uint32_t i = 0; i < n; i++) {
		memdev_init(&s->m[i], member_blocks + i * 3);  /* unequal sizes on purpose */
		s->devs[i] = &s->m[i].dev;
	}
	int rc = braid_format(s->b, s->devs, n, config(mode, 1, extent));
	s->d = braid_dev(s->b);
	s->model = rc == TAGFS_OK ? calloc(s->d->blocks, TAGFS_BLOCK_SIZE) : NULL;
	return rc;
}

static inline void set_free(struct set *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		memdev_free(&s->m[i]);
	free(s->b);
	free(s->model);
}

static inline uint8_t *model_block(struct set *s, uint64_t block)
{
	return s->model + block * TAGFS_BLOCK_SIZE;
}

/* Writes random bytes to every logical block and records them. */
static inline void fill_all(struct set *s)
{
	for (uint64_t blk = 0; blk < s->d->blocks; blk++) {
		fill_random(model_block(s, blk), TAGFS_BLOCK_SIZE);
		CHECK_EQ(s->d->write(s->d, blk, model_block(s, blk)), TAGFS_OK);
	}
	CHECK_EQ(s->d->flush(s->d), TAGFS_OK);
}

/* Reads every block (with the check or without) and compares with the model;
 * returns how many differed or failed. */
static inline unsigned read_all(struct set *s, bool with_check)
{
	uint8_t buf[TAGFS_BLOCK_SIZE];
	unsigned bad = 0;
	for (uint64_t blk = 0; blk < s->d->blocks; blk++) {
		struct tagfs_check c = { check_equal, model_block(s, blk) };
		int rc = s->d->read(s->d, blk, buf, with_check ? &c : NULL);
		if (rc != TAGFS_OK || memcmp(buf, model_block(s, blk), TAGFS_BLOCK_SIZE) != 0)
			bad++;
	}
	return bad;
}

/* Blocks of member i whose bytes differ from the model (mirror/weave layout). */
static inline unsigned member_diffs(struct set *s, uint32_t i)
{
	unsigned bad = 0;
	for (uint64_t blk = 0; blk < s->d->blocks; blk++)
		if (memcmp(memdev_block(&s->m[i], LB + blk), model_block(s, blk), TAGFS_BLOCK_SIZE))
			bad++;
	return bad;
}

static inline struct braid_stats stats(struct set *s)
{
	struct braid_stats st;
	braid_get_stats(s->b, &st);
	return st;
}

/* Picks k distinct random blocks below limit into out[]. */
static inline void pick_distinct(uint64_t *out, unsigned k, uint64_t limit)
{
	for (unsigned i = 0; i < k; i++) {
		bool again;
		do {
			out[i] = rnd_below(limit);
			again = false;
			for (unsigned j = 0; j < i; j++)
				again = again || out[j] == out[i];
		} while (again);
	}
}

#endif
