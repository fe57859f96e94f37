/*
 * checkpoint.c: the checkpoint (the whole metadata as one byte stream, in a
 * chain of mirrored pages) and the superblocks that point at it.
 *
 * Stream (all little-endian; docs/tagfs.md has the table):
 *   header   u32 magic "TFST", u32 version, u64 generation, u64 next file id,
 *            u32 next snapshot id, u32 tags, u32 contents, u32 files,
 *            u32 snapshots, u64 block entries
 *   blocks   {u64 block, u32 refs, hash[16]}      the block table
 *   tags     {u8 len, name}                        ids 1, 2, ... in order
 *   contents {u64 size, hash[16], u32 n, u64 block[n]}
 *   files    {u64 id, u64 ctime, u64 mtime, u32 content, u8 len, name,
 *             u8 ntags, u32 tag[]}                 ascending ids
 *   snaps    {u32 id, u64 time, u8 len, name, u32 nfiles, file rows}
 *
 * Writing one: the pages go to blocks that are free in the current state
 * (so the old checkpoint stays whole), both copies of each, then a flush;
 * then superblock A, flush, superblock B, flush.  Only then are the old
 * pages released.  A power cut anywhere leaves one superblock that points
 * at a complete checkpoint.
 */
#include "internal.h"

/* ---- building the stream ---- */

static void put_row(struct tfs_buf *b, const struct tfs_file *f)
{
	size_t nlen = f->name ? strlen(f->name) : 0;
	tfs_buf_u(b, 8, f->id);
	tfs_buf_u(b, 8, f->ctime);
	tfs_buf_u(b, 8, f->mtime);
	tfs_buf_u(b, 4, f->content->index);
	tfs_buf_u(b, 1, nlen);
	tfs_buf_put(b, f->name, nlen);
	tfs_buf_u(b, 1, f->ntags);
	for (uint32_t i = 0; i < f->ntags; i++)
		tfs_buf_u(b, 4, f->tags[i]);
}

static void index_content(struct tfs_content *c, uint32_t *n, struct tfs_content **order)
{
	if (c->index != UINT32_MAX)
		return;
	c->index = (*n)++;
	order[c->index] = c;
}

