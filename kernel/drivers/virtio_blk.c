/*
 * virtio_blk.c: virtio block devices over the modern PCI transport
 * (virtio_pci.c), one request at a time, completion by polling.
 *
 * Devices: vendor 0x1AF4, device 0x1042 (modern-only) or the transitional
 * 0x1001 when it also offers the modern interface.  Features: VERSION_1 is
 * required; FLUSH is taken when offered (without it the device has no
 * volatile cache to flush and flush succeeds at once); RO is honoured (the
 * disk is registered read-only).  Capacity comes from the device
 * configuration (always in 512-byte units, whatever blk_size says).
 *
 * A request is a three-descriptor chain on queue 0: the 16-byte header
 * (type, sector), the data through a 4 KiB bounce page below 4 GiB, and the
 * one-byte status the device writes.  The device's answer is checked: the
 * chain it returns must be ours and the status must be OK.  When a request
 * times out the device still owns the buffers, so it is reset (which makes
 * it drop the queue) and marked failed; later requests fail at once.
 */
#include "drivers/virtio_blk.h"
#include "drivers/disk.h"
#include "drivers/virtio_pci.h"
#include "lib/fmt.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

#define VIRTIO_VENDOR 0x1AF4
#define DEVICE_BLK_TRANSITIONAL 0x1001
#define DEVICE_BLK_MODERN 0x1042

#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)

#define REQ_IN 0
#define REQ_OUT 1
#define REQ_FLUSH 4
#define REQ_GET_ID 8
#define STATUS_OK 0

#define ID_BYTES 20
#define T_IO_US 5000000u
#define T_FLUSH_US 30000000u

struct blk_req_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	struct virtio_pci vio;
	struct virtq q;
	uint64_t sectors;
	uint64_t req_phys;  /* header at 0, status byte at 64 */
	uint8_t *req;
	uint64_t bounce_phys;
	uint8_t *bounce;
	bool failed;
	bool has_flush;
	const char *name;
};

#define REQ_STATUS_OFFSET 64

/* Send one request; data (0..4096 bytes) goes through the bounce page.
 * Returns 0, -1 when the transport failed (logged; the disk is given up),
 * or the device's non-zero status byte (not logged: see vblk_check). */
static int vblk_request(struct vblk *b, uint32_t type, uint64_t sector, uint32_t bytes,
			bool device_writes, uint64_t timeout_us)
{
	if (b->failed)
		return -1;
	struct blk_req_header *h = (struct blk_req_header *)b->req;
	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	volatile uint8_t *status = b->req + REQ_STATUS_OFFSET;
	*status = 0xFF; /* the device must overwrite it */

	struct virtq_desc *d = b->q.desc;
	uint16_t n = 0;
	d[n] = (struct virtq_desc){b->req_phys, sizeof(*h), VIRTQ_DESC_F_NEXT, (uint16_t)(n + 1)};
	n++;
	if (bytes) {
		d[n] = (struct virtq_desc){b->bounce_phys, bytes,
					   (uint16_t)(VIRTQ_DESC_F_NEXT |
						      (device_writes ? VIRTQ_DESC_F_WRITE : 0)),
					   (uint16_t)(n + 1)};
		n++;
	}
	d[n] = (struct virtq_desc){b->req_phys + REQ_STATUS_OFFSET, 1, VIRTQ_DESC_F_WRITE, 0};
	virtq_submit(&b->q, 0);

	uint32_t id = 0, len = 0;
	if (virtq_poll(&b->q, timeout_us, &id, &len) != 0) {
		log_error("%s: request type %u sector %lu timed out after %lu ms; device reset, "
			  "disk marked failed",
			  b->name, type, sector, timeout_us / 1000);
		b->failed = true;
		if (!virtio_pci_reset(&b->vio))
			log_error("%s: the device does not even reset", b->name);
		return -1;
	}
	if (id != 0) {
		log_error("%s: the device returned descriptor chain %u, not ours; disk marked failed",
			  b->name, id);
		b->failed = true;
		virtio_pci_reset(&b->vio);
		return -1;
	}
	return *status; /* 0 OK, 1 I/O error, 2 unsupported, 0xFF never written */
}

/* vblk_request for reads, writes and flushes: a device status is an error. */
static int vblk_check(struct vblk *b, uint32_t type, uint64_t sector, uint32_t bytes,
		      bool device_writes, uint64_t timeout_us)
{
	int st = vblk_request(b, type, sector, bytes, device_writes, timeout_us);
	if (st > 0)
		log_error("%s: request type %u sector %lu failed: status %d (%s)", b->name, type,
			  sector, st,
			  st == 1 ? "I/O error" : st == 2 ? "unsupported"
			  : st == 0xFF ? "never written" : "unknown");
	return st == 0 ? 0 : -1;
}

