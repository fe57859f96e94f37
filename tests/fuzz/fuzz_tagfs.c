/*
 * fuzz_tagfs.c: libFuzzer over TagFS's mount path with damaged images.
 *
 * A valid template volume (files, tags, a snapshot, DiskBook records not yet
 * checkpointed) is built once.  Each input is a flags byte and a list of
 * 6-byte edits {u16 block, u16 offset, u8 value, u8 mode} (xor a byte, set a
 * byte, set a small u32, set a huge u64).  The edits are
 * applied to a copy of the template; with flag bit 0 every edited metadata
 * block is resealed (its checksum recomputed) and with bit 1 the
 * superblocks get the new checkpoint stream hash, so the fuzzer reaches the
 * stream and log-record parsers instead of stopping at a checksum.  Then
 * the image is mounted (read-only with bit 2) and, if that works, used:
 * query, getinfo, read every file, snapshots, fsck (with bit 3), a create
 * and a delete, unmount.  Every outcome is fine except a crash, a sanitizer report or a
 * status that is not a TAGFS_E* value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tagfs/tagfs.h"
#include "tagfs/format.h"
#include "tagfs/ramdev.h"

enum { BLOCKS = 72 };

static uint8_t *template_img;

static void build_template(void)
{
	struct tagfs_dev dev;
	struct tagfs_format_opts fo = { .log_blocks = 16 };
	if (tagfs_ramdev_init(&dev, BLOCKS, 1) || tagfs_format(&dev, &fo))
		abort();
	struct tagfs *fs;
	if (tagfs_mount(&dev, NULL, &fs))
		abort();
	static uint8_t data[9000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + i / 13);
	const char *t1[] = { "kernel", "draft" }, *t2[] = { "notes" };
	uint64_t id;
	tagfs_create(fs, "one", t1, 2, data, sizeof data, &id);
	tagfs_create(fs, NULL, t2, 1, "hello", 5, NULL);
	tagfs_snap_create(fs, "s", NULL);
	tagfs_write(fs, id, 100, "patch", 5);
	tagfs_checkpoint(fs);
	/* These stay in the DiskBook only. */
	tagfs_create(fs, "three", t2, 1, data, 5000, NULL);
	tagfs_tag_set(fs, id, "extra");
	tagfs_rename(fs, id, "renamed");
	template_img = malloc((size_t)BLOCKS * TAGFS_BLOCK_SIZE);
	memcpy(template_img, tagfs_ramdev_block(&dev, 0), (size_t)BLOCKS * TAGFS_BLOCK_SIZE);
	tagfs_unmount(fs);
	tagfs_ramdev_free(&dev);
}

static void seal(uint8_t *b)
{
	struct tagfs_hash h = tagfs_boxhash(b + 16, TAGFS_BLOCK_SIZE - 16);
	tfs_put(b, 8, h.lo);
	tfs_put(b + 8, 8, h.hi);
}

/* Recomputes the checkpoint stream hash (chain of copy 0 from superblock A). */
static void fix_stream_hash(struct tagfs_dev *dev)
{
	uint8_t *sb = tagfs_ramdev_block(dev, 0);
	uint64_t pages = tfs_get(sb + SB_CP_PAGES, 4), b = tfs_get(sb + SB_CP_FIRST0, 8);
	static uint8_t stream[BLOCKS * TAGFS_BLOCK_SIZE];
	size_t len = 0;
	for (uint64_t i = 0; i < pages && i < BLOCKS; i++) {
		uint8_t *pg = tagfs_ramdev_block(dev, b);
		if (!pg)
			break;
		uint64_t n = tfs_get(pg + CP_LEN, 4);
		if (n > CP_PAYLOAD_MAX)
			n = CP_PAYLOAD_MAX;
		memcpy(stream + len, pg + CP_PAYLOAD, n);
		len += n;
		b = tfs_get(pg + CP_NEXT0, 8);
	}
	struct tagfs_hash h = tagfs_boxhash(stream, len);
	for (uint64_t s = 0; s < BLOCKS; s += BLOCKS - 1) {
		uint8_t *p = tagfs_ramdev_block(dev, s);
		tfs_put(p + SB_CP_BYTES, 8, len);
		tfs_put(p + SB_CP_HASH, 8, h.lo);
		tfs_put(p + SB_CP_HASH + 8, 8, h.hi);
		seal(p);
	}
}

