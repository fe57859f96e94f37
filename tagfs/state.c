/*
 * state.c: the in-memory model of a mounted volume and tfs_apply(), the one
 * function that changes it.
 *
 * Every change is a DiskBook record (format.h lists them).  A live operation
 * builds its records, commits them to the log, then applies them here; mount
 * replays the log through the same function.  Records come from disk, so
 * each one is checked completely before it changes anything, and a bad one
 * is TAGFS_ECORRUPT.
 *
 * Block reference counts count block-list entries of content objects; a
 * content object is shared by a live file and every snapshot that saw it,
 * so a snapshot costs no block references and writing after a snapshot
 * simply makes a new content object (copy-on-write).
 */
#include "internal.h"

int tfs_state_init(struct tagfs *fs)
{
	uint64_t words = (fs->nblocks + 63) / 64;
	fs->refs = tagfs_zalloc(fs->nblocks * sizeof(uint32_t));
	fs->bhash = tagfs_zalloc(fs->nblocks * sizeof(struct tagfs_hash));
	fs->meta_bits = tagfs_zalloc(words * 8);
	fs->busy_bits = tagfs_zalloc(words * 8);
	if (!fs->refs || !fs->bhash || !fs->meta_bits || !fs->busy_bits)
		return TAGFS_ENOMEM;
	if (tfs_map_init(&fs->tag_by_hash, 64) || tfs_map_init(&fs->file_slot, 64) ||
	    tfs_map_init(&fs->dedup, 64))
		return TAGFS_ENOMEM;
	fs->next_file_id = 1;
	fs->next_snap_id = 1;
	fs->alloc_cursor = fs->pool_start;
	return TAGFS_OK;
}

static void file_clear(struct tagfs *fs, struct tfs_file *f)
{
	if (f->content)
		tfs_content_put(fs, f->content);
	tagfs_free(f->name);
	tagfs_free(f->tags);
	f->content = NULL;
	f->name = NULL;
	f->tags = NULL;
}

void tfs_state_free(struct tagfs *fs)
{
	for (uint32_t i = 0; i < TAGFS_HANDLES_MAX; i++)
		if (fs->handles[i].content)
			tfs_content_put(fs, fs->handles[i].content);
	for (uint32_t i = 0; i < fs->nslots; i++) {
		if (fs->slots[i]) {
			file_clear(fs, fs->slots[i]);
			tagfs_free(fs->slots[i]);
		}
	}
	for (uint32_t i = 0; i < fs->nsnaps; i++) {
		for (uint32_t j = 0; j < fs->snaps[i].nfiles; j++)
			file_clear(fs, &fs->snaps[i].files[j]);
		tagfs_free(fs->snaps[i].files);
		tagfs_free(fs->snaps[i].name);
	}
	for (uint32_t i = 0; i < fs->ntags; i++) {
		tagfs_free(fs->tags[i].name);
		tagfs_free(fs->tags[i].posting);
	}
	tagfs_free(fs->snaps);
	tagfs_free(fs->tags);
	tagfs_free(fs->slots);
	tagfs_free(fs->free_slots);
	tagfs_free(fs->live_bits);
	tagfs_free(fs->refs);
	tagfs_free(fs->bhash);
	tagfs_free(fs->meta_bits);
	tagfs_free(fs->busy_bits);
	tfs_map_free(&fs->tag_by_hash);
	tfs_map_free(&fs->file_slot);
	tfs_map_free(&fs->dedup);
}

/* ---- lookups ---- */

struct tfs_file *tfs_file_find(struct tagfs *fs, uint64_t id)
{
	uint64_t slot;
	if (!tfs_map_get(&fs->file_slot, id, &slot))
		return NULL;
	return fs->slots[slot];
}

