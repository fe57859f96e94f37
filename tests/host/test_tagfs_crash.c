/*
 * test_tagfs_crash.c: power cuts at every write of a workload.
 *
 * The device under test keeps a "disk" (what survives) and a list of writes
 * not yet flushed.  After write number N the power fails: every later call
 * fails with TAGFS_EIO, and each unflushed write independently reaches the
 * disk or not (a drive cache may persist any subset, in any order).  The
 * workload (mount, creates with tags, writes at offsets, replaces, renames,
 * tag changes, deletes, snapshots, checkpoints, unmount) first runs on a
 * perfect device to record the logical state after every operation.  For
 * every N, with several drop patterns, the cut disk must mount, pass fsck,
 * and hold exactly the state after the last acknowledged operation or the
 * state after the operation in flight: every acknowledged change present,
 * nothing else changed.
 */
#include "test_tagfs_util.h"

struct pending { uint64_t block; uint8_t data[TAGFS_BLOCK_SIZE]; };

struct crashdev {
	struct tagfs_dev dev;
	uint8_t *live;            /* what reads see before the cut */
	uint8_t *disk;            /* what survives */
	struct pending *pend;
	size_t npend, cap;
	uint64_t writes, cut_after; /* cut after this many writes (0: never) */
	bool dead;
	uint64_t drop_seed;
	uint64_t fail_write, fail_flush; /* this write / flush fails once with EIO */
	uint64_t flushes;
};

static int cd_read(struct tagfs_dev *d, uint64_t b, void *buf, const struct tagfs_check *c)
{
	struct crashdev *cd = d->ctx;
	if (cd->dead)
		return TAGFS_EIO;
	if (b >= d->blocks)
		return TAGFS_ERANGE;
	memcpy(buf, cd->live + b * TAGFS_BLOCK_SIZE, TAGFS_BLOCK_SIZE);
	return c && c->ok && !c->ok(buf, c->arg) ? TAGFS_ECORRUPT : TAGFS_OK;
}

static void cd_cut(struct crashdev *cd)
{
	uint64_t s = cd->drop_seed * 0x9e3779b97f4a7c15ull + 7;
	for (size_t i = 0; i < cd->npend; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		bool keep = cd->drop_seed == 0 ? true : cd->drop_seed == 1 ? false : (s & 1);
		if (keep)
			memcpy(cd->disk + cd->pend[i].block * TAGFS_BLOCK_SIZE, cd->pend[i].data, TAGFS_BLOCK_SIZE);
	}
	cd->npend = 0;
	cd->dead = true;
}

static int cd_write(struct tagfs_dev *d, uint64_t b, const void *buf)
{
	struct crashdev *cd = d->ctx;
	if (cd->dead)
		return TAGFS_EIO;
	if (b >= d->blocks)
		return TAGFS_ERANGE;
	cd->writes++; /* attempts, failed ones included */
	if (cd->fail_write && cd->writes == cd->fail_write)
		return TAGFS_EIO;
	memcpy(cd->live + b * TAGFS_BLOCK_SIZE, buf, TAGFS_BLOCK_SIZE);
	if (cd->npend == cd->cap) {
		cd->cap = cd->cap ? cd->cap * 2 : 64;
		cd->pend = realloc(cd->pend, cd->cap * sizeof(*cd->pend));
	}
	cd->pend[cd->npend].block = b;
	memcpy(cd->pend[cd->npend].data, buf, TAGFS_BLOCK_SIZE);
	cd->npend++;
	if (cd->cut_after && cd->writes == cd->cut_after)
		cd_cut(cd);
	return TAGFS_OK;
}

static int cd_flush(struct tagfs_dev *d)
{
	struct crashdev *cd = d->ctx;
	if (cd->dead)
		return TAGFS_EIO;
	if (cd->fail_flush && ++cd->flushes == cd->fail_flush)
		return TAGFS_EIO; /* the writes stay pending: maybe on disk, maybe not */
	for (size_t i = 0; i < cd->npend; i++)
		memcpy(cd->disk + cd->pend[i].block * TAGFS_BLOCK_SIZE, cd->pend[i].data, TAGFS_BLOCK_SIZE);
	cd->npend = 0;
	return TAGFS_OK;
}

static void cd_init(struct crashdev *cd, const uint8_t *image, uint64_t blocks)
{
	*cd = (struct crashdev){ 0 };
	cd->live = malloc(blocks * TAGFS_BLOCK_SIZE);
	cd->disk = malloc(blocks * TAGFS_BLOCK_SIZE);
	memcpy(cd->live, image, blocks * TAGFS_BLOCK_SIZE);
	memcpy(cd->disk, image, blocks * TAGFS_BLOCK_SIZE);
	cd->dev = (struct tagfs_dev){ .ctx = cd, .blocks = blocks, .regions = 1,
				      .read = cd_read, .write = cd_write, .flush = cd_flush };
}

