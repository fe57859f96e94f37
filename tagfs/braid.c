/*
 * braid.c: Braid, 2 or 3 member devices combined into one struct tagfs_dev.
 *
 * Mirror and weave keep logical block n at member block BRAID_LABEL_BLOCKS+n
 * on every member.  A read reads every ACTIVE copy and verifies it: with the
 * caller's check each copy is judged on its own; without one the copies are
 * compared and a strict majority of at least two wins.  The answer is a good
 * copy; every bad copy (failed check, outvoted, or read error) is rewritten
 * from it.  Writes go to every attached member; a member that fails a write
 * or a flush drops out (ABSENT), the extents it misses are set in its dirty
 * bitmap, and the labels of the others get a new generation whose
 * current-member mask leaves it out, before the write is acknowledged.
 * braid_add_member() attaches a disk STALE (written, never read), copies its
 * dirty extents from the ACTIVE copies, then makes it ACTIVE with a new
 * generation.  Stripe deals extents round-robin to the members and has no
 * copies: a missing member's blocks answer TAGFS_EIO.
 *
 * Labels and braid_format() are in braid_label.c.
 *
 * Portable: only <stdint.h>/<stddef.h>/<stdbool.h> and compiler builtins for
 * memcpy/memset/memcmp (they become calls the kernel and libc both provide).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "braid.h"

#define COPY(d, s, n) __builtin_memcpy((d), (s), (n))
#define FILL(d, c, n) __builtin_memset((d), (c), (n))
#define SAME(a, b, n) (__builtin_memcmp((a), (b), (n)) == 0)

static int refuse(struct braid_problem *why, enum braid_reason reason, int member, int err)
{
	if (why) {
		why->reason = reason;
		why->member = member;
	}
	return err;
}

/* ---- bitmaps --------------------------------------------------------------- */

