/*
 * virtio_pci.h: the virtio 1.0+ ("modern") PCI transport and split
 * virtqueues, for virtio device drivers (see virtio_pci.c).
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/pci.h"

#define VIRTIO_F_VERSION_1 (1ull << 32)

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2 /* the device writes this buffer */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/* One split virtqueue in one DMA page below 4 GiB. */
struct virtq {
	uint16_t index;        /* the queue's number on the device */
	uint16_t size;         /* entries, a power of two, at most VIRTQ_MAX */
	uint16_t next_avail;   /* our copy of avail->idx */
	uint16_t last_used;    /* used->idx we have consumed up to */
	uint64_t phys;
	struct virtq_desc *desc;
	volatile uint16_t *avail;  /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;   /* flags, idx, then used elements */
	volatile uint16_t *notify; /* the queue's doorbell */
};

#define VIRTQ_MAX 64

struct virtio_pci {
	struct pci_dev *pci;
	volatile uint8_t *common;     /* struct virtio_pci_common_cfg */
	volatile uint8_t *isr;
	volatile uint8_t *device_cfg; /* the device type's own configuration */
	uint32_t device_cfg_len;
	volatile uint8_t *notify_base;
	uint32_t notify_multiplier;
	uint32_t notify_len;
	uint64_t features;            /* what was negotiated */
};

/* Find and map the common, notify, ISR and device configuration structures
 * from the vendor-specific capabilities; turn on memory decoding (bus
 * mastering waits for the reset in virtio_pci_negotiate).  0, or -1 with
 * *why set. */
int virtio_pci_probe(struct pci_dev *d, struct virtio_pci *v, const char **why);

/* Reset, ACKNOWLEDGE, DRIVER, then accept (offered & wanted), requiring
 * `required` (VERSION_1 is always required), and FEATURES_OK.  The result is
 * in v->features.  0, or -1 with *why set (the device is left FAILED). */
int virtio_pci_negotiate(struct virtio_pci *v, uint64_t wanted, uint64_t required, const char **why);

/* Set up queue `index` with up to `max_entries` entries.  0 or -1 (*why). */
int virtio_pci_setup_queue(struct virtio_pci *v, uint16_t index, uint16_t max_entries,
			   struct virtq *q, const char **why);

void virtio_pci_driver_ok(struct virtio_pci *v);
/* Reset the device so that it stops using every queue; false when it does
 * not acknowledge within the timeout. */
bool virtio_pci_reset(struct virtio_pci *v);
void virtio_pci_set_failed(struct virtio_pci *v);

/* A consistent read of `len` bytes of device configuration at `off`
 * (retried while config_generation changes).  false when out of range. */
bool virtio_pci_read_config(struct virtio_pci *v, uint32_t off, void *out, uint32_t len);

/* Make the descriptor chain starting at `head` available and ring the doorbell. */
void virtq_submit(struct virtq *q, uint16_t head);
/* Poll until the device returns a chain or timeout_us passes.  Returns 0 and
 * the chain's head id and written length, or -1 on timeout. */
int virtq_poll(struct virtq *q, uint64_t timeout_us, uint32_t *id, uint32_t *len);

#endif