static void cd_free(struct crashdev *cd)
{
	free(cd->live);
	free(cd->disk);
	free(cd->pend);
}

/* ---- the logical state of a volume, as one hash ---- */

struct digest { uint8_t *p; size_t len, cap; };

static void dg_put(struct digest *d, const void *p, size_t n)
{
	if (d->len + n > d->cap) {
		d->cap = (d->len + n) * 2;
		d->p = realloc(d->p, d->cap);
	}
	memcpy(d->p + d->len, p, n);
	d->len += n;
}

static void dg_files(struct digest *d, struct tagfs *fs, uint32_t snap, const uint64_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct tagfs_info info;
		CHECK_EQ(tagfs_getinfo(fs, snap, ids[i], &info), TAGFS_OK);
		dg_put(d, &info.id, 8);
		dg_put(d, info.name, strlen(info.name) + 1);
		for (uint32_t t = 0; t < info.ntags; t++) {
			char name[64];
			CHECK_EQ(tagfs_tag_name(fs, info.tags[t], name, sizeof name), TAGFS_OK);
			dg_put(d, name, strlen(name) + 1);
		}
		uint64_t len = 0;
		uint8_t *data = tt_read_all(fs, snap, ids[i], &len);
		CHECK(data != NULL);
		struct tagfs_hash h = tagfs_boxhash(data, data ? len : 0);
		CHECK(h.lo == info.hash.lo && h.hi == info.hash.hi);
		dg_put(d, &h, sizeof h);
		free(data);
	}
}

static struct tagfs_hash digest(struct tagfs *fs)
{
	struct digest d = { 0 };
	uint64_t ids[256];
	uint32_t n = 0;
	CHECK_EQ(tagfs_query(fs, "", ids, 256, &n), TAGFS_OK);
	dg_files(&d, fs, 0, ids, n);
	struct tagfs_snap_info snaps[8];
	uint32_t ns = 0;
	CHECK_EQ(tagfs_snap_list(fs, snaps, 8, &ns), TAGFS_OK);
	for (uint32_t s = 0; s < ns && s < 8; s++) {
		dg_put(&d, &snaps[s].id, 4);
		dg_put(&d, snaps[s].name, strlen(snaps[s].name) + 1);
		CHECK_EQ(tagfs_snap_files(fs, snaps[s].id, ids, 256, &n), TAGFS_OK);
		dg_files(&d, fs, snaps[s].id, ids, n);
	}
	struct tagfs_hash h = tagfs_boxhash(d.p, d.len);
	free(d.p);
	return h;
}

/* ---- the workload ---- */

/* Unsetting a tag the file lacks is fine in this workload; other errors are not. */
static int ok_if_absent(int err)
{
	return err == TAGFS_ENOENT ? TAGFS_OK : err;
}

/* Runs operation i; returns its status.  Deterministic given the volume. */
static int step(struct tagfs **fsp, struct tagfs_dev *dev, int i)
{
	struct tagfs *fs = *fsp;
	static uint8_t buf[5 * 4096 + 123];
	const char *tags_a[] = { "kernel", "draft" }, *tags_b[] = { "notes" }, *tags_c[] = { "kernel" };
	switch (i % 16) {
	case 0: tt_fill(buf, sizeof buf, (uint64_t)i); return tagfs_create(fs, "alpha", tags_a, 2, buf, sizeof buf, NULL);
	case 1: return tagfs_create(fs, NULL, tags_b, 1, "short", 5, NULL);
	case 2: tt_fill(buf, 9000, 7); return tagfs_create(fs, "same", tags_c, 1, buf, 9000, NULL); /* dedups after the first */
	case 3: tt_fill(buf, 700, (uint64_t)i); return tagfs_write(fs, 1, 4000 + (uint64_t)i, buf, 700);
	case 4: return tagfs_tag_set(fs, 2, i & 16 ? "misc" : "extra");
	case 5: return tagfs_rename(fs, 1, i & 16 ? "alpha2" : "alpha3");
	case 6: return tagfs_snap_create(fs, "snap", NULL);
	case 7: tt_fill(buf, 3000, (uint64_t)i); return tagfs_replace(fs, 2, buf, 3000);
	case 8: {
		uint64_t ids[64];
		uint32_t n = 0;
		int err = tagfs_query(fs, "kernel", ids, 64, &n);
		return err ? err : n > 1 ? tagfs_delete(fs, ids[n - 1]) : TAGFS_OK;
	}
	case 9: return ok_if_absent(tagfs_tag_unset(fs, 2, "extra"));
	case 10: tt_fill(buf, sizeof buf, 99); return tagfs_write(fs, 1, 20000, buf, 4096);
	case 11: {
		struct tagfs_snap_info s[8];
		uint32_t n = 0;
		tagfs_snap_list(fs, s, 8, &n);
		return n > 1 ? tagfs_snap_delete(fs, s[0].id) : TAGFS_OK;
	}
	case 12:
		if (i % 48 != 12)
			return tagfs_create(fs, "filler", tags_c, 1, "fill", 4, NULL);
		return tagfs_checkpoint(fs);
	case 13: {
		if (i % 48 != 13)
			return tagfs_tag_set(fs, 1, i & 16 ? "t16" : "t0");
		/* unmount and mount again */
		int err = tagfs_unmount(fs);
		*fsp = NULL;
		if (err)
			return err;
		return tagfs_mount(dev, NULL, fsp);
	}
	case 14: tt_fill(buf, 100, (uint64_t)i); return tagfs_create(fs, "tail", tags_b, 1, buf, 100, NULL);
	default: return ok_if_absent(tagfs_tag_unset(fs, 2, "misc"));
	}
}

