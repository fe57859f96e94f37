/*
 * storage_files.c: the Storage Deck's file ops.
 *
 *   create   input = name ‖ tags ‖ content (lengths in the params); the
 *            scope's tags are added unless flags has NO_SCOPE; output and
 *            value = the new id.  Content at most BOX_STORAGE_IO_MAX bytes
 *            (write the rest with storage.write).
 *   read     at most min(output capacity, BOX_STORAGE_IO_MAX) bytes from
 *            offset; value = bytes read (0 at or past the end).
 *   write    the input (<= BOX_STORAGE_IO_MAX) at offset, or (REPLACE) as
 *            the whole content.
 *   delete, rename (input = new name, empty removes it), lookup (input =
 *   name, value = id), tag.set / tag.unset (input = one tag name).
 *   query    input = expression ("a b -c"), ANDed with the scope unless
 *            flags has ALL; output = ids above `after`, ascending, as many
 *            as fit; value = how many matches lie above `after`.
 *   getinfo  struct box_storage_info, then the tag names.
 *   open / hread / close: handles pin a version; a handle belongs to the
 *            Cabin that opened it, and handles of Cabins that have ended
 *            are closed when the table fills up.
 * Every name and tag is copied into a NUL-terminated kernel buffer and
 * checked before TagFS is called.
 */
#include "decks/storage.h"
#include "decks/system.h"
#include "boxos/ops.h"
#include "core/cabin.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "tagfs/tagfs.h"

#define NEED_FS(fs)                                                    \
	struct tagfs *fs = storage_fs();                               \
	if (!fs)                                                       \
		return storage_done(call, BOX_STORAGE_ENOVOLUME)

/* Copies the input into buf as a NUL-terminated string of at most max bytes. */
static int32_t input_string(const struct op_buf *in, char *buf, size_t max, bool allow_empty)
{
	if (!in || op_check_buf(in) != BOX_OK)
		return BOX_ERR_INVALID;
	if (in->size > max)
		return BOX_ERR_TOO_BIG;
	if (in->size == 0 && !allow_empty)
		return BOX_ERR_INVALID;
	for (uint64_t i = 0; i < in->size; i++) {
		if (in->data[i] < ' ' || in->data[i] == 0x7f)
			return BOX_ERR_INVALID;
		buf[i] = (char)in->data[i];
	}
	buf[in->size] = 0;
	return BOX_OK;
}

static uint64_t io_len(const struct op_buf *out)
{
	return out->capacity < BOX_STORAGE_IO_MAX ? out->capacity : BOX_STORAGE_IO_MAX;
}

