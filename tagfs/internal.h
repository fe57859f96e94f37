/*
 * internal.h: what the TagFS source files share and nobody else sees.
 *
 * The whole metadata of a mounted volume lives in memory (struct tagfs):
 * tags with their posting bitmaps, file rows, content objects (a size, a
 * BoxHash and a block list, shared by a file and the snapshots that saw it),
 * snapshots, and one reference count and BoxHash per device block.  The disk
 * holds a checkpoint of that state plus the DiskBook records since; mount
 * loads the one and replays the other through the same tfs_apply() every
 * live change goes through, so replay cannot differ from what ran.
 */
#ifndef TAGFS_INTERNAL_H
#define TAGFS_INTERNAL_H

#include "tagfs.h"
#include "port.h"
#include "format.h"

/* A growable byte buffer (log transactions, checkpoint streams). */
struct tfs_buf {
	uint8_t *data;
	size_t len, cap;
	bool failed; /* an allocation failed: the contents are incomplete */
};

/* A bounds-checked reader over untrusted bytes. */
struct tfs_rd {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

/* u64 -> u64 open-addressing map (linear probing, backward-shift delete). */
struct tfs_map {
	uint64_t *keys, *vals;
	uint8_t *used;
	uint32_t cap, count;
};

struct tfs_content {
	uint32_t refs;          /* file rows (live and snapshot) pointing here */
	uint32_t nblocks;
	uint64_t size;
	struct tagfs_hash hash;
	uint64_t *blocks;
	uint32_t index;         /* scratch: position in a checkpoint stream */
};

struct tfs_file {
	uint64_t id;
	uint64_t ctime, mtime;
	struct tfs_content *content;
	char *name;             /* NULL: no name */
	uint32_t ntags;
	uint32_t *tags;         /* sorted tag ids */
};

struct tfs_tag {
	char *name;
	uint64_t *posting;      /* bit per live-file slot */
	uint32_t nfiles;
};

struct tfs_snap {
	uint32_t id;
	uint64_t time;
	char *name;
	uint32_t nfiles;
	struct tfs_file *files; /* sorted by id */
};

struct tfs_handle {
	struct tfs_content *content; /* NULL: the slot is free */
	uint64_t id;
};

struct tagfs {
	struct tagfs_dev *dev;
	bool readonly;
	bool broken;            /* memory and disk may disagree: refuse changes */
	uint64_t (*now)(void *);
	void *now_arg;

	/* geometry, from the superblock */
	uint64_t nblocks, log_start, pool_start, pool_end, volume_id;
	uint32_t log_blocks;

	/* checkpoint and DiskBook position */
	uint64_t generation;    /* current checkpoint = log epoch */
	uint64_t cp_first[2];
	uint32_t cp_pages;
	uint64_t log_seq;       /* next log block */
	uint64_t log_txn;       /* next transaction number */
	bool log_suspect;       /* a log write failed: start a new epoch first */

	/* tags: id i lives at tags[i - 1] */
	struct tfs_tag *tags;
	uint32_t ntags, tags_cap;
	struct tfs_map tag_by_hash;  /* XXH3-64(name) -> id */

	/* live files: slots, id -> slot, a bitmap of used slots */
	struct tfs_file **slots;
	uint32_t nslots, slots_cap, nfiles;
	uint32_t *free_slots;
	uint32_t nfree_slots;
	uint64_t *live_bits;
	uint32_t bitmap_words;        /* words in live_bits and each posting */
	struct tfs_map file_slot;     /* id -> slot */
	uint64_t next_file_id;

	struct tfs_snap *snaps;
	uint32_t nsnaps, snaps_cap;
	uint32_t next_snap_id;

	/* per device block */
	uint32_t *refs;               /* content block-list references */
	struct tagfs_hash *bhash;     /* valid while refs > 0 */
	uint64_t *meta_bits;          /* checkpoint pages of the current checkpoint */
	uint64_t *busy_bits;          /* reserved by the operation in progress */
	struct tfs_map dedup;         /* hash.lo -> block */
	uint64_t alloc_cursor;
	uint64_t data_blocks, meta_blocks;

	struct tfs_handle handles[TAGFS_HANDLES_MAX];

