/*
 * storage.h: what the Storage Deck's ops read and write (ABI).
 *
 * All integers little-endian; every record has a fixed size and layout,
 * checked below.  Strings are NUL-padded.  See docs/storage.md for the ops.
 */
#ifndef BOXOS_ABI_STORAGE_H
#define BOXOS_ABI_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#define BOX_STORAGE_NAME_MAX   127u      /* bytes in a file or snapshot name */
#define BOX_STORAGE_TAG_MAX    63u       /* bytes in a tag name */
#define BOX_STORAGE_IO_MAX     (256u * 1024u)  /* bytes one read or write op moves */
#define BOX_STORAGE_DEV_BLOCKS 64u       /* blocks one storage.dev.read moves */

/* storage.create flags */
#define BOX_STORAGE_CREATE_NO_SCOPE 0x1u /* do not add the scope's tags */
/* storage.write flags */
#define BOX_STORAGE_WRITE_REPLACE   0x1u /* the input becomes the whole content */
/* storage.query flags */
#define BOX_STORAGE_QUERY_ALL       0x1u /* ignore the scope */

/* The TagFS error behind a failed storage op (storage.why); the same values
 * as tagfs/blockdev.h's TAGFS_E*, plus the kernel's own. */
enum box_storage_err {
	BOX_STORAGE_OK = 0,
	BOX_STORAGE_EIO = -1, BOX_STORAGE_ECORRUPT = -2, BOX_STORAGE_ERANGE = -3,
	BOX_STORAGE_ENOSPC = -4, BOX_STORAGE_ENOENT = -5, BOX_STORAGE_EEXIST = -6,
	BOX_STORAGE_EINVAL = -7, BOX_STORAGE_EFORMAT = -8, BOX_STORAGE_ENOMEM = -9,
	BOX_STORAGE_EROFS = -10,
	BOX_STORAGE_ENOVOLUME = -32,   /* no volume is mounted */
	BOX_STORAGE_EHANDLE = -33,     /* not a handle of the caller's */
};

/* storage.getinfo: this record, then tags_len bytes of tag names separated
 * by single spaces. */
struct box_storage_info {
	uint64_t id;
	uint64_t size;
	uint64_t hash_lo, hash_hi;   /* BoxHash (XXH3-128) of the content */
	uint64_t ctime, mtime;       /* seconds since 1970 */
	uint32_t blocks;
	uint32_t ntags;
	uint32_t tags_len;
	uint32_t reserved;
	char name[BOX_STORAGE_NAME_MAX + 1];  /* "" = no name */
};
_Static_assert(offsetof(struct box_storage_info, size) == 8, "info.size");
_Static_assert(offsetof(struct box_storage_info, hash_lo) == 16, "info.hash_lo");
_Static_assert(offsetof(struct box_storage_info, ctime) == 32, "info.ctime");
_Static_assert(offsetof(struct box_storage_info, blocks) == 48, "info.blocks");
_Static_assert(offsetof(struct box_storage_info, tags_len) == 56, "info.tags_len");
_Static_assert(offsetof(struct box_storage_info, name) == 64, "info.name");
_Static_assert(sizeof(struct box_storage_info) == 192, "info size");

/* storage.snap.list: one per snapshot. */
struct box_storage_snap {
	uint32_t id;
	uint32_t reserved;
	uint64_t time;
	uint64_t files;
	char name[BOX_STORAGE_NAME_MAX + 1];
};
_Static_assert(offsetof(struct box_storage_snap, time) == 8, "snap.time");
_Static_assert(offsetof(struct box_storage_snap, files) == 16, "snap.files");
_Static_assert(offsetof(struct box_storage_snap, name) == 24, "snap.name");
_Static_assert(sizeof(struct box_storage_snap) == 152, "snap size");

/* storage.fsck and storage.repair. */
struct box_storage_fsck {
	int32_t result;              /* TagFS code: 0 clean or repaired, -2 unrepairable problems */
	uint32_t reserved;
	uint64_t problems, repaired, unrepairable;
	uint64_t blocks_checked, files_checked;
	char first[160];             /* the first unrepaired problem, "" if none */
};
_Static_assert(offsetof(struct box_storage_fsck, problems) == 8, "fsck.problems");
_Static_assert(offsetof(struct box_storage_fsck, files_checked) == 40, "fsck.files_checked");
_Static_assert(offsetof(struct box_storage_fsck, first) == 48, "fsck.first");
_Static_assert(sizeof(struct box_storage_fsck) == 208, "fsck size");

/* storage.stats; kind: 1 whole disk, 2 GPT partition, 3 Braid set. */
struct box_storage_stats {
	char where[64];              /* "vblk0", "ahci0p2", "braid mirror vblk0+vblk1" */
	uint32_t kind;
	uint32_t readonly;
	uint64_t block_size, total_blocks, pool_blocks, free_blocks, data_blocks;
	uint64_t meta_blocks, log_blocks, files, tags, snapshots, logical_bytes;
	uint64_t checksum_errors, heals, tag_placements, dedup_blocks;
	uint64_t log_commits, replayed, checkpoints;
};
_Static_assert(offsetof(struct box_storage_stats, kind) == 64, "stats.kind");
_Static_assert(offsetof(struct box_storage_stats, block_size) == 72, "stats.block_size");
_Static_assert(offsetof(struct box_storage_stats, files) == 128, "stats.files");
_Static_assert(offsetof(struct box_storage_stats, checksum_errors) == 160, "stats.checksum_errors");
_Static_assert(offsetof(struct box_storage_stats, checkpoints) == 208, "stats.checkpoints");
_Static_assert(sizeof(struct box_storage_stats) == 216, "stats size");

/* storage.braid.status; state: 0 absent, 1 stale, 2 active. */
struct box_storage_member {
	uint32_t state;
	uint32_t reserved;
	char disk[16];               /* "vblk1"; "" when absent */
	uint64_t reads, writes, read_errors, checksum_errors;
	uint64_t mismatches, heals, resync_blocks, dirty_extents;
};
_Static_assert(offsetof(struct box_storage_member, disk) == 8, "member.disk");
_Static_assert(offsetof(struct box_storage_member, reads) == 24, "member.reads");
_Static_assert(sizeof(struct box_storage_member) == 88, "member size");

struct box_storage_braid {
	uint32_t mode;               /* 1 mirror, 2 stripe, 3 weave */
	uint32_t members;
	uint32_t degraded;
	uint32_t reserved;
	uint64_t blocks, generation;
	uint64_t checksum_errors, mismatches, read_errors, heals, heal_failures;
	uint64_t uncorrectable, resync_blocks, resync_conflicts;
	uint64_t tag_placements;     /* TagFS blocks placed by tag (stripe) */
	struct box_storage_member member[3];
};
_Static_assert(offsetof(struct box_storage_braid, blocks) == 16, "braid.blocks");
_Static_assert(offsetof(struct box_storage_braid, checksum_errors) == 32, "braid.checksum_errors");
_Static_assert(offsetof(struct box_storage_braid, heals) == 56, "braid.heals");
_Static_assert(offsetof(struct box_storage_braid, member) == 104, "braid.member");
_Static_assert(sizeof(struct box_storage_braid) == 368, "braid size");

/* storage.why */
struct box_storage_why {
	int32_t code;                /* enum box_storage_err, 0 when the last op succeeded */
	int32_t status;              /* the box_status that op returned */
	char text[56];
};
_Static_assert(offsetof(struct box_storage_why, text) == 8, "why.text");
_Static_assert(sizeof(struct box_storage_why) == 64, "why size");

#endif
