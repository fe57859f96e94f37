/*
 * test_braid_random.c: random operation sequences on a Braid mirror and
 * weave, compared against a model.
 *
 * Operations: writes, reads with and without a check, bit rot in any copy,
 * a disk failing (every transfer EIO) or recovering, re-adding a dropped
 * disk, partial resync, flush, and re-assembly from the disks.  Before each
 * read the model predicts, from the member bytes and states alone, the
 * return code, the bytes returned and the exact change of every counter
 * (checksum errors, mismatches, heals, heal failures, read errors,
 * uncorrectable), and which members drop.  Invariant: every ACTIVE member
 * that is not failing holds the model's bytes for every block not rotted
 * since it was last verified; at the end everything is brought back and
 * every member is identical to the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_braid_fixture.h"

#define LB BRAID_LABEL_BLOCKS
#define MEMBER_BLOCKS 50u

struct world {
	uint32_t n;
	struct memdev m[BRAID_MAX_MEMBERS];
	struct tagfs_dev *devs[BRAID_MAX_MEMBERS];
	struct braid *b;
	struct tagfs_dev *d;
	uint64_t blocks;
	uint8_t *model;
	bool *rot;  /* block flipped somewhere and not verified on every member since */
	struct braid_stats expect;  /* counters the model predicts */
};

static uint8_t *world_block(struct world *w, uint64_t blk) { return w->model + blk * TAGFS_BLOCK_SIZE; }
static uint8_t *copy_of(struct world *w, uint32_t i, uint64_t blk) { return memdev_block(&w->m[i], LB + blk); }

static bool copy_good(struct world *w, uint32_t i, uint64_t blk)
{
	return memcmp(copy_of(w, i, blk), world_block(w, blk), TAGFS_BLOCK_SIZE) == 0;
}

static struct braid_stats now(struct world *w)
{
	struct braid_stats st;
	braid_get_stats(w->b, &st);
	return st;
}

/* The counters the model predicts must equal Braid's. */
static void check_counters(struct world *w)
{
	struct braid_stats st = now(w);
	CHECK_EQ(st.checksum_errors, w->expect.checksum_errors);
	CHECK_EQ(st.mismatches, w->expect.mismatches);
	CHECK_EQ(st.heals, w->expect.heals);
	CHECK_EQ(st.heal_failures, w->expect.heal_failures);
	CHECK_EQ(st.read_errors, w->expect.read_errors);
	CHECK_EQ(st.uncorrectable, w->expect.uncorrectable);
}

/* After operations the model does not predict counters for (resync,
 * add_member, assemble), it takes Braid's as the new starting point. */
static void rebase(struct world *w)
{
	w->expect = now(w);
}

static bool healthy_active(struct world *w, const struct braid_stats *st, uint32_t i)
{
	return st->member[i].state == BRAID_ACTIVE && !w->m[i].fail_io;
}

static unsigned healthy_actives(struct world *w)
{
	struct braid_stats st = now(w);
	unsigned k = 0;
	for (uint32_t i = 0; i < w->n; i++)
		k += healthy_active(w, &st, i);
	return k;
}

static void refresh_rot(struct world *w, uint64_t blk)
{
	bool all = true;
	for (uint32_t i = 0; i < w->n; i++)
		all = all && copy_good(w, i, blk);
	if (all)
		w->rot[blk] = false;
}

static void check_invariant(struct world *w)
{
	struct braid_stats st = now(w);
	for (uint32_t i = 0; i < w->n; i++) {
		if (!healthy_active(w, &st, i))
			continue;
		unsigned bad = 0;
		for (uint64_t blk = 0; blk < w->blocks; blk++)
			bad += !w->rot[blk] && !copy_good(w, i, blk);
		CHECK_EQ(bad, 0);
	}
}

