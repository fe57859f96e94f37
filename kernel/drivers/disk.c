/*
 * disk.c: the kernel's list of disks, each exposed as a struct tagfs_dev.
 *
 * disk_init() enumerates PCI and runs every block driver; each driver calls
 * disk_register() for a disk that answered IDENTIFY (or its virtio
 * equivalent).  A tagfs_dev block is 8 consecutive 512-byte sectors; the
 * last partial block of a disk whose size is not a multiple of 4 KiB is not
 * used.  Each disk has a lock, so two CPUs never drive one disk at once;
 * drivers complete by polling, so the lock is held for the whole transfer.
 * A disk whose driver gave up on it (a timeout it could not recover from)
 * answers TAGFS_EIO from then on; disks are never removed from the list, so
 * an index stays valid.
 */
#include "drivers/disk.h"
#include "drivers/ahci.h"
#include "drivers/pci.h"
#include "drivers/virtio_blk.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lib/fmt.h"

struct disk {
	char name[12];
	char model[48];
	uint64_t sectors;
	bool read_only;
	const struct disk_ops *ops;
	void *ctx;
	struct spinlock lock;
	struct tagfs_dev dev;
};

static struct disk disks[DISK_MAX];
static unsigned disks_used;

static int disk_dev_read(struct tagfs_dev *d, uint64_t block, void *buf,
			 const struct tagfs_check *check)
{
	struct disk *k = d->ctx;
	if (!buf)
		return TAGFS_EINVAL;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	spin_lock(&k->lock);
	int err = k->ops->read(k->ctx, block * DISK_SECTORS_PER_BLOCK, DISK_SECTORS_PER_BLOCK, buf);
	spin_unlock(&k->lock);
	if (err)
		return TAGFS_EIO;
	if (check && check->ok && !check->ok(buf, check->arg))
		return TAGFS_ECORRUPT;
	return TAGFS_OK;
}

static int disk_dev_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	struct disk *k = d->ctx;
	if (!buf)
		return TAGFS_EINVAL;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	if (k->read_only)
		return TAGFS_EROFS;
	spin_lock(&k->lock);
	int err = k->ops->write(k->ctx, block * DISK_SECTORS_PER_BLOCK, DISK_SECTORS_PER_BLOCK, buf);
	spin_unlock(&k->lock);
	return err ? TAGFS_EIO : TAGFS_OK;
}

static int disk_dev_flush(struct tagfs_dev *d)
{
	struct disk *k = d->ctx;
	spin_lock(&k->lock);
	int err = k->ops->flush(k->ctx);
	spin_unlock(&k->lock);
	return err ? TAGFS_EIO : TAGFS_OK;
}

/* Copy a model string, dropping control bytes and surrounding blanks: the
 * string comes from the device and is not trusted to be printable. */
static void copy_model(char *out, size_t size, const char *in)
{
	size_t n = 0;
	for (const char *p = in; *p && n + 1 < size; p++) {
		char c = *p;
		if (c < 0x20 || c > 0x7E)
			c = '?';
		if (c == ' ' && n == 0)
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = 0;
	if (n == 0)
		memcpy(out, "(no model)", 11);
}

int disk_register(const char *prefix, const char *model, uint64_t sectors,
		  const struct disk_ops *ops, void *ctx, bool read_only)
{
	if (disks_used >= DISK_MAX) {
		log_error("disk: more than %u disks; %s disk \"%s\" ignored", DISK_MAX, prefix, model);
		return -1;
	}
	unsigned same = 0;
	for (unsigned i = 0; i < disks_used; i++)
		if (strncmp(disks[i].name, prefix, strlen(prefix)) == 0 &&
		    disks[i].name[strlen(prefix)] >= '0' && disks[i].name[strlen(prefix)] <= '9')
			same++;
	struct disk *k = &disks[disks_used];
	memset(k, 0, sizeof(*k));
	fmt_snprintf(k->name, sizeof(k->name), "%s%u", prefix, same);
	copy_model(k->model, sizeof(k->model), model);
	k->sectors = sectors;
	k->read_only = read_only;
	k->ops = ops;
	k->ctx = ctx;
	k->lock = (struct spinlock)SPINLOCK_INIT;
	k->dev.ctx = k;
	k->dev.blocks = sectors / DISK_SECTORS_PER_BLOCK;
	k->dev.regions = 1;
	k->dev.read = disk_dev_read;
	k->dev.write = disk_dev_write;
	k->dev.flush = disk_dev_flush;
	k->dev.region_of = NULL;
	log_info("disk: %s: %s, %lu MiB%s", k->name, k->model, sectors >> 11,
		 read_only ? " (read-only)" : "");
	return (int)disks_used++;
}

void disk_init(void)
{
	pci_init();
	ahci_init();
	virtio_blk_init();
	if (disks_used == 0)
		log_info("disk: no disks");
}

unsigned disk_count(void)
{
	return disks_used;
}

struct tagfs_dev *disk_get(unsigned i)
{
	return i < disks_used ? &disks[i].dev : NULL;
}

const char *disk_name(unsigned i)
{
	return i < disks_used ? disks[i].name : "";
}

const char *disk_model(unsigned i)
{
	return i < disks_used ? disks[i].model : "";
}

bool disk_read_only(unsigned i)
{
	return i < disks_used && disks[i].read_only;
}