/*
 * I/O errors: write number k (or flush number k) fails once, the device
 * then works again.  The failing operation returns an error and the
 * workload goes on; memory and disk must not drift apart: a power cut right
 * after the failure mounts clean, and at the end a remount shows exactly
 * the state the mounted volume showed.
 */
static void test_io_errors(const uint8_t *image, uint64_t blocks, int ops)
{
	unsigned runs = 0, failed_ops = 0, bad = 0;
	for (int flush = 0; flush < 2; flush++) {
		for (uint64_t k = 1; k <= 200; k++) {
			struct crashdev cd;
			cd_init(&cd, image, blocks);
			if (flush)
				cd.fail_flush = k;
			else
				cd.fail_write = k;
			struct tagfs *fs = NULL;
			bool mount_failed = tagfs_mount(&cd.dev, NULL, &fs) != TAGFS_OK;
			if (mount_failed) {
				/* The error hit the mount itself: it must mount next time. */
				CHECK_EQ(tagfs_mount(&cd.dev, NULL, &fs), TAGFS_OK);
			}
			bool seen_failure = false;
			for (int i = 0; i < ops && fs; i++) {
				int err = step(&fs, &cd.dev, i);
				if (err) {
					failed_ops++;
					if (!fs) /* the failure hit the remount step */
						CHECK_EQ(tagfs_mount(&cd.dev, NULL, &fs), TAGFS_OK);
					if (!seen_failure) {
						seen_failure = true;
						/* A power cut right now: the disk still mounts clean. */
						struct tagfs_dev cut;
						CHECK_EQ(tagfs_ramdev_init(&cut, blocks, 1), TAGFS_OK);
						memcpy(tagfs_ramdev_block(&cut, 0), cd.disk, blocks * TAGFS_BLOCK_SIZE);
						struct tagfs *fs2 = NULL;
						CHECK_EQ(tagfs_mount(&cut, NULL, &fs2), TAGFS_OK);
						if (fs2) {
							CHECK(tt_fsck_clean(fs2));
							tagfs_unmount(fs2);
						}
						tagfs_ramdev_free(&cut);
					}
				}
			}
			/* Only runs whose failure fell inside the workload count. */
			bool fired = flush ? cd.flushes >= k : cd.writes >= k;
			cd.fail_write = cd.fail_flush = 0;
			if (!fs || !fired) {
				if (fs)
					tagfs_unmount(fs);
				cd_free(&cd);
				continue;
			}
			/* Every failure reaches the caller (the mount's, or an operation's). */
			CHECK(seen_failure || mount_failed);
			CHECK(!tagfs_readonly(fs));
			struct tagfs_hash mem = digest(fs);
			CHECK(tt_fsck_clean(fs));
			CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
			char why[128] = "";
			struct tagfs_mount_opts mo = { .why = why, .why_len = sizeof why };
			int err = tagfs_mount(&cd.dev, &mo, &fs);
			if (err) {
				printf("%s %llu fails: remount: %s (%s)\n", flush ? "flush" : "write",
				       (unsigned long long)k, tagfs_strerror(err), why);
				bad++;
			} else {
				struct tagfs_hash disk = digest(fs);
				bad += disk.lo != mem.lo || disk.hi != mem.hi;
				CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
			}
			cd_free(&cd);
			runs++;
		}
	}
	printf("io errors: %u runs with one failed write or flush, %u operations failed\n", runs, failed_ops);
	CHECK_EQ(bad, 0);
	CHECK(runs >= 150);
	CHECK(failed_ops >= runs * 3 / 4);
}