static void op_write(struct world *w)
{
	uint64_t blk = rnd_below(w->blocks);
	struct braid_stats st = now(w);
	if (rnd_below(5) == 0)  /* sometimes bytes another block holds */
		memcpy(world_block(w, blk), world_block(w, rnd_below(w->blocks)), TAGFS_BLOCK_SIZE);
	else
		fill_random(world_block(w, blk), TAGFS_BLOCK_SIZE);
	CHECK_EQ(w->d->write(w->d, blk, world_block(w, blk)), TAGFS_OK);
	struct braid_stats after = now(w);
	for (uint32_t i = 0; i < w->n; i++) {
		bool attached = st.member[i].state != BRAID_ABSENT;
		if (attached && w->m[i].fail_io)
			CHECK_EQ(after.member[i].state, BRAID_ABSENT);
		else if (attached)
			CHECK(copy_good(w, i, blk));
	}
	refresh_rot(w, blk);
	check_counters(w);
}

/* Predicts and checks one read; with_check picks the verification. */
static void op_read(struct world *w, bool with_check)
{
	uint64_t blk = rnd_below(w->blocks);
	struct braid_stats st = now(w);
	int readable[BRAID_MAX_MEMBERS], nread = 0, nio = 0;
	for (uint32_t i = 0; i < w->n; i++) {
		if (st.member[i].state != BRAID_ACTIVE)
			continue;
		if (w->m[i].fail_io)
			nio++;
		else
			readable[nread++] = (int)i;
	}
	int want;
	int source = -1;   /* member whose bytes the read must return */
	int bad = 0;       /* readable copies that are rewritten */
	w->expect.read_errors += (uint64_t)nio;
	if (nread == 0) {
		want = TAGFS_EIO;
	} else if (with_check) {
		for (int k = 0; k < nread; k++) {
			if (copy_good(w, (uint32_t)readable[k], blk)) {
				if (source < 0)
					source = readable[k];
			} else {
				bad++;
			}
		}
		w->expect.checksum_errors += (uint64_t)bad;
		want = source < 0 ? TAGFS_ECORRUPT : TAGFS_OK;
	} else {
		int best_votes = 0;
		for (int k = 0; k < nread; k++) {
			int votes = 0;
			for (int j = 0; j < nread; j++)
				votes += memcmp(copy_of(w, (uint32_t)readable[k], blk),
						copy_of(w, (uint32_t)readable[j], blk), TAGFS_BLOCK_SIZE) == 0;
			if (votes > best_votes) {
				best_votes = votes;
				source = readable[k];
			}
		}
		if (best_votes == nread) {
			want = TAGFS_OK;
		} else if (best_votes >= 2 && 2 * best_votes > nread) {
			want = TAGFS_OK;
			bad = nread - best_votes;
			w->expect.mismatches += (uint64_t)bad;
		} else {
			want = TAGFS_ECORRUPT;
			source = -1;
		}
	}
	if (want == TAGFS_ECORRUPT)
		w->expect.uncorrectable++;
	if (want == TAGFS_OK) {
		w->expect.heals += (uint64_t)bad;
		w->expect.heal_failures += (uint64_t)nio;
	}
	uint8_t expected[TAGFS_BLOCK_SIZE], buf[TAGFS_BLOCK_SIZE];
	if (source >= 0)
		memcpy(expected, copy_of(w, (uint32_t)source, blk), TAGFS_BLOCK_SIZE);

	struct tagfs_check c = { check_equal, world_block(w, blk) };
	int rc = w->d->read(w->d, blk, buf, with_check ? &c : NULL);
	CHECK_EQ(rc, want);
	if (rc == TAGFS_OK && want == TAGFS_OK) {
		CHECK(memcmp(buf, expected, TAGFS_BLOCK_SIZE) == 0);
		struct braid_stats after = now(w);
		for (uint32_t i = 0; i < w->n; i++) {
			if (st.member[i].state != BRAID_ACTIVE)
				continue;
			if (w->m[i].fail_io)
				CHECK_EQ(after.member[i].state, BRAID_ABSENT);
			else
				CHECK(memcmp(copy_of(w, i, blk), expected, TAGFS_BLOCK_SIZE) == 0);
		}
		if (with_check)
			refresh_rot(w, blk);
	}
	check_counters(w);
}