	struct tagfs_stats stats;
	uint64_t logical_bytes;
};

/* util.c */
struct tagfs_hash tfs_hash(const void *p, size_t len);
bool tfs_hash_eq(struct tagfs_hash a, struct tagfs_hash b);
void tfs_put_hash(uint8_t *p, struct tagfs_hash h);
struct tagfs_hash tfs_get_hash(const uint8_t *p);
void tfs_meta_seal(uint8_t *block);            /* writes bytes 0..15 */
bool tfs_meta_ok(const void *block, const void *arg);
uint64_t tfs_hash64(const void *p, size_t len);
/* Streaming BoxHash of a file's bytes (state on the heap, 64-byte aligned). */
struct tfs_hasher { void *raw, *state; };
int tfs_hasher_begin(struct tfs_hasher *h);
void tfs_hasher_add(struct tfs_hasher *h, const void *p, size_t len);
struct tagfs_hash tfs_hasher_end(struct tfs_hasher *h); /* frees; fine after a failed begin */
bool tfs_data_ok(const void *block, const void *arg);   /* arg: the expected struct tagfs_hash */
void tfs_buf_put(struct tfs_buf *b, const void *p, size_t len);
void tfs_buf_u(struct tfs_buf *b, unsigned bytes, uint64_t v);
void tfs_buf_hash(struct tfs_buf *b, struct tagfs_hash h);
void tfs_buf_free(struct tfs_buf *b);
uint64_t tfs_rd_u(struct tfs_rd *r, unsigned bytes);
struct tagfs_hash tfs_rd_hash(struct tfs_rd *r);
const uint8_t *tfs_rd_bytes(struct tfs_rd *r, size_t len);
int tfs_map_init(struct tfs_map *m, uint32_t cap);
void tfs_map_free(struct tfs_map *m);
bool tfs_map_get(const struct tfs_map *m, uint64_t key, uint64_t *val);
int tfs_map_put(struct tfs_map *m, uint64_t key, uint64_t val);
void tfs_map_del(struct tfs_map *m, uint64_t key);
char *tfs_strndup(const char *s, size_t len);
static inline bool tfs_bit(const uint64_t *bits, uint64_t i) { return (bits[i / 64] >> (i % 64)) & 1; }
static inline void tfs_bit_set(uint64_t *bits, uint64_t i) { bits[i / 64] |= 1ull << (i % 64); }
static inline void tfs_bit_clr(uint64_t *bits, uint64_t i) { bits[i / 64] &= ~(1ull << (i % 64)); }

/* state.c: the in-memory model and the one way to change it */
int tfs_state_init(struct tagfs *fs);
void tfs_state_free(struct tagfs *fs);
int tfs_apply(struct tagfs *fs, const uint8_t *payload, size_t len);
struct tfs_file *tfs_file_find(struct tagfs *fs, uint64_t id);
int tfs_tag_find(struct tagfs *fs, const char *name, size_t len, uint32_t *id);
struct tfs_snap *tfs_snap_find(struct tagfs *fs, uint32_t id);
const struct tfs_file *tfs_snap_file(const struct tfs_snap *s, uint64_t id);
bool tfs_block_free(const struct tagfs *fs, uint64_t b);
int tfs_content_ref_blocks(struct tagfs *fs, struct tfs_content *c, const struct tagfs_hash *hashes);
void tfs_content_put(struct tagfs *fs, struct tfs_content *c);
int tfs_add_tag(struct tagfs *fs, const char *name, size_t len);
int tfs_add_file(struct tagfs *fs, struct tfs_file *f);

/* diskbook.c: mirrored metadata blocks and the write-ahead log */
int tfs_meta_read(struct tagfs *fs, uint64_t b0, uint64_t b1, uint8_t *buf);
int tfs_meta_write(struct tagfs *fs, uint64_t b0, uint64_t b1, uint8_t *buf);
int tfs_log_commit(struct tagfs *fs, struct tfs_buf *txn);
int tfs_log_replay(struct tagfs *fs);

/* checkpoint.c */
int tfs_checkpoint_write(struct tagfs *fs);
int tfs_checkpoint_load(struct tagfs *fs, const uint8_t *sb, char *why, size_t why_len);
int tfs_stream_build(struct tagfs *fs, struct tfs_buf *out);
int tfs_stream_load(struct tagfs *fs, const uint8_t *p, size_t len);
int tfs_sb_check(const uint8_t *sb, uint64_t dev_blocks);

/* query.c */
void tfs_sort_ids(uint64_t *a, uint64_t n);

/* files.c */
int tfs_read_content(struct tagfs *fs, const struct tfs_content *c, uint64_t off, void *buf, uint64_t len,
		     uint64_t *got);
int tfs_commit(struct tagfs *fs, struct tfs_buf *txn);
int tfs_writable(struct tagfs *fs);
uint64_t tfs_now(struct tagfs *fs);

#endif
