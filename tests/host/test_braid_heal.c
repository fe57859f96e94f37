/*
 * test_braid_heal.c: directed tests of Braid's redundancy (tagfs/braid.c)
 * over in-memory member disks with fault injection (test_braid_fixture.h).
 *
 * Covers: bit rot in one mirror copy and in two of three weave copies (with
 * a check), weave majority vote and mirror disagreement without a check,
 * read errors, acknowledged-but-dropped writes, degrade + write + re-add
 * with partial and full resync, a failing flush, disks of other sets or
 * slots, a restart while degraded, budgeted resync, and resync refusing to
 * copy from disagreeing sources.  Counters are compared with the exact
 * number of injected faults and member bytes are compared after every heal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_braid_fixture.h"

/* ---- bit rot ------------------------------------------------------------- */

static void test_bitrot_mirror(void)
{
	struct set s;
	CHECK_EQ(set_make(&s, BRAID_MIRROR, 2, 258, 0), TAGFS_OK);
	fill_all(&s);
	uint64_t pick[60];
	pick_distinct(pick, 60, s.d->blocks);
	/* 40 blocks rot on member 1, 20 other blocks on member 0; several bytes each. */
	for (unsigned k = 0; k < 60; k++)
		for (int flips = 0; flips < 1 + (int)(k % 3); flips++)
			memdev_flip(&s.m[k < 40 ? 1 : 0], LB + pick[k], (uint32_t)rnd(), (uint8_t)rnd());
	CHECK_EQ(member_diffs(&s, 1), 40);
	CHECK_EQ(member_diffs(&s, 0), 20);
	CHECK_EQ(read_all(&s, true), 0);
	struct braid_stats st = stats(&s);
	CHECK_EQ(st.checksum_errors, 60);
	CHECK_EQ(st.heals, 60);
	CHECK_EQ(st.member[1].checksum_errors, 40);
	CHECK_EQ(st.member[1].heals, 40);
	CHECK_EQ(st.member[0].checksum_errors, 20);
	CHECK_EQ(st.member[0].heals, 20);
	CHECK_EQ(st.uncorrectable + st.mismatches + st.heal_failures, 0);
	CHECK_EQ(member_diffs(&s, 0), 0);
	CHECK_EQ(member_diffs(&s, 1), 0);
	/* Everything healed: a second pass finds nothing. */
	CHECK_EQ(read_all(&s, true), 0);
	CHECK_EQ(stats(&s).checksum_errors, 60);

	/* Without a check, a mirror cannot tell which copy is right. */
	memdev_flip(&s.m[0], LB + 7, 100, 0x80);
	uint8_t buf[TAGFS_BLOCK_SIZE];
	CHECK_EQ(s.d->read(s.d, 7, buf, NULL), TAGFS_ECORRUPT);
	CHECK_EQ(stats(&s).uncorrectable, 1);
	CHECK_EQ(stats(&s).heals, 60);
	struct tagfs_check c = { check_equal, model_block(&s, 7) };
	CHECK_EQ(s.d->read(s.d, 7, buf, &c), TAGFS_OK);
	CHECK_EQ(stats(&s).heals, 61);
	CHECK_EQ(member_diffs(&s, 0), 0);

	/* Both copies rotten: ECORRUPT, nothing rewritten. */
	memdev_flip(&s.m[0], LB + 9, 1, 1);
	memdev_flip(&s.m[1], LB + 9, 2, 1);
	c.arg = model_block(&s, 9);
	CHECK_EQ(s.d->read(s.d, 9, buf, &c), TAGFS_ECORRUPT);
	st = stats(&s);
	CHECK_EQ(st.checksum_errors, 63);
	CHECK_EQ(st.uncorrectable, 2);
	CHECK_EQ(st.heals, 61);

	/* A bad sector: the read error is counted and the sector rewritten. */
	s.m[1].bad_block = (int64_t)(LB + 12);
	c.arg = model_block(&s, 12);
	uint64_t writes_before = s.m[1].writes;
	CHECK_EQ(s.d->read(s.d, 12, buf, &c), TAGFS_OK);
	CHECK(memcmp(buf, model_block(&s, 12), TAGFS_BLOCK_SIZE) == 0);
	st = stats(&s);
	CHECK_EQ(st.read_errors, 1);
	CHECK_EQ(st.member[1].read_errors, 1);
	CHECK_EQ(st.heals, 62);
	CHECK_EQ(s.m[1].writes, writes_before + 1);
	CHECK_EQ(st.member[1].state, BRAID_ACTIVE);
	s.m[1].bad_block = -1;
	set_free(&s);
}

