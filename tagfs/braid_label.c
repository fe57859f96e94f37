/*
 * braid_label.c: Braid member labels and braid_format().
 *
 * Every member of a Braid set starts with two copies of a 128-byte label
 * (member blocks 0 and 1, the rest of each block zero): set id, mode, member
 * count and index, geometry, generation and the mask of members that held
 * current data at that generation, protected by an XXH3-64 checksum.  A
 * label is accepted only when its magic, version and checksum are right and
 * its fields describe a possible set; of two valid copies the newer
 * generation wins, so a label write torn by a power cut leaves the other
 * copy in charge.  The layout is in docs/braid.md.
 *
 * Portable like braid.c: builtins for memcpy/memset/memcmp, header-only xxHash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "braid.h"

/* Same xxHash configuration as decks/operations.c: inline, scalar, no libc. */
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_SCALAR
#define XXH_FORCE_MEMORY_ACCESS 1
#define XXH_NO_STDLIB
#define XXH_NO_STREAM
#include <xxhash.h>

#define COPY(d, s, n) __builtin_memcpy((d), (s), (n))
#define FILL(d, c, n) __builtin_memset((d), (c), (n))
#define SAME(a, b, n) (__builtin_memcmp((a), (b), (n)) == 0)

/* On-disk label layout (little-endian), see docs/braid.md. */
#define LABEL_MAGIC "BOXBRAID"
#define OFF_MAGIC 0
#define OFF_VERSION 8
#define OFF_LABEL_BYTES 12
#define OFF_SET_ID 16
#define OFF_MODE 32
#define OFF_COUNT 36
#define OFF_INDEX 40
#define OFF_EXTENT 44
#define OFF_SET_BLOCKS 48
#define OFF_MEMBER_BLOCKS 56
#define OFF_GENERATION 64
#define OFF_MASK 72
#define OFF_FLAGS 76
#define OFF_CHECKSUM 120
#define LABEL_BYTES 128u

const char *braid_reason_text(enum braid_reason reason)
{
	switch (reason) {
	case BRAID_WHY_NONE: return "no problem";
	case BRAID_WHY_BAD_ARGS: return "bad arguments";
	case BRAID_WHY_NO_MEMBERS: return "no member device is present";
	case BRAID_WHY_NO_LABEL: return "a member carries no Braid label";
	case BRAID_WHY_LABEL_CORRUPT: return "a member's labels fail their checksum";
	case BRAID_WHY_VERSION: return "a member's label version is not supported";
	case BRAID_WHY_BAD_FIELD: return "a member's label has impossible fields";
	case BRAID_WHY_SET_MISMATCH: return "member labels belong to different sets";
	case BRAID_WHY_GEOMETRY_MISMATCH: return "members disagree on mode, count or size";
	case BRAID_WHY_DUPLICATE_INDEX: return "two devices claim the same member index";
	case BRAID_WHY_TOO_SMALL: return "a member device is smaller than its label says";
	case BRAID_WHY_DIVERGED: return "members were written separately (split brain)";
	case BRAID_WHY_NO_CURRENT: return "no present member holds current data";
	case BRAID_WHY_FOREIGN: return "the disk belongs to another set or slot";
	case BRAID_WHY_NO_SOURCE: return "stripe data on a replaced disk cannot be rebuilt";
	case BRAID_WHY_SLOT_BUSY: return "that member slot is in use";
	case BRAID_WHY_IO: return "a label could not be read or written";
	}
	return "unknown reason";
}

/* ---- little-endian fields -------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- labels ------------------------------------------------------------- */