int main(void)
{
	enum { BLOCKS = 384, OPS = 64 };
	struct tagfs_dev ram;
	CHECK_EQ(tagfs_ramdev_init(&ram, BLOCKS, 1), TAGFS_OK);
	struct tagfs_format_opts o = { .log_blocks = 16 };
	CHECK_EQ(tagfs_format(&ram, &o), TAGFS_OK);
	uint8_t *image = tagfs_ramdev_block(&ram, 0);

	/* Reference run: the state after each operation, and how many writes it took. */
	struct tagfs_hash want[OPS + 1];
	uint64_t writes_after[OPS + 1];
	struct crashdev cd;
	cd_init(&cd, image, BLOCKS);
	struct tagfs *fs = NULL;
	CHECK_EQ(tagfs_mount(&cd.dev, NULL, &fs), TAGFS_OK);
	want[0] = digest(fs);
	writes_after[0] = cd.writes;
	unsigned auto_checkpoints = 0;
	for (int i = 0; i < OPS; i++) {
		struct tagfs_stats s0, s1;
		tagfs_stats(fs, &s0);
		struct tagfs *before = fs;
		int err = step(&fs, &cd.dev, i);
		tagfs_stats(fs, &s1);
		if (fs == before && i % 48 != 12 && s1.checkpoints > s0.checkpoints)
			auto_checkpoints++; /* the log filled inside this operation */
		if (err)
			printf("reference op %d: %s\n", i, tagfs_strerror(err));
		CHECK_EQ(err, TAGFS_OK);
		want[i + 1] = digest(fs);
		writes_after[i + 1] = cd.writes;
	}
	CHECK(tt_fsck_clean(fs));
	/* The log filled up inside operations too, not only at the explicit checkpoint. */
	printf("crash: %u operations started with a checkpoint of a full log\n", auto_checkpoints);
	CHECK(auto_checkpoints >= 2);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	uint64_t total = cd.writes;
	cd_free(&cd);
	printf("crash: workload of %d operations, %llu writes\n", OPS, (unsigned long long)total);

	unsigned runs = 0, mismatches = 0, mount_fail = 0, fsck_fail = 0, in_flight_kept = 0;
	for (uint64_t n = 1; n <= total; n++) {
		for (uint64_t drop = 0; drop < 4; drop++) {
			cd_init(&cd, image, BLOCKS);
			cd.cut_after = n;
			cd.drop_seed = drop;
			fs = NULL;
			int done = 0, err = tagfs_mount(&cd.dev, NULL, &fs);
			while (!err && done < OPS) {
				err = step(&fs, &cd.dev, done);
				if (!err)
					done++;
			}
			if (fs)
				tagfs_unmount(fs); /* fails on the dead device; frees memory */
			/* `done` operations were acknowledged; operation `done` was in flight. */
			CHECK(cd.dead);
			/* The cut fell inside operation `done` (the mount before operation
			 * 0, the final unmount after the last one). */
			CHECK((done == 0 || n > writes_after[done]) && (done == OPS || n <= writes_after[done + 1]));
			struct tagfs_dev after;
			CHECK_EQ(tagfs_ramdev_init(&after, BLOCKS, 1), TAGFS_OK);
			memcpy(tagfs_ramdev_block(&after, 0), cd.disk, BLOCKS * TAGFS_BLOCK_SIZE);
			struct tagfs *fs2 = NULL;
			char why[128] = "";
			struct tagfs_mount_opts mo = { .why = why, .why_len = sizeof why };
			err = tagfs_mount(&after, &mo, &fs2);
			runs++;
			if (err) {
				mount_fail++;
				printf("cut after write %llu (drop %llu): mount: %s (%s)\n", (unsigned long long)n,
				       (unsigned long long)drop, tagfs_strerror(err), why);
			} else {
				struct tagfs_hash got = digest(fs2);
				bool before = (got.lo == want[done].lo && got.hi == want[done].hi);
				bool with = done < OPS && (got.lo == want[done + 1].lo && got.hi == want[done + 1].hi);
				in_flight_kept += with && !before;
				if (!before && !with) {
					mismatches++;
					printf("cut after write %llu (drop %llu): state is neither after op %d nor op %d\n",
					       (unsigned long long)n, (unsigned long long)drop, done - 1, done);
				}
				if (!tt_fsck_clean(fs2))
					fsck_fail++;
				/* The volume goes on working. */
				CHECK_EQ(tagfs_create(fs2, "after", NULL, 0, "x", 1, NULL), TAGFS_OK);
				CHECK_EQ(tagfs_unmount(fs2), TAGFS_OK);
			}
			tagfs_ramdev_free(&after);
			cd_free(&cd);
		}
	}
	printf("crash: %u cuts, %u kept the operation in flight\n", runs, in_flight_kept);
	CHECK_EQ(mount_fail, 0);
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(fsck_fail, 0);
	CHECK(runs >= 4 * 100);
	test_io_errors(image, BLOCKS, OPS);
	tagfs_ramdev_free(&ram);
	return check_report();
}