static void test_bitrot_weave(void)
{
	struct set s;
	CHECK_EQ(set_make(&s, BRAID_WEAVE, 3, 200, 0), TAGFS_OK);
	fill_all(&s);
	/* Two of three copies rot in 50 blocks; which two varies. */
	uint64_t pick[50];
	unsigned per_member[3] = { 0, 0, 0 };
	pick_distinct(pick, 50, s.d->blocks);
	for (unsigned k = 0; k < 50; k++) {
		uint32_t spared = (uint32_t)rnd_below(3);
		for (uint32_t i = 0; i < 3; i++) {
			if (i == spared)
				continue;
			memdev_flip(&s.m[i], LB + pick[k], (uint32_t)rnd(), (uint8_t)rnd());
			per_member[i]++;
		}
	}
	CHECK_EQ(read_all(&s, true), 0);
	struct braid_stats st = stats(&s);
	CHECK_EQ(st.checksum_errors, 100);
	CHECK_EQ(st.heals, 100);
	for (uint32_t i = 0; i < 3; i++) {
		CHECK_EQ(st.member[i].checksum_errors, per_member[i]);
		CHECK_EQ(st.member[i].heals, per_member[i]);
		CHECK_EQ(member_diffs(&s, i), 0);
	}

	/* Without a check: one odd copy per block is outvoted and healed. */
	pick_distinct(pick, 30, s.d->blocks);
	unsigned odd[3] = { 0, 0, 0 };
	for (unsigned k = 0; k < 30; k++) {
		uint32_t i = (uint32_t)rnd_below(3);
		memdev_flip(&s.m[i], LB + pick[k], (uint32_t)rnd(), (uint8_t)rnd());
		odd[i]++;
	}
	CHECK_EQ(read_all(&s, false), 0);
	st = stats(&s);
	CHECK_EQ(st.mismatches, 30);
	CHECK_EQ(st.heals, 130);
	CHECK_EQ(st.checksum_errors, 100);
	for (uint32_t i = 0; i < 3; i++) {
		CHECK_EQ(st.member[i].mismatches, odd[i]);
		CHECK_EQ(member_diffs(&s, i), 0);
	}

	/* Three different copies: no majority, ECORRUPT, nothing rewritten. */
	memdev_flip(&s.m[0], LB + 5, 0, 1);
	memdev_flip(&s.m[1], LB + 5, 0, 2);
	uint8_t buf[TAGFS_BLOCK_SIZE];
	CHECK_EQ(s.d->read(s.d, 5, buf, NULL), TAGFS_ECORRUPT);
	st = stats(&s);
	CHECK_EQ(st.uncorrectable, 1);
	CHECK_EQ(st.heals, 130);
	/* The check settles it. */
	struct tagfs_check c = { check_equal, model_block(&s, 5) };
	CHECK_EQ(s.d->read(s.d, 5, buf, &c), TAGFS_OK);
	CHECK_EQ(stats(&s).heals, 132);
	/* One copy unreadable, the other two disagree: cannot tell either. */
	s.m[2].bad_block = (int64_t)(LB + 6);
	memdev_flip(&s.m[0], LB + 6, 0, 1);
	CHECK_EQ(s.d->read(s.d, 6, buf, NULL), TAGFS_ECORRUPT);
	s.m[2].bad_block = -1;
	CHECK_EQ(read_all(&s, false), 0);  /* now 2 of 3 agree again */
	for (uint32_t i = 0; i < 3; i++)
		CHECK_EQ(member_diffs(&s, i), 0);
	set_free(&s);
}