int32_t storage_create(struct op_call *call)
{
	OP_PARAMS(box_params_storage_create, p);
	const struct op_buf *in = call->in;
	if (!in || op_check_buf(in) != BOX_OK || (p->flags & ~BOX_STORAGE_CREATE_NO_SCOPE))
		return BOX_ERR_INVALID;
	struct op_buf *out = call->out;
	if (out && op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	static struct storage_taglist tags;  /* Guide only; 2 KiB is a lot of stack */
	static struct storage_create_in c;
	tags.count = 0;
	int32_t st = storage_decode_create(in->data, in->size, p->name_len, p->tags_len, &c, &tags);
	if (st != BOX_OK)
		return st;
	if (!(p->flags & BOX_STORAGE_CREATE_NO_SCOPE)) {
		static struct storage_taglist scope;
		bool own;
		storage_scope(&scope, &own);
		for (unsigned i = 0; i < scope.count; i++) {
			st = storage_parse_tags(&tags, scope.name[i], strlen(scope.name[i]),
						STORAGE_TAGS_MAX);
			if (st != BOX_OK)
				return st;
		}
	}
	NEED_FS(fs);
	const char *names[STORAGE_TAGS_MAX];
	for (unsigned i = 0; i < tags.count; i++)
		names[i] = tags.name[i];
	uint64_t id = 0;
	int rc = tagfs_create(fs, p->name_len ? c.name : NULL, names, tags.count, c.content,
			      c.content_len, &id);
	if (rc == TAGFS_OK) {
		if (out && out->capacity >= 8) {
			op_put_le(out->data, id, 8);
			out->size = 8;
		}
		call->value = id;
	}
	return storage_done(call, rc);
}

int32_t storage_read(struct op_call *call)
{
	OP_PARAMS(box_params_storage_read, p);
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	NEED_FS(fs);
	uint64_t got = 0;
	int rc = tagfs_read(fs, p->snap, p->id, p->offset, out->data, io_len(out), &got);
	if (rc == TAGFS_OK) {
		out->size = got;
		call->value = got;
	}
	return storage_done(call, rc);
}

int32_t storage_write(struct op_call *call)
{
	OP_PARAMS(box_params_storage_write, p);
	const struct op_buf *in = call->in;
	if (!in || op_check_buf(in) != BOX_OK || (p->flags & ~BOX_STORAGE_WRITE_REPLACE))
		return BOX_ERR_INVALID;
	if (in->size > BOX_STORAGE_IO_MAX)
		return BOX_ERR_TOO_BIG;
	if ((p->flags & BOX_STORAGE_WRITE_REPLACE) && p->offset)
		return BOX_ERR_INVALID;
	NEED_FS(fs);
	int rc = (p->flags & BOX_STORAGE_WRITE_REPLACE)
			 ? tagfs_replace(fs, p->id, in->data, in->size)
			 : tagfs_write(fs, p->id, p->offset, in->data, in->size);
	if (rc == TAGFS_OK)
		call->value = in->size;
	return storage_done(call, rc);
}

int32_t storage_delete(struct op_call *call)
{
	OP_PARAMS(box_params_storage_delete, p);
	NEED_FS(fs);
	return storage_done(call, tagfs_delete(fs, p->id));
}

int32_t storage_rename(struct op_call *call)
{
	OP_PARAMS(box_params_storage_rename, p);
	char name[BOX_STORAGE_NAME_MAX + 1];
	int32_t st = input_string(call->in, name, BOX_STORAGE_NAME_MAX, true);
	if (st != BOX_OK)
		return st;
	NEED_FS(fs);
	return storage_done(call, tagfs_rename(fs, p->id, name[0] ? name : NULL));
}

int32_t storage_lookup(struct op_call *call)
{
	char name[BOX_STORAGE_NAME_MAX + 1];
	int32_t st = input_string(call->in, name, BOX_STORAGE_NAME_MAX, false);
	if (st != BOX_OK)
		return st;
	NEED_FS(fs);
	uint64_t id = 0;
	int rc = tagfs_lookup_name(fs, name, &id);
	if (rc == TAGFS_OK)
		call->value = id;
	return storage_done(call, rc);
}

static int32_t tag_change(struct op_call *call, uint64_t id, bool set)
{
	char tag[STORAGE_TAG_BYTES];
	int32_t st = input_string(call->in, tag, STORAGE_TAG_BYTES - 1, false);
	if (st != BOX_OK)
		return st;
	if (!storage_tag_ok(tag, strlen(tag)))
		return BOX_ERR_INVALID;
	NEED_FS(fs);
	return storage_done(call, set ? tagfs_tag_set(fs, id, tag) : tagfs_tag_unset(fs, id, tag));
}

int32_t storage_tag_set(struct op_call *call)
{
	OP_PARAMS(box_params_storage_tag_set, p);
	return tag_change(call, p->id, true);
}

int32_t storage_tag_unset(struct op_call *call)
{
	OP_PARAMS(box_params_storage_tag_unset, p);
	return tag_change(call, p->id, false);
}

/* Largest id list one query builds: 8 MiB of kernel heap at most. */
#define QUERY_IDS_MAX (1u << 20)

int32_t storage_query(struct op_call *call)
{
	OP_PARAMS(box_params_storage_query, p);
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;
	if (p->flags & ~BOX_STORAGE_QUERY_ALL)
		return BOX_ERR_INVALID;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	static char expr[STORAGE_EXPR_MAX + STORAGE_SCOPE_MAX * STORAGE_TAG_BYTES + 2];
	size_t n = 0;
	if (!(p->flags & BOX_STORAGE_QUERY_ALL)) {
		static struct storage_taglist scope;
		bool own;
		storage_scope(&scope, &own);
		for (unsigned i = 0; i < scope.count; i++) {
			size_t len = strlen(scope.name[i]);
			memcpy(expr + n, scope.name[i], len);
			n += len;
			expr[n++] = ' ';
		}
	}
	if (in) {
		if (op_check_buf(in) != BOX_OK)
			return BOX_ERR_INVALID;
		if (in->size > STORAGE_EXPR_MAX)
			return BOX_ERR_TOO_BIG;
		for (uint64_t i = 0; i < in->size; i++) {
			if (in->data[i] < ' ' || in->data[i] == 0x7f)
				return BOX_ERR_INVALID;
			expr[n++] = (char)in->data[i];
		}
	}
	expr[n] = 0;
	NEED_FS(fs);
	uint32_t count = 0;
	int rc = tagfs_query(fs, expr, NULL, 0, &count);
	if (rc != TAGFS_OK)
		return storage_done(call, rc);
	uint32_t want = count < QUERY_IDS_MAX ? count : QUERY_IDS_MAX;
	uint64_t *ids = kmalloc((size_t)(want ? want : 1) * sizeof(uint64_t));
	if (!ids)
		return storage_done(call, TAGFS_ENOMEM);
	rc = tagfs_query(fs, expr, ids, want, &count);
	if (rc == TAGFS_OK) {
		uint32_t have = count < want ? count : want;
		uint64_t fit = out->capacity / 8, put = 0, above = 0;
		for (uint32_t i = 0; i < have; i++) {
			if (ids[i] <= p->after)
				continue;
			above++;
			if (put < fit)
				op_put_le(out->data + 8 * put++, ids[i], 8);
		}
		out->size = put * 8;
		call->value = above;
	}
	kfree(ids);
	return storage_done(call, rc);
}

int32_t storage_getinfo(struct op_call *call)
{
	OP_PARAMS(box_params_storage_getinfo, p);
	struct op_buf *out = call->out;
	if (sys_check_out(out, sizeof(struct box_storage_info)) != BOX_OK)
		return BOX_ERR_BOUNDS;
	NEED_FS(fs);
	static struct tagfs_info info;
	int rc = tagfs_getinfo(fs, p->snap, p->id, &info);
	if (rc != TAGFS_OK)
		return storage_done(call, rc);
	struct box_storage_info r;
	memset(&r, 0, sizeof(r));
	r.id = info.id;
	r.size = info.size;
	r.hash_lo = info.hash.lo;
	r.hash_hi = info.hash.hi;
	r.ctime = info.ctime;
	r.mtime = info.mtime;
	r.blocks = info.blocks;
	r.ntags = info.ntags;
	memcpy(r.name, info.name, sizeof(r.name));
	uint64_t pos = sizeof(r);
	for (uint32_t i = 0; i < info.ntags && i < TAGFS_FILE_TAGS_MAX; i++) {
		char name[TAGFS_TAG_MAX + 1];
		rc = tagfs_tag_name(fs, info.tags[i], name, sizeof(name));
		if (rc != TAGFS_OK)
			return storage_done(call, rc);
		size_t len = strlen(name);
		if (pos + len + (i ? 1 : 0) > out->capacity)
			return BOX_ERR_BOUNDS;
		if (i)
			out->data[pos++] = ' ';
		memcpy(out->data + pos, name, len);
		pos += len;
	}
	r.tags_len = (uint32_t)(pos - sizeof(r));
	memcpy(out->data, &r, sizeof(r));
	out->size = pos;
	call->value = info.size;
	return storage_done(call, TAGFS_OK);
}

/* ---- handles ---- */

static uint32_t handle_owner[TAGFS_HANDLES_MAX];
static bool handle_used[TAGFS_HANDLES_MAX];

static bool owner_gone(uint32_t id)
{
	struct cabin *c = cabin_find(id);
	return !c || c->state >= CABIN_EXITING;
}

/* Closes the handles of Cabins that have ended; returns how many are left. */
static unsigned reclaim_handles(struct tagfs *fs)
{
	unsigned used = 0;
	for (unsigned h = 0; h < TAGFS_HANDLES_MAX; h++) {
		if (!handle_used[h])
			continue;
		if (owner_gone(handle_owner[h])) {
			tagfs_close(fs, h);
			handle_used[h] = false;
		} else {
			used++;
		}
	}
	return used;
}

static int32_t mine(const struct op_call *call, uint32_t h)
{
	if (h >= TAGFS_HANDLES_MAX || !handle_used[h] || !call->caller ||
	    handle_owner[h] != call->caller->id)
		return storage_done(call, BOX_STORAGE_EHANDLE);
	return BOX_OK;
}

int32_t storage_open(struct op_call *call)
{
	OP_PARAMS(box_params_storage_open, p);
	if (!call->caller)
		return BOX_ERR_INVALID;
	NEED_FS(fs);
	if (reclaim_handles(fs) >= TAGFS_HANDLES_MAX)
		return storage_done(call, BOX_STORAGE_ENOSPC);
	uint32_t h = 0;
	int rc = tagfs_open(fs, p->snap, p->id, &h);
	if (rc == TAGFS_OK) {
		if (h >= TAGFS_HANDLES_MAX) {  /* TagFS broke its own promise */
			tagfs_close(fs, h);
			return storage_done(call, BOX_STORAGE_EINVAL);
		}
		handle_used[h] = true;
		handle_owner[h] = call->caller->id;
		call->value = h;
	}
	return storage_done(call, rc);
}

int32_t storage_hread(struct op_call *call)
{
	OP_PARAMS(box_params_storage_hread, p);
	struct op_buf *out = call->out;
	if (!out || op_check_buf(out) != BOX_OK)
		return BOX_ERR_INVALID;
	NEED_FS(fs);
	int32_t st = mine(call, p->handle);
	if (st != BOX_OK)
		return st;
	uint64_t got = 0;
	int rc = tagfs_hread(fs, p->handle, p->offset, out->data, io_len(out), &got);
	if (rc == TAGFS_OK) {
		out->size = got;
		call->value = got;
	}
	return storage_done(call, rc);
}

int32_t storage_close(struct op_call *call)
{
	OP_PARAMS(box_params_storage_close, p);
	NEED_FS(fs);
	int32_t st = mine(call, p->handle);
	if (st != BOX_OK)
		return st;
	handle_used[p->handle] = false;
	return storage_done(call, tagfs_close(fs, p->handle));
}
