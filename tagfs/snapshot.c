/*
 * snapshot.c: copy-on-write snapshots.
 *
 * A snapshot is one DiskBook record; applying it copies every live file row
 * (name, tags, times) and shares its content object, so it writes no data
 * and takes no block references of its own.  Blocks stay allocated while
 * any content object names them, and TagFS never rewrites a block in use,
 * so a snapshot keeps reading the bytes it saw.  Deleting a snapshot drops
 * its rows; contents and blocks nobody else uses are freed with them.
 */
#include "internal.h"

int tagfs_snap_create(struct tagfs *fs, const char *name, uint32_t *id_out)
{
	int err = tfs_writable(fs);
	if (err)
		return err;
	size_t nlen = name ? strlen(name) : 0;
	if (nlen > TAGFS_NAME_MAX)
		return TAGFS_EINVAL;
	for (size_t i = 0; i < nlen; i++)
		if ((uint8_t)name[i] < ' ' || name[i] == 0x7f)
			return TAGFS_EINVAL;
	if (fs->next_snap_id == UINT32_MAX)
		return TAGFS_ENOSPC;
	/* The next checkpoint carries the copied rows: leave room for it. */
	uint64_t pool = fs->pool_end - fs->pool_start;
	uint64_t used = fs->data_blocks + fs->meta_blocks;
	if (used + 2 * fs->meta_blocks + fs->log_blocks / 2 + 16 >= pool)
		return TAGFS_ENOSPC;
	uint32_t id = fs->next_snap_id;
	struct tfs_buf txn = { 0 };
	tfs_buf_u(&txn, 1, REC_SNAP_NEW);
	tfs_buf_u(&txn, 4, 4 + 8 + 1 + nlen);
	tfs_buf_u(&txn, 4, id);
	tfs_buf_u(&txn, 8, tfs_now(fs));
	tfs_buf_u(&txn, 1, nlen);
	tfs_buf_put(&txn, name, nlen);
	err = tfs_commit(fs, &txn);
	tfs_buf_free(&txn);
	if (!err && id_out)
		*id_out = id;
	return err;
}

int tagfs_snap_delete(struct tagfs *fs, uint32_t id)
{
	int err = tfs_writable(fs);
	if (err)
		return err;
	if (!tfs_snap_find(fs, id))
		return TAGFS_ENOENT;
	struct tfs_buf txn = { 0 };
	tfs_buf_u(&txn, 1, REC_SNAP_DEL);
	tfs_buf_u(&txn, 4, 4);
	tfs_buf_u(&txn, 4, id);
	err = tfs_commit(fs, &txn);
	tfs_buf_free(&txn);
	return err;
}

int tagfs_snap_list(struct tagfs *fs, struct tagfs_snap_info *out, uint32_t max, uint32_t *count)
{
	if (!count || (max && !out))
		return TAGFS_EINVAL;
	*count = fs->nsnaps;
	for (uint32_t i = 0; i < fs->nsnaps && i < max; i++) {
		const struct tfs_snap *s = &fs->snaps[i];
		out[i] = (struct tagfs_snap_info){ .id = s->id, .time = s->time, .files = s->nfiles };
		memcpy(out[i].name, s->name, strlen(s->name) + 1);
	}
	return TAGFS_OK;
}

int tagfs_snap_files(struct tagfs *fs, uint32_t snap, uint64_t *ids, uint32_t max, uint32_t *count)
{
	if (!count || (max && !ids))
		return TAGFS_EINVAL;
	const struct tfs_snap *s = tfs_snap_find(fs, snap);
	if (!s)
		return TAGFS_ENOENT;
	*count = s->nfiles;
	for (uint32_t i = 0; i < s->nfiles && i < max; i++)
		ids[i] = s->files[i].id;
	return TAGFS_OK;
}
