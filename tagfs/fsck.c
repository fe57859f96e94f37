/*
 * fsck.c: check and scrub a mounted volume.
 *
 * Metadata is checked copy by copy (superblocks, checkpoint pages, the log
 * blocks in use), so a damaged mirror copy is found even when the good one
 * would have hidden it; with repair a bad copy is rewritten from its twin.
 * When both copies of something are bad, or a superblock is stale, the
 * repair is a new checkpoint: the in-memory state is complete, so it can
 * always be written out again.  Data blocks have one copy on a plain device:
 * one that fails its BoxHash is reported and cannot be repaired here (Braid
 * repairs it underneath, inside dev->read).  File BoxHashes and reference
 * counts are recomputed and compared.
 */
#include "internal.h"

struct fsck {
	struct tagfs *fs;
	struct tagfs_fsck_report *r;
	bool repair;
	bool rewrite;           /* a new checkpoint would fix what was found */
	uint64_t rewrite_fixes; /* problems that checkpoint would repair */
	char rewrite_why[96];   /* the first of them */
	bool repair_can;        /* set while recording a problem repair could fix */
};

static void append(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(dst);
	while (*s && n + 1 < cap)
		dst[n++] = *s++;
	dst[n] = 0;
}

static void append_u64(char *dst, size_t cap, uint64_t v)
{
	char tmp[24];
	int i = 23;
	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	append(dst, cap, tmp + i);
}

/* Records a problem; what says what, n names the block or file. */
static void problem(struct fsck *k, bool fixed, const char *what, uint64_t n)
{
	k->r->problems++;
	if (fixed) {
		k->r->repaired++;
		return;
	}
	if (!k->repair_can)
		k->r->unrepairable++;
	if (!k->r->first[0]) {
		append(k->r->first, sizeof k->r->first, what);
		append_u64(k->r->first, sizeof k->r->first, n);
	}
}

/* Needs the checkpoint rewrite: fixed only if that succeeds. */
static void problem_rewrite(struct fsck *k, const char *what)
{
	if (!k->rewrite)
		append(k->rewrite_why, sizeof k->rewrite_why, what);
	k->r->problems++;
	k->rewrite = true;
	k->rewrite_fixes++;
}

/* Both copies of a mirrored block: a bad one is rewritten from a good one. */
static bool check_pair(struct fsck *k, uint64_t b0, uint64_t b1, uint8_t *buf, uint8_t *other)
{
	struct tagfs_dev *d = k->fs->dev;
	const struct tagfs_check chk = { tfs_meta_ok, NULL };
	int e0 = d->read(d, b0, buf, &chk), e1 = d->read(d, b1, other, &chk);
	k->r->blocks_checked += 2;
	if (!e0 && !e1)
		return true;
	if (e0 && e1) {
		problem_rewrite(k, "both copies of a metadata block fail their checksum");
		return false;
	}
	k->fs->stats.checksum_errors++;
	uint64_t bad = e0 ? b0 : b1;
	const uint8_t *good = e0 ? other : buf;
	bool fixed = k->repair && d->write(d, bad, good) == TAGFS_OK && d->flush(d) == TAGFS_OK;
	if (fixed)
		k->fs->stats.heals++;
	k->repair_can = true;
	problem(k, fixed, "metadata mirror copy fails its checksum: block ", bad);
	k->repair_can = false;
	if (e0)
		memcpy(buf, other, TAGFS_BLOCK_SIZE);
	return true;
}

static void check_meta(struct fsck *k, uint8_t *buf, uint8_t *other)
{
	struct tagfs *fs = k->fs;
	struct tagfs_dev *d = fs->dev;
	const struct tagfs_check chk = { tfs_meta_ok, NULL };
	uint64_t sbb[2] = { 0, fs->nblocks - 1 };
	for (int i = 0; i < 2; i++) {
		k->r->blocks_checked++;
		int err = d->read(d, sbb[i], buf, &chk);
		if (err || tfs_sb_check(buf, fs->nblocks) || tfs_get(buf + SB_GENERATION, 8) != fs->generation ||
		    tfs_get(buf + SB_CP_FIRST0, 8) != fs->cp_first[0])
			problem_rewrite(k, i ? "superblock B damaged or stale" : "superblock A damaged or stale");
	}
	uint64_t b0 = fs->cp_first[0], b1 = fs->cp_first[1];
	for (uint32_t i = 0; i < fs->cp_pages; i++) {
		if (!check_pair(k, b0, b1, buf, other))
			break;
		b0 = tfs_get(buf + CP_NEXT0, 8);
		b1 = tfs_get(buf + CP_NEXT1, 8);
	}
	for (uint64_t s = 0; s < fs->log_seq; s++) {
		if (check_pair(k, fs->log_start + s, fs->log_start + fs->log_blocks + s, buf, other) &&
		    (tfs_get(buf + LOG_EPOCH, 8) != fs->generation || tfs_get(buf + LOG_SEQ, 8) != s))
			problem_rewrite(k, "a DiskBook block in use is stale");
	}
}