int tfs_stream_build(struct tagfs *fs, struct tfs_buf *b)
{
	uint64_t rows = fs->nfiles;
	for (uint32_t s = 0; s < fs->nsnaps; s++)
		rows += fs->snaps[s].nfiles;
	struct tfs_content **order = tagfs_alloc((size_t)(rows ? rows : 1) * sizeof(*order));
	struct tfs_file **live = tagfs_alloc((size_t)(fs->nfiles ? fs->nfiles : 1) * sizeof(*live));
	if (!order || !live) {
		tagfs_free(order);
		tagfs_free(live);
		return TAGFS_ENOMEM;
	}
	/* Live files in id order: ids grow with time, so sort the few out of place. */
	uint32_t nlive = 0;
	for (uint32_t i = 0; i < fs->nslots; i++)
		if (fs->slots[i])
			live[nlive++] = fs->slots[i];
	for (uint32_t i = 1; i < nlive; i++) {
		struct tfs_file *t = live[i];
		uint32_t j = i;
		for (; j > 0 && live[j - 1]->id > t->id; j--)
			live[j] = live[j - 1];
		live[j] = t;
	}
	for (uint32_t i = 0; i < nlive; i++)
		live[i]->content->index = UINT32_MAX;
	for (uint32_t s = 0; s < fs->nsnaps; s++)
		for (uint32_t i = 0; i < fs->snaps[s].nfiles; i++)
			fs->snaps[s].files[i].content->index = UINT32_MAX;
	uint32_t ncontents = 0;
	for (uint32_t i = 0; i < nlive; i++)
		index_content(live[i]->content, &ncontents, order);
	for (uint32_t s = 0; s < fs->nsnaps; s++)
		for (uint32_t i = 0; i < fs->snaps[s].nfiles; i++)
			index_content(fs->snaps[s].files[i].content, &ncontents, order);

	/* The block table counts what the checkpoint's contents name: a version
	 * only an open handle holds is not on disk and its blocks are free there. */
	uint32_t *count = tagfs_zalloc(fs->nblocks * sizeof(uint32_t));
	if (!count) {
		tagfs_free(order);
		tagfs_free(live);
		return TAGFS_ENOMEM;
	}
	uint64_t entries = 0;
	for (uint32_t i = 0; i < ncontents; i++)
		for (uint32_t k = 0; k < order[i]->nblocks; k++)
			entries += count[order[i]->blocks[k]]++ == 0;

	tfs_buf_u(b, 4, TFS_STREAM_MAGIC);
	tfs_buf_u(b, 4, TFS_VERSION);
	tfs_buf_u(b, 8, fs->generation + 1);
	tfs_buf_u(b, 8, fs->next_file_id);
	tfs_buf_u(b, 4, fs->next_snap_id);
	tfs_buf_u(b, 4, fs->ntags);
	tfs_buf_u(b, 4, ncontents);
	tfs_buf_u(b, 4, nlive);
	tfs_buf_u(b, 4, fs->nsnaps);
	tfs_buf_u(b, 8, entries);
	for (uint64_t blk = fs->pool_start; blk < fs->pool_end; blk++) {
		if (!count[blk])
			continue;
		tfs_buf_u(b, 8, blk);
		tfs_buf_u(b, 4, count[blk]);
		tfs_buf_hash(b, fs->bhash[blk]);
	}
	tagfs_free(count);
	for (uint32_t i = 0; i < fs->ntags; i++) {
		size_t len = strlen(fs->tags[i].name);
		tfs_buf_u(b, 1, len);
		tfs_buf_put(b, fs->tags[i].name, len);
	}
	for (uint32_t i = 0; i < ncontents; i++) {
		const struct tfs_content *c = order[i];
		tfs_buf_u(b, 8, c->size);
		tfs_buf_hash(b, c->hash);
		tfs_buf_u(b, 4, c->nblocks);
		for (uint32_t k = 0; k < c->nblocks; k++)
			tfs_buf_u(b, 8, c->blocks[k]);
	}
	for (uint32_t i = 0; i < nlive; i++)
		put_row(b, live[i]);
	for (uint32_t s = 0; s < fs->nsnaps; s++) {
		const struct tfs_snap *sn = &fs->snaps[s];
		size_t len = strlen(sn->name);
		tfs_buf_u(b, 4, sn->id);
		tfs_buf_u(b, 8, sn->time);
		tfs_buf_u(b, 1, len);
		tfs_buf_put(b, sn->name, len);
		tfs_buf_u(b, 4, sn->nfiles);
		for (uint32_t i = 0; i < sn->nfiles; i++)
			put_row(b, &sn->files[i]);
	}
	tagfs_free(order);
	tagfs_free(live);
	return b->failed ? TAGFS_ENOMEM : TAGFS_OK;
}

/* ---- loading the stream (untrusted bytes) ---- */

struct load {
	struct tfs_rd r;
	struct tfs_content **contents;
	uint32_t ncontents;
};

/* One file row; the record encoding of a row is checked like a log record. */
static int load_row(struct tagfs *fs, struct load *ld, struct tfs_file *f)
{
	struct tfs_rd *r = &ld->r;
	f->id = tfs_rd_u(r, 8);
	f->ctime = tfs_rd_u(r, 8);
	f->mtime = tfs_rd_u(r, 8);
	uint32_t ci = (uint32_t)tfs_rd_u(r, 4);
	size_t nlen = (size_t)tfs_rd_u(r, 1);
	const uint8_t *name = tfs_rd_bytes(r, nlen);
	f->ntags = (uint32_t)tfs_rd_u(r, 1);
	if (r->bad || ci >= ld->ncontents || f->id == 0 || f->id >= fs->next_file_id ||
	    nlen > TAGFS_NAME_MAX || f->ntags > TAGFS_FILE_TAGS_MAX)
		return TAGFS_ECORRUPT;
	for (size_t i = 0; i < nlen; i++)
		if (name[i] < ' ' || name[i] == 0x7f)
			return TAGFS_ECORRUPT;
	f->tags = tagfs_alloc((size_t)f->ntags * 4);
	f->name = nlen ? tfs_strndup((const char *)name, nlen) : NULL;
	if (!f->tags || (nlen && !f->name))
		return TAGFS_ENOMEM;
	for (uint32_t i = 0; i < f->ntags; i++) {
		f->tags[i] = (uint32_t)tfs_rd_u(r, 4);
		if (r->bad || f->tags[i] == 0 || f->tags[i] > fs->ntags || (i && f->tags[i] <= f->tags[i - 1]))
			return TAGFS_ECORRUPT;
	}
	f->content = ld->contents[ci];
	f->content->refs++;
	return TAGFS_OK;
}

