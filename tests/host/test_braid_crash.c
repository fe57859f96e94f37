/*
 * test_braid_crash.c: Braid across a power cut at every write.
 *
 * The member disks have volatile write caches (lost at power loss unless
 * flushed).  A workload that pulls a disk with writes still in its cache,
 * writes while degraded, re-adds the disk (partial resync), heals rot,
 * restarts with a disk missing and re-adds it is run again and again on a
 * fresh mirror and a fresh weave, with the power cut (every transfer of
 * every disk fails from then on) after 1, 2, 3, ... member writes, until the
 * workload completes.  After each cut the machine "reboots": caches are
 * lost, the power comes back and the set is assembled from its disks.
 * Then: assembly must succeed (no split brain, no "no current member"); a
 * block not written since the last successful flush must read back without
 * a check (so every member the labels call current really is); every block
 * must read back with a check as its flushed value or one written since;
 * and after resync every member must hold those bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_braid_fixture.h"

#define BLOCKS 24u  /* logical blocks: member size 26 */
#define MAX_VALUES 6u

/* For each block, every value it may hold after a power cut: the value at
 * the last successful flush, then each value written since (acknowledged or
 * in flight), newest last. */
struct machine {
	uint32_t n;
	struct memdev m[BRAID_MAX_MEMBERS];
	struct tagfs_dev *devs[BRAID_MAX_MEMBERS];
	struct braid *b;
	struct tagfs_dev *d;
	int64_t power;
	uint8_t value[BLOCKS][MAX_VALUES][TAGFS_BLOCK_SIZE];
	unsigned values[BLOCKS];
	bool rot_pending, rot_healed;  /* the flipped block and its heal */
};

static const uint8_t *newest(struct machine *w, uint64_t blk)
{
	return w->value[blk][w->values[blk] - 1];
}

static bool acceptable(struct machine *w, uint64_t blk, const void *bytes)
{
	for (unsigned v = 0; v < w->values[blk]; v++)
		if (memcmp(bytes, w->value[blk][v], TAGFS_BLOCK_SIZE) == 0)
			return true;
	return false;
}

struct accept {
	struct machine *w;
	uint64_t blk;
};

static bool check_acceptable(const void *block, const void *arg)
{
	const struct accept *a = arg;
	return acceptable(a->w, a->blk, block);
}

static bool ack_write(struct machine *w, uint64_t blk)
{
	uint8_t *data = w->value[blk][w->values[blk]];
	CHECK(w->values[blk] < MAX_VALUES);
	fill_random(data, TAGFS_BLOCK_SIZE);
	w->values[blk]++;
	return w->d->write(w->d, blk, data) == TAGFS_OK;
}

static bool flush(struct machine *w)
{
	if (w->d->flush(w->d) != TAGFS_OK)
		return false;
	for (uint64_t blk = 0; blk < BLOCKS; blk++) {
		memmove(w->value[blk][0], newest(w, blk), TAGFS_BLOCK_SIZE);
		w->values[blk] = 1;
	}
	if (w->rot_healed)
		w->rot_pending = false;
	return true;
}

/* A disk pulled out: its cache is lost, every transfer fails. */
static void pull(struct memdev *m)
{
	memdev_lose_cache(m);
	m->fail_io = true;
}

/* The workload; false as soon as an operation fails (the power is out). */
static bool workload(struct machine *w)
{
	uint8_t buf[TAGFS_BLOCK_SIZE];
	for (uint64_t blk = 0; blk < 12; blk++)
		if (!ack_write(w, blk))
			return false;
	if (!flush(w))
		return false;

	/* Member 1 is pulled with writes in its cache; writes continue
	 * degraded; it comes back and must get the lost writes too. */
	for (uint64_t blk = 0; blk < 4; blk++)
		if (!ack_write(w, blk))
			return false;
	pull(&w->m[1]);
	for (uint64_t blk = 4; blk < 10; blk++)
		if (!ack_write(w, blk))
			return false;
	if (!flush(w))
		return false;
	w->m[1].fail_io = false;
	if (braid_add_member(w->b, 1, w->devs[1], NULL) != TAGFS_OK)
		return false;

	/* Rot on member 0, healed by a checked read. */
	memdev_flip(&w->m[0], BRAID_LABEL_BLOCKS + 2, 77, 0x21);
	w->rot_pending = true;
	struct accept a = { w, 2 };
	struct tagfs_check c = { check_acceptable, &a };
	if (w->d->read(w->d, 2, buf, &c) != TAGFS_OK)
		return false;
	w->rot_healed = true;

	/* A restart with the last member missing, writes, then it is re-added. */
	struct tagfs_dev *some[BRAID_MAX_MEMBERS] = { w->devs[0], w->devs[1], w->devs[2] };
	some[w->n - 1] = NULL;
	if (braid_assemble(w->b, some, w->n, NULL) != TAGFS_OK)
		return false;
	for (uint64_t blk = 8; blk < 20; blk += 2)
		if (!ack_write(w, blk))
			return false;
	if (braid_add_member(w->b, w->n - 1, w->devs[w->n - 1], NULL) != TAGFS_OK)
		return false;
	for (uint64_t blk = 14; blk < BLOCKS; blk++)
		if (!ack_write(w, blk))
			return false;
	return flush(w);
}

