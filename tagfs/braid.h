/*
 * braid.h: Braid, the redundancy layer under TagFS.
 *
 * Braid combines 2 or 3 member devices (struct tagfs_dev) into one struct
 * tagfs_dev that TagFS mounts:
 *   mirror  2 members, every block on both;
 *   weave   3 members, every block on all three (majority vote possible);
 *   stripe  2 or 3 members, no redundancy: the logical device is cut into
 *           extents dealt round-robin to the members; region_of() says which
 *           member holds a block so TagFS can keep files sharing a tag on one
 *           disk.
 * Every member starts with BRAID_LABEL_BLOCKS blocks holding its label (set
 * id, mode, index, generation, current-member mask, checksum); data follows.
 *
 * Every read of a mirror or weave reads every current copy and verifies it
 * (with the caller's check, or by comparing the copies); a bad copy is
 * rewritten from a good one (a heal).  A member that is missing or fails a
 * write degrades the set; writes continue on the rest and are remembered in a
 * dirty-extent bitmap, and braid_add_member() brings the member back and
 * copies what it missed.  See docs/braid.md for the algorithms and the label
 * layout.
 *
 * struct braid holds all state (about 37 KiB, no allocation inside): the
 * caller provides it (static, or kmalloc in the kernel).  Calls on one braid
 * must not run concurrently; the caller serialises them.
 */
#ifndef TAGFS_BRAID_H
#define TAGFS_BRAID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* blockdev.h's opening comment contains "tagfs/" followed by "*.c", which
 * -Wcomment (part of -Wall) flags; blockdev.h is a fixed interface not
 * owned here, so the warning is silenced for that one include. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcomment"
#include "blockdev.h"
#pragma GCC diagnostic pop

#define BRAID_MAX_MEMBERS   3u
#define BRAID_LABEL_BLOCKS  2u      /* label copies A and B at member blocks 0 and 1 */
#define BRAID_LABEL_VERSION 1u
#define BRAID_SET_ID_BYTES  16u
#define BRAID_DIRTY_BITS    32768u  /* dirty-extent bitmap bits per member */
#define BRAID_DEFAULT_EXTENT 64u    /* stripe extent in blocks (256 KiB) */

enum braid_mode {
	BRAID_MIRROR = 1,
	BRAID_STRIPE = 2,
	BRAID_WEAVE = 3,
};

/* Where a member stands. */
enum braid_member_state {
	BRAID_ABSENT = 0,  /* no device, or it failed: not read, not written */
	BRAID_STALE = 1,   /* attached but missing writes: written, not read, until resync */
	BRAID_ACTIVE = 2,  /* holds current data: read and written */
};

/* Why braid_assemble() or braid_add_member() refused. */
enum braid_reason {
	BRAID_WHY_NONE = 0,
	BRAID_WHY_BAD_ARGS,          /* NULL pointers, n == 0 or n > 3 */
	BRAID_WHY_NO_MEMBERS,        /* every member is missing or unreadable */
	BRAID_WHY_NO_LABEL,          /* a member carries no Braid label at all */
	BRAID_WHY_LABEL_CORRUPT,     /* a member's labels both fail their checksum */
	BRAID_WHY_VERSION,           /* a label version this code does not know */
	BRAID_WHY_BAD_FIELD,         /* a checksummed label with impossible fields */
	BRAID_WHY_SET_MISMATCH,      /* members of different sets */
	BRAID_WHY_GEOMETRY_MISMATCH, /* same set id but mode/count/size/extent differ */
	BRAID_WHY_DUPLICATE_INDEX,   /* two devices claim the same member index */
	BRAID_WHY_TOO_SMALL,         /* a device smaller than its label says */
	BRAID_WHY_DIVERGED,          /* two halves were written separately (split brain) */
	BRAID_WHY_NO_CURRENT,        /* no present member holds current data */
	BRAID_WHY_FOREIGN,           /* add_member: the disk belongs to another set or slot */
	BRAID_WHY_NO_SOURCE,         /* add_member: stripe data cannot be rebuilt */
	BRAID_WHY_SLOT_BUSY,         /* add_member: that slot already has a device */
	BRAID_WHY_IO,                /* a label could not be written */
};

struct braid_problem {
	enum braid_reason reason;
	int member;  /* position in members[] (assemble) or the index (add); -1 if none */
};

/* Static text for a reason, e.g. "member labels belong to different sets". */
const char *braid_reason_text(enum braid_reason reason);

struct braid_config {
	enum braid_mode mode;
	uint8_t set_id[BRAID_SET_ID_BYTES];  /* caller-chosen, should be random */
	uint32_t extent_blocks;              /* stripe extent; 0 = BRAID_DEFAULT_EXTENT */
	bool zero_data;  /* write zeros over every data block so all copies agree */
};

struct braid_member_stats {
	enum braid_member_state state;
	uint64_t reads, writes;      /* member transfers Braid issued (data, heals, resync) */
	uint64_t read_errors;        /* member reads that returned an error */
	uint64_t checksum_errors;    /* copies that failed the caller's check */
	uint64_t mismatches;         /* copies outvoted by the other two (no check) */
	uint64_t heals;              /* bad copies rewritten successfully */
	uint64_t resync_blocks;      /* blocks copied onto this member by resync */
	uint64_t dirty_extents;      /* extents this member still lacks */
};

