/*
 * test_tagfs.c: the TagFS library on a RAM device, layer by layer.
 *
 * Format and mount, files (create, read at every offset, write at an
 * offset, replace, delete, rename), tags and queries with negation, dedup
 * (the same bytes twice allocate nothing), snapshots (copy-on-write reads
 * as of the snapshot), persistence across unmount and across a "power cut"
 * (a copy of the device taken right after an operation returned),
 * read-only mounts, space exhaustion and the placement hint.  Damage and
 * crash tests are in test_tagfs_heal.c and test_tagfs_crash.c.
 */
#include <time.h>

#include "test_tagfs_util.h"
#include "tagfs/internal.h"

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The u64 map (file ids, dedup index, tag names) against a plain array. */
static void test_map(void)
{
	enum { KEYS = 4096 };
	static uint64_t model[KEYS];
	static bool present[KEYS];
	struct tfs_map m;
	CHECK_EQ(tfs_map_init(&m, 16), TAGFS_OK);
	int wrong = 0;
	for (int i = 0; i < 200000; i++) {
		uint64_t k = tt_rand() % KEYS;
		/* Keys that collide a lot: multiples of a large power of two. */
		uint64_t key = k << 40;
		if (tt_rand() % 3) {
			uint64_t v = tt_rand();
			wrong += tfs_map_put(&m, key, v) != TAGFS_OK;
			model[k] = v;
			present[k] = true;
		} else {
			tfs_map_del(&m, key);
			present[k] = false;
		}
		if (i % 1000 == 0) {
			uint32_t count = 0;
			for (uint64_t j = 0; j < KEYS; j++) {
				uint64_t v;
				bool got = tfs_map_get(&m, j << 40, &v);
				wrong += got != present[j] || (got && v != model[j]);
				count += present[j];
			}
			wrong += count != m.count;
		}
	}
	CHECK_EQ(wrong, 0);
	tfs_map_free(&m);
}

static void test_format_mount(void)
{
	struct tagfs_dev dev;
	tt_new(&dev, 1024, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	struct tagfs_statfs st;
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.total_blocks, 1024);
	CHECK_EQ(st.files, 0);
	CHECK_EQ(st.data_blocks, 0);
	CHECK_EQ(st.free_blocks + st.meta_blocks, st.pool_blocks);
	CHECK_EQ(st.log_blocks + st.pool_blocks + 3, 1024);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);

	/* Bad devices and options are refused. */
	struct tagfs_dev small;
	CHECK_EQ(tagfs_ramdev_init(&small, 32, 1), TAGFS_OK);
	CHECK_EQ(tagfs_format(&small, NULL), TAGFS_EINVAL);
	struct tagfs *none = (struct tagfs *)1;
	CHECK_EQ(tagfs_mount(&small, NULL, &none), TAGFS_EINVAL);
	CHECK(none == NULL);
	tagfs_ramdev_free(&small);
	struct tagfs_format_opts big_log = { .log_blocks = 1000 };
	CHECK_EQ(tagfs_format(&dev, &big_log), TAGFS_EINVAL);
	tagfs_ramdev_free(&dev);
}