/* Reboot and check; returns false if the workload had completed. */
static bool run_with_cut(enum braid_mode mode, uint32_t n, int64_t cut, unsigned *failures)
{
	struct machine *w = calloc(1, sizeof *w);
	unsigned failed_before = check_failed;
	w->n = n;
	w->b = calloc(1, sizeof *w->b);
	w->power = cut;
	rng_state = 0x1234567ull + n;
	for (uint32_t i = 0; i < n; i++) {
		memdev_init(&w->m[i], BLOCKS + BRAID_LABEL_BLOCKS);
		w->devs[i] = &w->m[i].dev;
	}
	for (uint64_t blk = 0; blk < BLOCKS; blk++)
		w->values[blk] = 1;  /* zeros, from format */
	struct braid_config cfg = { .mode = mode, .zero_data = true };
	memset(cfg.set_id, 0x5a, sizeof cfg.set_id);
	/* Format with the power on; the cut counts from the workload's start. */
	CHECK_EQ(braid_format(w->b, w->devs, n, &cfg), TAGFS_OK);
	w->d = braid_dev(w->b);
	for (uint32_t i = 0; i < n; i++) {
		memdev_use_cache(&w->m[i]);
		w->m[i].power = &w->power;
	}

	bool completed = workload(w);
	if (!completed)
		CHECK_EQ(w->power, 0);  /* only the cut may stop it */

	/* Reboot: caches lost, power back, every disk present. */
	for (uint32_t i = 0; i < n; i++) {
		memdev_lose_cache(&w->m[i]);
		w->m[i].power = NULL;
		w->m[i].fail_io = false;
	}
	struct braid_problem why;
	CHECK_EQ(braid_assemble(w->b, w->devs, n, &why), TAGFS_OK);
	CHECK_EQ(why.reason, BRAID_WHY_NONE);
	uint8_t buf[TAGFS_BLOCK_SIZE];
	/* A block not written since the last flush reads back without a check:
	 * the current copies agree (a stale member taken for current would not). */
	for (uint64_t blk = 0; blk < BLOCKS; blk++) {
		if (w->values[blk] != 1 || (blk == 2 && w->rot_pending))
			continue;
		CHECK_EQ(w->d->read(w->d, blk, buf, NULL), TAGFS_OK);
		CHECK(memcmp(buf, w->value[blk][0], TAGFS_BLOCK_SIZE) == 0);
	}
	for (uint64_t blk = 0; blk < BLOCKS; blk++) {
		struct accept a = { w, blk };
		struct tagfs_check c = { check_acceptable, &a };
		CHECK_EQ(w->d->read(w->d, blk, buf, &c), TAGFS_OK);
	}
	int rc = braid_resync(w->b, 0, NULL);
	if (rc == TAGFS_ECORRUPT) {
		/* Current copies may differ only where unflushed writes landed on
		 * some of them; writing those blocks again settles it. */
		for (uint64_t blk = 0; blk < BLOCKS; blk++)
			if (w->values[blk] > 1)
				CHECK_EQ(w->d->write(w->d, blk, newest(w, blk)), TAGFS_OK);
		rc = braid_resync(w->b, 0, NULL);
	}
	CHECK_EQ(rc, TAGFS_OK);
	struct braid_stats st;
	braid_get_stats(w->b, &st);
	CHECK(!st.degraded);
	for (uint32_t i = 0; i < n; i++) {
		unsigned bad = 0;
		for (uint64_t blk = 0; blk < BLOCKS; blk++) {
			const uint8_t *copy = memdev_block(&w->m[i], BRAID_LABEL_BLOCKS + blk);
			bad += w->values[blk] == 1 ? memcmp(copy, w->value[blk][0], TAGFS_BLOCK_SIZE) != 0
						   : !acceptable(w, blk, copy);
		}
		CHECK_EQ(bad, 0);
	}
	if (check_failed != failed_before) {
		(*failures)++;
		printf("  (mode %d, power cut after %lld writes)\n", (int)mode, (long long)cut);
	}
	for (uint32_t i = 0; i < n; i++)
		memdev_free(&w->m[i]);
	free(w->b);
	free(w);
	return !completed;
}

int main(void)
{
	static const struct { enum braid_mode mode; uint32_t n; } sets[] = {
		{ BRAID_MIRROR, 2 }, { BRAID_WEAVE, 3 },
	};
	for (size_t s = 0; s < 2; s++) {
		unsigned failures = 0;
		int64_t cut = 1;
		while (run_with_cut(sets[s].mode, sets[s].n, cut, &failures) && cut < 100000)
			cut++;
		CHECK(cut > 50);        /* the workload does write that much */
		CHECK(cut < 100000);    /* and it completes */
		CHECK_EQ(failures, 0);
	}
	return check_report();
}