static void op_flip(struct world *w)
{
	uint32_t i = (uint32_t)rnd_below(w->n);
	uint64_t blk = rnd_below(w->blocks);
	memdev_flip(&w->m[i], LB + blk, (uint32_t)rnd(), (uint8_t)rnd());
	w->rot[blk] = true;
}

/* An attached disk starts failing every transfer, as long as one healthy
 * ACTIVE member remains (with none, the set is lost and says EIO). */
static void op_fail(struct world *w)
{
	uint32_t i = (uint32_t)rnd_below(w->n);
	struct braid_stats st = now(w);
	if (w->m[i].fail_io || st.member[i].state == BRAID_ABSENT)
		return;
	if (healthy_active(w, &st, i) && healthy_actives(w) < 2)
		return;
	w->m[i].fail_io = true;
}

/* A failing disk that has not been dropped yet recovers (a transient
 * fault); a dropped one is cleared and added back. */
static void op_recover(struct world *w)
{
	uint32_t i = (uint32_t)rnd_below(w->n);
	struct braid_stats st = now(w);
	if (st.member[i].state != BRAID_ABSENT) {
		w->m[i].fail_io = false;
		return;
	}
	w->m[i].fail_io = false;
	struct braid_problem why;
	int rc = braid_add_member(w->b, i, w->devs[i], &why);
	st = now(w);
	if (rc == TAGFS_OK) {
		CHECK_EQ(st.member[i].state, BRAID_ACTIVE);
	} else if (rc == TAGFS_ECORRUPT) {
		/* Only a weave whose two current copies disagree may refuse. */
		CHECK_EQ(w->n, 3);
		CHECK_EQ(st.member[i].state, BRAID_STALE);
	} else {
		/* A source failing mid-copy drops and stops it. */
		CHECK_EQ(rc, TAGFS_EIO);
		CHECK(st.member[i].state != BRAID_ACTIVE);
	}
	rebase(w);
	check_invariant(w);
}

static void op_resync(struct world *w)
{
	uint64_t left = 0;
	bool stale_failing = false;
	struct braid_stats st = now(w);
	for (uint32_t i = 0; i < w->n; i++)
		stale_failing = stale_failing || (st.member[i].state == BRAID_STALE && w->m[i].fail_io);
	int rc = braid_resync(w->b, 1 + rnd_below(20), &left);
	CHECK(rc == TAGFS_OK || rc == TAGFS_ECORRUPT || (rc == TAGFS_EIO && stale_failing));
	rebase(w);
	check_invariant(w);
}

static void op_flush(struct world *w)
{
	struct braid_stats st = now(w);
	CHECK_EQ(w->d->flush(w->d), TAGFS_OK);
	struct braid_stats after = now(w);
	for (uint32_t i = 0; i < w->n; i++)
		if (st.member[i].state != BRAID_ABSENT && w->m[i].fail_io)
			CHECK_EQ(after.member[i].state, BRAID_ABSENT);
}

/* A restart: failing disks cannot be read, so they come up missing. */
static void op_reassemble(struct world *w)
{
	struct braid_problem why;
	CHECK_EQ(braid_assemble(w->b, w->devs, w->n, &why), TAGFS_OK);
	CHECK_EQ(why.reason, BRAID_WHY_NONE);
	rebase(w);
	check_invariant(w);
}

/* Reads every block with the check; a block with no good copy left is
 * rewritten from the model (it was lost to rot in every copy). */
