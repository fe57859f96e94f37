/*
 * tagfs.h: the TagFS library's public API.
 *
 * TagFS keeps files without paths: a file is a row (id, optional name label,
 * tags, size, BoxHash, block list) and files are found by tag queries such as
 * "kernel -draft".  Blocks are content-addressed (identical 4 KiB blocks are
 * stored once, with reference counts), every metadata change goes through
 * the DiskBook write-ahead log, and metadata is mirrored and healed.  The
 * on-disk format and the guarantees are in docs/tagfs.md.
 *
 * Every call returns TAGFS_OK or a negative TAGFS_E* (tagfs/blockdev.h);
 * nothing prints or aborts.  A mounted volume is not thread-safe: the
 * caller serialises calls on one struct tagfs.  A call that returned
 * TAGFS_OK on a read-write mount is durable (it survives any later power cut).
 */
#ifndef TAGFS_TAGFS_H
#define TAGFS_TAGFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* blockdev.h's opening comment has a slash-star inside it, which -Wall (-Wcomment)
 * rejects; that header is a fixed interface, so the warning is silenced here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcomment"
#include "blockdev.h"
#pragma GCC diagnostic pop

#define TAGFS_NAME_MAX      127u   /* bytes in a file or snapshot name */
#define TAGFS_TAG_MAX       63u    /* bytes in a tag name */
#define TAGFS_FILE_TAGS_MAX 32u    /* tags on one file */
#define TAGFS_SNAP_LIVE     0u     /* the "snapshot" id that means the live volume */
#define TAGFS_HANDLES_MAX   64u    /* open handles per mounted volume */

struct tagfs;

struct tagfs_hash {
	uint64_t lo, hi; /* XXH3-128: low and high 64 bits */
};

struct tagfs_format_opts {
	uint32_t log_blocks;  /* DiskBook size per mirror copy; 0 picks one from the volume size */
	uint64_t volume_id;   /* stored in the superblock; 0 is fine */
};

#define TAGFS_MOUNT_RDONLY 0x1u

struct tagfs_mount_opts {
	unsigned flags;                 /* TAGFS_MOUNT_* */
	uint64_t (*now)(void *arg);     /* file times; NULL stores 0 */
	void *now_arg;
	char *why;                      /* optional: a one-line reason when mount fails */
	size_t why_len;
};

struct tagfs_info {
	uint64_t id;
	uint64_t size;
	struct tagfs_hash hash;          /* XXH3-128 of the file's bytes */
	uint64_t ctime, mtime;
	uint32_t blocks;                 /* blocks in the file's list (shared ones included) */
	uint32_t ntags;
	uint32_t tags[TAGFS_FILE_TAGS_MAX]; /* tag ids: tagfs_tag_name() names them */
	char name[TAGFS_NAME_MAX + 1];   /* "" when the file has no name */
};

struct tagfs_statfs {
	uint64_t block_size;
	uint64_t total_blocks;           /* the whole device */
	uint64_t pool_blocks;            /* blocks for data and metadata pages */
	uint64_t free_blocks;
	uint64_t data_blocks;            /* distinct data blocks in use */
	uint64_t meta_blocks;            /* checkpoint pages (both mirror copies) */
	uint64_t log_blocks;             /* DiskBook, both mirror copies */
	uint64_t files, tags, snapshots;
	uint64_t logical_bytes;          /* sum of live file sizes */
};

struct tagfs_stats {
	uint64_t checksum_errors;        /* metadata or data reads whose check failed */
	uint64_t heals;                  /* bad metadata copies rewritten from a good one */
	uint64_t tag_placements;         /* blocks placed in the region their tag prefers */
	uint64_t dedup_blocks;           /* block writes avoided: the bytes were already there */
	uint64_t log_commits;            /* DiskBook transactions committed */
	uint64_t replayed;               /* transactions replayed at mount */
	uint64_t checkpoints;            /* checkpoints written */
};

struct tagfs_snap_info {
	uint32_t id;
	uint64_t time;
	uint64_t files;
	char name[TAGFS_NAME_MAX + 1];
};

struct tagfs_fsck_report {
	uint64_t problems;      /* everything found wrong */
	uint64_t repaired;      /* of those, fixed (bad mirror copies, stale superblock) */
	uint64_t unrepairable;  /* of those, beyond repair here (a data block with one copy, ...) */
	uint64_t blocks_checked;
	uint64_t files_checked;
	char first[160];        /* the first unrepaired problem, "" if none */
};

const char *tagfs_strerror(int err);

