/*
 * test_tagfs_util.h: helpers the TagFS host tests share.
 *
 * RAM devices, copying one (a copy taken after an operation returned is
 * exactly what a power cut at that moment leaves, since the RAM device has
 * no cache), deterministic pseudo-random bytes, and reading a whole file.
 */
#ifndef TEST_TAGFS_UTIL_H
#define TEST_TAGFS_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tagfs/tagfs.h"
#include "tagfs/ramdev.h"

static uint64_t tt_rng = 0x9e3779b97f4a7c15ull;

static inline uint64_t tt_rand(void)
{
	tt_rng ^= tt_rng << 13;
	tt_rng ^= tt_rng >> 7;
	tt_rng ^= tt_rng << 17;
	return tt_rng;
}

static inline void tt_fill(void *buf, size_t len, uint64_t seed)
{
	uint8_t *p = buf;
	uint64_t s = seed * 0x2545f4914f6cdd1dull + 1;
	for (size_t i = 0; i < len; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		p[i] = (uint8_t)s;
	}
}

/* A formatted RAM volume. */
static inline void tt_new(struct tagfs_dev *dev, uint64_t blocks, uint32_t regions)
{
	CHECK_EQ(tagfs_ramdev_init(dev, blocks, regions), TAGFS_OK);
	CHECK_EQ(tagfs_format(dev, NULL), TAGFS_OK);
}

static inline struct tagfs *tt_mount(struct tagfs_dev *dev, unsigned flags)
{
	struct tagfs *fs = NULL;
	char why[128] = "";
	struct tagfs_mount_opts o = { .flags = flags, .why = why, .why_len = sizeof why };
	int err = tagfs_mount(dev, &o, &fs);
	if (err)
		printf("mount: %s (%s)\n", tagfs_strerror(err), why);
	CHECK_EQ(err, TAGFS_OK);
	return fs;
}

/* A second device holding the same bytes: the disk after a power cut now. */
static inline void tt_clone(struct tagfs_dev *dst, struct tagfs_dev *src)
{
	CHECK_EQ(tagfs_ramdev_init(dst, src->blocks, src->regions), TAGFS_OK);
	memcpy(tagfs_ramdev_block(dst, 0), tagfs_ramdev_block(src, 0), src->blocks * TAGFS_BLOCK_SIZE);
}

/* The whole file (malloc'd, *len set), or NULL. */
static inline uint8_t *tt_read_all(struct tagfs *fs, uint32_t snap, uint64_t id, uint64_t *len)
{
	struct tagfs_info info;
	if (tagfs_getinfo(fs, snap, id, &info))
		return NULL;
	uint8_t *buf = malloc(info.size ? info.size : 1);
	uint64_t got = 0;
	if (tagfs_read(fs, snap, id, 0, buf, info.size, &got) || got != info.size) {
		free(buf);
		return NULL;
	}
	*len = info.size;
	return buf;
}

/* True when file id reads back exactly data[0..len). */
static inline int tt_same(struct tagfs *fs, uint32_t snap, uint64_t id, const void *data, uint64_t len)
{
	uint64_t got_len = 0;
	uint8_t *got = tt_read_all(fs, snap, id, &got_len);
	int same = got && got_len == len && (len == 0 || memcmp(got, data, len) == 0);
	free(got);
	return same;
}

static inline int tt_fsck_clean(struct tagfs *fs)
{
	struct tagfs_fsck_report r;
	int err = tagfs_fsck(fs, false, &r);
	if (err || r.problems)
		printf("fsck: %s, %llu problems: %s\n", tagfs_strerror(err), (unsigned long long)r.problems, r.first);
	return err == TAGFS_OK && r.problems == 0;
}

#endif
