/*
 * volume.c: finding and mounting the TagFS volume at boot.
 *
 * Every disk is looked at once, in disk order (disk.h), by reading its
 * block 0 (and the GPT entry array when there is one):
 *   - a Braid label (braid_read_label)     -> a member of a Braid set
 *   - the TagFS superblock magic in block 0 or in the last block
 *                                          -> a whole-disk volume
 *   - a GPT with partitions of the BoxOS TagFS type (part.h)
 *                                          -> a partition volume
 * Then one volume is chosen: the disk or partition named by `storage=NAME`
 * when given; otherwise a Braid set first (the members carrying the set id
 * of the first member found; disks of other sets are logged and left
 * alone), then the first whole disk, then the first partition (also when
 * the Braid set cannot be assembled).  So a data disk attached on purpose
 * wins over the TagFS partition of the boot image.
 *
 * With the `disktest` word on the command line nothing is scanned or
 * mounted (disktest writes every disk and times its transfers).
 *
 * Nothing here stops the boot: an unreadable disk is skipped, a Braid set
 * that cannot be assembled or a volume TagFS refuses is logged with the
 * library's reason, and the kernel goes on with no volume (the Storage Deck
 * then answers BOX_ERR_NOENT).  Stale Braid members are resynchronised
 * before the mount.
 */
#include "core/volume.h"
#include "arch/x86_64/timer.h"
#include "drivers/disk.h"
#include "drivers/part.h"
#include "drivers/rtc.h"
#include "lib/cmdline.h"
#include "lib/fmt.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "tagfs/format.h"


struct candidate {
	enum volume_kind kind;
	unsigned disk;
	struct part_range part;
	char where[VOLUME_WHERE_MAX];
};

#define MAX_CANDIDATES (DISK_MAX * 2)

static struct {
	enum volume_kind kind;
	struct tagfs *fs;
	char where[VOLUME_WHERE_MAX];
	char why[VOLUME_WHY_MAX];
	uint64_t boot_unix;        /* RTC at mount; file times count on from it */
	uint64_t boot_us;
	struct part_dev part;
	struct braid braid;        /* about 37 KiB: static, not on a stack */
	struct candidate cand[MAX_CANDIDATES];
	unsigned ncand;
	unsigned braid_disk[DISK_MAX];
	struct braid_label braid_label[DISK_MAX];
	unsigned nbraid;
	uint8_t block[TAGFS_BLOCK_SIZE];
} vol;

struct tagfs *volume_fs(void) { return vol.fs; }
struct braid *volume_braid(void) { return vol.fs && vol.kind == VOLUME_BRAID ? &vol.braid : NULL; }
enum volume_kind volume_kind(void) { return vol.fs ? vol.kind : VOLUME_NONE; }
const char *volume_where(void) { return vol.fs ? vol.where : ""; }
const char *volume_problem(void) { return vol.why; }

uint64_t volume_now(void *arg)
{
	(void)arg;
	return vol.boot_unix + (timer_us_since_boot() - vol.boot_us) / 1000000u;
}

static void add_candidate(enum volume_kind kind, unsigned disk, const struct part_range *p)
{
	if (vol.ncand >= MAX_CANDIDATES)
		return;
	struct candidate *c = &vol.cand[vol.ncand++];
	c->kind = kind;
	c->disk = disk;
	if (p) {
		c->part = *p;
		fmt_snprintf(c->where, sizeof(c->where), "%sp%u", disk_name(disk), p->index);
	} else {
		fmt_snprintf(c->where, sizeof(c->where), "%s", disk_name(disk));
	}
}

static bool has_sb_magic(const uint8_t *block)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | block[SB_MAGIC + i];
	return v == TFS_SB_MAGIC;
}