struct braid_stats {
	enum braid_mode mode;
	uint32_t members;
	uint64_t blocks;
	uint64_t generation;
	bool degraded;               /* some member is not ACTIVE */
	uint64_t checksum_errors;    /* sums over members of the per-member counters */
	uint64_t mismatches;
	uint64_t read_errors;
	uint64_t heals;
	uint64_t heal_failures;      /* heal writes that failed (the member dropped) */
	uint64_t uncorrectable;      /* reads answered TAGFS_ECORRUPT */
	uint64_t resync_blocks;
	uint64_t resync_conflicts;   /* blocks resync could not copy: sources disagree */
	uint64_t placements[BRAID_MAX_MEMBERS];  /* braid_note_placement() per region */
	struct braid_member_stats member[BRAID_MAX_MEMBERS];
};

/* Decoded label (the on-disk layout is in docs/braid.md). */
struct braid_label {
	uint32_t version;
	uint8_t set_id[BRAID_SET_ID_BYTES];
	uint32_t mode;
	uint32_t member_count;
	uint32_t member_index;
	uint32_t extent_blocks;
	uint64_t set_blocks;     /* logical blocks the set exposes */
	uint64_t member_blocks;  /* blocks each member must have (labels included) */
	uint64_t generation;
	uint32_t current_mask;   /* bit i: member i held current data at this generation */
	uint32_t flags;          /* 0 in version 1 */
};

struct braid {
	struct tagfs_dev dev;    /* what TagFS mounts; dev.ctx points back here */
	struct braid_label label;  /* the set's current label (member_index unused) */
	uint32_t label_mask;     /* current_mask the labels on disk say */
	struct tagfs_dev *member[BRAID_MAX_MEMBERS];
	enum braid_member_state state[BRAID_MAX_MEMBERS];
	uint64_t member_label_gen[BRAID_MAX_MEMBERS];  /* newest label it holds; 0 unknown */
	uint64_t track_blocks;   /* logical blocks per dirty bit */
	uint64_t track_extents;
	uint8_t dirty[BRAID_MAX_MEMBERS][BRAID_DIRTY_BITS / 8];
	uint8_t since_flush[BRAID_DIRTY_BITS / 8];  /* extents written since the last flush */
	uint64_t scratch[BRAID_MAX_MEMBERS][TAGFS_BLOCK_SIZE / 8];  /* one per copy read */
	uint64_t xfer[TAGFS_BLOCK_SIZE / 8];      /* resync's block in flight */
	uint64_t labelbuf[TAGFS_BLOCK_SIZE / 8];  /* label encode/decode */
	struct braid_stats stats;
};

/* Writes labels (generation 1, every member current) onto n members (2 for
 * mirror, 3 for weave, 2 or 3 for stripe), all present, in that order of
 * member index; the set is as big as its smallest member allows.  Optionally
 * zeroes every data block.  Then assembles the new set into *b. */
int braid_format(struct braid *b, struct tagfs_dev *const members[], uint32_t n,
		 const struct braid_config *cfg);

/* Reads and checks the labels of members[0..n) (any order; NULL = missing)
 * and builds the set in *b.  Refuses mismatched or corrupt sets with
 * TAGFS_EFORMAT (or TAGFS_EIO / TAGFS_EINVAL) and says why in *why (may be
 * NULL).  A member whose label read fails counts as missing.  Members that
 * missed writes come up STALE: call braid_resync() to bring them current. */
int braid_assemble(struct braid *b, struct tagfs_dev *const members[], uint32_t n,
		   struct braid_problem *why);

/* The device TagFS mounts. */
struct tagfs_dev *braid_dev(struct braid *b);

/* Puts dev into slot index (which must be ABSENT) and resynchronises it:
 * only the extents written since it dropped when it is the same disk with
 * the label it dropped with, otherwise everything.  A blank disk is
 * accepted; a disk labelled for another set or slot is refused.  Returns
 * TAGFS_OK once the member is ACTIVE; TAGFS_ECORRUPT leaves it STALE with
 * the conflicting extents dirty (see braid_resync); TAGFS_EIO if it or
 * every source failed.  In a stripe only the same disk can come back. */
int braid_add_member(struct braid *b, uint32_t index, struct tagfs_dev *dev,
		     struct braid_problem *why);

/* Copies dirty extents onto STALE members, about max_blocks blocks per
 * call (0 = no limit); a member whose extents are all copied is flushed and
 * becomes ACTIVE.  *remaining_extents (may be NULL) says what is left.
 * Returns TAGFS_OK, TAGFS_ECORRUPT when some block's current copies
 * disagree (it is left dirty; checked reads of it heal the copies, then call
 * again), or TAGFS_EIO when a stale member or every source failed. */
int braid_resync(struct braid *b, uint64_t max_blocks, uint64_t *remaining_extents);

/* TagFS reports that it placed a block in a region because of a tag. */
void braid_note_placement(struct braid *b, uint32_t region);

void braid_get_stats(const struct braid *b, struct braid_stats *out);

/* Label access for tests and tools.  braid_read_label() reads both copies
 * into scratch (one block) and returns the valid one with the higher
 * generation, or TAGFS_EFORMAT/TAGFS_EIO with *why set. */
int braid_read_label(struct tagfs_dev *dev, void *scratch, struct braid_label *out,
		     enum braid_reason *why);
void braid_encode_label(const struct braid_label *l, uint8_t block[TAGFS_BLOCK_SIZE]);
/* Same mode, member count, extent and sizes. */
bool braid_label_same_shape(const struct braid_label *a, const struct braid_label *c);

#endif