static void test_files(void)
{
	struct tagfs_dev dev;
	tt_new(&dev, 2048, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	static uint8_t data[3 * 4096 + 100];
	tt_fill(data, sizeof data, 1);
	const char *tags[] = { "kernel", "notes" };
	uint64_t id = 0, empty = 0;
	CHECK_EQ(tagfs_create(fs, "readme", tags, 2, data, sizeof data, &id), TAGFS_OK);
	CHECK_EQ(tagfs_create(fs, NULL, NULL, 0, NULL, 0, &empty), TAGFS_OK);
	CHECK(id != 0 && empty != id);

	struct tagfs_info info;
	CHECK_EQ(tagfs_getinfo(fs, 0, id, &info), TAGFS_OK);
	CHECK_EQ(info.size, sizeof data);
	CHECK_EQ(info.blocks, 4);
	CHECK_EQ(info.ntags, 2);
	CHECK(!strcmp(info.name, "readme"));
	struct tagfs_hash h = tagfs_boxhash(data, sizeof data);
	CHECK(info.hash.lo == h.lo && info.hash.hi == h.hi);
	char tname[64];
	CHECK_EQ(tagfs_tag_name(fs, info.tags[0], tname, sizeof tname), TAGFS_OK);
	CHECK(!strcmp(tname, "kernel"));
	CHECK_EQ(tagfs_getinfo(fs, 0, empty, &info), TAGFS_OK);
	CHECK_EQ(info.size, 0);
	CHECK(info.name[0] == 0);

	/* Reads at every interesting offset and length. */
	CHECK(tt_same(fs, 0, id, data, sizeof data));
	uint64_t offs[] = { 0, 1, 4095, 4096, 4097, 8191, 12288, 12387, 12388, 20000 };
	for (unsigned i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		uint8_t buf[5000];
		uint64_t got = 99;
		CHECK_EQ(tagfs_read(fs, 0, id, offs[i], buf, sizeof buf, &got), TAGFS_OK);
		uint64_t want = offs[i] >= sizeof data ? 0 : sizeof data - offs[i];
		if (want > sizeof buf)
			want = sizeof buf;
		CHECK_EQ(got, want);
		CHECK(want == 0 || !memcmp(buf, data + offs[i], want));
	}
	CHECK_EQ(tagfs_read(fs, 0, 999, 0, NULL, 0, NULL), TAGFS_ENOENT);

	/* Write in the middle, across a block edge, and past the end (gap reads zero). */
	static uint8_t model[40000];
	memcpy(model, data, sizeof data);
	uint64_t msize = sizeof data;
	uint8_t patch[300];
	tt_fill(patch, sizeof patch, 2);
	CHECK_EQ(tagfs_write(fs, id, 4000, patch, sizeof patch), TAGFS_OK);
	memcpy(model + 4000, patch, sizeof patch);
	CHECK(tt_same(fs, 0, id, model, msize));
	CHECK_EQ(tagfs_write(fs, id, 30000, patch, sizeof patch), TAGFS_OK);
	memcpy(model + 30000, patch, sizeof patch);
	msize = 30000 + sizeof patch;
	CHECK(tt_same(fs, 0, id, model, msize));
	CHECK_EQ(tagfs_getinfo(fs, 0, id, &info), TAGFS_OK);
	h = tagfs_boxhash(model, msize);
	CHECK(info.hash.lo == h.lo && info.hash.hi == h.hi);

	/* Replace shrinks; the old blocks are freed. */
	CHECK_EQ(tagfs_replace(fs, id, "tiny", 4), TAGFS_OK);
	CHECK(tt_same(fs, 0, id, "tiny", 4));
	struct tagfs_statfs st;
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.data_blocks, 1);
	CHECK_EQ(st.logical_bytes, 4);

	/* Names. */
	uint64_t found = 0;
	CHECK_EQ(tagfs_lookup_name(fs, "readme", &found), TAGFS_OK);
	CHECK_EQ(found, id);
	CHECK_EQ(tagfs_rename(fs, id, "guide"), TAGFS_OK);
	CHECK_EQ(tagfs_lookup_name(fs, "readme", &found), TAGFS_ENOENT);
	CHECK_EQ(tagfs_lookup_name(fs, "guide", &found), TAGFS_OK);
	CHECK_EQ(tagfs_rename(fs, id, NULL), TAGFS_OK);
	CHECK_EQ(tagfs_getinfo(fs, 0, id, &info), TAGFS_OK);
	CHECK(info.name[0] == 0);
	CHECK_EQ(tagfs_rename(fs, id, "bad\nname"), TAGFS_EINVAL);
	CHECK_EQ(tagfs_rename(fs, 12345, "x"), TAGFS_ENOENT);
	/* Offsets past the largest file, and their overflow, are refused; writing nothing is a no-op. */
	CHECK_EQ(tagfs_write(fs, id, UINT64_MAX - 2, "abc", 3), TAGFS_EINVAL);
	CHECK_EQ(tagfs_write(fs, id, 1ull << 50, "abc", 3), TAGFS_EINVAL);
	CHECK_EQ(tagfs_write(fs, id, 1ull << 40, "", 0), TAGFS_OK);
	CHECK_EQ(tagfs_getinfo(fs, 0, id, &info), TAGFS_OK);
	CHECK_EQ(info.size, 4);

	/* Bad arguments change nothing. */
	const char *bad_tags[] = { "-neg" };
	const char *space_tag[] = { "a b" };
	CHECK_EQ(tagfs_create(fs, NULL, bad_tags, 1, NULL, 0, NULL), TAGFS_EINVAL);
	CHECK_EQ(tagfs_create(fs, NULL, space_tag, 1, NULL, 0, NULL), TAGFS_EINVAL);
	CHECK_EQ(tagfs_create(fs, NULL, NULL, 0, NULL, 10, NULL), TAGFS_EINVAL);
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.files, 2);
	CHECK_EQ(st.tags, 2);

	/* Delete frees the blocks. */
	CHECK_EQ(tagfs_delete(fs, id), TAGFS_OK);
	CHECK_EQ(tagfs_delete(fs, id), TAGFS_ENOENT);
	CHECK_EQ(tagfs_getinfo(fs, 0, id, &info), TAGFS_ENOENT);
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.files, 1);
	CHECK_EQ(st.data_blocks, 0);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_dedup(void)
{
	struct tagfs_dev dev;
	tt_new(&dev, 2048, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	static uint8_t data[5 * 4096];
	tt_fill(data, sizeof data, 7);
	struct tagfs_statfs st;
	uint64_t a, b, c;
	CHECK_EQ(tagfs_create(fs, "a", NULL, 0, data, sizeof data, &a), TAGFS_OK);
	tagfs_statfs(fs, &st);
	uint64_t blocks = st.data_blocks, writes = tagfs_ramdev_of(&dev)->writes;
	CHECK_EQ(blocks, 5);
	struct tagfs_stats s0, s1;
	tagfs_stats(fs, &s0);
	CHECK_EQ(tagfs_create(fs, "b", NULL, 0, data, sizeof data, &b), TAGFS_OK);
	tagfs_statfs(fs, &st);
	tagfs_stats(fs, &s1);
	CHECK_EQ(st.data_blocks, blocks);               /* nothing new allocated */
	CHECK_EQ(s1.dedup_blocks - s0.dedup_blocks, 5);
	/* Only the log (two mirror copies of one block) was written. */
	CHECK_EQ(tagfs_ramdev_of(&dev)->writes - writes, 2);
	/* A file of one block repeated stores it once. */
	static uint8_t rep[4 * 4096];
	for (int i = 0; i < 4; i++)
		memcpy(rep + i * 4096, data, 4096);
	CHECK_EQ(tagfs_create(fs, "c", NULL, 0, rep, sizeof rep, &c), TAGFS_OK);
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.data_blocks, blocks);
	/* Shared blocks survive deleting one owner. */
	CHECK_EQ(tagfs_delete(fs, a), TAGFS_OK);
	CHECK(tt_same(fs, 0, b, data, sizeof data));
	CHECK(tt_same(fs, 0, c, rep, sizeof rep));
	/* Writing into a shared block copies it (b changes, c does not). */
	CHECK_EQ(tagfs_write(fs, b, 10, "X", 1), TAGFS_OK);
	CHECK(tt_same(fs, 0, c, rep, sizeof rep));
	data[10] = 'X';
	CHECK(tt_same(fs, 0, b, data, sizeof data));
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.data_blocks, blocks + 1);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_delete(fs, b), TAGFS_OK);
	CHECK_EQ(tagfs_delete(fs, c), TAGFS_OK);
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.data_blocks, 0);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