/* The GPT in block 0 (header at byte 512), entries read block by block. */
static void scan_gpt(unsigned i, struct tagfs_dev *dev)
{
	struct part_gpt g;
	const char *why = NULL;
	uint64_t sectors = dev->blocks * DISK_SECTORS_PER_BLOCK;
	if (part_gpt_header(vol.block + PART_SECTOR, sectors, &g, &why) != 0)
		return; /* no GPT: nothing to say */
	uint64_t bytes = part_gpt_entries_bytes(&g);
	uint64_t start = g.entries_lba * PART_SECTOR;
	uint64_t first_block = start / TAGFS_BLOCK_SIZE;
	uint64_t nblocks = (start % TAGFS_BLOCK_SIZE + bytes + TAGFS_BLOCK_SIZE - 1) / TAGFS_BLOCK_SIZE;
	uint8_t *buf = kmalloc(nblocks * TAGFS_BLOCK_SIZE);
	if (!buf) {
		log_warn("storage: %s: no memory for the GPT entries; skipped", disk_name(i));
		return;
	}
	for (uint64_t b = 0; b < nblocks; b++)
		if (dev->read(dev, first_block + b, buf + b * TAGFS_BLOCK_SIZE, NULL) != TAGFS_OK) {
			log_warn("storage: %s: GPT entries unreadable; skipped", disk_name(i));
			kfree(buf);
			return;
		}
	struct part_range parts[PART_MAX];
	unsigned n;
	if (part_gpt_find(&g, buf + start % TAGFS_BLOCK_SIZE, (size_t)bytes, part_type_tagfs, parts,
			  PART_MAX, &n, &why) != 0)
		log_warn("storage: %s: GPT refused: %s", disk_name(i), why);
	for (unsigned k = 0; k < n; k++)
		add_candidate(VOLUME_PARTITION, i, &parts[k]);
	kfree(buf);
}

static void scan_disk(unsigned i)
{
	struct tagfs_dev *dev = disk_get(i);
	if (!dev || dev->blocks < 2)
		return;
	struct braid_label label;
	enum braid_reason br;
	int rc = braid_read_label(dev, vol.block, &label, &br);
	if (rc == TAGFS_OK) {
		vol.braid_disk[vol.nbraid] = i;
		vol.braid_label[vol.nbraid++] = label;
		return;
	}
	if (rc == TAGFS_EIO) {
		log_warn("storage: %s: blocks 0-1 unreadable; disk skipped", disk_name(i));
		return;
	}
	if (br != BRAID_WHY_NO_LABEL) {
		log_warn("storage: %s: Braid label refused (%s); disk skipped", disk_name(i),
			 braid_reason_text(br));
		return;
	}
	if (dev->read(dev, 0, vol.block, NULL) != TAGFS_OK) {
		log_warn("storage: %s: block 0 unreadable; disk skipped", disk_name(i));
		return;
	}
	if (has_sb_magic(vol.block)) {
		add_candidate(VOLUME_DISK, i, NULL);
		return;
	}
	scan_gpt(i, dev);
	/* superblock copy A lost: copy B sits in the last block */
	bool found = false;
	for (unsigned k = 0; k < vol.ncand; k++)
		found |= vol.cand[k].disk == i;
	if (!found && dev->read(dev, dev->blocks - 1, vol.block, NULL) == TAGFS_OK &&
	    has_sb_magic(vol.block))
		add_candidate(VOLUME_DISK, i, NULL);
}

static const char *mode_name(uint32_t mode)
{
	return mode == BRAID_MIRROR ? "mirror" : mode == BRAID_STRIPE ? "stripe" :
	       mode == BRAID_WEAVE ? "weave" : "?";
}

/* Assembles the set of the first labelled disk; the device to mount or NULL. */
static struct tagfs_dev *assemble_braid(void)
{
	struct tagfs_dev *members[BRAID_MAX_MEMBERS];
	unsigned n = 0;
	const struct braid_label *first = &vol.braid_label[0];
	int len = fmt_snprintf(vol.where, sizeof(vol.where), "braid %s", mode_name(first->mode));
	for (unsigned k = 0; k < vol.nbraid; k++) {
		unsigned d = vol.braid_disk[k];
		if (memcmp(vol.braid_label[k].set_id, first->set_id, BRAID_SET_ID_BYTES) != 0) {
			log_warn("storage: %s: member of another Braid set; left alone", disk_name(d));
			continue;
		}
		if (n == BRAID_MAX_MEMBERS) {
			log_warn("storage: %s: a fourth disk of one Braid set; left alone", disk_name(d));
			continue;
		}
		members[n++] = disk_get(d);
		if (len > 0 && (size_t)len < sizeof(vol.where))
			len += fmt_snprintf(vol.where + len, sizeof(vol.where) - (size_t)len, "%s%s",
					    n == 1 ? " " : "+", disk_name(d));
	}
	struct braid_problem problem;
	int rc = braid_assemble(&vol.braid, members, n, &problem);
	if (rc != TAGFS_OK) {
		fmt_snprintf(vol.why, sizeof(vol.why), "Braid set refused: %s", braid_reason_text(problem.reason));
		return NULL;
	}
	bool stale = false;
	for (unsigned i = 0; i < vol.braid.label.member_count && i < BRAID_MAX_MEMBERS; i++) {
		if (vol.braid.state[i] == BRAID_ABSENT)
			log_warn("storage: Braid member %u is missing; the set runs degraded", i);
		stale |= vol.braid.state[i] == BRAID_STALE;
	}
	if (stale) {
		uint64_t left = 0;
		rc = braid_resync(&vol.braid, 0, &left);
		struct braid_stats st;
		braid_get_stats(&vol.braid, &st);
		log_info("storage: Braid resync %s: %lu blocks copied, %lu extents left",
			 tagfs_strerror(rc), st.resync_blocks, left);
	}
	return braid_dev(&vol.braid);
}

