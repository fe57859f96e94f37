/*
 * files.c: file operations (create, read, write, replace, delete, rename,
 * tags, getinfo) and the block allocator with its placement hint.
 *
 * Every change follows one path: check the arguments (nothing changes on a
 * bad one), write any new data blocks to free blocks and flush them, commit
 * the records to the DiskBook (which flushes), then tfs_apply() them.  Data
 * blocks are content-addressed: a block whose BoxHash the volume already
 * holds is referenced, not written (dedup), and a block in use is never
 * written again, so old versions stay intact for snapshots and for replay.
 * Blocks written by an operation that then fails are simply left free.
 */
#include "internal.h"

uint64_t tfs_now(struct tagfs *fs)
{
	return fs->now ? fs->now(fs->now_arg) : 0;
}

int tfs_writable(struct tagfs *fs)
{
	return (fs->readonly || fs->broken) ? TAGFS_EROFS : TAGFS_OK;
}

int tfs_commit(struct tagfs *fs, struct tfs_buf *txn)
{
	int err = tfs_log_commit(fs, txn);
	if (err)
		return err;
	err = tfs_apply(fs, txn->data, txn->len);
	if (err)
		fs->broken = true; /* durable on disk, not in memory: a remount fixes it */
	return err;
}

/* ---- argument checks ---- */