static void free_row(struct tagfs *fs, struct tfs_file *f)
{
	if (f->content)
		tfs_content_put(fs, f->content);
	tagfs_free(f->name);
	tagfs_free(f->tags);
	*f = (struct tfs_file){ 0 };
}

static int load_body(struct tagfs *fs, struct load *ld)
{
	struct tfs_rd *r = &ld->r;
	uint32_t magic = (uint32_t)tfs_rd_u(r, 4), version = (uint32_t)tfs_rd_u(r, 4);
	uint64_t gen = tfs_rd_u(r, 8);
	fs->next_file_id = tfs_rd_u(r, 8);
	fs->next_snap_id = (uint32_t)tfs_rd_u(r, 4);
	uint32_t ntags = (uint32_t)tfs_rd_u(r, 4), ncontents = (uint32_t)tfs_rd_u(r, 4);
	uint32_t nfiles = (uint32_t)tfs_rd_u(r, 4), nsnaps = (uint32_t)tfs_rd_u(r, 4);
	uint64_t nbent = tfs_rd_u(r, 8);
	size_t left = r->len - r->pos;
	if (r->bad || magic != TFS_STREAM_MAGIC || version != TFS_VERSION || gen != fs->generation ||
	    fs->next_file_id == 0 || fs->next_snap_id == 0 || ntags > left / 2 ||
	    ncontents > left / 28 || nfiles > left / 30 || nsnaps > left / 17 || nbent > left / 28)
		return TAGFS_ECORRUPT;

	/* Block table: remembered in bhash and checked against the contents below. */
	uint32_t *want = tagfs_zalloc(fs->nblocks * sizeof(uint32_t));
	if (!want)
		return TAGFS_ENOMEM;
	int err = TAGFS_OK;
	uint64_t prev = 0;
	for (uint64_t i = 0; i < nbent && !err; i++) {
		uint64_t b = tfs_rd_u(r, 8);
		uint32_t refs = (uint32_t)tfs_rd_u(r, 4);
		struct tagfs_hash h = tfs_rd_hash(r);
		if (r->bad || b < fs->pool_start || b >= fs->pool_end || b <= prev || refs == 0 ||
		    tfs_bit(fs->meta_bits, b))
			err = TAGFS_ECORRUPT;
		else {
			want[b] = refs;
			fs->bhash[b] = h;
			prev = b;
		}
	}
	for (uint32_t i = 0; i < ntags && !err; i++) {
		size_t len = (size_t)tfs_rd_u(r, 1);
		const uint8_t *name = tfs_rd_bytes(r, len);
		uint32_t dummy;
		if (r->bad || len == 0 || len > TAGFS_TAG_MAX || name[0] == '-' ||
		    tfs_tag_find(fs, (const char *)name, len, &dummy) == TAGFS_OK)
			err = TAGFS_ECORRUPT;
		for (size_t k = 0; !err && k < len; k++)
			if (name[k] <= ' ' || name[k] == 0x7f)
				err = TAGFS_ECORRUPT;
		if (!err)
			err = tfs_add_tag(fs, (const char *)name, len);
	}
	if (!err) {
		ld->contents = tagfs_zalloc((size_t)(ncontents ? ncontents : 1) * sizeof(*ld->contents));
		if (!ld->contents)
			err = TAGFS_ENOMEM;
	}
	for (uint32_t i = 0; i < ncontents && !err; i++) {
		uint64_t size = tfs_rd_u(r, 8);
		struct tagfs_hash h = tfs_rd_hash(r);
		uint64_t n = tfs_rd_u(r, 4);
		if (r->bad || size > TFS_FILE_MAX || n != tfs_blocks_for(size) || n > (r->len - r->pos) / 8) {
			err = TAGFS_ECORRUPT;
			break;
		}
		struct tfs_content *c = tagfs_zalloc(sizeof(*c));
		struct tagfs_hash *hashes = tagfs_alloc((size_t)n * sizeof(*hashes));
		if (c)
			c->blocks = tagfs_alloc((size_t)n * 8);
		if (!c || !c->blocks || !hashes) {
			if (c)
				tagfs_free(c->blocks);
			tagfs_free(c);
			tagfs_free(hashes);
			err = TAGFS_ENOMEM;
			break;
		}
		c->size = size;
		c->hash = h;
		c->nblocks = (uint32_t)n;
		c->refs = 1; /* held by the loader until the rows take it */
		for (uint32_t k = 0; k < n && !err; k++) {
			uint64_t b = tfs_rd_u(r, 8);
			if (b < fs->pool_start || b >= fs->pool_end || !want[b])
				err = TAGFS_ECORRUPT;
			else {
				c->blocks[k] = b;
				hashes[k] = fs->bhash[b];
			}
		}
		if (!err)
			err = tfs_content_ref_blocks(fs, c, hashes);
		tagfs_free(hashes);
		if (err) {
			c->nblocks = 0;
			tfs_content_put(fs, c);
			break;
		}
		ld->contents[i] = c;
		ld->ncontents = i + 1;
	}
	if (!err) {
		for (uint64_t b = fs->pool_start; b < fs->pool_end; b++)
			if (fs->refs[b] != want[b])
				err = TAGFS_ECORRUPT; /* the block table disagrees with the files */
	}
	tagfs_free(want);
	if (err)
		return err;

	uint64_t prev_id = 0;
	for (uint32_t i = 0; i < nfiles; i++) {
		struct tfs_file *f = tagfs_zalloc(sizeof(*f));
		if (!f)
			return TAGFS_ENOMEM;
		err = load_row(fs, ld, f);
		if (!err && f->id <= prev_id)
			err = TAGFS_ECORRUPT;
		if (!err)
			err = tfs_add_file(fs, f);
		if (err) {
			free_row(fs, f);
			tagfs_free(f);
			return err;
		}
		prev_id = f->id;
	}
	fs->snaps = tagfs_zalloc((size_t)(nsnaps ? nsnaps : 1) * sizeof(*fs->snaps));
	if (!fs->snaps)
		return TAGFS_ENOMEM;
	fs->snaps_cap = nsnaps ? nsnaps : 1;
	uint32_t prev_snap = 0;
	for (uint32_t s = 0; s < nsnaps; s++) {
		struct tfs_snap *sn = &fs->snaps[fs->nsnaps];
		sn->id = (uint32_t)tfs_rd_u(r, 4);
		sn->time = tfs_rd_u(r, 8);
		size_t len = (size_t)tfs_rd_u(r, 1);
		const uint8_t *name = tfs_rd_bytes(r, len);
		uint32_t n = (uint32_t)tfs_rd_u(r, 4);
		if (r->bad || sn->id <= prev_snap || sn->id >= fs->next_snap_id || len > TAGFS_NAME_MAX ||
		    n > (r->len - r->pos) / 30)
			return TAGFS_ECORRUPT;
		for (size_t k = 0; k < len; k++)
			if (name[k] < ' ' || name[k] == 0x7f)
				return TAGFS_ECORRUPT;
		sn->name = tfs_strndup((const char *)name, len);
		sn->files = tagfs_zalloc((size_t)(n ? n : 1) * sizeof(*sn->files));
		fs->nsnaps++; /* from here on tfs_state_free() cleans it up */
		if (!sn->name || !sn->files)
			return TAGFS_ENOMEM;
		for (uint32_t i = 0; i < n; i++) {
			err = load_row(fs, ld, &sn->files[i]);
			if (!err && i && sn->files[i].id <= sn->files[i - 1].id)
				err = TAGFS_ECORRUPT;
			sn->nfiles = i + 1;
			if (err)
				return err;
		}
		prev_snap = sn->id;
	}
	if (r->pos != r->len)
		return TAGFS_ECORRUPT;
	return TAGFS_OK;
}