/* Query and compare against the ids the caller expects (ascending). */
static int query_is(struct tagfs *fs, const char *q, const uint64_t *want, uint32_t n)
{
	uint64_t ids[64];
	uint32_t count = 0;
	if (tagfs_query(fs, q, ids, 64, &count) != TAGFS_OK || count != n)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (ids[i] != want[i])
			return 0;
	return 1;
}

static void test_tags_query(void)
{
	struct tagfs_dev dev;
	tt_new(&dev, 1024, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	const char *k[] = { "kernel" }, *kd[] = { "kernel", "draft" }, *n[] = { "notify", "kernel" };
	const char *dup[] = { "x", "x", "y" };
	uint64_t f1, f2, f3, f4;
	CHECK_EQ(tagfs_create(fs, NULL, k, 1, "1", 1, &f1), TAGFS_OK);
	CHECK_EQ(tagfs_create(fs, NULL, kd, 2, "2", 1, &f2), TAGFS_OK);
	CHECK_EQ(tagfs_create(fs, NULL, n, 2, "3", 1, &f3), TAGFS_OK);
	CHECK_EQ(tagfs_create(fs, NULL, dup, 3, "4", 1, &f4), TAGFS_OK);
	struct tagfs_info info;
	CHECK_EQ(tagfs_getinfo(fs, 0, f4, &info), TAGFS_OK);
	CHECK_EQ(info.ntags, 2); /* the repeated name counts once */

	CHECK(query_is(fs, "kernel", (uint64_t[]){ f1, f2, f3 }, 3));
	CHECK(query_is(fs, "kernel -draft", (uint64_t[]){ f1, f3 }, 2));
	CHECK(query_is(fs, "  kernel   notify ", (uint64_t[]){ f3 }, 1));
	CHECK(query_is(fs, "-kernel", (uint64_t[]){ f4 }, 1));
	CHECK(query_is(fs, "", (uint64_t[]){ f1, f2, f3, f4 }, 4));
	CHECK(query_is(fs, "nosuchtag", NULL, 0));
	CHECK(query_is(fs, "kernel -nosuchtag", (uint64_t[]){ f1, f2, f3 }, 3));
	uint32_t count;
	uint64_t one;
	CHECK_EQ(tagfs_query(fs, "-", &one, 1, &count), TAGFS_EINVAL);
	CHECK_EQ(tagfs_query(fs, "--x", &one, 1, &count), TAGFS_EINVAL);
	CHECK_EQ(tagfs_query(fs, "kernel", &one, 1, &count), TAGFS_OK);
	CHECK_EQ(count, 3); /* the full count even when fewer ids fit */
	CHECK_EQ(one, f1);

	CHECK_EQ(tagfs_tag_set(fs, f1, "draft"), TAGFS_OK);
	CHECK_EQ(tagfs_tag_set(fs, f1, "draft"), TAGFS_EEXIST);
	CHECK(query_is(fs, "kernel -draft", (uint64_t[]){ f3 }, 1));
	CHECK_EQ(tagfs_tag_unset(fs, f2, "draft"), TAGFS_OK);
	CHECK_EQ(tagfs_tag_unset(fs, f2, "draft"), TAGFS_ENOENT);
	CHECK_EQ(tagfs_tag_unset(fs, f2, "nosuch"), TAGFS_ENOENT);
	CHECK(query_is(fs, "draft", (uint64_t[]){ f1 }, 1));
	CHECK_EQ(tagfs_tag_set(fs, f4, "brandnew"), TAGFS_OK);
	CHECK(query_is(fs, "brandnew x", (uint64_t[]){ f4 }, 1));
	CHECK_EQ(tagfs_delete(fs, f3), TAGFS_OK);
	CHECK(query_is(fs, "notify", NULL, 0));
	/* A file with the maximum number of tags, and one too many. */
	char names[TAGFS_FILE_TAGS_MAX + 1][8];
	const char *many[TAGFS_FILE_TAGS_MAX + 1];
	for (unsigned i = 0; i <= TAGFS_FILE_TAGS_MAX; i++) {
		snprintf(names[i], sizeof names[i], "t%u", i);
		many[i] = names[i];
	}
	uint64_t fm;
	CHECK_EQ(tagfs_create(fs, NULL, many, TAGFS_FILE_TAGS_MAX + 1, NULL, 0, &fm), TAGFS_EINVAL);
	CHECK_EQ(tagfs_create(fs, NULL, many, TAGFS_FILE_TAGS_MAX, NULL, 0, &fm), TAGFS_OK);
	CHECK_EQ(tagfs_tag_set(fs, fm, "onemore"), TAGFS_EINVAL);
	CHECK(query_is(fs, "t0 t31 -t32", (uint64_t[]){ fm }, 1));

	/* Everything survives a remount. */
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	fs = tt_mount(&dev, 0);
	CHECK(query_is(fs, "kernel -draft", (uint64_t[]){ f2 }, 1));
	CHECK(query_is(fs, "brandnew x", (uint64_t[]){ f4 }, 1));
	CHECK(query_is(fs, "t0 t31", (uint64_t[]){ fm }, 1));
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_snapshots(void)
{
	struct tagfs_dev dev;
	tt_new(&dev, 2048, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	static uint8_t v1[10000], v2[10000];
	tt_fill(v1, sizeof v1, 11);
	tt_fill(v2, sizeof v2, 12);
	const char *t[] = { "doc" };
	uint64_t a, b, c;
	CHECK_EQ(tagfs_create(fs, "a", t, 1, v1, sizeof v1, &a), TAGFS_OK);
	CHECK_EQ(tagfs_create(fs, "b", t, 1, v2, sizeof v2, &b), TAGFS_OK);
	struct tagfs_statfs before, after;
	tagfs_statfs(fs, &before);
	uint32_t s1;
	CHECK_EQ(tagfs_snap_create(fs, "monday", &s1), TAGFS_OK);
	tagfs_statfs(fs, &after);
	CHECK_EQ(after.data_blocks, before.data_blocks); /* a snapshot copies no data */

	/* Change everything after the snapshot. */
	CHECK_EQ(tagfs_write(fs, a, 5000, "changed", 7), TAGFS_OK);
	CHECK_EQ(tagfs_delete(fs, b), TAGFS_OK);
	CHECK_EQ(tagfs_rename(fs, a, "a2"), TAGFS_OK);
	CHECK_EQ(tagfs_create(fs, "c", t, 1, "new", 3, &c), TAGFS_OK);

	CHECK(tt_same(fs, s1, a, v1, sizeof v1));
	CHECK(tt_same(fs, s1, b, v2, sizeof v2));
	struct tagfs_info info;
	CHECK_EQ(tagfs_getinfo(fs, s1, a, &info), TAGFS_OK);
	CHECK(!strcmp(info.name, "a"));
	CHECK_EQ(tagfs_getinfo(fs, s1, c, &info), TAGFS_ENOENT);
	CHECK_EQ(tagfs_getinfo(fs, 0, b, &info), TAGFS_ENOENT);
	uint64_t ids[8];
	uint32_t n;
	CHECK_EQ(tagfs_snap_files(fs, s1, ids, 8, &n), TAGFS_OK);
	CHECK_EQ(n, 2);
	CHECK(ids[0] == a && ids[1] == b);
	uint8_t live[10000];
	memcpy(live, v1, sizeof live);
	memcpy(live + 5000, "changed", 7);
	CHECK(tt_same(fs, 0, a, live, sizeof live));

	uint32_t s2;
	CHECK_EQ(tagfs_snap_create(fs, "tuesday", &s2), TAGFS_OK);
	struct tagfs_snap_info list[4];
	CHECK_EQ(tagfs_snap_list(fs, list, 4, &n), TAGFS_OK);
	CHECK_EQ(n, 2);
	CHECK(list[0].id == s1 && !strcmp(list[0].name, "monday") && list[0].files == 2);
	CHECK(list[1].id == s2 && !strcmp(list[1].name, "tuesday") && list[1].files == 2);

	/* Snapshots survive remount and a power cut. */
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	fs = tt_mount(&dev, 0);
	CHECK(tt_same(fs, s1, b, v2, sizeof v2));
	CHECK(tt_same(fs, s2, a, live, sizeof live));
	CHECK(tt_fsck_clean(fs));

	/* Deleting the snapshots frees what only they held. */
	CHECK_EQ(tagfs_snap_delete(fs, s1), TAGFS_OK);
	CHECK_EQ(tagfs_snap_delete(fs, s1), TAGFS_ENOENT);
	CHECK_EQ(tagfs_read(fs, s1, a, 0, live, 1, NULL), TAGFS_ENOENT);
	CHECK_EQ(tagfs_snap_delete(fs, s2), TAGFS_OK);
	tagfs_statfs(fs, &after);
	CHECK_EQ(after.snapshots, 0);
	CHECK_EQ(after.data_blocks, 3 + 1); /* a (3 blocks) and c */
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_handles(void)
{
	struct tagfs_dev dev;
	tt_new(&dev, 1024, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	static uint8_t v1[3 * 4096], other[4096];
	tt_fill(v1, sizeof v1, 31);
	uint64_t a;
	CHECK_EQ(tagfs_create(fs, "a", NULL, 0, v1, sizeof v1, &a), TAGFS_OK);
	uint32_t h;
	CHECK_EQ(tagfs_open(fs, 0, a, &h), TAGFS_OK);
	/* Rewrite, then delete the file: the handle still reads the version it opened. */
	CHECK_EQ(tagfs_replace(fs, a, "new", 3), TAGFS_OK);
	CHECK_EQ(tagfs_delete(fs, a), TAGFS_OK);
	/* New data must not land on the pinned blocks. */
	for (int i = 0; i < 20; i++) {
		tt_fill(other, sizeof other, 1000 + i);
		CHECK_EQ(tagfs_create(fs, NULL, NULL, 0, other, sizeof other, NULL), TAGFS_OK);
	}
	static uint8_t buf[3 * 4096];
	uint64_t got = 0, id = 0, size = 0;
	CHECK_EQ(tagfs_hread(fs, h, 0, buf, sizeof buf, &got), TAGFS_OK);
	CHECK_EQ(got, sizeof v1);
	CHECK(!memcmp(buf, v1, sizeof v1));
	CHECK_EQ(tagfs_hread(fs, h, 4000, buf, 100, &got), TAGFS_OK);
	CHECK(got == 100 && !memcmp(buf, v1 + 4000, 100));
	struct tagfs_hash hh, want = tagfs_boxhash(v1, sizeof v1);
	CHECK_EQ(tagfs_hstat(fs, h, &id, &size, &hh), TAGFS_OK);
	CHECK(id == a && size == sizeof v1 && hh.lo == want.lo && hh.hi == want.hi);
	struct tagfs_statfs st;
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.data_blocks, 20 + 3);
	CHECK(tt_fsck_clean(fs)); /* the pinned version counts as in use */

	/* On disk the pinned blocks are free: a power cut now leaves only the 20 files. */
	CHECK_EQ(tagfs_checkpoint(fs), TAGFS_OK);
	struct tagfs_dev cut;
	tt_clone(&cut, &dev);
	struct tagfs *fs2 = tt_mount(&cut, 0);
	tagfs_statfs(fs2, &st);
	CHECK_EQ(st.data_blocks, 20);
	CHECK_EQ(st.files, 20);
	CHECK(tt_fsck_clean(fs2));
	CHECK_EQ(tagfs_unmount(fs2), TAGFS_OK);
	tagfs_ramdev_free(&cut);

	/* Closing frees what only the handle held. */
	CHECK_EQ(tagfs_close(fs, h), TAGFS_OK);
	CHECK_EQ(tagfs_close(fs, h), TAGFS_ENOENT);
	CHECK_EQ(tagfs_hread(fs, h, 0, buf, 1, &got), TAGFS_ENOENT);
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.data_blocks, 20);
	CHECK(tt_fsck_clean(fs));

	/* Handles on a snapshot's version; running out of handles; unmount closes them. */
	uint64_t ids[20];
	uint32_t n;
	CHECK_EQ(tagfs_query(fs, "", ids, 20, &n), TAGFS_OK);
	uint32_t snap;
	CHECK_EQ(tagfs_snap_create(fs, "s", &snap), TAGFS_OK);
	CHECK_EQ(tagfs_replace(fs, ids[0], "x", 1), TAGFS_OK);
	CHECK_EQ(tagfs_open(fs, snap, ids[0], &h), TAGFS_OK);
	CHECK_EQ(tagfs_hstat(fs, h, NULL, &size, NULL), TAGFS_OK);
	CHECK_EQ(size, 4096);
	CHECK_EQ(tagfs_open(fs, 0, 999, &h), TAGFS_ENOENT);
	int opened = 1, err = TAGFS_OK;
	while (opened < 100 && (err = tagfs_open(fs, 0, ids[opened % 20], &h)) == TAGFS_OK)
		opened++;
	CHECK_EQ(err, TAGFS_ENOSPC);
	CHECK_EQ(opened, TAGFS_HANDLES_MAX);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	fs = tt_mount(&dev, 0);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_power_cut_copy(void)
{
	/* Every returned operation is on the device: a copy taken then mounts with it. */
	struct tagfs_dev dev, cut;
	tt_new(&dev, 1024, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	uint8_t data[6000];
	tt_fill(data, sizeof data, 3);
	const char *t[] = { "x" };
	uint64_t id;
	CHECK_EQ(tagfs_create(fs, "f", t, 1, data, sizeof data, &id), TAGFS_OK);
	CHECK_EQ(tagfs_write(fs, id, 100, "abc", 3), TAGFS_OK);
	memcpy(data + 100, "abc", 3);
	tt_clone(&cut, &dev);
	struct tagfs *fs2 = tt_mount(&cut, 0);
	struct tagfs_stats st;
	tagfs_stats(fs2, &st);
	CHECK_EQ(st.replayed, 2); /* the create (tag, file, data) and the write */
	CHECK(tt_same(fs2, 0, id, data, sizeof data));
	CHECK(tt_fsck_clean(fs2));
	CHECK_EQ(tagfs_unmount(fs2), TAGFS_OK);
	tagfs_ramdev_free(&cut);

	/* Read-only mounts replay in memory only and refuse changes. */
	tt_clone(&cut, &dev);
	fs2 = tt_mount(&cut, TAGFS_MOUNT_RDONLY);
	CHECK(tagfs_readonly(fs2));
	CHECK(tt_same(fs2, 0, id, data, sizeof data));
	CHECK_EQ(tagfs_create(fs2, NULL, NULL, 0, "x", 1, NULL), TAGFS_EROFS);
	CHECK_EQ(tagfs_delete(fs2, id), TAGFS_EROFS);
	CHECK_EQ(tagfs_snap_create(fs2, "s", NULL), TAGFS_EROFS);
	uint64_t writes = tagfs_ramdev_of(&cut)->writes;
	CHECK_EQ(tagfs_unmount(fs2), TAGFS_OK);
	CHECK_EQ(tagfs_ramdev_of(&cut)->writes, writes);
	CHECK_EQ(writes, 0);
	tagfs_ramdev_free(&cut);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_log_wrap_and_big_files(void)
{
	/* A small log: many operations force checkpoints; a large file spans log blocks. */
	struct tagfs_dev dev;
	CHECK_EQ(tagfs_ramdev_init(&dev, 4096, 1), TAGFS_OK);
	struct tagfs_format_opts o = { .log_blocks = 16 };
	CHECK_EQ(tagfs_format(&dev, &o), TAGFS_OK);
	struct tagfs *fs = tt_mount(&dev, 0);
	uint64_t ids[100];
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d", i);
		CHECK_EQ(tagfs_create(fs, name, NULL, 0, name, strlen(name), &ids[i]), TAGFS_OK);
	}
	struct tagfs_stats st;
	tagfs_stats(fs, &st);
	CHECK(st.checkpoints >= 5);
	size_t big = 1000 * 4096 + 17; /* FILE_DATA of 1001 blocks: 6 log blocks */
	uint8_t *data = malloc(big);
	tt_fill(data, big, 5);
	uint64_t bid;
	CHECK_EQ(tagfs_create(fs, "big", NULL, 0, data, big, &bid), TAGFS_OK);
	struct tagfs_dev cut;
	tt_clone(&cut, &dev);
	struct tagfs *fs2 = tt_mount(&cut, 0);
	CHECK(tt_same(fs2, 0, bid, data, big));
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d", i);
		CHECK(tt_same(fs2, 0, ids[i], name, strlen(name)));
	}
	CHECK(tt_fsck_clean(fs2));
	CHECK_EQ(tagfs_unmount(fs2), TAGFS_OK);
	tagfs_ramdev_free(&cut);
	/* Larger than the whole log: refused, nothing changes. */
	size_t huge = 3000 * 4096;
	uint8_t *hd = calloc(1, huge);
	struct tagfs_statfs s0, s1;
	tagfs_statfs(fs, &s0);
	CHECK_EQ(tagfs_create(fs, "huge", NULL, 0, hd, huge, NULL), TAGFS_ENOSPC);
	tagfs_statfs(fs, &s1);
	CHECK_EQ(s1.files, s0.files);
	CHECK_EQ(s1.data_blocks, s0.data_blocks);
	free(hd);
	free(data);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_full_volume(void)
{
	struct tagfs_dev dev;
	tt_new(&dev, 256, 1);
	struct tagfs *fs = tt_mount(&dev, 0);
	uint64_t ids[300];
	int n = 0, err = TAGFS_OK;
	uint8_t blk[4096];
	while (n < 300) {
		tt_fill(blk, sizeof blk, 100 + n);
		err = tagfs_create(fs, NULL, NULL, 0, blk, sizeof blk, &ids[n]);
		if (err)
			break;
		n++;
	}
	CHECK_EQ(err, TAGFS_ENOSPC);
	CHECK(n > 100);
	/* A full volume still deletes, checkpoints and remounts. */
	for (int i = 0; i < n; i += 2)
		CHECK_EQ(tagfs_delete(fs, ids[i]), TAGFS_OK);
	CHECK_EQ(tagfs_checkpoint(fs), TAGFS_OK);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	fs = tt_mount(&dev, 0);
	for (int i = 1; i < n; i += 2) {
		tt_fill(blk, sizeof blk, 100 + i);
		CHECK(tt_same(fs, 0, ids[i], blk, sizeof blk));
	}
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_placement(void)
{
	/* Three regions: files sharing a first tag land in that tag's region. */
	struct tagfs_dev dev;
	tt_new(&dev, 4096, 3);
	struct tagfs *fs = tt_mount(&dev, 0);
	const char *ta[] = { "alpha" }, *tb[] = { "beta" };
	uint64_t a[4], b[4];
	uint8_t data[3 * 4096];
	for (int i = 0; i < 4; i++) {
		tt_fill(data, sizeof data, 200 + i);
		CHECK_EQ(tagfs_create(fs, NULL, ta, 1, data, sizeof data, &a[i]), TAGFS_OK);
		tt_fill(data, sizeof data, 300 + i);
		CHECK_EQ(tagfs_create(fs, NULL, tb, 1, data, sizeof data, &b[i]), TAGFS_OK);
	}
	struct tagfs_stats st;
	tagfs_stats(fs, &st);
	CHECK_EQ(st.tag_placements, 24);
	/* Every data block of alpha files sits in one region, beta's in one region. */
	int alpha_region = -1, beta_region = -1, ok = 1;
	/* The block lists are internal: find each file's blocks by their bytes. */
	for (int i = 0; i < 4; i++) {
		tt_fill(data, sizeof data, 200 + i);
		for (uint64_t blk = 0; blk < dev.blocks; blk++) {
			for (int k = 0; k < 3; k++) {
				if (!memcmp(tagfs_ramdev_block(&dev, blk), data + k * 4096, 4096)) {
					int r = (int)dev.region_of(&dev, blk);
					if (alpha_region < 0)
						alpha_region = r;
					ok &= r == alpha_region;
				}
			}
		}
		tt_fill(data, sizeof data, 300 + i);
		for (uint64_t blk = 0; blk < dev.blocks; blk++) {
			for (int k = 0; k < 3; k++) {
				if (!memcmp(tagfs_ramdev_block(&dev, blk), data + k * 4096, 4096)) {
					int r = (int)dev.region_of(&dev, blk);
					if (beta_region < 0)
						beta_region = r;
					ok &= r == beta_region;
				}
			}
		}
	}
	CHECK(ok);
	CHECK(alpha_region >= 0 && beta_region >= 0);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);

	/* One region: no placements counted. */
	tt_new(&dev, 1024, 1);
	fs = tt_mount(&dev, 0);
	CHECK_EQ(tagfs_create(fs, NULL, ta, 1, data, sizeof data, NULL), TAGFS_OK);
	tagfs_stats(fs, &st);
	CHECK_EQ(st.tag_placements, 0);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

static void test_query_100k(void)
{
	/* 100 000 files, tags by residue; queries checked against the arithmetic. */
	enum { N = 100000 };
	struct tagfs_dev dev;
	CHECK_EQ(tagfs_ramdev_init(&dev, 16384, 1), TAGFS_OK);
	struct tagfs_format_opts o = { .log_blocks = 4096 };
	CHECK_EQ(tagfs_format(&dev, &o), TAGFS_OK);
	struct tagfs *fs = tt_mount(&dev, 0);
	static uint64_t ids[N];
	int failures = 0;
	double t0 = seconds();
	for (uint32_t i = 0; i < N; i++) {
		const char *t[3];
		uint32_t nt = 0;
		if (i % 2 == 0)
			t[nt++] = "even";
		if (i % 3 == 0)
			t[nt++] = "three";
		if (i % 7 == 0)
			t[nt++] = "seven";
		char c = (char)('a' + i % 16); /* 16 distinct one-byte contents: dedup */
		failures += tagfs_create(fs, NULL, t, nt, &c, 1, &ids[i]) != TAGFS_OK;
	}
	CHECK_EQ(failures, 0);
	printf("query 100k: created %d files in %.2f s (ASan build, RAM device)\n", N, seconds() - t0);
	struct tagfs_statfs st;
	tagfs_statfs(fs, &st);
	CHECK_EQ(st.files, N);
	CHECK_EQ(st.data_blocks, 16);
	static uint64_t got[N];
	struct { const char *q; int (*want)(uint32_t); } qs[] = {
		{ "even three", NULL }, { "even -three", NULL }, { "seven -even -three", NULL }, { "-seven", NULL },
	};
	for (int q = 0; q < 4; q++) {
		uint32_t count = 0;
		double t0 = seconds();
		CHECK_EQ(tagfs_query(fs, qs[q].q, got, N, &count), TAGFS_OK);
		printf("query 100k: '%s': %u matches in %.2f ms (ASan build)\n", qs[q].q, count,
		       (seconds() - t0) * 1e3);
		uint32_t k = 0;
		int ok = 1;
		for (uint32_t i = 0; i < N; i++) {
			int m = q == 0 ? (i % 6 == 0)
			      : q == 1 ? (i % 2 == 0 && i % 3 != 0)
			      : q == 2 ? (i % 7 == 0 && i % 2 && i % 3)
			      : (i % 7 != 0);
			if (m)
				ok &= k < count && got[k++] == ids[i];
		}
		CHECK(ok);
		CHECK_EQ(k, count);
	}
	/* Delete a third, remount, query again. */
	for (uint32_t i = 0; i < N; i += 3)
		failures += tagfs_delete(fs, ids[i]) != TAGFS_OK;
	CHECK_EQ(failures, 0);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	t0 = seconds();
	fs = tt_mount(&dev, 0);
	printf("query 100k: mount with 66666 files in %.2f s\n", seconds() - t0);
	uint32_t count = 0;
	CHECK_EQ(tagfs_query(fs, "three", got, N, &count), TAGFS_OK);
	CHECK_EQ(count, 0);
	CHECK_EQ(tagfs_query(fs, "even", got, N, &count), TAGFS_OK);
	uint32_t evens = 0;
	for (uint32_t i = 0; i < N; i += 2)
		evens += i % 3 != 0;
	CHECK_EQ(count, evens);
	CHECK_EQ(tagfs_query(fs, "", got, N, &count), TAGFS_OK);
	CHECK_EQ(count, N - (N + 2) / 3);
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	tagfs_ramdev_free(&dev);
}

int main(void)
{
	test_map();
	test_format_mount();
	test_files();
	test_dedup();
	test_tags_query();
	test_snapshots();
	test_handles();
	test_power_cut_copy();
	test_log_wrap_and_big_files();
	test_full_volume();
	test_placement();
	test_query_100k();
	return check_report();
}