static bool name_arg_ok(const char *s)
{
	if (!s)
		return true;
	size_t n = strlen(s);
	if (n > TAGFS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)s[i] < ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static bool tag_arg_ok(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n == 0 || n > TAGFS_TAG_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

/*
 * Resolves tag names to a sorted, unique id list, adding REC_TAG_NEW
 * records for names the volume does not know yet.
 */
static int resolve_tags(struct tagfs *fs, struct tfs_buf *txn, const char *const *names, uint32_t n,
			uint32_t *ids, uint32_t *nids, const uint32_t *have, uint32_t nhave)
{
	uint32_t added = 0;
	*nids = 0;
	for (uint32_t i = 0; i < nhave; i++)
		ids[(*nids)++] = have[i];
	for (uint32_t i = 0; i < n; i++) {
		if (!tag_arg_ok(names[i]))
			return TAGFS_EINVAL;
		size_t len = strlen(names[i]);
		uint32_t id;
		if (tfs_tag_find(fs, names[i], len, &id) != TAGFS_OK) {
			/* New here; the same new name earlier in this list? */
			id = 0;
			for (uint32_t k = 0; k < i; k++)
				if (!strcmp(names[k], names[i]))
					id = UINT32_MAX;
			if (id == UINT32_MAX)
				continue;
			if (fs->ntags + added >= 0xffffff)
				return TAGFS_ENOSPC;
			id = fs->ntags + ++added;
			tfs_buf_u(txn, 1, REC_TAG_NEW);
			tfs_buf_u(txn, 4, 5 + len);
			tfs_buf_u(txn, 4, id);
			tfs_buf_u(txn, 1, len);
			tfs_buf_put(txn, names[i], len);
		}
		bool dup = false;
		for (uint32_t k = 0; k < *nids; k++)
			dup |= ids[k] == id;
		if (dup)
			continue;
		if (*nids == TAGFS_FILE_TAGS_MAX)
			return TAGFS_EINVAL;
		/* insertion keeps the list sorted */
		uint32_t j = (*nids)++;
		for (; j > 0 && ids[j - 1] > id; j--)
			ids[j] = ids[j - 1];
		ids[j] = id;
	}
	return TAGFS_OK;
}

static void put_tags(struct tfs_buf *txn, const uint32_t *ids, uint32_t n)
{
	tfs_buf_u(txn, 1, n);
	for (uint32_t i = 0; i < n; i++)
		tfs_buf_u(txn, 4, ids[i]);
}

/* ---- data blocks of one operation ---- */

struct op {
	struct tfs_map pending;   /* hash.lo -> block written by this operation */
	uint64_t *newb;
	uint32_t nnew, cap;
	bool region_on;
	uint32_t region;
};

/* first_tag: the name of the file's first (lowest-id) tag, or NULL. */
static void op_begin(struct tagfs *fs, struct op *op, const char *first_tag)
{
	*op = (struct op){ 0 };
	if (fs->dev->regions > 1 && fs->dev->region_of && first_tag) {
		/* Files sharing their first tag go to that tag's region. */
		op->region_on = true;
		op->region = (uint32_t)(tfs_hash64(first_tag, strlen(first_tag)) % fs->dev->regions);
	}
}

/* The name of tag id: known to the volume, or the k-th new name of names. */
static const char *tag_name_of(struct tagfs *fs, uint32_t id, const char *const *names, uint32_t n)
{
	if (id <= fs->ntags)
		return fs->tags[id - 1].name;
	uint32_t k = fs->ntags;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t dummy;
		bool seen = tfs_tag_find(fs, names[i], strlen(names[i]), &dummy) == TAGFS_OK;
		for (uint32_t j = 0; j < i && !seen; j++)
			seen = !strcmp(names[j], names[i]);
		if (!seen && ++k == id)
			return names[i];
	}
	return NULL;
}

static void op_end(struct tagfs *fs, struct op *op)
{
	for (uint32_t i = 0; i < op->nnew; i++)
		tfs_bit_clr(fs->busy_bits, op->newb[i]);
	tagfs_free(op->newb);
	tfs_map_free(&op->pending);
}

/* Free blocks a checkpoint may need: never hand these to data. */
static uint64_t reserve(const struct tagfs *fs)
{
	return fs->meta_blocks + fs->log_blocks / 2 + 16;
}

static int alloc_block(struct tagfs *fs, struct op *op, uint64_t *out)
{
	uint64_t pool = fs->pool_end - fs->pool_start;
	uint64_t used = fs->data_blocks + fs->meta_blocks + op->nnew;
	if (used + reserve(fs) >= pool)
		return TAGFS_ENOSPC;
	uint64_t fallback = UINT64_MAX;
	for (uint64_t i = 0; i < pool; i++) {
		uint64_t b = fs->pool_start + (fs->alloc_cursor - fs->pool_start + i) % pool;
		if (!tfs_block_free(fs, b))
			continue;
		if (op->region_on && fs->dev->region_of(fs->dev, b) != op->region) {
			if (fallback == UINT64_MAX)
				fallback = b;
			continue;
		}
		if (op->region_on)
			fs->stats.tag_placements++;
		*out = b;
		fs->alloc_cursor = b + 1;
		return TAGFS_OK;
	}
	if (fallback == UINT64_MAX)
		return TAGFS_ENOSPC;
	op->region_on = false; /* the region is full: stop searching it for this file */
	*out = fallback;
	fs->alloc_cursor = fallback + 1;
	return TAGFS_OK;
}

/* Stores one 4 KiB block: an existing copy, one this operation wrote, or a new one. */
static int put_block(struct tagfs *fs, struct op *op, const uint8_t *data, uint64_t *block,
		     struct tagfs_hash *hash)
{
	struct tagfs_hash h = tfs_hash(data, TAGFS_BLOCK_SIZE);
	uint64_t b;
	*hash = h;
	if ((tfs_map_get(&fs->dedup, h.lo, &b) && fs->refs[b] && tfs_hash_eq(fs->bhash[b], h)) ||
	    (tfs_map_get(&op->pending, h.lo, &b) && tfs_hash_eq(fs->bhash[b], h))) {
		fs->stats.dedup_blocks++;
		*block = b;
		return TAGFS_OK;
	}
	if (op->nnew == op->cap) {
		uint32_t cap = op->cap ? op->cap * 2 : 16;
		uint64_t *n = tagfs_alloc((size_t)cap * 8);
		if (!n)
			return TAGFS_ENOMEM;
		if (op->nnew)
			memcpy(n, op->newb, (size_t)op->nnew * 8);
		tagfs_free(op->newb);
		op->newb = n;
		op->cap = cap;
	}
	int err = alloc_block(fs, op, &b);
	if (!err)
		err = fs->dev->write(fs->dev, b, data);
	if (!err)
		err = tfs_map_put(&op->pending, h.lo, b);
	if (err)
		return err;
	tfs_bit_set(fs->busy_bits, b);
	op->newb[op->nnew++] = b;
	fs->bhash[b] = h; /* scratch until the record applies (refs is 0) */
	*block = b;
	return TAGFS_OK;
}

static int read_block(struct tagfs *fs, uint64_t b, uint8_t *buf)
{
	struct tagfs_check check = { tfs_data_ok, &fs->bhash[b] };
	int err = fs->dev->read(fs->dev, b, buf, &check);
	if (err == TAGFS_ECORRUPT)
		fs->stats.checksum_errors++;
	return err;
}

/* Bytes a FILE_DATA record of n blocks takes in the log. */
static bool fits_log(const struct tagfs *fs, uint64_t nblocks, uint64_t extra)
{
	uint64_t bytes = 5 + 60 + nblocks * 24 + extra;
	return nblocks < UINT32_MAX && bytes <= (uint64_t)fs->log_blocks * LOG_PAYLOAD_MAX;
}

/*
 * Builds a REC_FILE_DATA record for file f (or a new file id) whose content
 * becomes: old content (may be NULL), with len bytes of data at off.
 */
static int build_data(struct tagfs *fs, struct op *op, struct tfs_buf *txn, uint64_t id,
		      const struct tfs_content *old, uint64_t off, const uint8_t *data, uint64_t len)
{
	uint64_t old_size = old ? old->size : 0;
	if (off > TFS_FILE_MAX || len > TFS_FILE_MAX - off)
		return TAGFS_EINVAL;
	uint64_t size = off + len > old_size ? off + len : old_size;
	uint64_t n = tfs_blocks_for(size);
	if (!fits_log(fs, n, 256))
		return TAGFS_ENOSPC;
	uint64_t *blocks = tagfs_alloc((size_t)(n ? n : 1) * 8);
	struct tagfs_hash *hashes = tagfs_alloc((size_t)(n ? n : 1) * sizeof(*hashes));
	uint8_t *blk = tagfs_alloc(TAGFS_BLOCK_SIZE);
	struct tfs_hasher fh;
	int err = tfs_hasher_begin(&fh);
	if (!err && (!blocks || !hashes || !blk))
		err = TAGFS_ENOMEM;
	for (uint64_t i = 0; i < n && !err; i++) {
		uint64_t start = i * TAGFS_BLOCK_SIZE, end = start + TAGFS_BLOCK_SIZE;
		bool touched = len && off < end && off + len > start;
		bool have_old = old && i < old->nblocks;
		if (have_old)
			err = read_block(fs, old->blocks[i], blk);
		else
			memset(blk, 0, TAGFS_BLOCK_SIZE);
		if (err)
			break;
		if (touched) {
			uint64_t from = off > start ? off : start;
			uint64_t to = off + len < end ? off + len : end;
			memcpy(blk + (from - start), data + (from - off), (size_t)(to - from));
			err = put_block(fs, op, blk, &blocks[i], &hashes[i]);
		} else if (have_old) {
			blocks[i] = old->blocks[i];
			hashes[i] = fs->bhash[blocks[i]];
		} else {
			err = put_block(fs, op, blk, &blocks[i], &hashes[i]); /* a gap: zeros */
		}
		uint64_t valid = size - start < TAGFS_BLOCK_SIZE ? size - start : TAGFS_BLOCK_SIZE;
		tfs_hasher_add(&fh, blk, (size_t)valid);
	}
	struct tagfs_hash fhash = tfs_hasher_end(&fh);
	if (!err) {
		tfs_buf_u(txn, 1, REC_FILE_DATA);
		tfs_buf_u(txn, 4, 8 + 8 + 8 + 16 + 4 + n * 24);
		tfs_buf_u(txn, 8, id);
		tfs_buf_u(txn, 8, tfs_now(fs));
		tfs_buf_u(txn, 8, size);
		tfs_buf_hash(txn, fhash);
		tfs_buf_u(txn, 4, n);
		for (uint64_t i = 0; i < n; i++) {
			tfs_buf_u(txn, 8, blocks[i]);
			tfs_buf_hash(txn, hashes[i]);
		}
	}
	tagfs_free(blocks);
	tagfs_free(hashes);
	tagfs_free(blk);
	return err;
}

/* New data blocks must be on disk before a log record names them. */
static int commit_with_data(struct tagfs *fs, struct op *op, struct tfs_buf *txn)
{
	int err = op->nnew ? fs->dev->flush(fs->dev) : TAGFS_OK;
	if (!err)
		err = tfs_commit(fs, txn);
	op_end(fs, op);
	tfs_buf_free(txn);
	return err;
}

/* ---- the API ---- */

int tagfs_create(struct tagfs *fs, const char *name, const char *const *tags, uint32_t ntags,
		 const void *data, uint64_t len, uint64_t *id_out)
{
	int err = tfs_writable(fs);
	if (err)
		return err;
	if (!name_arg_ok(name) || (ntags && !tags) || (len && !data) || ntags > TAGFS_FILE_TAGS_MAX * 4)
		return TAGFS_EINVAL;
	struct tfs_buf txn = { 0 };
	uint32_t ids[TAGFS_FILE_TAGS_MAX], nids;
	err = resolve_tags(fs, &txn, tags, ntags, ids, &nids, NULL, 0);
	if (err) {
		tfs_buf_free(&txn);
		return err;
	}
	uint64_t id = fs->next_file_id;
	size_t nlen = name ? strlen(name) : 0;
	tfs_buf_u(&txn, 1, REC_FILE_NEW);
	tfs_buf_u(&txn, 4, 8 + 8 + 1 + nlen + 1 + 4 * nids);
	tfs_buf_u(&txn, 8, id);
	tfs_buf_u(&txn, 8, tfs_now(fs));
	tfs_buf_u(&txn, 1, nlen);
	tfs_buf_put(&txn, name, nlen);
	put_tags(&txn, ids, nids);
	struct op op;
	op_begin(fs, &op, nids ? tag_name_of(fs, ids[0], tags, ntags) : NULL);
	if (len)
		err = build_data(fs, &op, &txn, id, NULL, 0, data, len);
	if (err) {
		op_end(fs, &op);
		tfs_buf_free(&txn);
		return err;
	}
	err = commit_with_data(fs, &op, &txn);
	if (!err && id_out)
		*id_out = id;
	return err;
}

static int change_data(struct tagfs *fs, uint64_t id, bool replace, uint64_t off, const void *data,
		       uint64_t len)
{
	int err = tfs_writable(fs);
	if (err)
		return err;
	struct tfs_file *f = tfs_file_find(fs, id);
	if (!f)
		return TAGFS_ENOENT;
	if (len && !data)
		return TAGFS_EINVAL;
	if (!len && !replace)
		return TAGFS_OK; /* writing nothing changes nothing, wherever it is */
	struct tfs_buf txn = { 0 };
	struct op op;
	op_begin(fs, &op, f->ntags ? fs->tags[f->tags[0] - 1].name : NULL);
	err = build_data(fs, &op, &txn, id, replace ? NULL : f->content, off, data, len);
	if (err) {
		op_end(fs, &op);
		tfs_buf_free(&txn);
		return err;
	}
	return commit_with_data(fs, &op, &txn);
}

int tagfs_write(struct tagfs *fs, uint64_t id, uint64_t off, const void *data, uint64_t len)
{
	return change_data(fs, id, false, off, data, len);
}

int tagfs_replace(struct tagfs *fs, uint64_t id, const void *data, uint64_t len)
{
	return change_data(fs, id, true, 0, data, len);
}

static const struct tfs_file *find_in(struct tagfs *fs, uint32_t snap, uint64_t id)
{
	if (snap == TAGFS_SNAP_LIVE)
		return tfs_file_find(fs, id);
	const struct tfs_snap *s = tfs_snap_find(fs, snap);
	return s ? tfs_snap_file(s, id) : NULL;
}

int tfs_read_content(struct tagfs *fs, const struct tfs_content *c, uint64_t off, void *buf, uint64_t len,
		     uint64_t *got)
{
	if (got)
		*got = 0;
	if (len && !buf)
		return TAGFS_EINVAL;
	if (off >= c->size || !len)
		return TAGFS_OK;
	if (len > c->size - off)
		len = c->size - off;
	uint8_t *blk = tagfs_alloc(TAGFS_BLOCK_SIZE);
	if (!blk)
		return TAGFS_ENOMEM;
	int err = TAGFS_OK;
	uint64_t done = 0;
	while (done < len && !err) {
		uint64_t pos = off + done, i = pos / TAGFS_BLOCK_SIZE, in = pos % TAGFS_BLOCK_SIZE;
		uint64_t take = TAGFS_BLOCK_SIZE - in < len - done ? TAGFS_BLOCK_SIZE - in : len - done;
		err = read_block(fs, c->blocks[i], blk);
		if (!err) {
			memcpy((uint8_t *)buf + done, blk + in, (size_t)take);
			done += take;
		}
	}
	tagfs_free(blk);
	if (got)
		*got = done;
	return err;
}

int tagfs_read(struct tagfs *fs, uint32_t snap, uint64_t id, uint64_t off, void *buf, uint64_t len,
	       uint64_t *got)
{
	if (got)
		*got = 0;
	const struct tfs_file *f = find_in(fs, snap, id);
	if (!f)
		return TAGFS_ENOENT;
	return tfs_read_content(fs, f->content, off, buf, len, got);
}

/* ---- handles ---- */

int tagfs_open(struct tagfs *fs, uint32_t snap, uint64_t id, uint32_t *handle_out)
{
	const struct tfs_file *f = find_in(fs, snap, id);
	if (!f)
		return TAGFS_ENOENT;
	if (!handle_out)
		return TAGFS_EINVAL;
	for (uint32_t h = 0; h < TAGFS_HANDLES_MAX; h++) {
		if (!fs->handles[h].content) {
			fs->handles[h].content = f->content;
			fs->handles[h].id = id;
			f->content->refs++; /* keeps the version and its blocks */
			*handle_out = h + 1;
			return TAGFS_OK;
		}
	}
	return TAGFS_ENOSPC;
}

static struct tfs_handle *handle_of(struct tagfs *fs, uint32_t handle)
{
	if (handle == 0 || handle > TAGFS_HANDLES_MAX || !fs->handles[handle - 1].content)
		return NULL;
	return &fs->handles[handle - 1];
}

int tagfs_hread(struct tagfs *fs, uint32_t handle, uint64_t off, void *buf, uint64_t len, uint64_t *got)
{
	if (got)
		*got = 0;
	struct tfs_handle *h = handle_of(fs, handle);
	if (!h)
		return TAGFS_ENOENT;
	return tfs_read_content(fs, h->content, off, buf, len, got);
}

int tagfs_hstat(struct tagfs *fs, uint32_t handle, uint64_t *id, uint64_t *size, struct tagfs_hash *hash)
{
	struct tfs_handle *h = handle_of(fs, handle);
	if (!h)
		return TAGFS_ENOENT;
	if (id)
		*id = h->id;
	if (size)
		*size = h->content->size;
	if (hash)
		*hash = h->content->hash;
	return TAGFS_OK;
}

int tagfs_close(struct tagfs *fs, uint32_t handle)
{
	struct tfs_handle *h = handle_of(fs, handle);
	if (!h)
		return TAGFS_ENOENT;
	tfs_content_put(fs, h->content); /* frees blocks only this version held */
	*h = (struct tfs_handle){ 0 };
	return TAGFS_OK;
}

int tagfs_delete(struct tagfs *fs, uint64_t id)
{
	int err = tfs_writable(fs);
	if (err)
		return err;
	if (!tfs_file_find(fs, id))
		return TAGFS_ENOENT;
	struct tfs_buf txn = { 0 };
	tfs_buf_u(&txn, 1, REC_FILE_DEL);
	tfs_buf_u(&txn, 4, 8);
	tfs_buf_u(&txn, 8, id);
	err = tfs_commit(fs, &txn);
	tfs_buf_free(&txn);
	return err;
}

int tagfs_rename(struct tagfs *fs, uint64_t id, const char *name)
{
	int err = tfs_writable(fs);
	if (err)
		return err;
	if (!tfs_file_find(fs, id))
		return TAGFS_ENOENT;
	if (!name_arg_ok(name))
		return TAGFS_EINVAL;
	size_t nlen = name ? strlen(name) : 0;
	struct tfs_buf txn = { 0 };
	tfs_buf_u(&txn, 1, REC_FILE_NAME);
	tfs_buf_u(&txn, 4, 9 + nlen);
	tfs_buf_u(&txn, 8, id);
	tfs_buf_u(&txn, 1, nlen);
	tfs_buf_put(&txn, name, nlen);
	err = tfs_commit(fs, &txn);
	tfs_buf_free(&txn);
	return err;
}

static int change_tag(struct tagfs *fs, uint64_t id, const char *tag, bool set)
{
	int err = tfs_writable(fs);
	if (err)
		return err;
	struct tfs_file *f = tfs_file_find(fs, id);
	if (!f)
		return TAGFS_ENOENT;
	if (!tag_arg_ok(tag))
		return TAGFS_EINVAL;
	struct tfs_buf txn = { 0 };
	uint32_t ids[TAGFS_FILE_TAGS_MAX], nids = 0;
	if (set) {
		err = resolve_tags(fs, &txn, &tag, 1, ids, &nids, f->tags, f->ntags);
		if (!err && nids == f->ntags)
			err = TAGFS_EEXIST; /* already tagged */
	} else {
		uint32_t tid;
		err = tfs_tag_find(fs, tag, strlen(tag), &tid);
		for (uint32_t i = 0; i < f->ntags && !err; i++)
			if (f->tags[i] != tid)
				ids[nids++] = f->tags[i];
		if (!err && nids == f->ntags)
			err = TAGFS_ENOENT; /* the file does not carry it */
	}
	if (!err) {
		tfs_buf_u(&txn, 1, REC_FILE_TAGS);
		tfs_buf_u(&txn, 4, 9 + 4 * nids);
		tfs_buf_u(&txn, 8, id);
		put_tags(&txn, ids, nids);
		err = tfs_commit(fs, &txn);
	}
	tfs_buf_free(&txn);
	return err;
}

int tagfs_tag_set(struct tagfs *fs, uint64_t id, const char *tag)
{
	return change_tag(fs, id, tag, true);
}

int tagfs_tag_unset(struct tagfs *fs, uint64_t id, const char *tag)
{
	return change_tag(fs, id, tag, false);
}

int tagfs_getinfo(struct tagfs *fs, uint32_t snap, uint64_t id, struct tagfs_info *out)
{
	const struct tfs_file *f = find_in(fs, snap, id);
	if (!f)
		return TAGFS_ENOENT;
	if (!out)
		return TAGFS_EINVAL;
	*out = (struct tagfs_info){ 0 };
	out->id = f->id;
	out->size = f->content->size;
	out->hash = f->content->hash;
	out->ctime = f->ctime;
	out->mtime = f->mtime;
	out->blocks = f->content->nblocks;
	out->ntags = f->ntags;
	memcpy(out->tags, f->tags, (size_t)f->ntags * 4);
	if (f->name)
		memcpy(out->name, f->name, strlen(f->name) + 1);
	return TAGFS_OK;
}

int tagfs_tag_name(struct tagfs *fs, uint32_t tag, char *buf, size_t len)
{
	if (tag == 0 || tag > fs->ntags)
		return TAGFS_ENOENT;
	const char *n = fs->tags[tag - 1].name;
	size_t l = strlen(n);
	if (!buf || len <= l)
		return TAGFS_EINVAL;
	memcpy(buf, n, l + 1);
	return TAGFS_OK;
}

int tagfs_lookup_name(struct tagfs *fs, const char *name, uint64_t *id_out)
{
	if (!name || !id_out)
		return TAGFS_EINVAL;
	uint64_t best = 0;
	for (uint32_t i = 0; i < fs->nslots; i++) {
		const struct tfs_file *f = fs->slots[i];
		if (f && f->name && !strcmp(f->name, name) && (!best || f->id < best))
			best = f->id;
	}
	if (!best)
		return TAGFS_ENOENT;
	*id_out = best;
	return TAGFS_OK;
}
