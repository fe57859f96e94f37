/* virtio_blk.h: the virtio block device driver, modern PCI transport (see virtio_blk.c). */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

/* Bring up every virtio-blk PCI function that offers the virtio 1.0+ (modern)
 * interface and register its disk (disk.h).  A device that does not behave
 * is logged and skipped; this never fails the boot. */
void virtio_blk_init(void);

#endif
