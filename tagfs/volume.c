/*
 * volume.c: format, mount and unmount, and the volume-wide numbers.
 *
 * Mount reads both superblocks, takes the valid one with the highest
 * generation, loads its checkpoint and replays the DiskBook.  A read-write
 * mount then writes a new checkpoint at once: that folds the log, starts a
 * new log epoch (so a transaction cut short by a power cut can never be
 * mistaken for a later one) and rewrites a damaged or stale superblock.
 */
#include "internal.h"

static void say(const struct tagfs_mount_opts *o, const char *msg)
{
	if (o && o->why && o->why_len) {
		size_t n = strlen(msg);
		if (n >= o->why_len)
			n = o->why_len - 1;
		memcpy(o->why, msg, n);
		o->why[n] = 0;
	}
}

static bool dev_ok(const struct tagfs_dev *d)
{
	return d && d->read && d->write && d->flush && d->blocks >= TFS_MIN_BLOCKS &&
	       d->blocks <= (1ull << 40) && (d->regions <= 1 || d->region_of);
}

static void free_fs(struct tagfs *fs)
{
	tfs_state_free(fs);
	tagfs_free(fs);
}

static struct tagfs *new_fs(struct tagfs_dev *dev, uint64_t log_blocks)
{
	struct tagfs *fs = tagfs_zalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	fs->dev = dev;
	fs->nblocks = dev->blocks;
	fs->log_blocks = (uint32_t)log_blocks;
	fs->log_start = 2;
	fs->pool_start = 2 + 2 * log_blocks;
	fs->pool_end = dev->blocks - 1;
	if (tfs_state_init(fs)) {
		free_fs(fs);
		return NULL;
	}
	return fs;
}

int tagfs_format(struct tagfs_dev *dev, const struct tagfs_format_opts *opts)
{
	if (!dev_ok(dev))
		return TAGFS_EINVAL;
	uint64_t L = opts && opts->log_blocks ? opts->log_blocks : dev->blocks / 32;
	if (!(opts && opts->log_blocks)) {
		if (L > 4096)
			L = 4096;
		if (L < TFS_LOG_MIN)
			L = TFS_LOG_MIN;
	}
	if (L < TFS_LOG_MIN || L > TFS_LOG_MAX || 2 + 2 * L + 8 > dev->blocks - 1)
		return TAGFS_EINVAL;
	struct tagfs *fs = new_fs(dev, L);
	uint8_t *blk = tagfs_zalloc(TAGFS_BLOCK_SIZE);
	int err = fs && blk ? TAGFS_OK : TAGFS_ENOMEM;
	if (fs && opts)
		fs->volume_id = opts->volume_id;
	/* Block 1 is reserved; the log starts as epoch-0 blocks that never replay. */
	if (!err)
		err = dev->write(dev, 1, blk);
	for (uint64_t i = 0; i < L && !err; i++) {
		memset(blk, 0, TAGFS_BLOCK_SIZE);
		tfs_put(blk + LOG_MAGIC, 4, TFS_LOG_MAGIC);
		tfs_put(blk + LOG_SEQ, 8, i);
		err = tfs_meta_write(fs, 2 + i, 2 + L + i, blk);
	}
	if (!err)
		err = dev->flush(dev);
	if (!err)
		err = tfs_checkpoint_write(fs); /* generation 1, empty */
	tagfs_free(blk);
	if (fs)
		free_fs(fs);
	return err;
}

/* Reads superblock copy at block b: TAGFS_OK, or why it cannot be used. */
static int read_sb(struct tagfs_dev *dev, uint64_t b, uint8_t *sb)
{
	static const struct tagfs_check check = { tfs_meta_ok, NULL };
	int err = dev->read(dev, b, sb, &check);
	if (err == TAGFS_ECORRUPT) {
		/* A newer format may seal its superblock differently: look first. */
		if (dev->read(dev, b, sb, NULL) != TAGFS_OK)
			return TAGFS_ECORRUPT;
		if (tfs_get(sb + SB_MAGIC, 8) != TFS_SB_MAGIC)
			return TAGFS_EFORMAT; /* not ours at all */
		if (tfs_get(sb + SB_VERSION, 4) != TFS_VERSION || tfs_get(sb + SB_INCOMPAT, 4))
			return TAGFS_EFORMAT;
		return TAGFS_ECORRUPT;
	}
	if (err)
		return err;
	if (tfs_get(sb + SB_MAGIC, 8) != TFS_SB_MAGIC)
		return TAGFS_EFORMAT;
	return tfs_sb_check(sb, dev->blocks);
}

