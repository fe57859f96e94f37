/*
 * storage_snap.c: the Storage Deck's snapshot ops.
 *
 *   snap.create  (UTILITY) input = name (may be empty); value = the id.
 *   snap.list    one struct box_storage_snap per snapshot, as many as the
 *                output holds; value = how many there are.
 *   snap.delete  (SYSTEM) frees the blocks only that snapshot held.
 *   snap.files   u64 ids of the files in a snapshot, as many as fit;
 *                value = how many there are.
 * Reading a file as of a snapshot is storage.read / storage.getinfo /
 * storage.open with snap set.
 */
#include "decks/storage.h"
#include "boxos/ops.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "tagfs/tagfs.h"

#define SNAPS_MAX 4096u

int32_t storage_snap_create(struct op_call *call)
{
	const struct op_buf *in = call->in;
	char name[BOX_STORAGE_NAME_MAX + 1];
	uint64_t n = 0;
	if (in) {
		if (op_check_buf(in) != BOX_OK)
			return BOX_ERR_INVALID;
		if (in->size > BOX_STORAGE_NAME_MAX)
			return BOX_ERR_TOO_BIG;
		for (; n < in->size; n++) {
			if (in->data[n] < ' ' || in->data[n] == 0x7f)
				return BOX_ERR_INVALID;
			name[n] = (char)in->data[n];
		}
	}
	name[n] = 0;
	struct tagfs *fs = storage_fs();
	if (!fs)
		return storage_done(call, BOX_STORAGE_ENOVOLUME);
	uint32_t id = 0;
	int rc = tagfs_snap_create(fs, name, &id);
	if (rc == TAGFS_OK)
		call->value = id;
	return storage_done(call, rc);
}

int32_t storage_snap_list(struct op_call *call)
{
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	struct tagfs *fs = storage_fs();
	if (!fs)
		return storage_done(call, BOX_STORAGE_ENOVOLUME);
	uint32_t count = 0;
	int rc = tagfs_snap_list(fs, NULL, 0, &count);
	if (rc != TAGFS_OK)
		return storage_done(call, rc);
	uint32_t want = count < SNAPS_MAX ? count : SNAPS_MAX;
	struct tagfs_snap_info *s = kmalloc((size_t)(want ? want : 1) * sizeof(*s));
	if (!s)
		return storage_done(call, TAGFS_ENOMEM);
	rc = tagfs_snap_list(fs, s, want, &count);
	if (rc == TAGFS_OK) {
		uint64_t fit = out->capacity / sizeof(struct box_storage_snap), put = 0;
		for (uint32_t i = 0; i < want && i < count && put < fit; i++, put++) {
			struct box_storage_snap r;
			memset(&r, 0, sizeof(r));
			r.id = s[i].id;
			r.time = s[i].time;
			r.files = s[i].files;
			memcpy(r.name, s[i].name, sizeof(r.name));
			memcpy(out->data + put * sizeof(r), &r, sizeof(r));
		}
		out->size = put * sizeof(struct box_storage_snap);
		call->value = count;
	}
	kfree(s);
	return storage_done(call, rc);
}

int32_t storage_snap_delete(struct op_call *call)
{
	OP_PARAMS(box_params_storage_snap_delete, p);
	if (p->snap == TAGFS_SNAP_LIVE)
		return BOX_ERR_INVALID;
	struct tagfs *fs = storage_fs();
	if (!fs)
		return storage_done(call, BOX_STORAGE_ENOVOLUME);
	return storage_done(call, tagfs_snap_delete(fs, p->snap));
}

int32_t storage_snap_files(struct op_call *call)
{
	OP_PARAMS(box_params_storage_snap_files, p);
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	if (p->snap == TAGFS_SNAP_LIVE)
		return BOX_ERR_INVALID;
	struct tagfs *fs = storage_fs();
	if (!fs)
		return storage_done(call, BOX_STORAGE_ENOVOLUME);
	uint32_t fit = (uint32_t)(out->capacity / 8 < (1u << 20) ? out->capacity / 8 : (1u << 20));
	uint64_t *ids = kmalloc((size_t)(fit ? fit : 1) * 8);
	if (!ids)
		return storage_done(call, TAGFS_ENOMEM);
	uint32_t count = 0;
	int rc = tagfs_snap_files(fs, p->snap, ids, fit, &count);
	if (rc == TAGFS_OK) {
		uint32_t put = count < fit ? count : fit;
		for (uint32_t i = 0; i < put; i++)
			op_put_le(out->data + 8 * i, ids[i], 8);
		out->size = (uint64_t)put * 8;
		call->value = count;
	}
	kfree(ids);
	return storage_done(call, rc);
}