static int valid_status(int err)
{
	return err <= 0 && err >= TAGFS_EROFS;
}

static void use(struct tagfs *fs, bool fsck)
{
	uint64_t ids[64];
	uint32_t n = 0;
	if (!valid_status(tagfs_query(fs, "", ids, 64, &n)))
		abort();
	static uint8_t buf[65536];
	for (uint32_t i = 0; i < n && i < 64; i++) {
		struct tagfs_info info;
		uint64_t got;
		if (tagfs_getinfo(fs, 0, ids[i], &info) != TAGFS_OK)
			abort(); /* the query said it exists */
		if (!valid_status(tagfs_read(fs, 0, ids[i], 0, buf, sizeof buf, &got)))
			abort();
	}
	uint32_t h;
	if (n && tagfs_open(fs, 0, ids[0], &h) == TAGFS_OK) {
		uint64_t got;
		tagfs_delete(fs, ids[0]);
		tagfs_hread(fs, h, 0, buf, sizeof buf, &got);
		tagfs_close(fs, h);
		n = 0;
	}
	tagfs_query(fs, "kernel -draft", ids, 64, &n);
	struct tagfs_snap_info snaps[4];
	uint32_t ns = 0;
	tagfs_snap_list(fs, snaps, 4, &ns);
	for (uint32_t s = 0; s < ns && s < 4; s++) {
		uint32_t nf = 0;
		tagfs_snap_files(fs, snaps[s].id, ids, 64, &nf);
		for (uint32_t i = 0; i < nf && i < 64; i++) {
			uint64_t got;
			tagfs_read(fs, snaps[s].id, ids[i], 0, buf, sizeof buf, &got);
		}
	}
	struct tagfs_fsck_report r;
	if (fsck && !valid_status(tagfs_fsck(fs, false, &r)))
		abort();
	const char *t[] = { "kernel" };
	uint64_t id;
	if (tagfs_create(fs, "new", t, 1, buf, 5000, &id) == TAGFS_OK)
		tagfs_delete(fs, id);
	if (n)
		tagfs_delete(fs, ids[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tagfs_dev dev; /* one device, refilled per input: no big allocation each run */
	if (!template_img) {
		build_template();
		if (tagfs_ramdev_init(&dev, BLOCKS, 1))
			abort();
	}
	memcpy(tagfs_ramdev_block(&dev, 0), template_img, (size_t)BLOCKS * TAGFS_BLOCK_SIZE);
	uint8_t flags = size ? data[0] : 0;
	static uint8_t touched[BLOCKS];
	memset(touched, 0, sizeof touched);
	for (size_t i = 1; i + 6 <= size; i += 6) {
		uint64_t block = tfs_get(data + i, 2) % BLOCKS;
		uint32_t off = (uint32_t)tfs_get(data + i + 2, 2) % TAGFS_BLOCK_SIZE;
		uint8_t value = data[i + 4], mode = data[i + 5] % 4;
		uint8_t *b = tagfs_ramdev_block(&dev, block);
		if (mode == 0)
			b[off] ^= value;
		else if (mode == 1)
			b[off] = value;
		else if (mode == 2 && off + 4 <= TAGFS_BLOCK_SIZE)
			tfs_put(b + off, 4, value); /* small counts and ids */
		else if (off + 8 <= TAGFS_BLOCK_SIZE)
			tfs_put(b + off, 8, ~0ull >> (value % 64)); /* huge sizes and counts */
		touched[block] = 1;
	}
	if (flags & 1)
		for (uint64_t b = 0; b < BLOCKS; b++)
			if (touched[b])
				seal(tagfs_ramdev_block(&dev, b));
	if (flags & 2)
		fix_stream_hash(&dev);
	struct tagfs *fs = NULL;
	char why[128];
	struct tagfs_mount_opts o = { .flags = (flags & 4) ? TAGFS_MOUNT_RDONLY : 0, .why = why, .why_len = sizeof why };
	int err = tagfs_mount(&dev, &o, &fs);
	if (!valid_status(err) || (err == TAGFS_OK) != (fs != NULL) || !why[0])
		abort();
	if (fs) {
		use(fs, flags & 8);
		tagfs_unmount(fs);
	}
	return 0;
}