static void test_dropped_writes(void)
{
	struct set s;
	CHECK_EQ(set_make(&s, BRAID_MIRROR, 2, 66, 0), TAGFS_OK);
	fill_all(&s);
	s.m[0].drop_writes = true;  /* acknowledges, stores nothing */
	uint64_t pick[16];
	pick_distinct(pick, 16, s.d->blocks);
	for (unsigned k = 0; k < 16; k++) {
		fill_random(model_block(&s, pick[k]), TAGFS_BLOCK_SIZE);
		CHECK_EQ(s.d->write(s.d, pick[k], model_block(&s, pick[k])), TAGFS_OK);
	}
	s.m[0].drop_writes = false;
	CHECK_EQ(member_diffs(&s, 0), 16);
	CHECK_EQ(read_all(&s, true), 0);
	struct braid_stats st = stats(&s);
	CHECK_EQ(st.member[0].checksum_errors, 16);
	CHECK_EQ(st.member[0].heals, 16);
	CHECK_EQ(st.member[1].checksum_errors, 0);
	CHECK_EQ(member_diffs(&s, 0), 0);
	set_free(&s);
}

/* ---- degrade and resync -------------------------------------------------- */

static bool members_identical(struct set *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (member_diffs(s, i) != 0)
			return false;
	return true;
}

static void test_degrade_resync_mirror(void)
{
	struct set s;
	struct braid_problem why;
	CHECK_EQ(set_make(&s, BRAID_MIRROR, 2, 130, 0), TAGFS_OK);
	fill_all(&s);
	uint64_t gen0 = stats(&s).generation;

	/* Member 1 is pulled; 20 blocks are written (some twice). */
	s.m[1].fail_io = true;
	uint64_t pick[20];
	pick_distinct(pick, 20, s.d->blocks);
	for (unsigned k = 0; k < 25; k++) {
		uint64_t blk = pick[k % 20];
		fill_random(model_block(&s, blk), TAGFS_BLOCK_SIZE);
		CHECK_EQ(s.d->write(s.d, blk, model_block(&s, blk)), TAGFS_OK);
	}
	struct braid_stats st = stats(&s);
	CHECK(st.degraded);
	CHECK_EQ(st.member[1].state, BRAID_ABSENT);
	CHECK_EQ(st.member[1].dirty_extents, 20);
	CHECK(st.generation > gen0);
	CHECK_EQ(s.d->flush(s.d), TAGFS_OK);
	CHECK_EQ(read_all(&s, false), 0);  /* one copy left: read without a vote */
	/* The surviving label says member 1 is not current. */
	struct braid_label l;
	uint8_t scratch[TAGFS_BLOCK_SIZE];
	CHECK_EQ(braid_read_label(s.devs[0], scratch, &l, NULL), TAGFS_OK);
	CHECK_EQ(l.current_mask, 1);
	CHECK_EQ(l.generation, st.generation);

	/* It comes back: only the 20 dirty blocks are copied. */
	s.m[1].fail_io = false;
	CHECK_EQ(member_diffs(&s, 1), 20);
	CHECK_EQ(braid_add_member(s.b, 1, s.devs[1], &why), TAGFS_OK);
	st = stats(&s);
	CHECK(!st.degraded);
	CHECK_EQ(st.resync_blocks, 20);
	CHECK_EQ(st.member[1].resync_blocks, 20);
	CHECK(members_identical(&s));
	CHECK_EQ(read_all(&s, false), 0);
	CHECK_EQ(braid_read_label(s.devs[1], scratch, &l, NULL), TAGFS_OK);
	CHECK_EQ(l.current_mask, 3);

	/* A member whose flush fails loses what was not flushed: dirty too. */
	fill_random(model_block(&s, 3), TAGFS_BLOCK_SIZE);
	CHECK_EQ(s.d->write(s.d, 3, model_block(&s, 3)), TAGFS_OK);
	s.m[0].fail_flush = true;
	CHECK_EQ(s.d->flush(s.d), TAGFS_OK);
	st = stats(&s);
	CHECK_EQ(st.member[0].state, BRAID_ABSENT);
	CHECK_EQ(st.member[0].dirty_extents, 1);
	s.m[0].fail_flush = false;
	CHECK_EQ(braid_add_member(s.b, 0, s.devs[0], &why), TAGFS_OK);
	CHECK_EQ(stats(&s).resync_blocks, 21);
	CHECK(members_identical(&s));

	/* A blank replacement disk gets everything. */
	struct memdev fresh;
	memdev_init(&fresh, 140);
	s.m[1].fail_io = true;
	fill_random(model_block(&s, 0), TAGFS_BLOCK_SIZE);
	CHECK_EQ(s.d->write(s.d, 0, model_block(&s, 0)), TAGFS_OK);
	CHECK_EQ(braid_add_member(s.b, 1, &fresh.dev, &why), TAGFS_OK);
	CHECK_EQ(stats(&s).resync_blocks, 21 + s.d->blocks);
	CHECK_EQ(stats(&s).member[1].state, BRAID_ACTIVE);
	memdev_free(&s.m[1]);
	s.m[1] = fresh;
	s.m[1].dev.ctx = &s.m[1];
	s.devs[1] = &s.m[1].dev;
	/* The braid still points at fresh's old address: re-assemble. */
	CHECK_EQ(braid_assemble(s.b, s.devs, 2, &why), TAGFS_OK);
	CHECK(members_identical(&s));
	CHECK_EQ(read_all(&s, false), 0);

	/* A disk from another set, or from the other slot, is refused. */
	struct set other;
	CHECK_EQ(set_make(&other, BRAID_MIRROR, 2, 130, 0), TAGFS_OK);
	memset(other.m[0].data, 0, 2 * TAGFS_BLOCK_SIZE);
	CHECK_EQ(braid_format(other.b, other.devs, 2, config(BRAID_MIRROR, 9, 0)), TAGFS_OK);
	s.m[1].fail_io = true;
	CHECK_EQ(s.d->write(s.d, 0, model_block(&s, 0)), TAGFS_OK);
	s.m[1].fail_io = false;
	CHECK_EQ(braid_add_member(s.b, 1, other.devs[1], &why), TAGFS_EEXIST);
	CHECK_EQ(why.reason, BRAID_WHY_FOREIGN);
	CHECK_EQ(braid_add_member(s.b, 1, s.devs[0], &why), TAGFS_EEXIST);
	CHECK_EQ(why.reason, BRAID_WHY_FOREIGN);  /* member 0's disk in slot 1 */
	CHECK_EQ(braid_add_member(s.b, 0, s.devs[0], &why), TAGFS_EEXIST);
	CHECK_EQ(why.reason, BRAID_WHY_SLOT_BUSY);
	CHECK_EQ(braid_add_member(s.b, 2, s.devs[1], &why), TAGFS_EINVAL);
	CHECK_EQ(braid_add_member(s.b, 1, s.devs[1], &why), TAGFS_OK);
	CHECK(members_identical(&s));
	set_free(&other);
	set_free(&s);
}