static void scrub(struct world *w)
{
	uint8_t buf[TAGFS_BLOCK_SIZE];
	for (uint64_t blk = 0; blk < w->blocks; blk++) {
		struct tagfs_check c = { check_equal, world_block(w, blk) };
		if (w->d->read(w->d, blk, buf, &c) == TAGFS_ECORRUPT)
			CHECK_EQ(w->d->write(w->d, blk, world_block(w, blk)), TAGFS_OK);
	}
}

/* Everything comes back, is resynchronised and scrubbed with checks. */
static void settle(struct world *w)
{
	for (uint32_t i = 0; i < w->n; i++)
		w->m[i].fail_io = false;
	for (uint32_t i = 0; i < w->n; i++)
		if (now(w).member[i].state == BRAID_ABSENT)
			braid_add_member(w->b, i, w->devs[i], NULL);
	/* Checked reads heal the ACTIVE copies (and settle any disagreement
	 * that stops resync); a last scrub after resync covers rot on a member
	 * while it was STALE, in extents it did not need to copy. */
	bool synced = false;
	for (int round = 0; round < 4 && !synced; round++) {
		scrub(w);
		synced = braid_resync(w->b, 0, NULL) == TAGFS_OK;
	}
	CHECK(synced);
	scrub(w);
	CHECK_EQ(w->d->flush(w->d), TAGFS_OK);
	struct braid_stats st = now(w);
	CHECK(!st.degraded);
	for (uint32_t i = 0; i < w->n; i++) {
		CHECK_EQ(st.member[i].state, BRAID_ACTIVE);
		unsigned bad = 0;
		for (uint64_t blk = 0; blk < w->blocks; blk++)
			bad += !copy_good(w, i, blk);
		CHECK_EQ(bad, 0);
	}
	/* Labels agree with each other after all that. */
	struct braid_problem why;
	CHECK_EQ(braid_assemble(w->b, w->devs, w->n, &why), TAGFS_OK);
	CHECK(!now(w).degraded);
}

static void run(enum braid_mode mode, uint32_t n, uint64_t seed, unsigned ops)
{
	struct world w;
	memset(&w, 0, sizeof w);
	rng_state = seed;
	w.n = n;
	w.b = calloc(1, sizeof *w.b);
	for (uint32_t i = 0; i < n; i++) {
		memdev_init(&w.m[i], MEMBER_BLOCKS);
		w.devs[i] = &w.m[i].dev;
	}
	struct braid_config cfg = { .mode = mode, .zero_data = true };
	fill_random(cfg.set_id, sizeof cfg.set_id);
	CHECK_EQ(braid_format(w.b, w.devs, n, &cfg), TAGFS_OK);
	w.d = braid_dev(w.b);
	w.blocks = w.d->blocks;
	w.model = calloc(w.blocks, TAGFS_BLOCK_SIZE);
	w.rot = calloc(w.blocks, sizeof *w.rot);
	rebase(&w);
	for (unsigned k = 0; k < ops; k++) {
		unsigned r = (unsigned)rnd_below(100);
		if (r < 30)
			op_write(&w);
		else if (r < 52)
			op_read(&w, true);
		else if (r < 67)
			op_read(&w, false);
		else if (r < 77)
			op_flip(&w);
		else if (r < 82)
			op_fail(&w);
		else if (r < 90)
			op_recover(&w);
		else if (r < 94)
			op_resync(&w);
		else if (r < 98)
			op_flush(&w);
		else
			op_reassemble(&w);
		if (k % 64 == 0)
			check_invariant(&w);
	}
	settle(&w);
	for (uint32_t i = 0; i < n; i++)
		memdev_free(&w.m[i]);
	free(w.b);
	free(w.model);
	free(w.rot);
}

int main(void)
{
	for (uint64_t seed = 1; seed <= 6; seed++) {
		run(BRAID_MIRROR, 2, seed * 0x9e3779b97f4a7c15ull, 15000);
		run(BRAID_WEAVE, 3, seed * 0xc2b2ae3d27d4eb4full, 15000);
	}
	return check_report();
}
