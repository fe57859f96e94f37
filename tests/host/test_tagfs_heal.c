/*
 * test_tagfs_heal.c: bit rot, damaged and foreign images.
 *
 * Flips bits in one mirror copy of every kind of metadata block (superblock,
 * each checkpoint page, log blocks of an unclean volume): the volume mounts,
 * every file reads back exactly, each bad copy is rewritten and counted, and
 * fsck is clean afterwards.  Damage fsck alone finds (a copy mount never
 * read) is reported, then repaired with repair set.  Data blocks have one
 * copy: a flipped one is an error on read and in fsck, never wrong bytes.
 * Images that are not TagFS, of a newer format version, of the wrong size
 * or with both copies damaged are refused with the right error and reason.
 */
#include "test_tagfs_util.h"
#include "tagfs/format.h"

enum { BLOCKS = 1024, NFILES = 12 };

static uint8_t contents[NFILES][9000];
static uint64_t ids[NFILES];

/* A volume with files, tags and a snapshot; unclean leaves log records. */
static void build(struct tagfs_dev *dev, bool unclean)
{
	tt_new(dev, BLOCKS, 1);
	struct tagfs *fs = tt_mount(dev, 0);
	const char *t[] = { "rot", "test" };
	for (int i = 0; i < NFILES; i++) {
		tt_fill(contents[i], sizeof contents[i], 500 + i);
		CHECK_EQ(tagfs_create(fs, "f", t, 2, contents[i], sizeof contents[i], &ids[i]), TAGFS_OK);
		if (i == NFILES / 2)
			CHECK_EQ(tagfs_snap_create(fs, "half", NULL), TAGFS_OK);
	}
	if (unclean) {
		/* A power cut now: the last operations are only in the log. */
		struct tagfs_dev copy;
		tt_clone(&copy, dev);
		CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
		tagfs_ramdev_free(dev);
		*dev = copy;
	} else {
		CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	}
}

static int all_files_right(struct tagfs *fs)
{
	int ok = 1;
	for (int i = 0; i < NFILES; i++)
		ok &= tt_same(fs, 0, ids[i], contents[i], sizeof contents[i]);
	return ok;
}