int tagfs_mount(struct tagfs_dev *dev, const struct tagfs_mount_opts *o, struct tagfs **out)
{
	if (!out)
		return TAGFS_EINVAL;
	*out = NULL;
	if (!dev_ok(dev)) {
		say(o, "device: missing calls or too small for TagFS");
		return TAGFS_EINVAL;
	}
	uint8_t *sb[2] = { tagfs_alloc(TAGFS_BLOCK_SIZE), tagfs_alloc(TAGFS_BLOCK_SIZE) };
	int st[2] = { TAGFS_ENOMEM, TAGFS_ENOMEM };
	if (sb[0] && sb[1]) {
		st[0] = read_sb(dev, 0, sb[0]);
		st[1] = read_sb(dev, dev->blocks - 1, sb[1]);
	}
	int err = TAGFS_OK;
	struct tagfs *fs = NULL;
	if (st[0] && st[1]) {
		if (st[0] == TAGFS_ENOMEM) {
			err = TAGFS_ENOMEM;
			say(o, "out of memory");
		} else if (st[0] == TAGFS_EFORMAT && st[1] == TAGFS_EFORMAT) {
			bool magic = tfs_get(sb[0] + SB_MAGIC, 8) == TFS_SB_MAGIC ||
				     tfs_get(sb[1] + SB_MAGIC, 8) == TFS_SB_MAGIC;
			err = TAGFS_EFORMAT;
			say(o, magic ? "superblock: format version not supported (this TagFS reads version 1)"
				     : "not a TagFS volume (no superblock magic)");
		} else if (st[0] == TAGFS_EIO || st[1] == TAGFS_EIO) {
			err = TAGFS_EIO;
			say(o, "device: cannot read the superblocks");
		} else {
			err = TAGFS_ECORRUPT;
			say(o, "superblock: both copies fail their checksum or geometry check");
		}
		goto out;
	}
	/* Candidates, newest generation first. */
	int order[2] = { 0, 1 }, ncand = 0;
	if (!st[0] && !st[1]) {
		ncand = 2;
		if (tfs_get(sb[1] + SB_GENERATION, 8) > tfs_get(sb[0] + SB_GENERATION, 8)) {
			order[0] = 1;
			order[1] = 0;
		}
	} else {
		ncand = 1;
		order[0] = st[0] ? 1 : 0;
	}
	for (int c = 0; c < ncand; c++) {
		const uint8_t *s = sb[order[c]];
		fs = new_fs(dev, tfs_get(s + SB_LOG_BLOCKS, 4));
		if (!fs) {
			err = TAGFS_ENOMEM;
			say(o, "out of memory");
			goto out;
		}
		fs->readonly = o && (o->flags & TAGFS_MOUNT_RDONLY);
		fs->volume_id = tfs_get(s + SB_VOLUME_ID, 8);
		if (o) {
			fs->now = o->now;
			fs->now_arg = o->now_arg;
		}
		if (ncand == 1 && st[order[0] ^ 1] != TAGFS_EIO)
			fs->stats.checksum_errors++; /* the other copy is damaged */
		err = tfs_checkpoint_load(fs, s, o ? o->why : NULL, o ? o->why_len : 0);
		if (!err) {
			err = tfs_log_replay(fs);
			if (err)
				say(o, err == TAGFS_ENOMEM ? "out of memory replaying the DiskBook"
							   : "DiskBook: a committed transaction does not apply");
		}
		if (!err || err == TAGFS_ENOMEM || c + 1 == ncand)
			break;
		free_fs(fs); /* try the older superblock's checkpoint */
		fs = NULL;
	}
	if (err)
		goto out;
	if (!fs->readonly) {
		err = tfs_checkpoint_write(fs);
		if (err) {
			say(o, "cannot write the mount checkpoint");
			goto out;
		}
		if (ncand == 1 && st[order[0] ^ 1] != TAGFS_EIO)
			fs->stats.heals++; /* the bad superblock copy was just rewritten */
	}
	say(o, "ok");
out:
	tagfs_free(sb[0]);
	tagfs_free(sb[1]);
	if (err && fs) {
		free_fs(fs);
		fs = NULL;
	}
	*out = fs;
	return err;
}

int tagfs_checkpoint(struct tagfs *fs)
{
	return tfs_checkpoint_write(fs);
}

int tagfs_unmount(struct tagfs *fs)
{
	if (!fs)
		return TAGFS_EINVAL;
	int err = TAGFS_OK;
	if (!fs->readonly && !fs->broken && fs->log_seq)
		err = tfs_checkpoint_write(fs);
	free_fs(fs);
	return err;
}

bool tagfs_readonly(struct tagfs *fs)
{
	return fs->readonly || fs->broken;
}

void tagfs_statfs(struct tagfs *fs, struct tagfs_statfs *out)
{
	*out = (struct tagfs_statfs){ 0 };
	out->block_size = TAGFS_BLOCK_SIZE;
	out->total_blocks = fs->nblocks;
	out->pool_blocks = fs->pool_end - fs->pool_start;
	out->data_blocks = fs->data_blocks;
	out->meta_blocks = fs->meta_blocks;
	out->free_blocks = out->pool_blocks - fs->data_blocks - fs->meta_blocks;
	out->log_blocks = 2ull * fs->log_blocks;
	out->files = fs->nfiles;
	out->tags = fs->ntags;
	out->snapshots = fs->nsnaps;
	out->logical_bytes = fs->logical_bytes;
}

void tagfs_stats(struct tagfs *fs, struct tagfs_stats *out)
{
	*out = fs->stats;
}