static struct tagfs_dev *open_candidate(const struct candidate *c)
{
	struct tagfs_dev *disk = disk_get(c->disk);
	memcpy(vol.where, c->where, sizeof(vol.where));
	vol.kind = c->kind;
	if (c->kind == VOLUME_DISK)
		return disk;
	part_dev_init(&vol.part, disk, c->part.first_block, c->part.blocks);
	return &vol.part.dev;
}

void volume_init(const char *cmdline)
{
	char want[VOLUME_WHERE_MAX] = "";
	bool has_want = cmdline_get(cmdline, "storage", want, sizeof(want));
	if (has_want && strcmp(want, "off") == 0) {
		fmt_snprintf(vol.why, sizeof(vol.why), "storage=off");
		log_info("storage: no volume (storage=off)");
		return;
	}
	if (cmdline_has(cmdline, "disktest")) {
		/* disktest writes every disk's last blocks and times transfers:
		 * a mounted volume would race it, a slow scan would skew it */
		fmt_snprintf(vol.why, sizeof(vol.why), "disktest owns the disks");
		log_info("storage: no volume (disktest owns the disks)");
		return;
	}
	bool readonly = has_want && strcmp(want, "ro") == 0;
	if (readonly)
		has_want = false;
	struct rtc_time t;
	vol.boot_unix = rtc_read(&t) == 0 ? rtc_to_unix(&t) : 0;
	vol.boot_us = timer_us_since_boot();

	for (unsigned i = 0; i < disk_count(); i++)
		scan_disk(i);

	struct tagfs_dev *dev = NULL;
	if (has_want) {
		for (unsigned k = 0; k < vol.ncand && !dev; k++)
			if (strcmp(vol.cand[k].where, want) == 0)
				dev = open_candidate(&vol.cand[k]);
		if (!dev && strcmp(want, "braid") == 0 && vol.nbraid) {
			vol.kind = VOLUME_BRAID;
			dev = assemble_braid();
		} else if (!dev) {
			fmt_snprintf(vol.why, sizeof(vol.why), "storage=%s names no TagFS volume", want);
		}
	} else {
		if (vol.nbraid) {
			vol.kind = VOLUME_BRAID;
			dev = assemble_braid();
			if (!dev && vol.ncand)
				log_warn("storage: %s; trying the other volumes", vol.why);
		}
		for (unsigned k = 0; k < vol.ncand && !dev; k++)
			if (vol.cand[k].kind == VOLUME_DISK)
				dev = open_candidate(&vol.cand[k]);
		if (!dev && vol.ncand)
			dev = open_candidate(&vol.cand[0]);
		if (!dev && !vol.nbraid)
			fmt_snprintf(vol.why, sizeof(vol.why), "no disk holds a TagFS volume");
	}
	if (!dev) {
		log_info("storage: no volume (%s)", vol.why);
		return;
	}

	char why[VOLUME_WHY_MAX] = "";
	struct tagfs_mount_opts opts = {
		.flags = readonly ? TAGFS_MOUNT_RDONLY : 0,
		.now = volume_now,
		.why = why,
		.why_len = sizeof(why),
	};
	struct tagfs *fs = NULL;
	int rc = tagfs_mount(dev, &opts, &fs);
	if (rc != TAGFS_OK) {
		fmt_snprintf(vol.why, sizeof(vol.why), "%s refused: %s (%s)", vol.where,
			     why[0] ? why : "mount failed", tagfs_strerror(rc));
		log_warn("storage: no volume (%s)", vol.why);
		return;
	}
	vol.fs = fs;
	struct tagfs_statfs sf;
	tagfs_statfs(fs, &sf);
	bool ro = tagfs_readonly(fs);
	if (ro && !readonly)
		fmt_snprintf(vol.why, sizeof(vol.why), "mounted read-only: %s",
			     why[0] ? why : "degraded");
	log_info("storage: mounted %s%s: %lu files, %lu tags, %lu snapshots, %lu of %lu blocks free",
		 vol.where, ro ? " read-only" : "", sf.files, sf.tags, sf.snapshots, sf.free_blocks,
		 sf.pool_blocks);
}