static int vblk_read(void *ctx, uint64_t lba, uint32_t sectors, void *buf)
{
	struct vblk *b = ctx;
	if (sectors == 0 || sectors > DISK_SECTORS_PER_BLOCK || lba + sectors > b->sectors)
		return -1;
	uint32_t bytes = sectors * DISK_SECTOR_SIZE;
	if (vblk_check(b, REQ_IN, lba, bytes, true, T_IO_US))
		return -1;
	memcpy(buf, b->bounce, bytes);
	return 0;
}

static int vblk_write(void *ctx, uint64_t lba, uint32_t sectors, const void *buf)
{
	struct vblk *b = ctx;
	if (sectors == 0 || sectors > DISK_SECTORS_PER_BLOCK || lba + sectors > b->sectors)
		return -1;
	uint32_t bytes = sectors * DISK_SECTOR_SIZE;
	memcpy(b->bounce, buf, bytes);
	return vblk_check(b, REQ_OUT, lba, bytes, false, T_IO_US);
}

static int vblk_flush(void *ctx)
{
	struct vblk *b = ctx;
	if (!b->has_flush)
		return b->failed ? -1 : 0;
	return vblk_check(b, REQ_FLUSH, 0, 0, false, T_FLUSH_US);
}

static const struct disk_ops vblk_ops = {
	.read = vblk_read,
	.write = vblk_write,
	.flush = vblk_flush,
};

static void free_vblk(struct vblk *b)
{
	if (b->q.phys)
		pmm_free(b->q.phys, 0);
	if (b->req_phys)
		pmm_free(b->req_phys, 0);
	if (b->bounce_phys)
		pmm_free(b->bounce_phys, 0);
	kfree(b);
}

static void setup_device(struct pci_dev *d)
{
	struct vblk *b = kzalloc(sizeof(*b));
	if (!b) {
		log_error("virtio-blk: %02x:%02x.%u: out of memory", d->bus, d->dev, d->fn);
		return;
	}
	b->name = "virtio-blk";
	const char *why = NULL;
	bool started = false;
	if (virtio_pci_probe(d, &b->vio, &why) != 0)
		goto fail;
	started = true;
	if (virtio_pci_negotiate(&b->vio, VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO, 0, &why) != 0)
		goto fail;
	b->has_flush = b->vio.features & VIRTIO_BLK_F_FLUSH;
	if (!virtio_pci_read_config(&b->vio, 0, &b->sectors, sizeof(b->sectors))) {
		why = "the device configuration is too short for the capacity";
		goto fail;
	}
	if (b->sectors < DISK_SECTORS_PER_BLOCK) {
		why = "smaller than one 4 KiB block";
		goto fail;
	}
	b->req_phys = pmm_alloc(ZONE_DMA32, 0);
	b->bounce_phys = pmm_alloc(ZONE_DMA32, 0);
	if (!b->req_phys || !b->bounce_phys) {
		why = "no DMA memory below 4 GiB";
		goto fail;
	}
	b->req = phys_to_virt(b->req_phys);
	b->bounce = phys_to_virt(b->bounce_phys);
	memset(b->req, 0, PAGE_SIZE);
	if (virtio_pci_setup_queue(&b->vio, 0, 8, &b->q, &why) != 0)
		goto fail;
	virtio_pci_driver_ok(&b->vio);

	/* The serial number, if the device has one, makes the model line useful;
	 * a device that does not support GET_ID answers with a status: no serial. */
	char model[48] = "virtio-blk";
	memset(b->bounce, 0, ID_BYTES);
	if (vblk_request(b, REQ_GET_ID, 0, ID_BYTES, true, T_IO_US) == 0 && b->bounce[0]) {
		char serial[ID_BYTES + 1];
		memcpy(serial, b->bounce, ID_BYTES);
		serial[ID_BYTES] = 0;
		fmt_snprintf(model, sizeof(model), "virtio-blk %s", serial);
	}
	if (b->failed) {
		why = "the device does not answer";
		goto fail;
	}
	int index = disk_register("vblk", model, b->sectors, &vblk_ops, b,
				  b->vio.features & VIRTIO_BLK_F_RO);
	if (index < 0)
		goto fail_quiet;
	b->name = disk_name((unsigned)index);
	return;
fail:
	log_error("virtio-blk: %02x:%02x.%u: %s; disk ignored", d->bus, d->dev, d->fn, why);
fail_quiet:
	if (started && !virtio_pci_reset(&b->vio)) {
		virtio_pci_set_failed(&b->vio);
		return; /* leaked on purpose: the device may still use the pages */
	}
	free_vblk(b);
}

void virtio_blk_init(void)
{
	for (unsigned i = 0; i < pci_count(); i++) {
		struct pci_dev *d = pci_get(i);
		if (d->vendor != VIRTIO_VENDOR)
			continue;
		if (d->device != DEVICE_BLK_MODERN && d->device != DEVICE_BLK_TRANSITIONAL)
			continue;
		setup_device(d);
	}
}