static void test_degrade_resync_weave(void)
{
	struct set s;
	struct braid_problem why;
	CHECK_EQ(set_make(&s, BRAID_WEAVE, 3, 100, 0), TAGFS_OK);
	fill_all(&s);

	/* Member 2 is missing at assembly; it was current, so only what is
	 * written from now on is dirty. */
	struct tagfs_dev *two[3] = { s.devs[0], s.devs[1], NULL };
	CHECK_EQ(braid_assemble(s.b, two, 3, &why), TAGFS_OK);
	CHECK_EQ(stats(&s).member[2].dirty_extents, 0);
	uint64_t pick[10];
	pick_distinct(pick, 10, s.d->blocks);
	for (unsigned k = 0; k < 10; k++) {
		fill_random(model_block(&s, pick[k]), TAGFS_BLOCK_SIZE);
		CHECK_EQ(s.d->write(s.d, pick[k], model_block(&s, pick[k])), TAGFS_OK);
	}
	CHECK_EQ(stats(&s).member[2].dirty_extents, 10);
	CHECK_EQ(braid_add_member(s.b, 2, s.devs[2], &why), TAGFS_OK);
	CHECK_EQ(stats(&s).resync_blocks, 10);
	CHECK(members_identical(&s));

	/* Restart while degraded: member 0 misses writes, then the whole set is
	 * assembled again from its disks.  Member 0 comes up STALE (its label is
	 * older) and is never read until resync copies everything to it. */
	s.m[0].fail_io = true;
	for (unsigned k = 0; k < 10; k++) {
		fill_random(model_block(&s, pick[k]), TAGFS_BLOCK_SIZE);
		CHECK_EQ(s.d->write(s.d, pick[k], model_block(&s, pick[k])), TAGFS_OK);
	}
	CHECK_EQ(s.d->flush(s.d), TAGFS_OK);
	s.m[0].fail_io = false;
	CHECK_EQ(braid_assemble(s.b, s.devs, 3, &why), TAGFS_OK);
	struct braid_stats st = stats(&s);
	CHECK_EQ(st.member[0].state, BRAID_STALE);
	CHECK_EQ(st.member[0].dirty_extents, s.d->blocks);
	CHECK_EQ(read_all(&s, false), 0);  /* members 1 and 2 agree; 0 unread */
	CHECK_EQ(stats(&s).mismatches, 0);
	/* Writes reach the stale member too. */
	fill_random(model_block(&s, 1), TAGFS_BLOCK_SIZE);
	CHECK_EQ(s.d->write(s.d, 1, model_block(&s, 1)), TAGFS_OK);
	CHECK(memcmp(memdev_block(&s.m[0], LB + 1), model_block(&s, 1), TAGFS_BLOCK_SIZE) == 0);
	/* Resync in steps of at most 40 blocks. */
	uint64_t left = 0;
	CHECK_EQ(braid_resync(s.b, 40, &left), TAGFS_OK);
	CHECK_EQ(left, s.d->blocks - 40);
	CHECK_EQ(stats(&s).member[0].state, BRAID_STALE);
	while (left)
		CHECK_EQ(braid_resync(s.b, 40, &left), TAGFS_OK);
	st = stats(&s);
	CHECK_EQ(st.member[0].state, BRAID_ACTIVE);
	CHECK_EQ(st.resync_blocks, s.d->blocks);  /* counters start at each assembly */
	CHECK(!st.degraded);
	CHECK(members_identical(&s));

	/* Resync refuses to invent a majority: with member 2 away and 0 and 1
	 * disagreeing on a block, that extent stays dirty until a checked read
	 * heals it. */
	s.m[2].fail_io = true;
	fill_random(model_block(&s, 8), TAGFS_BLOCK_SIZE);
	CHECK_EQ(s.d->write(s.d, 8, model_block(&s, 8)), TAGFS_OK);
	s.m[2].fail_io = false;
	s.m[1].fail_io = true;
	CHECK_EQ(s.d->write(s.d, 9, model_block(&s, 9)), TAGFS_OK);  /* drops member 1 */
	s.m[1].fail_io = false;
	CHECK_EQ(braid_add_member(s.b, 1, s.devs[1], &why), TAGFS_OK);  /* 1 extent from member 0 */
	memdev_flip(&s.m[1], LB + 8, 3, 3);
	CHECK_EQ(braid_add_member(s.b, 2, s.devs[2], &why), TAGFS_ECORRUPT);
	st = stats(&s);
	CHECK_EQ(st.resync_conflicts, 1);
	CHECK_EQ(st.member[2].state, BRAID_STALE);
	CHECK_EQ(st.member[2].dirty_extents, 1);
	struct tagfs_check c = { check_equal, model_block(&s, 8) };
	uint8_t buf[TAGFS_BLOCK_SIZE];
	CHECK_EQ(s.d->read(s.d, 8, buf, &c), TAGFS_OK);
	CHECK_EQ(braid_resync(s.b, 0, NULL), TAGFS_OK);
	CHECK_EQ(stats(&s).member[2].state, BRAID_ACTIVE);
	CHECK(members_identical(&s));
	set_free(&s);
}

int main(void)
{
	test_bitrot_mirror();
	test_bitrot_weave();
	test_dropped_writes();
	test_degrade_resync_mirror();
	test_degrade_resync_weave();
	return check_report();
}