void braid_encode_label(const struct braid_label *l, uint8_t block[TAGFS_BLOCK_SIZE])
{
	FILL(block, 0, TAGFS_BLOCK_SIZE);
	COPY(block + OFF_MAGIC, LABEL_MAGIC, 8);
	put32(block + OFF_VERSION, l->version);
	put32(block + OFF_LABEL_BYTES, LABEL_BYTES);
	COPY(block + OFF_SET_ID, l->set_id, BRAID_SET_ID_BYTES);
	put32(block + OFF_MODE, l->mode);
	put32(block + OFF_COUNT, l->member_count);
	put32(block + OFF_INDEX, l->member_index);
	put32(block + OFF_EXTENT, l->extent_blocks);
	put64(block + OFF_SET_BLOCKS, l->set_blocks);
	put64(block + OFF_MEMBER_BLOCKS, l->member_blocks);
	put64(block + OFF_GENERATION, l->generation);
	put32(block + OFF_MASK, l->current_mask);
	put32(block + OFF_FLAGS, l->flags);
	put64(block + OFF_CHECKSUM, XXH3_64bits(block, OFF_CHECKSUM));
}

/* The fields of a checksummed label must describe a possible set. */
static bool label_fields_ok(const struct braid_label *l)
{
	uint32_t n = l->member_count;
	if (l->mode == BRAID_MIRROR) {
		if (n != 2 || l->extent_blocks != 0)
			return false;
	} else if (l->mode == BRAID_WEAVE) {
		if (n != 3 || l->extent_blocks != 0)
			return false;
	} else if (l->mode == BRAID_STRIPE) {
		if (n < 2 || n > 3 || l->extent_blocks == 0)
			return false;
	} else {
		return false;
	}
	if (l->member_index >= n || l->set_blocks == 0 || l->generation == 0 || l->flags != 0)
		return false;
	if (l->current_mask & ~((1u << n) - 1u))
		return false;
	if (l->mode == BRAID_STRIPE) {
		uint64_t per = l->set_blocks / n;
		return l->set_blocks % ((uint64_t)n * l->extent_blocks) == 0 &&
		       l->member_blocks == BRAID_LABEL_BLOCKS + per && l->member_blocks > per;
	}
	return l->member_blocks == BRAID_LABEL_BLOCKS + l->set_blocks &&
	       l->member_blocks > l->set_blocks;
}

static enum braid_reason decode_label(const uint8_t *block, struct braid_label *l)
{
	if (!SAME(block + OFF_MAGIC, LABEL_MAGIC, 8))
		return BRAID_WHY_NO_LABEL;
	l->version = get32(block + OFF_VERSION);
	if (l->version != BRAID_LABEL_VERSION)
		return BRAID_WHY_VERSION;
	if (get64(block + OFF_CHECKSUM) != XXH3_64bits(block, OFF_CHECKSUM))
		return BRAID_WHY_LABEL_CORRUPT;
	if (get32(block + OFF_LABEL_BYTES) != LABEL_BYTES)
		return BRAID_WHY_BAD_FIELD;
	COPY(l->set_id, block + OFF_SET_ID, BRAID_SET_ID_BYTES);
	l->mode = get32(block + OFF_MODE);
	l->member_count = get32(block + OFF_COUNT);
	l->member_index = get32(block + OFF_INDEX);
	l->extent_blocks = get32(block + OFF_EXTENT);
	l->set_blocks = get64(block + OFF_SET_BLOCKS);
	l->member_blocks = get64(block + OFF_MEMBER_BLOCKS);
	l->generation = get64(block + OFF_GENERATION);
	l->current_mask = get32(block + OFF_MASK);
	l->flags = get32(block + OFF_FLAGS);
	return label_fields_ok(l) ? BRAID_WHY_NONE : BRAID_WHY_BAD_FIELD;
}

/* Which of two failures says more about the disk. */
static int reason_rank(enum braid_reason r)
{
	switch (r) {
	case BRAID_WHY_VERSION: return 4;
	case BRAID_WHY_BAD_FIELD: return 3;
	case BRAID_WHY_LABEL_CORRUPT: return 2;
	case BRAID_WHY_NO_LABEL: return 1;
	default: return 0;
	}
}

int braid_read_label(struct tagfs_dev *dev, void *scratch, struct braid_label *out,
		     enum braid_reason *why)
{
	struct braid_label copy[2];
	enum braid_reason r[2];
	bool io[2];