int tfs_stream_load(struct tagfs *fs, const uint8_t *p, size_t len)
{
	struct load ld = { .r = { .p = p, .len = len } };
	int err = load_body(fs, &ld);
	/* Drop the loader's hold on each content; one no row took is freed here. */
	for (uint32_t i = 0; i < ld.ncontents; i++) {
		struct tfs_content *c = ld.contents[i];
		if (c->refs == 1 && !err)
			err = TAGFS_ECORRUPT; /* a content no file uses: not what we write */
		tfs_content_put(fs, c);
	}
	tagfs_free(ld.contents);
	return err;
}

/* ---- superblock ---- */

int tfs_sb_check(const uint8_t *sb, uint64_t dev_blocks)
{
	if (tfs_get(sb + SB_MAGIC, 8) != TFS_SB_MAGIC)
		return TAGFS_EFORMAT;
	if (tfs_get(sb + SB_VERSION, 4) != TFS_VERSION || tfs_get(sb + SB_INCOMPAT, 4) != 0)
		return TAGFS_EFORMAT;
	uint64_t n = tfs_get(sb + SB_TOTAL_BLOCKS, 8), L = tfs_get(sb + SB_LOG_BLOCKS, 4);
	if (tfs_get(sb + SB_BLOCK_SIZE, 4) != TAGFS_BLOCK_SIZE || n != dev_blocks || n < TFS_MIN_BLOCKS ||
	    L < TFS_LOG_MIN || L > TFS_LOG_MAX || tfs_get(sb + SB_LOG_START, 8) != 2 ||
	    tfs_get(sb + SB_POOL_START, 8) != 2 + 2 * L || tfs_get(sb + SB_POOL_END, 8) != n - 1 ||
	    2 + 2 * L + 8 > n - 1)
		return TAGFS_ECORRUPT;
	return TAGFS_OK;
}