int tfs_tag_find(struct tagfs *fs, const char *name, size_t len, uint32_t *id)
{
	uint64_t v;
	if (tfs_map_get(&fs->tag_by_hash, tfs_hash64(name, len), &v)) {
		const char *n = fs->tags[v - 1].name;
		if (strlen(n) == len && !memcmp(n, name, len)) {
			*id = (uint32_t)v;
			return TAGFS_OK;
		}
	}
	/* A 64-bit hash collision: the map holds the other tag; look at all. */
	for (uint32_t i = 0; i < fs->ntags; i++) {
		const char *n = fs->tags[i].name;
		if (strlen(n) == len && !memcmp(n, name, len)) {
			*id = i + 1;
			return TAGFS_OK;
		}
	}
	return TAGFS_ENOENT;
}

struct tfs_snap *tfs_snap_find(struct tagfs *fs, uint32_t id)
{
	for (uint32_t i = 0; i < fs->nsnaps; i++)
		if (fs->snaps[i].id == id)
			return &fs->snaps[i];
	return NULL;
}

const struct tfs_file *tfs_snap_file(const struct tfs_snap *s, uint64_t id)
{
	uint32_t lo = 0, hi = s->nfiles;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->files[mid].id == id)
			return &s->files[mid];
		if (s->files[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool tfs_block_free(const struct tagfs *fs, uint64_t b)
{
	return fs->refs[b] == 0 && !tfs_bit(fs->meta_bits, b) && !tfs_bit(fs->busy_bits, b);
}

/* ---- content objects ---- */

int tfs_content_ref_blocks(struct tagfs *fs, struct tfs_content *c, const struct tagfs_hash *hashes)
{
	for (uint32_t i = 0; i < c->nblocks; i++) {
		uint64_t b = c->blocks[i];
		if (b < fs->pool_start || b >= fs->pool_end || tfs_bit(fs->meta_bits, b) ||
		    fs->refs[b] == UINT32_MAX || (fs->refs[b] && !tfs_hash_eq(fs->bhash[b], hashes[i])))
			goto bad;
		if (fs->refs[b] == 0) {
			/* Same block twice in this list with two different hashes? */
			for (uint32_t j = 0; j < i; j++)
				if (c->blocks[j] == b && !tfs_hash_eq(hashes[j], hashes[i]))
					goto bad;
		}
	}
	for (uint32_t i = 0; i < c->nblocks; i++) {
		uint64_t b = c->blocks[i];
		if (fs->refs[b]++ == 0) {
			fs->bhash[b] = hashes[i];
			fs->data_blocks++;
			if (!tfs_map_get(&fs->dedup, hashes[i].lo, NULL))
				tfs_map_put(&fs->dedup, hashes[i].lo, b); /* best effort: an index */
		}
	}
	return TAGFS_OK;
bad:
	return TAGFS_ECORRUPT;
}

void tfs_content_put(struct tagfs *fs, struct tfs_content *c)
{
	if (--c->refs)
		return;
	for (uint32_t i = 0; i < c->nblocks; i++) {
		uint64_t b = c->blocks[i];
		if (--fs->refs[b] == 0) {
			uint64_t v;
			if (tfs_map_get(&fs->dedup, fs->bhash[b].lo, &v) && v == b)
				tfs_map_del(&fs->dedup, fs->bhash[b].lo);
			fs->bhash[b] = (struct tagfs_hash){ 0, 0 };
			fs->data_blocks--;
		}
	}
	tagfs_free(c->blocks);
	tagfs_free(c);
}

static struct tfs_content *content_new(uint32_t nblocks)
{
	struct tfs_content *c = tagfs_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->blocks = tagfs_alloc((size_t)nblocks * 8);
	if (!c->blocks) {
		tagfs_free(c);
		return NULL;
	}
	c->nblocks = nblocks;
	c->refs = 1;
	return c;
}

/* ---- tags ---- */

static bool tag_name_ok(const uint8_t *s, size_t len)
{
	if (len == 0 || len > TAGFS_TAG_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static bool name_ok(const uint8_t *s, size_t len)
{
	if (len > TAGFS_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < ' ' || s[i] == 0x7f)
			return false;
	return true;
}

int tfs_add_tag(struct tagfs *fs, const char *name, size_t len)
{
	if (fs->ntags == fs->tags_cap) {
		uint32_t cap = fs->tags_cap ? fs->tags_cap * 2 : 16;
		struct tfs_tag *t = tagfs_zalloc(cap * sizeof(*t));
		if (!t)
			return TAGFS_ENOMEM;
		if (fs->ntags)
			memcpy(t, fs->tags, fs->ntags * sizeof(*t));
		tagfs_free(fs->tags);
		fs->tags = t;
		fs->tags_cap = cap;
	}
	struct tfs_tag *t = &fs->tags[fs->ntags];
	t->name = tfs_strndup(name, len);
	t->posting = tagfs_zalloc((size_t)(fs->bitmap_words ? fs->bitmap_words : 1) * 8);
	if (!t->name || !t->posting) {
		tagfs_free(t->name);
		tagfs_free(t->posting);
		*t = (struct tfs_tag){ 0 };
		return TAGFS_ENOMEM;
	}
	t->nfiles = 0;
	fs->ntags++;
	uint64_t h = tfs_hash64(name, len);
	if (!tfs_map_get(&fs->tag_by_hash, h, NULL) && tfs_map_put(&fs->tag_by_hash, h, fs->ntags))
		return TAGFS_ENOMEM;
	return TAGFS_OK;
}

/* ---- live file slots and posting bitmaps ---- */

static int slots_grow(struct tagfs *fs)
{
	uint32_t cap = fs->slots_cap ? fs->slots_cap * 2 : 64;
	uint32_t words = cap / 64;
	struct tfs_file **slots = tagfs_zalloc((size_t)cap * sizeof(*slots));
	uint32_t *free_slots = tagfs_alloc((size_t)cap * 4);
	uint64_t *live = tagfs_zalloc((size_t)words * 8);
	uint64_t **posts = tagfs_zalloc((size_t)(fs->ntags + 1) * sizeof(*posts));
	bool ok = slots && free_slots && live && posts;
	for (uint32_t i = 0; ok && i < fs->ntags; i++)
		ok = (posts[i] = tagfs_zalloc((size_t)words * 8)) != NULL;
	if (!ok) {
		for (uint32_t i = 0; posts && i < fs->ntags; i++)
			tagfs_free(posts[i]);
		tagfs_free(posts);
		tagfs_free(slots);
		tagfs_free(free_slots);
		tagfs_free(live);
		return TAGFS_ENOMEM;
	}
	if (fs->nslots) {
		memcpy(slots, fs->slots, fs->nslots * sizeof(*slots));
		memcpy(live, fs->live_bits, (size_t)fs->bitmap_words * 8);
	}
	if (fs->nfree_slots)
		memcpy(free_slots, fs->free_slots, fs->nfree_slots * 4);
	for (uint32_t i = 0; i < fs->ntags; i++) {
		if (fs->bitmap_words)
			memcpy(posts[i], fs->tags[i].posting, (size_t)fs->bitmap_words * 8);
		tagfs_free(fs->tags[i].posting);
		fs->tags[i].posting = posts[i];
	}
	tagfs_free(posts);
	tagfs_free(fs->slots);
	tagfs_free(fs->free_slots);
	tagfs_free(fs->live_bits);
	fs->slots = slots;
	fs->free_slots = free_slots;
	fs->live_bits = live;
	fs->slots_cap = cap;
	fs->bitmap_words = words;
	return TAGFS_OK;
}

static void posting_set(struct tagfs *fs, const struct tfs_file *f, uint32_t slot, bool on)
{
	for (uint32_t i = 0; i < f->ntags; i++) {
		struct tfs_tag *t = &fs->tags[f->tags[i] - 1];
		if (on) {
			tfs_bit_set(t->posting, slot);
			t->nfiles++;
		} else {
			tfs_bit_clr(t->posting, slot);
			t->nfiles--;
		}
	}
}

/* Takes ownership of f (heap-allocated) and makes it live. */
int tfs_add_file(struct tagfs *fs, struct tfs_file *f)
{
	if (!fs->nfree_slots && fs->nslots == fs->slots_cap) {
		int err = slots_grow(fs);
		if (err)
			return err;
	}
	uint32_t slot = fs->nfree_slots ? fs->free_slots[--fs->nfree_slots] : fs->nslots++;
	if (tfs_map_put(&fs->file_slot, f->id, slot)) {
		fs->free_slots[fs->nfree_slots++] = slot;
		return TAGFS_ENOMEM;
	}
	fs->slots[slot] = f;
	tfs_bit_set(fs->live_bits, slot);
	posting_set(fs, f, slot, true);
	fs->nfiles++;
	fs->logical_bytes += f->content->size;
	return TAGFS_OK;
}

static void remove_file(struct tagfs *fs, uint64_t id)
{
	uint64_t slot;
	if (!tfs_map_get(&fs->file_slot, id, &slot))
		return;
	struct tfs_file *f = fs->slots[slot];
	posting_set(fs, f, (uint32_t)slot, false);
	tfs_bit_clr(fs->live_bits, slot);
	fs->logical_bytes -= f->content->size;
	file_clear(fs, f);
	tagfs_free(f);
	fs->slots[slot] = NULL;
	fs->free_slots[fs->nfree_slots++] = (uint32_t)slot;
	tfs_map_del(&fs->file_slot, id);
	fs->nfiles--;
}

/* ---- sorting (no libc qsort in the kernel) ---- */

static void sort_files(struct tfs_file *a, uint32_t n)
{
	for (uint32_t gap = n / 2; gap; gap = gap == 2 ? 1 : gap * 5 / 11) {
		for (uint32_t i = gap; i < n; i++) {
			struct tfs_file t = a[i];
			uint32_t j = i;
			for (; j >= gap && a[j - gap].id > t.id; j -= gap)
				a[j] = a[j - gap];
			a[j] = t;
		}
	}
}

/* ---- records ---- */

/* Reads a sorted, unique list of known tag ids. */
static bool read_tags(struct tagfs *fs, struct tfs_rd *r, uint32_t *out, uint32_t *n)
{
	*n = (uint32_t)tfs_rd_u(r, 1);
	if (*n > TAGFS_FILE_TAGS_MAX)
		return false;
	for (uint32_t i = 0; i < *n; i++) {
		out[i] = (uint32_t)tfs_rd_u(r, 4);
		if (out[i] == 0 || out[i] > fs->ntags || (i && out[i] <= out[i - 1]))
			return false;
	}
	return !r->bad;
}

static uint32_t *dup_tags(const uint32_t *t, uint32_t n)
{
	uint32_t *p = tagfs_alloc((size_t)n * 4);
	if (p && n)
		memcpy(p, t, (size_t)n * 4);
	return p;
}

static int apply_file_new(struct tagfs *fs, struct tfs_rd *r)
{
	uint64_t id = tfs_rd_u(r, 8), time = tfs_rd_u(r, 8);
	size_t nlen = (size_t)tfs_rd_u(r, 1);
	const uint8_t *name = tfs_rd_bytes(r, nlen);
	uint32_t tags[TAGFS_FILE_TAGS_MAX], ntags;
	if (r->bad || id != fs->next_file_id || !name_ok(name, nlen) || !read_tags(fs, r, tags, &ntags))
		return TAGFS_ECORRUPT;
	struct tfs_file *f = tagfs_zalloc(sizeof(*f));
	if (!f)
		return TAGFS_ENOMEM;
	f->id = id;
	f->ctime = f->mtime = time;
	f->ntags = ntags;
	f->tags = dup_tags(tags, ntags);
	f->name = nlen ? tfs_strndup((const char *)name, nlen) : NULL;
	f->content = content_new(0);
	if (f->content)
		f->content->hash = tfs_hash("", 0);
	if (!f->tags || (nlen && !f->name) || !f->content) {
		file_clear(fs, f);
		tagfs_free(f);
		return TAGFS_ENOMEM;
	}
	int err = tfs_add_file(fs, f);
	if (err) {
		file_clear(fs, f);
		tagfs_free(f);
		return err;
	}
	fs->next_file_id++;
	return TAGFS_OK;
}

static int apply_file_data(struct tagfs *fs, struct tfs_rd *r)
{
	uint64_t id = tfs_rd_u(r, 8), time = tfs_rd_u(r, 8), size = tfs_rd_u(r, 8);
	struct tagfs_hash hash = tfs_rd_hash(r);
	uint64_t n = tfs_rd_u(r, 4);
	struct tfs_file *f = tfs_file_find(fs, id);
	if (r->bad || !f || size > TFS_FILE_MAX || n != tfs_blocks_for(size) ||
	    n > (r->len - r->pos) / 24)
		return TAGFS_ECORRUPT;
	struct tfs_content *c = content_new((uint32_t)n);
	struct tagfs_hash *hashes = tagfs_alloc((size_t)n * sizeof(*hashes));
	if (!c || !hashes) {
		if (c)
			tfs_content_put(fs, (c->nblocks = 0, c));
		tagfs_free(hashes);
		return TAGFS_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		c->blocks[i] = tfs_rd_u(r, 8);
		hashes[i] = tfs_rd_hash(r);
	}
	c->size = size;
	c->hash = hash;
	int err = tfs_content_ref_blocks(fs, c, hashes);
	tagfs_free(hashes);
	if (err) {
		c->nblocks = 0;
		tfs_content_put(fs, c);
		return err;
	}
	fs->logical_bytes += size - f->content->size;
	tfs_content_put(fs, f->content);
	f->content = c;
	f->mtime = time;
	return TAGFS_OK;
}

static int apply_file_tags(struct tagfs *fs, struct tfs_rd *r)
{
	uint64_t id = tfs_rd_u(r, 8);
	uint32_t tags[TAGFS_FILE_TAGS_MAX], ntags;
	uint64_t slot;
	if (!read_tags(fs, r, tags, &ntags) || !tfs_map_get(&fs->file_slot, id, &slot))
		return TAGFS_ECORRUPT;
	struct tfs_file *f = fs->slots[slot];
	uint32_t *t = dup_tags(tags, ntags);
	if (!t)
		return TAGFS_ENOMEM;
	posting_set(fs, f, (uint32_t)slot, false);
	tagfs_free(f->tags);
	f->tags = t;
	f->ntags = ntags;
	posting_set(fs, f, (uint32_t)slot, true);
	return TAGFS_OK;
}

static int apply_file_name(struct tagfs *fs, struct tfs_rd *r)
{
	uint64_t id = tfs_rd_u(r, 8);
	size_t nlen = (size_t)tfs_rd_u(r, 1);
	const uint8_t *name = tfs_rd_bytes(r, nlen);
	struct tfs_file *f = tfs_file_find(fs, id);
	if (r->bad || !f || !name_ok(name, nlen))
		return TAGFS_ECORRUPT;
	char *n = nlen ? tfs_strndup((const char *)name, nlen) : NULL;
	if (nlen && !n)
		return TAGFS_ENOMEM;
	tagfs_free(f->name);
	f->name = n;
	return TAGFS_OK;
}

static int snap_copy_file(struct tfs_file *dst, const struct tfs_file *src)
{
	*dst = *src;
	dst->name = src->name ? tfs_strndup(src->name, strlen(src->name)) : NULL;
	dst->tags = dup_tags(src->tags, src->ntags);
	if ((src->name && !dst->name) || !dst->tags) {
		tagfs_free(dst->name);
		tagfs_free(dst->tags);
		return TAGFS_ENOMEM;
	}
	dst->content->refs++;
	return TAGFS_OK;
}

static int apply_snap_new(struct tagfs *fs, struct tfs_rd *r)
{
	uint32_t id = (uint32_t)tfs_rd_u(r, 4);
	uint64_t time = tfs_rd_u(r, 8);
	size_t nlen = (size_t)tfs_rd_u(r, 1);
	const uint8_t *name = tfs_rd_bytes(r, nlen);
	if (r->bad || id != fs->next_snap_id || !name_ok(name, nlen))
		return TAGFS_ECORRUPT;
	if (fs->nsnaps == fs->snaps_cap) {
		uint32_t cap = fs->snaps_cap ? fs->snaps_cap * 2 : 8;
		struct tfs_snap *s = tagfs_zalloc(cap * sizeof(*s));
		if (!s)
			return TAGFS_ENOMEM;
		if (fs->nsnaps)
			memcpy(s, fs->snaps, fs->nsnaps * sizeof(*s));
		tagfs_free(fs->snaps);
		fs->snaps = s;
		fs->snaps_cap = cap;
	}
	struct tfs_snap s = { .id = id, .time = time };
	s.name = tfs_strndup((const char *)name, nlen);
	s.files = tagfs_zalloc((size_t)(fs->nfiles ? fs->nfiles : 1) * sizeof(struct tfs_file));
	if (!s.name || !s.files)
		goto nomem;
	for (uint32_t i = 0; i < fs->nslots; i++) {
		if (!fs->slots[i])
			continue;
		if (snap_copy_file(&s.files[s.nfiles], fs->slots[i]))
			goto nomem;
		s.nfiles++;
	}
	sort_files(s.files, s.nfiles);
	fs->snaps[fs->nsnaps++] = s;
	fs->next_snap_id++;
	return TAGFS_OK;
nomem:
	for (uint32_t i = 0; i < s.nfiles; i++)
		file_clear(fs, &s.files[i]);
	tagfs_free(s.files);
	tagfs_free(s.name);
	return TAGFS_ENOMEM;
}

static int apply_snap_del(struct tagfs *fs, struct tfs_rd *r)
{
	uint32_t id = (uint32_t)tfs_rd_u(r, 4);
	struct tfs_snap *s = r->bad ? NULL : tfs_snap_find(fs, id);
	if (!s)
		return TAGFS_ECORRUPT;
	for (uint32_t i = 0; i < s->nfiles; i++)
		file_clear(fs, &s->files[i]);
	tagfs_free(s->files);
	tagfs_free(s->name);
	uint32_t at = (uint32_t)(s - fs->snaps);
	memmove(s, s + 1, (fs->nsnaps - at - 1) * sizeof(*s));
	fs->nsnaps--;
	return TAGFS_OK;
}

static int apply_one(struct tagfs *fs, uint8_t type, struct tfs_rd *r)
{
	switch (type) {
	case REC_TAG_NEW: {
		uint32_t id = (uint32_t)tfs_rd_u(r, 4), dummy;
		size_t len = (size_t)tfs_rd_u(r, 1);
		const uint8_t *name = tfs_rd_bytes(r, len);
		if (r->bad || id != fs->ntags + 1 || !tag_name_ok(name, len) ||
		    tfs_tag_find(fs, (const char *)name, len, &dummy) == TAGFS_OK)
			return TAGFS_ECORRUPT;
		return tfs_add_tag(fs, (const char *)name, len);
	}
	case REC_FILE_NEW:
		return apply_file_new(fs, r);
	case REC_FILE_DATA:
		return apply_file_data(fs, r);
	case REC_FILE_TAGS:
		return apply_file_tags(fs, r);
	case REC_FILE_NAME:
		return apply_file_name(fs, r);
	case REC_FILE_DEL: {
		uint64_t id = tfs_rd_u(r, 8);
		if (r->bad || !tfs_file_find(fs, id))
			return TAGFS_ECORRUPT;
		remove_file(fs, id);
		return TAGFS_OK;
	}
	case REC_SNAP_NEW:
		return apply_snap_new(fs, r);
	case REC_SNAP_DEL:
		return apply_snap_del(fs, r);
	default:
		return TAGFS_ECORRUPT;
	}
}

int tfs_apply(struct tagfs *fs, const uint8_t *payload, size_t len)
{
	struct tfs_rd all = { .p = payload, .len = len };
	while (all.pos < all.len) {
		uint8_t type = (uint8_t)tfs_rd_u(&all, 1);
		uint32_t blen = (uint32_t)tfs_rd_u(&all, 4);
		const uint8_t *body = tfs_rd_bytes(&all, blen);
		if (all.bad)
			return TAGFS_ECORRUPT;
		struct tfs_rd r = { .p = body, .len = blen };
		int err = apply_one(fs, type, &r);
		if (err)
			return err;
		if (r.pos != r.len)
			return TAGFS_ECORRUPT; /* trailing bytes: not what we wrote */
	}
	return TAGFS_OK;
}