static bool bit_get(const uint8_t *map, uint64_t i) { return (map[i >> 3] >> (i & 7)) & 1u; }
static void bit_set(uint8_t *map, uint64_t i) { map[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void bit_clear(uint8_t *map, uint64_t i) { map[i >> 3] &= (uint8_t)~(1u << (i & 7)); }

static uint64_t bits_set(const struct braid *b, const uint8_t *map)
{
	uint64_t n = 0;
	for (uint64_t i = 0; i < b->track_extents; i++)
		n += bit_get(map, i);
	return n;
}

/* ---- membership --------------------------------------------------------- */

static bool mirrored(const struct braid *b)
{
	return b->label.mode != BRAID_STRIPE;
}

static uint32_t active_mask(const struct braid *b)
{
	uint32_t m = 0;
	for (uint32_t i = 0; i < b->label.member_count; i++)
		if (b->state[i] == BRAID_ACTIVE)
			m |= 1u << i;
	return m;
}

static void set_state(struct braid *b, uint32_t i, enum braid_member_state s)
{
	b->state[i] = s;
	b->stats.member[i].state = s;
}

/* A member failed a write or flush: it keeps nothing we can trust since the
 * last flush, and misses everything from now on. */
static void drop_member(struct braid *b, uint32_t i)
{
	set_state(b, i, BRAID_ABSENT);
	b->member[i] = NULL;
	for (size_t k = 0; k < sizeof b->since_flush; k++)
		b->dirty[i][k] |= b->since_flush[k];
}

static void mark_all_dirty(struct braid *b, uint32_t i)
{
	for (uint64_t e = 0; e < b->track_extents; e++)
		bit_set(b->dirty[i], e);
}

/* Writes a new generation of labels (copy A on every attached member, flush,
 * then copy B, flush) whose mask is the ACTIVE members.  A member that fails
 * drops out and the round repeats without it. */
static int commit_labels(struct braid *b)
{
	uint8_t *buf = (uint8_t *)b->labelbuf;
	for (uint32_t round = 0; round <= BRAID_MAX_MEMBERS; round++) {
		uint32_t mask = active_mask(b);
		if (mask == 0)
			return TAGFS_EIO;
		b->label.generation++;
		b->label.current_mask = mask;
		for (uint64_t copy = 0; copy < 2; copy++) {
			for (uint32_t i = 0; i < b->label.member_count; i++) {
				if (b->state[i] == BRAID_ABSENT)
					continue;
				struct braid_label l = b->label;
				l.member_index = i;
				braid_encode_label(&l, buf);
				b->stats.member[i].writes++;
				if (b->member[i]->write(b->member[i], copy, buf) != TAGFS_OK ||
				    b->member[i]->flush(b->member[i]) != TAGFS_OK)
					drop_member(b, i);
			}
		}
		for (uint32_t i = 0; i < b->label.member_count; i++)
			if (b->state[i] != BRAID_ABSENT)
				b->member_label_gen[i] = b->label.generation;
		b->label_mask = mask;
		b->stats.generation = b->label.generation;
		if (active_mask(b) == mask)
			return TAGFS_OK;
	}
	return TAGFS_EIO;
}

/* ---- geometry ----------------------------------------------------------- */

static uint64_t stripe_place(const struct braid *b, uint64_t block, uint32_t *disk)
{
	uint64_t e = b->label.extent_blocks, n = b->label.member_count;
	uint64_t ext = block / e;
	*disk = (uint32_t)(ext % n);
	return BRAID_LABEL_BLOCKS + (ext / n) * e + block % e;
}

static uint32_t braid_region_of(struct tagfs_dev *d, uint64_t block)
{
	struct braid *b = d->ctx;
	uint32_t disk;
	stripe_place(b, block, &disk);
	return disk;
}

/* ---- reads -------------------------------------------------------------- */

enum copy_state { COPY_NONE, COPY_READ, COPY_BAD_IO, COPY_BAD_SUM, COPY_BAD_VOTE };

/* Picks the good copy among those read: by the check, or by agreement. */
static int choose_copy(struct braid *b, enum copy_state st[], const struct tagfs_check *check)
{
	uint32_t n = b->label.member_count, nread = 0, best_votes = 0;
	int best = -1;

	if (check) {
		for (uint32_t i = 0; i < n; i++) {
			if (st[i] != COPY_READ)
				continue;
			if (check->ok(b->scratch[i], check->arg)) {
				if (best < 0)
					best = (int)i;
			} else {
				st[i] = COPY_BAD_SUM;
				b->stats.checksum_errors++;
				b->stats.member[i].checksum_errors++;
			}
		}
		return best;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (st[i] != COPY_READ)
			continue;
		nread++;
		uint32_t votes = 0;
		for (uint32_t j = 0; j < n; j++)
			if (st[j] == COPY_READ && SAME(b->scratch[i], b->scratch[j], TAGFS_BLOCK_SIZE))
				votes++;
		if (votes > best_votes) {
			best_votes = votes;
			best = (int)i;
		}
	}
	if (best < 0 || best_votes == nread)
		return best;  /* nothing read, or every copy read agrees */
	if (best_votes < 2 || best_votes * 2 <= nread)
		return -1;    /* no strict majority of two or more: cannot tell */
	for (uint32_t i = 0; i < n; i++) {
		if (st[i] == COPY_READ &&
		    !SAME(b->scratch[i], b->scratch[best], TAGFS_BLOCK_SIZE)) {
			st[i] = COPY_BAD_VOTE;
			b->stats.mismatches++;
			b->stats.member[i].mismatches++;
		}
	}
	return best;
}

/* Reads every ACTIVE copy of a mirrored block, answers a verified one and
 * rewrites the bad ones from it. */
static int read_copies(struct braid *b, uint64_t block, void *buf, const struct tagfs_check *check)
{
	enum copy_state st[BRAID_MAX_MEMBERS] = { COPY_NONE, COPY_NONE, COPY_NONE };
	uint64_t phys = BRAID_LABEL_BLOCKS + block;
	bool any_read = false;

	for (uint32_t i = 0; i < b->label.member_count; i++) {
		if (b->state[i] != BRAID_ACTIVE)
			continue;
		b->stats.member[i].reads++;
		if (b->member[i]->read(b->member[i], phys, b->scratch[i], NULL) == TAGFS_OK) {
			st[i] = COPY_READ;
			any_read = true;
		} else {
			st[i] = COPY_BAD_IO;
			b->stats.read_errors++;
			b->stats.member[i].read_errors++;
		}
	}
	if (!any_read)
		return TAGFS_EIO;
	int good = choose_copy(b, st, check);
	if (good < 0) {
		b->stats.uncorrectable++;
		return TAGFS_ECORRUPT;
	}
	COPY(buf, b->scratch[good], TAGFS_BLOCK_SIZE);

	uint64_t ext = block / b->track_blocks;
	for (uint32_t i = 0; i < b->label.member_count; i++) {
		if (st[i] != COPY_BAD_IO && st[i] != COPY_BAD_SUM && st[i] != COPY_BAD_VOTE)
			continue;
		b->stats.member[i].writes++;
		bit_set(b->since_flush, ext);
		if (b->member[i]->write(b->member[i], phys, buf) == TAGFS_OK) {
			b->stats.heals++;
			b->stats.member[i].heals++;
		} else {
			/* The labels are brought up to date before the next write. */
			b->stats.heal_failures++;
			drop_member(b, i);
			bit_set(b->dirty[i], ext);
		}
	}
	return TAGFS_OK;
}

static int stripe_read(struct braid *b, uint64_t block, void *buf, const struct tagfs_check *check)
{
	uint32_t disk;
	uint64_t phys = stripe_place(b, block, &disk);
	if (b->state[disk] != BRAID_ACTIVE)
		return TAGFS_EIO;
	b->stats.member[disk].reads++;
	if (b->member[disk]->read(b->member[disk], phys, buf, NULL) != TAGFS_OK) {
		b->stats.read_errors++;
		b->stats.member[disk].read_errors++;
		return TAGFS_EIO;
	}
	if (check && !check->ok(buf, check->arg)) {
		b->stats.checksum_errors++;
		b->stats.member[disk].checksum_errors++;
		b->stats.uncorrectable++;
		return TAGFS_ECORRUPT;
	}
	return TAGFS_OK;
}

static int braid_read(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *check)
{
	struct braid *b = d->ctx;
	if (!buf || (check && !check->ok))
		return TAGFS_EINVAL;
	if (block >= b->dev.blocks)
		return TAGFS_ERANGE;
	return mirrored(b) ? read_copies(b, block, buf, check) : stripe_read(b, block, buf, check);
}

/* ---- writes and flush --------------------------------------------------- */

static int write_copies(struct braid *b, uint64_t block, const void *buf)
{
	/* Before any write a missing member misses, the labels must say so. */
	if (active_mask(b) != b->label_mask) {
		int rc = commit_labels(b);
		if (rc != TAGFS_OK)
			return rc;
	}
	uint64_t ext = block / b->track_blocks, phys = BRAID_LABEL_BLOCKS + block;
	bool written = false, dropped = false;
	for (uint32_t i = 0; i < b->label.member_count; i++) {
		if (b->state[i] == BRAID_ABSENT) {
			bit_set(b->dirty[i], ext);
			continue;
		}
		bool was_active = b->state[i] == BRAID_ACTIVE;
		b->stats.member[i].writes++;
		if (b->member[i]->write(b->member[i], phys, buf) != TAGFS_OK) {
			drop_member(b, i);
			bit_set(b->dirty[i], ext);
			dropped = true;
		} else if (was_active) {
			written = true;
		}
	}
	bit_set(b->since_flush, ext);
	if (!written)
		return TAGFS_EIO;
	return dropped ? commit_labels(b) : TAGFS_OK;
}

static int stripe_write(struct braid *b, uint64_t block, const void *buf)
{
	uint32_t disk;
	uint64_t phys = stripe_place(b, block, &disk);
	if (b->state[disk] != BRAID_ACTIVE)
		return TAGFS_EIO;
	b->stats.member[disk].writes++;
	if (b->member[disk]->write(b->member[disk], phys, buf) != TAGFS_OK) {
		drop_member(b, disk);
		return TAGFS_EIO;
	}
	return TAGFS_OK;
}

static int braid_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	struct braid *b = d->ctx;
	if (!buf)
		return TAGFS_EINVAL;
	if (block >= b->dev.blocks)
		return TAGFS_ERANGE;
	return mirrored(b) ? write_copies(b, block, buf) : stripe_write(b, block, buf);
}

static int braid_flush(struct tagfs_dev *d)
{
	struct braid *b = d->ctx;
	bool lost = false;
	for (uint32_t i = 0; i < b->label.member_count; i++) {
		if (b->state[i] == BRAID_ABSENT)
			continue;
		if (b->member[i]->flush(b->member[i]) != TAGFS_OK) {
			lost = lost || b->state[i] == BRAID_ACTIVE;
			drop_member(b, i);
		}
	}
	if (!mirrored(b))
		return lost ? TAGFS_EIO : TAGFS_OK;
	if (active_mask(b) == 0)
		return TAGFS_EIO;
	FILL(b->since_flush, 0, sizeof b->since_flush);
	return active_mask(b) != b->label_mask ? commit_labels(b) : TAGFS_OK;
}

/* ---- assemble ------------------------------------------------------------- */

static void setup_device(struct braid *b)
{
	b->dev.ctx = b;
	b->dev.blocks = b->label.set_blocks;
	b->dev.regions = mirrored(b) ? 1 : b->label.member_count;
	b->dev.read = braid_read;
	b->dev.write = braid_write;
	b->dev.flush = braid_flush;
	b->dev.region_of = mirrored(b) ? NULL : braid_region_of;
	b->track_blocks = 1;
	while (b->label.set_blocks / b->track_blocks +
	       (b->label.set_blocks % b->track_blocks != 0) > BRAID_DIRTY_BITS)
		b->track_blocks <<= 1;
	b->track_extents = b->label.set_blocks / b->track_blocks +
			   (b->label.set_blocks % b->track_blocks != 0);
	b->stats.mode = (enum braid_mode)b->label.mode;
	b->stats.members = b->label.member_count;
	b->stats.blocks = b->label.set_blocks;
	b->stats.generation = b->label.generation;
}

int braid_assemble(struct braid *b, struct tagfs_dev *const members[], uint32_t n,
		   struct braid_problem *why)
{
	struct braid_label lab[BRAID_MAX_MEMBERS];
	bool have[BRAID_MAX_MEMBERS] = { false, false, false };
	int first = -1, auth = -1;

	refuse(why, BRAID_WHY_NONE, -1, TAGFS_OK);
	if (!b || !members || n == 0 || n > BRAID_MAX_MEMBERS)
		return refuse(why, BRAID_WHY_BAD_ARGS, -1, TAGFS_EINVAL);
	FILL(b, 0, sizeof *b);
	for (uint32_t i = 0; i < n; i++) {
		struct tagfs_dev *m = members[i];
		if (!m)
			continue;
		if (!m->read || !m->write || !m->flush)
			return refuse(why, BRAID_WHY_BAD_ARGS, (int)i, TAGFS_EINVAL);
		enum braid_reason r;
		int rc = braid_read_label(m, b->labelbuf, &lab[i], &r);
		if (rc == TAGFS_EIO)
			continue;  /* unreadable: the member is missing */
		if (rc != TAGFS_OK)
			return refuse(why, r, (int)i, rc);
		have[i] = true;
		if (first < 0)
			first = (int)i;
		if (auth < 0 || lab[i].generation > lab[auth].generation)
			auth = (int)i;
	}
	if (first < 0)
		return refuse(why, BRAID_WHY_NO_MEMBERS, -1, TAGFS_EIO);
	for (uint32_t i = 0; i < n; i++) {
		if (!have[i])
			continue;
		if (!SAME(lab[i].set_id, lab[first].set_id, BRAID_SET_ID_BYTES))
			return refuse(why, BRAID_WHY_SET_MISMATCH, (int)i, TAGFS_EFORMAT);
		if (!braid_label_same_shape(&lab[i], &lab[first]))
			return refuse(why, BRAID_WHY_GEOMETRY_MISMATCH, (int)i, TAGFS_EFORMAT);
		if (members[i]->blocks < lab[i].member_blocks)
			return refuse(why, BRAID_WHY_TOO_SMALL, (int)i, TAGFS_EFORMAT);
		for (uint32_t j = 0; j < i; j++)
			if (have[j] && lab[j].member_index == lab[i].member_index)
				return refuse(why, BRAID_WHY_DUPLICATE_INDEX, (int)i, TAGFS_EFORMAT);
		if (lab[i].generation == lab[auth].generation &&
		    lab[i].current_mask != lab[auth].current_mask)
			return refuse(why, BRAID_WHY_DIVERGED, (int)i, TAGFS_EFORMAT);
	}

	b->label = lab[auth];
	b->label.member_index = 0;
	b->label_mask = b->label.current_mask;
	setup_device(b);
	for (uint32_t i = 0; i < n; i++) {
		if (!have[i])
			continue;
		uint32_t slot = lab[i].member_index;
		b->member[slot] = members[i];
		b->member_label_gen[slot] = lab[i].generation;
	}
	for (uint32_t s = 0; s < b->label.member_count; s++) {
		bool current = !mirrored(b) || (b->label_mask >> s & 1u);
		if (b->member[s]) {
			set_state(b, s, current ? BRAID_ACTIVE : BRAID_STALE);
		} else if (current) {
			/* It missed nothing so far: track from now on. */
			b->member_label_gen[s] = b->label.generation;
		}
		if (!current)
			mark_all_dirty(b, s);
	}
	if (active_mask(b) == 0)
		return refuse(why, BRAID_WHY_NO_CURRENT, -1, TAGFS_EIO);
	return TAGFS_OK;
}

struct tagfs_dev *braid_dev(struct braid *b)
{
	return b ? &b->dev : NULL;
}

/* ---- resync and re-adding ----------------------------------------------- */

/* Copies one dirty extent onto stale member i; false if it stays dirty. */
static bool copy_extent(struct braid *b, uint32_t i, uint64_t ext, int *status)
{
	uint64_t first = ext * b->track_blocks, end = first + b->track_blocks;
	bool complete = true;
	if (end > b->label.set_blocks)
		end = b->label.set_blocks;
	for (uint64_t blk = first; blk < end; blk++) {
		int rc = read_copies(b, blk, b->xfer, NULL);
		if (rc == TAGFS_ECORRUPT) {
			b->stats.resync_conflicts++;
			*status = TAGFS_ECORRUPT;
			complete = false;
			continue;
		}
		if (rc != TAGFS_OK) {
			*status = rc;
			return false;
		}
		if (b->state[i] != BRAID_STALE)
			return false;
		b->stats.member[i].writes++;
		if (b->member[i]->write(b->member[i], BRAID_LABEL_BLOCKS + blk, b->xfer) != TAGFS_OK) {
			drop_member(b, i);
			*status = TAGFS_EIO;
			return false;
		}
		b->stats.resync_blocks++;
		b->stats.member[i].resync_blocks++;
	}
	return complete;
}

int braid_resync(struct braid *b, uint64_t max_blocks, uint64_t *remaining_extents)
{
	int status = TAGFS_OK;
	bool promoted = false;
	uint64_t start = b ? b->stats.resync_blocks : 0;

	if (!b)
		return TAGFS_EINVAL;
	for (uint32_t i = 0; mirrored(b) && i < b->label.member_count; i++) {
		int member_status = TAGFS_OK;
		for (uint64_t e = 0; b->state[i] == BRAID_STALE && e < b->track_extents; e++) {
			if (max_blocks && b->stats.resync_blocks - start >= max_blocks)
				break;
			if (bit_get(b->dirty[i], e) && copy_extent(b, i, e, &member_status))
				bit_clear(b->dirty[i], e);
			if (member_status == TAGFS_EIO)
				break;
		}
		if (b->state[i] == BRAID_STALE && bits_set(b, b->dirty[i]) == 0) {
			if (b->member[i]->flush(b->member[i]) == TAGFS_OK) {
				set_state(b, i, BRAID_ACTIVE);
				promoted = true;
			} else {
				drop_member(b, i);
				member_status = TAGFS_EIO;
			}
		}
		/* EIO (a member or every source failed) outranks a conflict. */
		if (member_status == TAGFS_EIO || status == TAGFS_OK)
			status = member_status;
	}
	if (promoted) {
		int rc = commit_labels(b);
		if (status == TAGFS_OK)
			status = rc;
	}
	if (remaining_extents) {
		*remaining_extents = 0;
		for (uint32_t i = 0; i < b->label.member_count; i++)
			if (b->state[i] == BRAID_STALE)
				*remaining_extents += bits_set(b, b->dirty[i]);
	}
	return status;
}

int braid_add_member(struct braid *b, uint32_t index, struct tagfs_dev *dev,
		     struct braid_problem *why)
{
	struct braid_label l;
	enum braid_reason r;

	refuse(why, BRAID_WHY_NONE, -1, TAGFS_OK);
	if (!b || !dev || !dev->read || !dev->write || !dev->flush || index >= b->label.member_count)
		return refuse(why, BRAID_WHY_BAD_ARGS, (int)index, TAGFS_EINVAL);
	if (b->state[index] != BRAID_ABSENT)
		return refuse(why, BRAID_WHY_SLOT_BUSY, (int)index, TAGFS_EEXIST);
	if (dev->blocks < b->label.member_blocks)
		return refuse(why, BRAID_WHY_TOO_SMALL, (int)index, TAGFS_EFORMAT);
	int rc = braid_read_label(dev, b->labelbuf, &l, &r);
	bool ours = rc == TAGFS_OK;
	if (rc == TAGFS_EIO)
		return refuse(why, BRAID_WHY_IO, (int)index, TAGFS_EIO);
	if (ours && (!SAME(l.set_id, b->label.set_id, BRAID_SET_ID_BYTES) ||
		     !braid_label_same_shape(&l, &b->label) || l.member_index != index))
		return refuse(why, BRAID_WHY_FOREIGN, (int)index, TAGFS_EEXIST);
	if (!ours && r != BRAID_WHY_NO_LABEL && r != BRAID_WHY_LABEL_CORRUPT)
		return refuse(why, BRAID_WHY_FOREIGN, (int)index, TAGFS_EEXIST);

	if (!mirrored(b)) {
		/* No copies to rebuild from: only the same disk can come back. */
		if (!ours)
			return refuse(why, BRAID_WHY_NO_SOURCE, (int)index, TAGFS_EFORMAT);
		b->member[index] = dev;
		set_state(b, index, BRAID_ACTIVE);
		return TAGFS_OK;
	}
	bool partial = ours && b->member_label_gen[index] != 0 &&
		       l.generation == b->member_label_gen[index];
	if (!partial)
		mark_all_dirty(b, index);
	b->member[index] = dev;
	set_state(b, index, BRAID_STALE);
	/* Label it as a stale member first, so a crash mid-copy is recognised. */
	rc = commit_labels(b);
	if (rc == TAGFS_OK && b->state[index] == BRAID_ABSENT)
		rc = TAGFS_EIO;
	if (rc != TAGFS_OK)
		return refuse(why, BRAID_WHY_IO, (int)index, rc);
	rc = braid_resync(b, 0, NULL);
	/* Another stale member's trouble is not this one's: it is reported by
	 * braid_resync() and the counters. */
	return b->state[index] == BRAID_ACTIVE ? TAGFS_OK : rc;
}

void braid_note_placement(struct braid *b, uint32_t region)
{
	if (b && region < BRAID_MAX_MEMBERS && region < b->dev.regions)
		b->stats.placements[region]++;
}

void braid_get_stats(const struct braid *b, struct braid_stats *out)
{
	if (!b || !out)
		return;
	*out = b->stats;
	out->degraded = false;
	for (uint32_t i = 0; i < b->label.member_count; i++) {
		out->member[i].state = b->state[i];
		out->member[i].dirty_extents = b->state[i] == BRAID_ACTIVE ? 0 : bits_set(b, b->dirty[i]);
		if (b->state[i] != BRAID_ACTIVE)
			out->degraded = true;
	}
}
