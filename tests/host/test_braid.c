/*
 * test_braid.c: directed tests of Braid's shape (tagfs/braid.c,
 * tagfs/braid_label.c) over in-memory member disks (test_braid_fixture.h).
 *
 * Covers: format/assemble in every mode and member order, format refusals,
 * stripe placement and region_of, a stripe running with a disk missing, and
 * every way a label set is refused (no label, corrupt copies, other set,
 * duplicate index, future version, impossible fields, other size, too small
 * a device, split brain, any byte of a label changed).  Healing is in
 * test_braid_heal.c, the random model test in test_braid_random.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_braid_fixture.h"


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

/* Labels with a valid checksum but random fields (what a hostile or buggy
 * writer could leave): assembly refuses or builds a set that only ever asks
 * its members for blocks they have. */
static void test_random_labels(void)
{
	struct set s;
	CHECK_EQ(set_make(&s, BRAID_WEAVE, 3, 30, 0), TAGFS_OK);
	uint8_t saved[3][2 * TAGFS_BLOCK_SIZE];
	for (int i = 0; i < 3; i++)
		memcpy(saved[i], s.m[i].data, sizeof saved[i]);
	struct braid *b = calloc(1, sizeof *b);
	static const uint64_t sizes[] = { 0, 1, 27, 28, 29, 30, 56, 84, 1ull << 40, UINT64_MAX, UINT64_MAX - 1 };
	unsigned accepted = 0, refused = 0, rounds = 3000;
	uint8_t buf[TAGFS_BLOCK_SIZE];
	for (unsigned k = 0; k < rounds; k++) {
		for (int i = 0; i < 3; i++) {
			if (rnd_below(3) == 0)
				continue;  /* keep this member's real label */
			struct braid_label l = {
				.version = rnd_below(8) ? 1 : (uint32_t)rnd(),
				.mode = rnd_below(4) ? BRAID_WEAVE : (uint32_t)rnd_below(5),
				.member_count = rnd_below(4) ? 3 : (uint32_t)rnd_below(5),
				.member_index = rnd_below(2) ? (uint32_t)i : (uint32_t)rnd_below(4),
				.extent_blocks = rnd_below(2) ? 0 : rnd_below(2) ? (uint32_t)rnd_below(9) : (uint32_t)rnd(),
				.set_blocks = sizes[rnd_below(11)],
				.member_blocks = sizes[rnd_below(11)],
				.generation = rnd_below(4),
				.current_mask = (uint32_t)rnd_below(16),
				.flags = rnd_below(8) ? 0 : (uint32_t)rnd(),
			};
			memset(l.set_id, 1, sizeof l.set_id);
			l.set_id[0] = rnd_below(4) ? 0xb7 : 0;
			if (rnd_below(2))  /* often self-consistent sizes */
				l.member_blocks = l.set_blocks + 2;
			uint64_t copy = rnd_below(3);  /* A, B, or both */
			if (copy != 1)
				braid_encode_label(&l, memdev_block(&s.m[i], 0));
			if (copy != 0)
				braid_encode_label(&l, memdev_block(&s.m[i], 1));
		}
		struct braid_problem why;
		int rc = braid_assemble(b, s.devs, 3, &why);
		CHECK(rc == TAGFS_OK || rc == TAGFS_EFORMAT || rc == TAGFS_EIO);
		if (rc == TAGFS_OK) {
			accepted++;
			struct tagfs_dev *d = braid_dev(b);
			CHECK(d->blocks >= 1 && d->blocks <= 3 * 28);
			for (uint64_t blk = 0; blk < d->blocks; blk++) {
				int r = d->read(d, blk, buf, NULL);
				CHECK(r == TAGFS_OK || r == TAGFS_ECORRUPT || r == TAGFS_EIO);
			}
			CHECK(d->write(d, d->blocks - 1, buf) == TAGFS_OK || d->region_of);
		} else {
			refused++;
			CHECK(why.reason != BRAID_WHY_NONE);
			CHECK(strlen(braid_reason_text(why.reason)) > 0);
		}
		for (int i = 0; i < 3; i++)
			memcpy(s.m[i].data, saved[i], sizeof saved[i]);
	}
	for (int i = 0; i < 3; i++)
		CHECK_EQ(s.m[i].out_of_range, 0);
	CHECK(accepted > 0);
	CHECK(refused > rounds / 4);
	free(b);
	set_free(&s);
}

int main(void)
{
	test_modes_roundtrip();
	test_stripe_placement();
	test_labels();
	test_random_labels();
	return check_report();
}