/* Volume life cycle. */
int tagfs_format(struct tagfs_dev *dev, const struct tagfs_format_opts *opts);
int tagfs_mount(struct tagfs_dev *dev, const struct tagfs_mount_opts *opts, struct tagfs **out);
/* Writes a checkpoint (read-write mounts) and frees everything, even on error. */
int tagfs_unmount(struct tagfs *fs);
/* Folds the DiskBook into a new checkpoint (not needed for durability). */
int tagfs_checkpoint(struct tagfs *fs);
void tagfs_statfs(struct tagfs *fs, struct tagfs_statfs *out);
void tagfs_stats(struct tagfs *fs, struct tagfs_stats *out);
bool tagfs_readonly(struct tagfs *fs);

/* Files.  name may be NULL (no label); tags are names, created on first use. */
int tagfs_create(struct tagfs *fs, const char *name, const char *const *tags, uint32_t ntags,
		 const void *data, uint64_t len, uint64_t *id_out);
/* Reads up to len bytes at off of a live file (snap 0) or as of snapshot snap. */
int tagfs_read(struct tagfs *fs, uint32_t snap, uint64_t id, uint64_t off, void *buf,
	       uint64_t len, uint64_t *got);
/* Writes at off, growing the file (a gap reads as zeros). */
int tagfs_write(struct tagfs *fs, uint64_t id, uint64_t off, const void *data, uint64_t len);
/* Replaces the whole content. */
int tagfs_replace(struct tagfs *fs, uint64_t id, const void *data, uint64_t len);
int tagfs_delete(struct tagfs *fs, uint64_t id);
/* Sets the name label; NULL or "" removes it. */
int tagfs_rename(struct tagfs *fs, uint64_t id, const char *name);
int tagfs_tag_set(struct tagfs *fs, uint64_t id, const char *tag);
int tagfs_tag_unset(struct tagfs *fs, uint64_t id, const char *tag);
int tagfs_getinfo(struct tagfs *fs, uint32_t snap, uint64_t id, struct tagfs_info *out);
/* The name of tag id into buf (NUL-terminated). */
int tagfs_tag_name(struct tagfs *fs, uint32_t tag, char *buf, size_t len);
/* The first live file (lowest id) whose name is exactly name. */
int tagfs_lookup_name(struct tagfs *fs, const char *name, uint64_t *id_out);

/*
 * Query: space-separated tag names, all of which a file must carry, and
 * "-tag" terms it must not carry ("kernel -draft"); "" matches every file.
 * Fills ids (ascending) with up to max ids and sets *count to the number of
 * matches, which may be larger than max.
 */
int tagfs_query(struct tagfs *fs, const char *expr, uint64_t *ids, uint32_t max, uint32_t *count);

/*
 * Handles: tagfs_open() pins the version of a file (live or in a snapshot)
 * as it is now; reads through the handle see that version even after the
 * file is rewritten or deleted, until tagfs_close().  Handles live in
 * memory only: after a power cut or unmount the pinned blocks are free.
 */
int tagfs_open(struct tagfs *fs, uint32_t snap, uint64_t id, uint32_t *handle_out);
int tagfs_hread(struct tagfs *fs, uint32_t handle, uint64_t off, void *buf, uint64_t len, uint64_t *got);
/* Size and BoxHash of the pinned version (and the file's id). */
int tagfs_hstat(struct tagfs *fs, uint32_t handle, uint64_t *id, uint64_t *size, struct tagfs_hash *hash);
int tagfs_close(struct tagfs *fs, uint32_t handle);

/* Snapshots: a frozen, copy-on-write view of every live file. */
int tagfs_snap_create(struct tagfs *fs, const char *name, uint32_t *id_out);
int tagfs_snap_delete(struct tagfs *fs, uint32_t id);
int tagfs_snap_list(struct tagfs *fs, struct tagfs_snap_info *out, uint32_t max, uint32_t *count);
/* The ids of the files in a snapshot (ascending), like tagfs_query. */
int tagfs_snap_files(struct tagfs *fs, uint32_t snap, uint64_t *ids, uint32_t max, uint32_t *count);

/*
 * Checks the whole volume: both superblocks, every checkpoint page and log
 * block (both mirror copies), every data block against its BoxHash, every
 * file against its BoxHash, reference counts against the file rows.  With
 * repair, bad mirror copies are rewritten from good ones (a scrub).  Returns
 * TAGFS_OK when the volume is clean or was repaired (see the report), or
 * TAGFS_ECORRUPT when something could not be repaired.
 */
int tagfs_fsck(struct tagfs *fs, bool repair, struct tagfs_fsck_report *report);

/* BoxHash of bytes (XXH3-128), for tools and tests. */
struct tagfs_hash tagfs_boxhash(const void *data, size_t len);

#endif
