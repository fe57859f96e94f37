/*
 * ramdev.c: the RAM-backed struct tagfs_dev (see ramdev.h).
 */
#include "ramdev.h"
#include "port.h"

#define RAMDEV_STRIPE 16u /* blocks per region chunk when pretending to be a stripe */

struct tagfs_ramdev *tagfs_ramdev_of(struct tagfs_dev *dev)
{
	return dev->ctx;
}

static int ram_read(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *check)
{
	struct tagfs_ramdev *r = d->ctx;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	r->reads++;
	memcpy(buf, r->mem + block * TAGFS_BLOCK_SIZE, TAGFS_BLOCK_SIZE);
	if (check && check->ok && !check->ok(buf, check->arg))
		return TAGFS_ECORRUPT;
	return TAGFS_OK;
}

static int ram_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	struct tagfs_ramdev *r = d->ctx;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	r->writes++;
	memcpy(r->mem + block * TAGFS_BLOCK_SIZE, buf, TAGFS_BLOCK_SIZE);
	return TAGFS_OK;
}

static int ram_flush(struct tagfs_dev *d)
{
	((struct tagfs_ramdev *)d->ctx)->flushes++;
	return TAGFS_OK;
}

static uint32_t ram_region_of(struct tagfs_dev *d, uint64_t block)
{
	return (uint32_t)((block / RAMDEV_STRIPE) % d->regions);
}

int tagfs_ramdev_init(struct tagfs_dev *dev, uint64_t blocks, uint32_t regions)
{
	*dev = (struct tagfs_dev){ 0 };
	if (!blocks || blocks > (SIZE_MAX / TAGFS_BLOCK_SIZE) || !regions)
		return TAGFS_EINVAL;
	struct tagfs_ramdev *r = tagfs_zalloc(sizeof(*r));
	if (!r)
		return TAGFS_ENOMEM;
	r->mem = tagfs_zalloc((size_t)(blocks * TAGFS_BLOCK_SIZE));
	if (!r->mem) {
		tagfs_free(r);
		return TAGFS_ENOMEM;
	}
	dev->ctx = r;
	dev->blocks = blocks;
	dev->regions = regions;
	dev->read = ram_read;
	dev->write = ram_write;
	dev->flush = ram_flush;
	dev->region_of = regions > 1 ? ram_region_of : NULL;
	return TAGFS_OK;
}

void tagfs_ramdev_free(struct tagfs_dev *dev)
{
	struct tagfs_ramdev *r = dev->ctx;
	if (r) {
		tagfs_free(r->mem);
		tagfs_free(r);
	}
	*dev = (struct tagfs_dev){ 0 };
}

uint8_t *tagfs_ramdev_block(struct tagfs_dev *dev, uint64_t block)
{
	struct tagfs_ramdev *r = dev->ctx;
	return block < dev->blocks ? r->mem + block * TAGFS_BLOCK_SIZE : NULL;
}
