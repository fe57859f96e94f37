/*
 * test_braid.c: directed tests of Braid (tagfs/braid.c) over in-memory
 * member disks with fault injection (test_braid_memdev.h).
 *
 * Covers: format/assemble in every mode and member order, stripe placement
 * and region_of, every way a label set is refused, bit rot in one mirror copy
 * and in two of three weave copies (with a check), weave majority vote and
 * mirror disagreement without a check, read errors, dropped writes,
 * degrade + write + re-add with partial and full resync, and a restart while
 * degraded.  Counters are compared with the exact number of injected faults
 * and member bytes are compared after every heal.  The random model test is
 * test_braid_random.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_braid_memdev.h"


#define LB BRAID_LABEL_BLOCKS

struct set {
	struct memdev m[BRAID_MAX_MEMBERS];
	struct tagfs_dev *devs[BRAID_MAX_MEMBERS];
	struct braid *b;
	struct tagfs_dev *d;
	uint32_t n;
	uint8_t *model;  /* what every logical block should hold */
};

static const struct braid_config *config(enum braid_mode mode, uint8_t id, uint32_t extent)
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
static int set_make(struct set *s, enum braid_mode mode, uint32_t n, uint64_t member_blocks,
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

static void set_free(struct set *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		memdev_free(&s->m[i]);
	free(s->b);
	free(s->model);
}

static uint8_t *model_block(struct set *s, uint64_t block)
{
	return s->model + block * TAGFS_BLOCK_SIZE;
}

/* Writes random bytes to every logical block and records them. */
static void fill_all(struct set *s)
{
	for (uint64_t blk = 0; blk < s->d->blocks; blk++) {
		fill_random(model_block(s, blk), TAGFS_BLOCK_SIZE);
		CHECK_EQ(s->d->write(s->d, blk, model_block(s, blk)), TAGFS_OK);
	}
	CHECK_EQ(s->d->flush(s->d), TAGFS_OK);
}

/* Reads every block (with the check or without) and compares with the model;
 * returns how many differed or failed. */
static unsigned read_all(struct set *s, bool with_check)
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
static unsigned member_diffs(struct set *s, uint32_t i)
{
	unsigned bad = 0;
	for (uint64_t blk = 0; blk < s->d->blocks; blk++)
		if (memcmp(memdev_block(&s->m[i], LB + blk), model_block(s, blk), TAGFS_BLOCK_SIZE))
			bad++;
	return bad;
}

static struct braid_stats stats(struct set *s)
{
	struct braid_stats st;
	braid_get_stats(s->b, &st);
	return st;
}

/* Picks k distinct random blocks below limit into out[]. */
static void pick_distinct(uint64_t *out, unsigned k, uint64_t limit)
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

/* ---- format and assemble ------------------------------------------------ */

static void test_modes_roundtrip(void)
{
	static const struct { enum braid_mode mode; uint32_t n; uint64_t blocks; uint32_t regions; } cases[] = {
		{ BRAID_MIRROR, 2, 100, 1 },
		{ BRAID_WEAVE, 3, 100, 1 },
		{ BRAID_STRIPE, 2, 2 * 96, 2 },   /* (102-2)/8*8 = 96 per member */
		{ BRAID_STRIPE, 3, 3 * 96, 3 },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct set s;
		CHECK_EQ(set_make(&s, cases[c].mode, cases[c].n, 102, 8), TAGFS_OK);
		CHECK_EQ(s.d->blocks, cases[c].blocks);
		CHECK_EQ(s.d->regions, cases[c].regions);
		CHECK((s.d->region_of != NULL) == (cases[c].mode == BRAID_STRIPE));
		fill_all(&s);
		CHECK_EQ(read_all(&s, true), 0);
		CHECK_EQ(read_all(&s, false), 0);
		if (cases[c].mode != BRAID_STRIPE)
			for (uint32_t i = 0; i < s.n; i++)
				CHECK_EQ(member_diffs(&s, i), 0);

		/* Assemble again from a fresh struct, members in reverse order. */
		struct tagfs_dev *rev[3] = { NULL, NULL, NULL };
		for (uint32_t i = 0; i < s.n; i++)
			rev[i] = s.devs[s.n - 1 - i];
		struct braid_problem why;
		memset(s.b, 0xa5, sizeof *s.b);
		CHECK_EQ(braid_assemble(s.b, rev, s.n, &why), TAGFS_OK);
		CHECK_EQ(why.reason, BRAID_WHY_NONE);
		CHECK_EQ(read_all(&s, true), 0);
		struct braid_stats st = stats(&s);
		CHECK(!st.degraded);
		CHECK_EQ(st.generation, 1);
		CHECK_EQ(st.checksum_errors + st.mismatches + st.heals + st.read_errors, 0);
		uint8_t buf[TAGFS_BLOCK_SIZE];
		CHECK_EQ(s.d->read(s.d, s.d->blocks, buf, NULL), TAGFS_ERANGE);
		CHECK_EQ(s.d->write(s.d, s.d->blocks, buf), TAGFS_ERANGE);
		CHECK_EQ(s.d->read(s.d, 0, NULL, NULL), TAGFS_EINVAL);
		set_free(&s);
	}

	/* Format refuses impossible sets. */
	struct memdev m[3];
	struct tagfs_dev *devs[3];
	struct braid *b = calloc(1, sizeof *b);
	for (int i = 0; i < 3; i++) {
		memdev_init(&m[i], i == 2 ? 2 : 50);
		devs[i] = &m[i].dev;
	}
	CHECK_EQ(braid_format(b, devs, 3, config(BRAID_MIRROR, 1, 0)), TAGFS_EINVAL);
	CHECK_EQ(braid_format(b, devs, 2, config(BRAID_WEAVE, 1, 0)), TAGFS_EINVAL);
	CHECK_EQ(braid_format(b, devs, 1, config(BRAID_STRIPE, 1, 0)), TAGFS_EINVAL);
	CHECK_EQ(braid_format(b, devs, 2, config((enum braid_mode)9, 1, 0)), TAGFS_EINVAL);
	CHECK_EQ(braid_format(b, devs, 3, config(BRAID_WEAVE, 1, 0)), TAGFS_ENOSPC);  /* member 2: labels only */
	CHECK_EQ(braid_format(b, devs, 2, config(BRAID_STRIPE, 1, 64)), TAGFS_ENOSPC); /* 48 < one extent */
	devs[1] = NULL;
	CHECK_EQ(braid_format(b, devs, 2, config(BRAID_MIRROR, 1, 0)), TAGFS_EINVAL);
	for (int i = 0; i < 3; i++)
		memdev_free(&m[i]);
	free(b);
}

static void test_stripe_placement(void)
{
	struct set s;
	const uint32_t e = 4;
	CHECK_EQ(set_make(&s, BRAID_STRIPE, 3, 2 + 40, e), TAGFS_OK);
	CHECK_EQ(s.d->blocks, 3 * 40);
	fill_all(&s);
	unsigned per_region[3] = { 0, 0, 0 };
	for (uint64_t blk = 0; blk < s.d->blocks; blk++) {
		uint32_t disk = (uint32_t)((blk / e) % 3);
		uint64_t phys = LB + (blk / e / 3) * e + blk % e;
		CHECK_EQ(s.d->region_of(s.d, blk), disk);
		CHECK(memcmp(memdev_block(&s.m[disk], phys), model_block(&s, blk), TAGFS_BLOCK_SIZE) == 0);
		per_region[disk]++;
	}
	CHECK_EQ(per_region[0], 40);
	CHECK_EQ(per_region[1], 40);
	CHECK_EQ(per_region[2], 40);
	braid_note_placement(s.b, 2);
	braid_note_placement(s.b, 2);
	braid_note_placement(s.b, 0);
	braid_note_placement(s.b, 7);  /* no such region: ignored */
	struct braid_stats st = stats(&s);
	CHECK_EQ(st.placements[0], 1);
	CHECK_EQ(st.placements[1], 0);
	CHECK_EQ(st.placements[2], 2);

	/* A checked read of a rotten stripe block cannot heal: ECORRUPT, counted. */
	uint8_t buf[TAGFS_BLOCK_SIZE];
	memdev_flip(&s.m[1], LB + 1, 9, 0x40);  /* logical block 4*1+1 = 5 */
	struct tagfs_check c = { check_equal, model_block(&s, 5) };
	CHECK_EQ(s.d->read(s.d, 5, buf, &c), TAGFS_ECORRUPT);
	st = stats(&s);
	CHECK_EQ(st.checksum_errors, 1);
	CHECK_EQ(st.uncorrectable, 1);
	memdev_flip(&s.m[1], LB + 1, 9, 0x40);

	/* A missing disk: its blocks answer EIO, the others keep working. */
	struct tagfs_dev *some[3] = { s.devs[0], NULL, s.devs[2] };
	CHECK_EQ(braid_assemble(s.b, some, 3, NULL), TAGFS_OK);
	st = stats(&s);
	CHECK(st.degraded);
	CHECK_EQ(st.member[1].state, BRAID_ABSENT);
	for (uint64_t blk = 0; blk < s.d->blocks; blk++) {
		int want = s.d->region_of(s.d, blk) == 1 ? TAGFS_EIO : TAGFS_OK;
		CHECK_EQ(s.d->read(s.d, blk, buf, NULL), want);
		CHECK_EQ(s.d->write(s.d, blk, model_block(&s, blk)), want);
	}
	/* A blank replacement cannot be rebuilt; the same disk comes back. */
	struct memdev blank;
	memdev_init(&blank, 60);
	struct braid_problem why;
	CHECK_EQ(braid_add_member(s.b, 1, &blank.dev, &why), TAGFS_EFORMAT);
	CHECK_EQ(why.reason, BRAID_WHY_NO_SOURCE);
	CHECK_EQ(braid_add_member(s.b, 1, s.devs[2], &why), TAGFS_EEXIST);
	CHECK_EQ(why.reason, BRAID_WHY_FOREIGN);  /* member 2's disk in slot 1 */
	CHECK_EQ(braid_add_member(s.b, 0, s.devs[1], &why), TAGFS_EEXIST);
	CHECK_EQ(why.reason, BRAID_WHY_SLOT_BUSY);
	CHECK_EQ(braid_add_member(s.b, 1, s.devs[1], &why), TAGFS_OK);
	CHECK_EQ(read_all(&s, true), 0);
	CHECK(!stats(&s).degraded);

	/* A stripe member failing a write drops out. */
	s.m[2].fail_io = true;
	CHECK_EQ(s.d->write(s.d, 2 * e, buf), TAGFS_EIO);
	CHECK_EQ(stats(&s).member[2].state, BRAID_ABSENT);
	memdev_free(&blank);
	set_free(&s);
}

/* ---- labels ------------------------------------------------------------- */

static int assemble2(struct braid *b, struct tagfs_dev *x, struct tagfs_dev *y, struct braid_problem *why)
{
	struct tagfs_dev *devs[2] = { x, y };
	return braid_assemble(b, devs, 2, why);
}

static void rewrite_label(struct memdev *m, void (*edit)(struct braid_label *))
{
	struct braid_label l;
	uint8_t scratch[TAGFS_BLOCK_SIZE];
	CHECK_EQ(braid_read_label(&m->dev, scratch, &l, NULL), TAGFS_OK);
	edit(&l);
	braid_encode_label(&l, memdev_block(m, 0));
	braid_encode_label(&l, memdev_block(m, 1));
}

static void edit_version(struct braid_label *l) { l->version = 2; }
static void edit_index(struct braid_label *l) { l->member_index = 5; }
static void edit_size(struct braid_label *l) { l->set_blocks -= 1; l->member_blocks -= 1; }
static void edit_mask(struct braid_label *l) { l->current_mask = 8; }

static void test_labels(void)
{
	struct set s, t;
	struct braid_problem why;
	struct braid *b = calloc(1, sizeof *b);
	CHECK_EQ(set_make(&s, BRAID_MIRROR, 2, 40, 0), TAGFS_OK);
	CHECK_EQ(set_make(&t, BRAID_MIRROR, 2, 40, 0), TAGFS_OK);

	/* Both label copies valid and in place. */
	struct braid_label l;
	uint8_t scratch[TAGFS_BLOCK_SIZE];
	enum braid_reason r;
	CHECK_EQ(braid_read_label(s.devs[1], scratch, &l, &r), TAGFS_OK);
	CHECK_EQ(l.member_index, 1);
	CHECK_EQ(l.member_count, 2);
	CHECK_EQ(l.mode, BRAID_MIRROR);
	CHECK_EQ(l.generation, 1);
	CHECK_EQ(l.current_mask, 3);
	CHECK_EQ(l.set_blocks, 38);
	CHECK_EQ(l.member_blocks, 40);

	/* A different set: t is formatted again with another id. */
	CHECK_EQ(braid_format(t.b, t.devs, 2, config(BRAID_MIRROR, 2, 0)), TAGFS_OK);
	CHECK_EQ(assemble2(b, s.devs[0], t.devs[1], &why), TAGFS_EFORMAT);
	CHECK_EQ(why.reason, BRAID_WHY_SET_MISMATCH);
	CHECK_EQ(why.member, 1);

	/* No label at all. */
	struct memdev blank;
	memdev_init(&blank, 40);
	CHECK_EQ(assemble2(b, &blank.dev, s.devs[1], &why), TAGFS_EFORMAT);
	CHECK_EQ(why.reason, BRAID_WHY_NO_LABEL);
	CHECK_EQ(why.member, 0);
	CHECK(strlen(braid_reason_text(why.reason)) > 10);

	/* Copy A corrupt: copy B carries the member. */
	memdev_flip(&s.m[1], 0, 20, 0x10);
	CHECK_EQ(assemble2(b, s.devs[0], s.devs[1], &why), TAGFS_OK);
	/* Both corrupt: refused, and which member is named. */
	memdev_flip(&s.m[1], 1, 70, 0x01);
	CHECK_EQ(assemble2(b, s.devs[0], s.devs[1], &why), TAGFS_EFORMAT);
	CHECK_EQ(why.reason, BRAID_WHY_LABEL_CORRUPT);
	CHECK_EQ(why.member, 1);
	memdev_flip(&s.m[1], 0, 20, 0x10);
	memdev_flip(&s.m[1], 1, 70, 0x01);
	CHECK_EQ(assemble2(b, s.devs[0], s.devs[1], &why), TAGFS_OK);

	/* The same member twice. */
	struct memdev twin;
	memdev_init(&twin, 40);
	memcpy(twin.data, s.m[0].data, 40 * TAGFS_BLOCK_SIZE);
	CHECK_EQ(assemble2(b, s.devs[0], &twin.dev, &why), TAGFS_EFORMAT);
	CHECK_EQ(why.reason, BRAID_WHY_DUPLICATE_INDEX);

	/* Checksummed but refused: a future version, an impossible index, a
	 * different size, a mask naming a member that does not exist. */
	static void (*const edits[])(struct braid_label *) = { edit_version, edit_index, edit_size, edit_mask };
	static const enum braid_reason want[] = { BRAID_WHY_VERSION, BRAID_WHY_BAD_FIELD,
						  BRAID_WHY_GEOMETRY_MISMATCH, BRAID_WHY_BAD_FIELD };
	for (size_t k = 0; k < 4; k++) {
		memcpy(twin.data, s.m[1].data, 2 * TAGFS_BLOCK_SIZE);
		rewrite_label(&twin, edits[k]);
		CHECK_EQ(assemble2(b, s.devs[0], &twin.dev, &why), TAGFS_EFORMAT);
		CHECK_EQ(why.reason, want[k]);
		CHECK_EQ(why.member, 1);
	}

	/* A device smaller than its label says. */
	s.m[1].dev.blocks = 39;
	CHECK_EQ(assemble2(b, s.devs[0], s.devs[1], &why), TAGFS_EFORMAT);
	CHECK_EQ(why.reason, BRAID_WHY_TOO_SMALL);
	s.m[1].dev.blocks = 40 + 3;

	/* Bad arguments and nothing present. */
	CHECK_EQ(assemble2(b, NULL, NULL, &why), TAGFS_EIO);
	CHECK_EQ(why.reason, BRAID_WHY_NO_MEMBERS);
	CHECK_EQ(braid_assemble(b, s.devs, 0, &why), TAGFS_EINVAL);
	CHECK_EQ(braid_assemble(b, s.devs, 4, &why), TAGFS_EINVAL);
	CHECK_EQ(why.reason, BRAID_WHY_BAD_ARGS);
	/* Unreadable labels: that member is missing, the set runs degraded. */
	s.m[1].fail_io = true;
	CHECK_EQ(assemble2(b, s.devs[0], s.devs[1], &why), TAGFS_OK);
	struct braid_stats st;
	braid_get_stats(b, &st);
	CHECK(st.degraded);
	CHECK_EQ(st.member[1].state, BRAID_ABSENT);
	s.m[1].fail_io = false;

	/* Split brain: each half written alone, then put together. */
	uint8_t buf[TAGFS_BLOCK_SIZE] = { 1 };
	CHECK_EQ(assemble2(b, s.devs[0], NULL, &why), TAGFS_OK);
	CHECK_EQ(braid_dev(b)->write(braid_dev(b), 3, buf), TAGFS_OK);
	CHECK_EQ(assemble2(b, NULL, s.devs[1], &why), TAGFS_OK);
	buf[0] = 2;
	CHECK_EQ(braid_dev(b)->write(braid_dev(b), 3, buf), TAGFS_OK);
	CHECK_EQ(assemble2(b, s.devs[0], s.devs[1], &why), TAGFS_EFORMAT);
	CHECK_EQ(why.reason, BRAID_WHY_DIVERGED);

	/* Every byte of a label is covered: any change to copy A and B refuses. */
	set_free(&s);
	CHECK_EQ(set_make(&s, BRAID_WEAVE, 3, 30, 0), TAGFS_OK);
	unsigned refused = 0, rounds = 2000;
	for (unsigned k = 0; k < rounds; k++) {
		uint32_t victim = (uint32_t)rnd_below(3), off = (uint32_t)rnd_below(128);
		uint8_t x = (uint8_t)(1 + rnd_below(255));
		memdev_flip(&s.m[victim], 0, off, x);
		memdev_flip(&s.m[victim], 1, off, x);
		int rc = braid_assemble(b, s.devs, 3, &why);
		refused += rc == TAGFS_EFORMAT && why.member == (int)victim && why.reason != BRAID_WHY_NONE;
		memdev_flip(&s.m[victim], 0, off, x);
		memdev_flip(&s.m[victim], 1, off, x);
	}
	CHECK_EQ(refused, rounds);
	CHECK_EQ(braid_assemble(b, s.devs, 3, &why), TAGFS_OK);

	memdev_free(&blank);
	memdev_free(&twin);
	set_free(&s);
	set_free(&t);
	free(b);
}

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
	test_modes_roundtrip();
	test_stripe_placement();
	test_labels();
	test_bitrot_mirror();
	test_bitrot_weave();
	test_dropped_writes();
	test_degrade_resync_mirror();
	test_degrade_resync_weave();
	return check_report();
}