static void sb_fill(struct tagfs *fs, uint8_t *sb, uint64_t gen, const uint64_t first[2],
		    uint32_t pages, uint64_t bytes, struct tagfs_hash h)
{
	memset(sb, 0, TAGFS_BLOCK_SIZE);
	tfs_put(sb + SB_MAGIC, 8, TFS_SB_MAGIC);
	tfs_put(sb + SB_VERSION, 4, TFS_VERSION);
	tfs_put(sb + SB_BLOCK_SIZE, 4, TAGFS_BLOCK_SIZE);
	tfs_put(sb + SB_LOG_BLOCKS, 4, fs->log_blocks);
	tfs_put(sb + SB_TOTAL_BLOCKS, 8, fs->nblocks);
	tfs_put(sb + SB_VOLUME_ID, 8, fs->volume_id);
	tfs_put(sb + SB_GENERATION, 8, gen);
	tfs_put(sb + SB_LOG_START, 8, fs->log_start);
	tfs_put(sb + SB_POOL_START, 8, fs->pool_start);
	tfs_put(sb + SB_POOL_END, 8, fs->pool_end);
	tfs_put(sb + SB_CP_FIRST0, 8, first[0]);
	tfs_put(sb + SB_CP_FIRST1, 8, first[1]);
	tfs_put(sb + SB_CP_PAGES, 4, pages);
	tfs_put(sb + SB_CP_BYTES, 8, bytes);
	tfs_put_hash(sb + SB_CP_HASH, h);
	tfs_meta_seal(sb);
}