	if (!dev || !scratch || !out)
		return TAGFS_EINVAL;
	for (int c = 0; c < 2; c++) {
		io[c] = dev->blocks <= (uint64_t)c || dev->read(dev, (uint64_t)c, scratch, NULL) != TAGFS_OK;
		r[c] = io[c] ? BRAID_WHY_IO : decode_label(scratch, &copy[c]);
	}
	int pick = -1;
	if (r[0] == BRAID_WHY_NONE && r[1] == BRAID_WHY_NONE)
		pick = copy[1].generation > copy[0].generation ? 1 : 0;
	else if (r[0] == BRAID_WHY_NONE)
		pick = 0;
	else if (r[1] == BRAID_WHY_NONE)
		pick = 1;
	if (pick >= 0) {
		*out = copy[pick];
		if (why)
			*why = BRAID_WHY_NONE;
		return TAGFS_OK;
	}
	if (why)
		*why = reason_rank(r[0]) >= reason_rank(r[1]) ? r[0] : r[1];
	return io[0] && io[1] ? TAGFS_EIO : TAGFS_EFORMAT;
}

/* Same set, same shape. */
bool braid_label_same_shape(const struct braid_label *a, const struct braid_label *c)
{
	return a->mode == c->mode && a->member_count == c->member_count &&
	       a->extent_blocks == c->extent_blocks && a->set_blocks == c->set_blocks &&
	       a->member_blocks == c->member_blocks;
}

static const uint8_t zero_block[TAGFS_BLOCK_SIZE];

/* ---- format --------------------------------------------------------------- */

int braid_format(struct braid *b, struct tagfs_dev *const members[], uint32_t n,
		 const struct braid_config *cfg)
{
	if (!b || !members || !cfg || n < 2 || n > BRAID_MAX_MEMBERS)
		return TAGFS_EINVAL;
	if ((cfg->mode == BRAID_MIRROR && n != 2) || (cfg->mode == BRAID_WEAVE && n != 3) ||
	    (cfg->mode != BRAID_MIRROR && cfg->mode != BRAID_WEAVE && cfg->mode != BRAID_STRIPE))
		return TAGFS_EINVAL;
	uint64_t min_blocks = UINT64_MAX;
	for (uint32_t i = 0; i < n; i++) {
		if (!members[i] || !members[i]->read || !members[i]->write || !members[i]->flush)
			return TAGFS_EINVAL;
		if (members[i]->blocks < min_blocks)
			min_blocks = members[i]->blocks;
	}
	if (min_blocks <= BRAID_LABEL_BLOCKS)
		return TAGFS_ENOSPC;

	struct braid_label l = { .version = BRAID_LABEL_VERSION, .mode = cfg->mode,
				 .member_count = n, .generation = 1,
				 .current_mask = (1u << n) - 1u };
	COPY(l.set_id, cfg->set_id, BRAID_SET_ID_BYTES);
	if (cfg->mode == BRAID_STRIPE) {
		l.extent_blocks = cfg->extent_blocks ? cfg->extent_blocks : BRAID_DEFAULT_EXTENT;
		uint64_t per = (min_blocks - BRAID_LABEL_BLOCKS) / l.extent_blocks * l.extent_blocks;
		if (per == 0)
			return TAGFS_ENOSPC;
		l.set_blocks = per * n;
		l.member_blocks = BRAID_LABEL_BLOCKS + per;
	} else {
		l.set_blocks = min_blocks - BRAID_LABEL_BLOCKS;
		l.member_blocks = min_blocks;
	}

	for (uint32_t i = 0; cfg->zero_data && i < n; i++)
		for (uint64_t p = BRAID_LABEL_BLOCKS; p < l.member_blocks; p++)
			if (members[i]->write(members[i], p, zero_block) != TAGFS_OK)
				return TAGFS_EIO;
	uint8_t *buf = (uint8_t *)b->labelbuf;
	for (uint64_t copy = 0; copy < 2; copy++) {
		for (uint32_t i = 0; i < n; i++) {
			l.member_index = i;
			braid_encode_label(&l, buf);
			if (members[i]->write(members[i], copy, buf) != TAGFS_OK ||
			    members[i]->flush(members[i]) != TAGFS_OK)
				return TAGFS_EIO;
		}
	}
	return braid_assemble(b, members, n, NULL);
}