static void flip(struct tagfs_dev *dev, uint64_t block, int bits)
{
	uint8_t *p = tagfs_ramdev_block(dev, block);
	for (int i = 0; i < bits; i++) {
		uint64_t bit = tt_rand() % (TAGFS_BLOCK_SIZE * 8);
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

/* The checkpoint's pages, both copies, from superblock A. */
static uint32_t cp_pages(struct tagfs_dev *dev, uint64_t *b0, uint64_t *b1, uint32_t max)
{
	const uint8_t *sb = tagfs_ramdev_block(dev, 0);
	uint32_t n = (uint32_t)tfs_get(sb + SB_CP_PAGES, 4);
	uint64_t x = tfs_get(sb + SB_CP_FIRST0, 8), y = tfs_get(sb + SB_CP_FIRST1, 8);
	for (uint32_t i = 0; i < n && i < max; i++) {
		b0[i] = x;
		b1[i] = y;
		const uint8_t *pg = tagfs_ramdev_block(dev, x);
		x = tfs_get(pg + CP_NEXT0, 8);
		y = tfs_get(pg + CP_NEXT1, 8);
	}
	return n;
}

static int sealed_ok(const uint8_t *block)
{
	struct tagfs_hash h = tagfs_boxhash(block + 16, TAGFS_BLOCK_SIZE - 16);
	return tfs_get(block, 8) == h.lo && tfs_get(block + 8, 8) == h.hi;
}

static void test_checkpoint_rot(void)
{
	struct tagfs_dev dev;
	build(&dev, false);
	uint64_t b0[64], b1[64];
	uint32_t n = cp_pages(&dev, b0, b1, 64);
	CHECK(n >= 1 && n <= 64);
	/* One copy of every page, alternating which. */
	for (uint32_t i = 0; i < n; i++)
		flip(&dev, i % 2 ? b1[i] : b0[i], 1 + (int)(tt_rand() % 8));
	struct tagfs *fs = tt_mount(&dev, 0);
	struct tagfs_stats st;
	tagfs_stats(fs, &st);
	uint32_t read_bad = (n + 1) / 2; /* mount reads copy 0; the copy-1 damage waits for fsck */
	CHECK_EQ(st.heals, read_bad);
	CHECK_EQ(st.checksum_errors, read_bad);
	CHECK(all_files_right(fs));
	/* The mount wrote a new checkpoint elsewhere; the old pages are free now,
	 * so fsck finds nothing left to repair. */
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);

	/* Damage the copy mount never reads; fsck finds it, repair fixes it. */
	n = cp_pages(&dev, b0, b1, 64);
	flip(&dev, b1[0], 3);
	fs = tt_mount(&dev, 0);
	tagfs_stats(fs, &st);
	CHECK_EQ(st.checksum_errors, 0);
	struct tagfs_fsck_report r;
	/* The mount moved the checkpoint: damage the copy in force now. */
	cp_pages(&dev, b0, b1, 64);
	flip(&dev, b1[0], 3);
	CHECK_EQ(tagfs_fsck(fs, false, &r), TAGFS_ECORRUPT);
	CHECK_EQ(r.problems, 1);
	CHECK_EQ(r.repaired, 0);
	CHECK_EQ(r.unrepairable, 0);
	CHECK(strstr(r.first, "mirror copy") != NULL);
	CHECK_EQ(tagfs_fsck(fs, true, &r), TAGFS_OK);
	CHECK_EQ(r.problems, 1);
	CHECK_EQ(r.repaired, 1);
	CHECK(tt_fsck_clean(fs));
	tagfs_stats(fs, &st);
	CHECK_EQ(st.heals, 1);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_superblock_rot(void)
{
	struct tagfs_dev dev;
	build(&dev, false);
	flip(&dev, 0, 5);
	/* Read-only: the good copy is used, the error counted, nothing written. */
	struct tagfs *fs = tt_mount(&dev, TAGFS_MOUNT_RDONLY);
	struct tagfs_stats st;
	tagfs_stats(fs, &st);
	CHECK_EQ(st.checksum_errors, 1);
	CHECK_EQ(st.heals, 0);
	CHECK(all_files_right(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	/* Read-write: rewritten and counted. */
	fs = tt_mount(&dev, 0);
	tagfs_stats(fs, &st);
	CHECK_EQ(st.checksum_errors, 1);
	CHECK_EQ(st.heals, 1);
	CHECK(all_files_right(fs));
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	CHECK(sealed_ok(tagfs_ramdev_block(&dev, 0)));
	/* The other copy too. */
	flip(&dev, BLOCKS - 1, 1);
	fs = tt_mount(&dev, 0);
	tagfs_stats(fs, &st);
	CHECK_EQ(st.heals, 1);
	CHECK(all_files_right(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_log_rot(void)
{
	struct tagfs_dev dev;
	build(&dev, true);
	/* The log holds the last operations (the mount checkpoint came first). */
	uint64_t L = tfs_get(tagfs_ramdev_block(&dev, 0) + SB_LOG_BLOCKS, 4);
	int used = 0;
	for (uint64_t s = 0; s < L; s++) {
		const uint8_t *b = tagfs_ramdev_block(&dev, 2 + s);
		if (tfs_get(b + LOG_EPOCH, 8) == tfs_get(tagfs_ramdev_block(&dev, 0) + SB_GENERATION, 8))
			used++;
	}
	CHECK(used >= NFILES);
	for (int s = 0; s < used; s++)
		flip(&dev, s % 3 ? 2 + (uint64_t)s : 2 + L + (uint64_t)s, 2);
	int copy0_bad = 0;
	for (int s = 0; s < used; s++)
		copy0_bad += s % 3 != 0;
	struct tagfs *fs = tt_mount(&dev, 0);
	struct tagfs_stats st;
	tagfs_stats(fs, &st);
	CHECK_EQ(st.replayed, (uint64_t)used);
	CHECK_EQ(st.heals, (uint64_t)copy0_bad);
	CHECK(all_files_right(fs));
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_data_rot(void)
{
	struct tagfs_dev dev;
	build(&dev, false);
	/* Find a data block of file 3 by its bytes and flip a bit in it. */
	uint64_t hit = 0;
	for (uint64_t b = 0; b < BLOCKS && !hit; b++)
		if (!memcmp(tagfs_ramdev_block(&dev, b), contents[3] + 4096, 4096))
			hit = b;
	CHECK(hit != 0);
	flip(&dev, hit, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	uint8_t buf[9000];
	uint64_t got;
	CHECK_EQ(tagfs_read(fs, 0, ids[3], 0, buf, sizeof buf, &got), TAGFS_ECORRUPT);
	CHECK_EQ(got, 4096); /* the good first block was delivered, the bad one not */
	CHECK_EQ(tagfs_read(fs, 0, ids[3], 0, buf, 4096, &got), TAGFS_OK);
	CHECK(tt_same(fs, 0, ids[4], contents[4], sizeof contents[4]));
	struct tagfs_stats st;
	tagfs_stats(fs, &st);
	CHECK_EQ(st.checksum_errors, 1);
	struct tagfs_fsck_report r;
	CHECK_EQ(tagfs_fsck(fs, true, &r), TAGFS_ECORRUPT);
	CHECK(r.problems >= 1);
	CHECK_EQ(r.repaired, 0);
	CHECK_EQ(r.unrepairable, r.problems);
	CHECK(strstr(r.first, "data block") != NULL);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static int mount_err(struct tagfs_dev *dev, char *why, size_t len)
{
	struct tagfs *fs = NULL;
	struct tagfs_mount_opts o = { .why = why, .why_len = len };
	int err = tagfs_mount(dev, &o, &fs);
	if (!err)
		tagfs_unmount(fs);
	CHECK(err != TAGFS_OK || fs != NULL);
	return err;
}

static void reseal(uint8_t *block)
{
	struct tagfs_hash h = tagfs_boxhash(block + 16, TAGFS_BLOCK_SIZE - 16);
	tfs_put(block, 8, h.lo);
	tfs_put(block + 8, 8, h.hi);
}

static void test_refused_images(void)
{
	char why[128];
	struct tagfs_dev dev;
	/* All zeros, and random bytes. */
	CHECK_EQ(tagfs_ramdev_init(&dev, BLOCKS, 1), TAGFS_OK);
	CHECK_EQ(mount_err(&dev, why, sizeof why), TAGFS_EFORMAT);
	CHECK(strstr(why, "not a TagFS volume") != NULL);
	tt_fill(tagfs_ramdev_block(&dev, 0), BLOCKS * TAGFS_BLOCK_SIZE, 77);
	CHECK_EQ(mount_err(&dev, why, sizeof why), TAGFS_EFORMAT);
	tagfs_ramdev_free(&dev);

	/* A newer format version, sealed properly or not: refused as a format. */
	for (int sealed = 0; sealed < 2; sealed++) {
		build(&dev, false);
		for (uint64_t b = 0; b < BLOCKS; b += BLOCKS - 1) {
			tfs_put(tagfs_ramdev_block(&dev, b) + SB_VERSION, 4, 2);
			if (sealed)
				reseal(tagfs_ramdev_block(&dev, b));
		}
		CHECK_EQ(mount_err(&dev, why, sizeof why), TAGFS_EFORMAT);
		CHECK(strstr(why, "version") != NULL);
		tagfs_ramdev_free(&dev);
	}
	/* An incompatible feature bit. */
	build(&dev, false);
	for (uint64_t b = 0; b < BLOCKS; b += BLOCKS - 1) {
		tfs_put(tagfs_ramdev_block(&dev, b) + SB_INCOMPAT, 4, 1);
		reseal(tagfs_ramdev_block(&dev, b));
	}
	CHECK_EQ(mount_err(&dev, why, sizeof why), TAGFS_EFORMAT);
	tagfs_ramdev_free(&dev);

	/* Both superblocks rotten. */
	build(&dev, false);
	flip(&dev, 0, 3);
	flip(&dev, BLOCKS - 1, 3);
	CHECK_EQ(mount_err(&dev, why, sizeof why), TAGFS_ECORRUPT);
	CHECK(strstr(why, "superblock") != NULL);
	tagfs_ramdev_free(&dev);

	/* Both copies of a checkpoint page rotten. */
	build(&dev, false);
	uint64_t b0[64], b1[64];
	cp_pages(&dev, b0, b1, 64);
	flip(&dev, b0[0], 1);
	flip(&dev, b1[0], 1);
	CHECK_EQ(mount_err(&dev, why, sizeof why), TAGFS_ECORRUPT);
	CHECK(strstr(why, "checkpoint") != NULL);
	tagfs_ramdev_free(&dev);

	/* The image is shorter than its superblock says (superblock B is gone). */
	build(&dev, false);
	struct tagfs_dev shorter;
	CHECK_EQ(tagfs_ramdev_init(&shorter, BLOCKS - 8, 1), TAGFS_OK);
	memcpy(tagfs_ramdev_block(&shorter, 0), tagfs_ramdev_block(&dev, 0), (BLOCKS - 8) * TAGFS_BLOCK_SIZE);
	CHECK_EQ(mount_err(&shorter, why, sizeof why), TAGFS_ECORRUPT);
	tagfs_ramdev_free(&shorter);

	/* A sealed superblock whose checkpoint pointer leads nowhere useful. */
	for (uint64_t b = 0; b < BLOCKS; b += BLOCKS - 1) {
		tfs_put(tagfs_ramdev_block(&dev, b) + SB_CP_FIRST0, 8, 5);
		tfs_put(tagfs_ramdev_block(&dev, b) + SB_CP_FIRST1, 8, 6);
		reseal(tagfs_ramdev_block(&dev, b));
	}
	CHECK_EQ(mount_err(&dev, why, sizeof why), TAGFS_ECORRUPT);
	CHECK(strstr(why, "checkpoint") != NULL);
	tagfs_ramdev_free(&dev);
}

/* Writes one sealed transaction (both log copies) at the start of the log. */
static void put_txn(struct tagfs_dev *dev, const uint8_t *payload, size_t len)
{
	const uint8_t *sb = tagfs_ramdev_block(dev, 0);
	uint64_t L = tfs_get(sb + SB_LOG_BLOCKS, 4), gen = tfs_get(sb + SB_GENERATION, 8);
	uint8_t blk[TAGFS_BLOCK_SIZE] = { 0 };
	tfs_put(blk + LOG_MAGIC, 4, TFS_LOG_MAGIC);
	tfs_put(blk + LOG_LEN, 4, len);
	tfs_put(blk + LOG_EPOCH, 8, gen);
	tfs_put(blk + LOG_FLAGS, 4, LOG_F_LAST);
	memcpy(blk + LOG_PAYLOAD, payload, len);
	reseal(blk);
	memcpy(tagfs_ramdev_block(dev, 2), blk, TAGFS_BLOCK_SIZE);
	memcpy(tagfs_ramdev_block(dev, 2 + L), blk, TAGFS_BLOCK_SIZE);
}

/* Records whose checksums are right but whose content is not. */
static void test_crafted_records(void)
{
	struct tagfs_dev clean;
	build(&clean, false);
	const uint8_t *sb = tagfs_ramdev_block(&clean, 0);
	uint64_t first_page = tfs_get(sb + SB_CP_FIRST0, 8), pool = tfs_get(sb + SB_POOL_START, 8);
	uint64_t last = ids[NFILES - 1];
	struct rec { const char *what; uint8_t bytes[128]; size_t len; int ok; } recs[16];
	int n = 0;
#define REC(ok_, what_, ...) do { uint8_t b_[] = { __VA_ARGS__ }; recs[n].ok = ok_; recs[n].what = what_; \
		memcpy(recs[n].bytes, b_, sizeof b_); recs[n].len = sizeof b_; n++; } while (0)
#define U64(v) (uint8_t)(uint64_t)(v), (uint8_t)((uint64_t)(v) >> 8), (uint8_t)((uint64_t)(v) >> 16), (uint8_t)((uint64_t)(v) >> 24), \
		(uint8_t)((uint64_t)(v) >> 32), (uint8_t)((uint64_t)(v) >> 40), (uint8_t)((uint64_t)(v) >> 48), (uint8_t)((uint64_t)(v) >> 56)
#define U32(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), (uint8_t)((v) >> 24)
	/* The control: a well-formed rename applies. */
	REC(1, "rename", REC_FILE_NAME, U32(11), U64(last), 2, 'o', 'k');
	REC(0, "rename of a missing file", REC_FILE_NAME, U32(11), U64(999), 2, 'n', 'o');
	REC(0, "name with a newline", REC_FILE_NAME, U32(11), U64(last), 2, 'n', '\n');
	REC(0, "unknown record type", 99, U32(0));
	REC(0, "body longer than the block", REC_FILE_DEL, U32(100), U64(last));
	REC(0, "trailing bytes in a body", REC_FILE_DEL, U32(9), U64(last), 0);
	REC(0, "delete of a missing file", REC_FILE_DEL, U32(8), U64(12345));
	REC(0, "new file with a used id", REC_FILE_NEW, U32(18), U64(1), U64(0), 0, 0);
	REC(0, "tags out of order", REC_FILE_TAGS, U32(17), U64(last), 2, U32(2), U32(1));
	REC(0, "unknown tag id", REC_FILE_TAGS, U32(13), U64(last), 1, U32(77));
	REC(0, "tag id not next", REC_TAG_NEW, U32(7), U32(9), 2, 'z', 'z');
	REC(0, "tag that exists", REC_TAG_NEW, U32(8), U32(3), 3, 'r', 'o', 't');
	REC(0, "huge size, no blocks", REC_FILE_DATA, U32(44), U64(last), U64(0), U64(~0ull), U64(0), U64(0), U32(0));
	REC(0, "block outside the pool", REC_FILE_DATA, U32(68), U64(last), U64(0), U64(10), U64(0), U64(0), U32(1),
	    U64(1), U64(0), U64(0));
	REC(0, "block that is a checkpoint page", REC_FILE_DATA, U32(68), U64(last), U64(0), U64(10), U64(0), U64(0),
	    U32(1), U64(first_page), U64(0), U64(0));
	REC(1, "a fresh block", REC_FILE_DATA, U32(68), U64(last), U64(0), U64(10), U64(0), U64(0), U32(1),
	    U64(pool + 500), U64(0), U64(0));
	for (int i = 0; i < n; i++) {
		struct tagfs_dev dev;
		tt_clone(&dev, &clean);
		put_txn(&dev, recs[i].bytes, recs[i].len);
		char why[128] = "";
		int err = mount_err(&dev, why, sizeof why);
		if ((err == TAGFS_OK) != recs[i].ok)
			printf("crafted record '%s': %s (%s)\n", recs[i].what, tagfs_strerror(err), why);
		CHECK_EQ(err, recs[i].ok ? TAGFS_OK : TAGFS_ECORRUPT);
		if (!recs[i].ok)
			CHECK(strstr(why, "DiskBook") != NULL);
		tagfs_ramdev_free(&dev);
	}
	/* The control really applied: the renamed file is there. */
	struct tagfs_dev dev;
	tt_clone(&dev, &clean);
	put_txn(&dev, recs[0].bytes, recs[0].len);
	struct tagfs *fs = tt_mount(&dev, 0);
	uint64_t found = 0;
	CHECK_EQ(tagfs_lookup_name(fs, "ok", &found), TAGFS_OK);
	CHECK_EQ(found, last);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
	tagfs_ramdev_free(&clean);
}

static void test_random_rot(void)
{
	/* Random bit flips in random metadata copies, many rounds: always the right bytes or a clear error. */
	struct tagfs_dev dev;
	build(&dev, true);
	uint64_t L = tfs_get(tagfs_ramdev_block(&dev, 0) + SB_LOG_BLOCKS, 4);
	int mounted = 0;
	for (int round = 0; round < 200; round++) {
		struct tagfs_dev copy;
		tt_clone(&copy, &dev);
		/* One copy of some metadata: never both copies of the same block. */
		uint64_t b0[64], b1[64];
		uint32_t n = cp_pages(&copy, b0, b1, 64);
		int which = (int)(tt_rand() % 2);
		for (uint32_t i = 0; i < n; i++)
			if (tt_rand() % 2)
				flip(&copy, which ? b1[i] : b0[i], 1 + (int)(tt_rand() % 4));
		for (uint64_t s = 0; s < L; s++)
			if (tt_rand() % 4 == 0)
				flip(&copy, which ? 2 + L + s : 2 + s, 1);
		if (tt_rand() % 2)
			flip(&copy, which ? BLOCKS - 1 : 0, 1);
		struct tagfs *fs = NULL;
		int err = tagfs_mount(&copy, NULL, &fs);
		CHECK_EQ(err, TAGFS_OK);
		if (!err) {
			mounted++;
			CHECK(all_files_right(fs));
			CHECK(tt_fsck_clean(fs));
			tagfs_unmount(fs);
		}
		tagfs_ramdev_free(&copy);
	}
	CHECK_EQ(mounted, 200);
	tagfs_ramdev_free(&dev);
}

int main(void)
{
	test_checkpoint_rot();
	test_superblock_rot();
	test_log_rot();
	test_data_rot();
	test_refused_images();
	test_crafted_records();
	test_random_rot();
	return check_report();
}