static void check_data(struct fsck *k, uint8_t *buf)
{
	struct tagfs *fs = k->fs;
	for (uint64_t b = fs->pool_start; b < fs->pool_end; b++) {
		if (!fs->refs[b])
			continue;
		if (tfs_bit(fs->meta_bits, b))
			problem(k, false, "block used as data and metadata: ", b);
		struct tagfs_check chk = { tfs_data_ok, &fs->bhash[b] };
		k->r->blocks_checked++;
		int err = fs->dev->read(fs->dev, b, buf, &chk);
		if (err == TAGFS_ECORRUPT)
			fs->stats.checksum_errors++;
		if (err)
			problem(k, false, "data block fails its BoxHash (no good copy): block ", b);
	}
}

static void check_content(struct fsck *k, struct tfs_content *c, uint64_t id, uint32_t *count, uint8_t *buf)
{
	struct tagfs *fs = k->fs;
	for (uint32_t i = 0; i < c->nblocks; i++)
		count[c->blocks[i]]++;
	k->r->files_checked++;
	struct tfs_hasher h;
	if (tfs_hasher_begin(&h)) {
		problem(k, false, "out of memory checking file ", id);
		return;
	}
	bool readable = true;
	for (uint32_t i = 0; i < c->nblocks && readable; i++) {
		struct tagfs_check chk = { tfs_data_ok, &fs->bhash[c->blocks[i]] };
		readable = fs->dev->read(fs->dev, c->blocks[i], buf, &chk) == TAGFS_OK;
		uint64_t left = c->size - (uint64_t)i * TAGFS_BLOCK_SIZE;
		tfs_hasher_add(&h, buf, left < TAGFS_BLOCK_SIZE ? (size_t)left : TAGFS_BLOCK_SIZE);
	}
	struct tagfs_hash got = tfs_hasher_end(&h);
	if (readable && !tfs_hash_eq(got, c->hash))
		problem(k, false, "file content does not match its BoxHash: file ", id);
}

static void check_files(struct fsck *k, uint8_t *buf)
{
	struct tagfs *fs = k->fs;
	uint32_t *count = tagfs_zalloc(fs->nblocks * sizeof(uint32_t));
	if (!count) {
		problem(k, false, "out of memory counting references, blocks: ", fs->nblocks);
		return;
	}
	/* index 1 marks a content already checked (it may be shared). */
	for (uint32_t i = 0; i < fs->nslots; i++)
		if (fs->slots[i])
			fs->slots[i]->content->index = 0;
	for (uint32_t s = 0; s < fs->nsnaps; s++)
		for (uint32_t i = 0; i < fs->snaps[s].nfiles; i++)
			fs->snaps[s].files[i].content->index = 0;
	for (uint32_t h = 0; h < TAGFS_HANDLES_MAX; h++)
		if (fs->handles[h].content)
			fs->handles[h].content->index = 0;
	for (uint32_t h = 0; h < TAGFS_HANDLES_MAX; h++) {
		/* A version only an open handle holds is checked like any other. */
		struct tfs_content *c = fs->handles[h].content;
		if (c && !c->index) {
			c->index = 1;
			check_content(k, c, fs->handles[h].id, count, buf);
		}
	}
	for (uint32_t i = 0; i < fs->nslots; i++) {
		struct tfs_file *f = fs->slots[i];
		if (f && !f->content->index) {
			f->content->index = 1;
			check_content(k, f->content, f->id, count, buf);
		}
	}
	for (uint32_t s = 0; s < fs->nsnaps; s++) {
		for (uint32_t i = 0; i < fs->snaps[s].nfiles; i++) {
			struct tfs_file *f = &fs->snaps[s].files[i];
			if (!f->content->index) {
				f->content->index = 1;
				check_content(k, f->content, f->id, count, buf);
			}
		}
	}
	for (uint64_t b = 0; b < fs->nblocks; b++)
		if (count[b] != fs->refs[b])
			problem(k, false, "reference count disagrees with the files: block ", b);
	tagfs_free(count);
}

int tagfs_fsck(struct tagfs *fs, bool repair, struct tagfs_fsck_report *report)
{
	if (!report)
		return TAGFS_EINVAL;
	*report = (struct tagfs_fsck_report){ 0 };
	if (repair && tfs_writable(fs))
		return TAGFS_EROFS;
	uint8_t *buf = tagfs_alloc(TAGFS_BLOCK_SIZE), *other = tagfs_alloc(TAGFS_BLOCK_SIZE);
	if (!buf || !other) {
		tagfs_free(buf);
		tagfs_free(other);
		return TAGFS_ENOMEM;
	}
	struct fsck k = { .fs = fs, .r = report, .repair = repair };
	check_meta(&k, buf, other);
	check_data(&k, buf);
	check_files(&k, buf);
	if (k.rewrite) {
		bool fixed = repair && tfs_checkpoint_write(fs) == TAGFS_OK;
		if (fixed) {
			report->repaired += k.rewrite_fixes;
			fs->stats.heals += k.rewrite_fixes;
		} else if (!report->first[0]) {
			append(report->first, sizeof report->first, k.rewrite_why);
			append(report->first, sizeof report->first, " (repair rewrites the metadata)");
		}
	}
	tagfs_free(buf);
	tagfs_free(other);
	return report->problems == report->repaired ? TAGFS_OK : TAGFS_ECORRUPT;
}