/* ---- writing a checkpoint ---- */

int tfs_checkpoint_write(struct tagfs *fs)
{
	if (fs->readonly)
		return TAGFS_EROFS;
	if (fs->broken)
		return TAGFS_EROFS;
	struct tfs_buf st = { 0 };
	int err = tfs_stream_build(fs, &st);
	if (err) {
		tfs_buf_free(&st);
		return err;
	}
	uint64_t pages = st.len ? (st.len + CP_PAYLOAD_MAX - 1) / CP_PAYLOAD_MAX : 1;
	uint64_t *blocks = tagfs_alloc((size_t)pages * 2 * 8);
	uint8_t *blk = tagfs_alloc(TAGFS_BLOCK_SIZE);
	if (!blocks || !blk) {
		err = TAGFS_ENOMEM;
		goto out;
	}
	/* Pages go to free blocks: never over the checkpoint in force. */
	uint64_t found = 0;
	for (uint64_t b = fs->pool_start; b < fs->pool_end && found < pages * 2; b++)
		if (tfs_block_free(fs, b))
			blocks[found++] = b;
	if (found < pages * 2) {
		err = TAGFS_ENOSPC;
		goto out;
	}
	uint64_t gen = fs->generation + 1;
	for (uint64_t i = 0; i < pages && !err; i++) {
		size_t off = (size_t)i * CP_PAYLOAD_MAX;
		size_t len = st.len - off < CP_PAYLOAD_MAX ? st.len - off : CP_PAYLOAD_MAX;
		memset(blk, 0, TAGFS_BLOCK_SIZE);
		tfs_put(blk + CP_MAGIC, 4, TFS_CP_MAGIC);
		tfs_put(blk + CP_LEN, 4, len);
		tfs_put(blk + CP_GENERATION, 8, gen);
		tfs_put(blk + CP_INDEX, 4, i);
		tfs_put(blk + CP_NEXT0, 8, i + 1 < pages ? blocks[2 * (i + 1)] : 0);
		tfs_put(blk + CP_NEXT1, 8, i + 1 < pages ? blocks[2 * (i + 1) + 1] : 0);
		memcpy(blk + CP_PAYLOAD, st.data + off, len);
		err = tfs_meta_write(fs, blocks[2 * i], blocks[2 * i + 1], blk);
	}
	if (!err)
		err = fs->dev->flush(fs->dev);
	if (err)
		goto out; /* nothing points at the new pages: the old checkpoint stands */
	uint64_t first[2] = { blocks[0], blocks[1] };
	sb_fill(fs, blk, gen, first, (uint32_t)pages, st.len, tfs_hash(st.data, st.len));
	err = fs->dev->write(fs->dev, 0, blk);
	if (!err)
		err = fs->dev->flush(fs->dev);
	if (!err)
		err = fs->dev->write(fs->dev, fs->nblocks - 1, blk);
	if (!err)
		err = fs->dev->flush(fs->dev);
	if (err) {
		/* Superblock A may name the new checkpoint: memory no longer knows
		 * which epoch the disk is in, so stop changing anything. */
		fs->broken = true;
		goto out;
	}
	memset(fs->meta_bits, 0, (size_t)((fs->nblocks + 63) / 64) * 8);
	for (uint64_t i = 0; i < pages * 2; i++)
		tfs_bit_set(fs->meta_bits, blocks[i]);
	fs->meta_blocks = pages * 2;
	fs->generation = gen;
	fs->cp_first[0] = first[0];
	fs->cp_first[1] = first[1];
	fs->cp_pages = (uint32_t)pages;
	fs->log_seq = 0;
	fs->log_txn = 0;
	fs->log_suspect = false;
	fs->stats.checkpoints++;
out:
	tagfs_free(blocks);
	tagfs_free(blk);
	tfs_buf_free(&st);
	return err;
}

/* ---- loading a checkpoint ---- */

static void say(char *why, size_t len, const char *msg)
{
	if (why && len) {
		size_t n = strlen(msg);
		if (n >= len)
			n = len - 1;
		memcpy(why, msg, n);
		why[n] = 0;
	}
}

int tfs_checkpoint_load(struct tagfs *fs, const uint8_t *sb, char *why, size_t why_len)
{
	fs->generation = tfs_get(sb + SB_GENERATION, 8);
	fs->cp_first[0] = tfs_get(sb + SB_CP_FIRST0, 8);
	fs->cp_first[1] = tfs_get(sb + SB_CP_FIRST1, 8);
	fs->cp_pages = (uint32_t)tfs_get(sb + SB_CP_PAGES, 4);
	uint64_t bytes = tfs_get(sb + SB_CP_BYTES, 8);
	struct tagfs_hash want = tfs_get_hash(sb + SB_CP_HASH);
	uint64_t pool = fs->pool_end - fs->pool_start;
	if (fs->cp_pages == 0 || fs->cp_pages > pool / 2 || bytes > (uint64_t)fs->cp_pages * CP_PAYLOAD_MAX ||
	    bytes <= (uint64_t)(fs->cp_pages - 1) * CP_PAYLOAD_MAX) {
		say(why, why_len, "superblock: checkpoint size out of range");
		return TAGFS_ECORRUPT;
	}
	uint8_t *stream = tagfs_alloc((size_t)bytes);
	uint8_t *blk = tagfs_alloc(TAGFS_BLOCK_SIZE);
	int err = TAGFS_OK;
	if (!stream || !blk) {
		err = TAGFS_ENOMEM;
		goto out;
	}
	uint64_t b0 = fs->cp_first[0], b1 = fs->cp_first[1], off = 0;
	for (uint32_t i = 0; i < fs->cp_pages; i++) {
		if (b0 < fs->pool_start || b0 >= fs->pool_end || b1 < fs->pool_start || b1 >= fs->pool_end ||
		    b0 == b1 || tfs_bit(fs->meta_bits, b0) || tfs_bit(fs->meta_bits, b1)) {
			say(why, why_len, "checkpoint: page pointer out of range or repeated");
			err = TAGFS_ECORRUPT;
			goto out;
		}
		tfs_bit_set(fs->meta_bits, b0);
		tfs_bit_set(fs->meta_bits, b1);
		fs->meta_blocks += 2;
		err = tfs_meta_read(fs, b0, b1, blk);
		if (err) {
			say(why, why_len, err == TAGFS_ECORRUPT ? "checkpoint: page fails its checksum in both copies"
								: "checkpoint: page unreadable");
			goto out;
		}
		uint64_t len = tfs_get(blk + CP_LEN, 4);
		bool last = i + 1 == fs->cp_pages;
		if (tfs_get(blk + CP_MAGIC, 4) != TFS_CP_MAGIC || tfs_get(blk + CP_GENERATION, 8) != fs->generation ||
		    tfs_get(blk + CP_INDEX, 4) != i || len > CP_PAYLOAD_MAX || len > bytes - off ||
		    (!last && len != CP_PAYLOAD_MAX) || (last && off + len != bytes)) {
			say(why, why_len, "checkpoint: page header does not match the superblock");
			err = TAGFS_ECORRUPT;
			goto out;
		}
		memcpy(stream + off, blk + CP_PAYLOAD, (size_t)len);
		off += len;
		b0 = tfs_get(blk + CP_NEXT0, 8);
		b1 = tfs_get(blk + CP_NEXT1, 8);
	}
	if (!tfs_hash_eq(tfs_hash(stream, (size_t)bytes), want)) {
		say(why, why_len, "checkpoint: stream hash does not match the superblock");
		err = TAGFS_ECORRUPT;
		goto out;
	}
	err = tfs_stream_load(fs, stream, (size_t)bytes);
	if (err == TAGFS_ECORRUPT)
		say(why, why_len, "checkpoint: inconsistent metadata (tags, files or block table)");
out:
	if (err == TAGFS_ENOMEM)
		say(why, why_len, "out of memory loading the checkpoint");
	tagfs_free(stream);
	tagfs_free(blk);
	return err;
}
