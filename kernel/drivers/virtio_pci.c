/*
 * virtio_pci.c: the virtio 1.0+ PCI transport ("modern" interface only) and
 * split virtqueues, driven by polling.
 *
 * The device describes where its structures are with vendor-specific PCI
 * capabilities (type 0x09): common configuration, notification doorbells,
 * ISR status and the device-specific configuration, each a (BAR, offset,
 * length) triple.  Every triple is checked against the BAR's real size
 * before the BAR is mapped, so a lying device cannot make us touch memory
 * outside its own registers.  The legacy (virtio 0.9, I/O port) interface
 * is not supported: a device must offer VIRTIO_F_VERSION_1.
 *
 * Queues: one 4 KiB page below 4 GiB per queue holds the descriptor table
 * (16 bytes per entry), the available ring at 1 KiB and the used ring at
 * 2 KiB, which fits up to VIRTQ_MAX = 64 entries.  No interrupts (MSI-X
 * vectors stay unassigned, INTx is off), no event-index suppression: the
 * driver rings the doorbell for every submission and polls the used ring.
 */
#include "drivers/virtio_pci.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "mm/pmm.h"

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* struct virtio_pci_common_cfg */
#define CC_DEVICE_FEATURE_SELECT 0x00
#define CC_DEVICE_FEATURE 0x04
#define CC_DRIVER_FEATURE_SELECT 0x08
#define CC_DRIVER_FEATURE 0x0C
#define CC_NUM_QUEUES 0x12
#define CC_DEVICE_STATUS 0x14
#define CC_CONFIG_GENERATION 0x15
#define CC_QUEUE_SELECT 0x16
#define CC_QUEUE_SIZE 0x18
#define CC_QUEUE_MSIX_VECTOR 0x1A
#define CC_QUEUE_ENABLE 0x1C
#define CC_QUEUE_NOTIFY_OFF 0x1E
#define CC_QUEUE_DESC 0x20
#define CC_QUEUE_DRIVER 0x28
#define CC_QUEUE_DEVICE 0x30
#define CC_MIN_LEN 0x38

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED 128

#define NO_VECTOR 0xFFFF
#define RESET_TIMEOUT_US 1000000u
#define BAR_MAX_SIZE (16u << 20)

#define AVAIL_OFFSET 1024
#define USED_OFFSET 2048

static inline void w8(volatile uint8_t *b, uint32_t off, uint8_t v) { *(volatile uint8_t *)(b + off) = v; }
static inline void w16(volatile uint8_t *b, uint32_t off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static inline void w32(volatile uint8_t *b, uint32_t off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }
static inline uint8_t r8(volatile uint8_t *b, uint32_t off) { return *(volatile uint8_t *)(b + off); }
static inline uint16_t r16(volatile uint8_t *b, uint32_t off) { return *(volatile uint16_t *)(b + off); }
static inline uint32_t r32(volatile uint8_t *b, uint32_t off) { return *(volatile uint32_t *)(b + off); }

static void w64(volatile uint8_t *b, uint32_t off, uint64_t v)
{
	w32(b, off, (uint32_t)v);
	w32(b, off + 4, (uint32_t)(v >> 32));
}

/* The structure a capability points at, mapped, or NULL when it lies
 * outside its BAR.  *len gets the structure's length. */
static volatile uint8_t *map_cap_target(struct pci_dev *d, uint8_t cap, uint32_t *len)
{
	uint8_t bar = pci_read8(d, cap + 4);
	uint32_t offset = pci_read32(d, cap + 8), length = pci_read32(d, cap + 12);
	if (bar >= PCI_BAR_COUNT || length == 0)
		return NULL;
	const struct pci_bar *b = &d->bars[bar];
	if (b->io || b->size == 0 || offset > b->size || length > b->size - offset)
		return NULL;
	uint8_t *base = pci_map_bar(d, bar, BAR_MAX_SIZE);
	if (!base)
		return NULL;
	*len = length;
	return base + offset;
}

int virtio_pci_probe(struct pci_dev *d, struct virtio_pci *v, const char **why)
{
	memset(v, 0, sizeof(*v));
	v->pci = d;
	uint32_t common_len = 0, isr_len = 0;
	for (uint8_t cap = pci_find_cap(d, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_cap(d, PCI_CAP_VENDOR, cap)) {
		uint8_t type = pci_read8(d, cap + 3), cap_len = pci_read8(d, cap + 2);
		uint32_t len = 0;
		/* the first capability of each type is the one to use */
		if (type == CAP_COMMON && !v->common) {
			v->common = map_cap_target(d, cap, &common_len);
		} else if (type == CAP_NOTIFY && !v->notify_base && cap_len >= 20) {
			v->notify_base = map_cap_target(d, cap, &len);
			v->notify_len = len;
			v->notify_multiplier = pci_read32(d, cap + 16);
		} else if (type == CAP_ISR && !v->isr) {
			v->isr = map_cap_target(d, cap, &isr_len);
		} else if (type == CAP_DEVICE && !v->device_cfg) {
			v->device_cfg = map_cap_target(d, cap, &len);
			v->device_cfg_len = len;
		}
	}
	if (!v->common || common_len < CC_MIN_LEN) {
		*why = "no usable common configuration capability (a legacy-only device?)";
		return -1;
	}
	if (!v->notify_base) {
		*why = "no usable notify capability";
		return -1;
	}
	if (!v->device_cfg) {
		*why = "no usable device configuration capability";
		return -1;
	}
	pci_enable_mmio(d);
	return 0;
}

bool virtio_pci_reset(struct virtio_pci *v)
{
	w8(v->common, CC_DEVICE_STATUS, 0);
	uint64_t end = timer_us_since_boot() + RESET_TIMEOUT_US;
	while (r8(v->common, CC_DEVICE_STATUS) != 0) {
		if (timer_us_since_boot() > end)
			return false;
		cpu_relax();
	}
	return true;
}

void virtio_pci_set_failed(struct virtio_pci *v)
{
	w8(v->common, CC_DEVICE_STATUS, r8(v->common, CC_DEVICE_STATUS) | STATUS_FAILED);
}

static void add_status(struct virtio_pci *v, uint8_t bits)
{
	w8(v->common, CC_DEVICE_STATUS, r8(v->common, CC_DEVICE_STATUS) | bits);
}

int virtio_pci_negotiate(struct virtio_pci *v, uint64_t wanted, uint64_t required, const char **why)
{
	if (!virtio_pci_reset(v)) {
		*why = "the device does not finish its reset";
		return -1;
	}
	pci_enable_dma(v->pci); /* reset: it no longer uses any queue the firmware set up */
	add_status(v, STATUS_ACKNOWLEDGE);
	add_status(v, STATUS_DRIVER);
	uint64_t offered = 0;
	for (uint32_t half = 0; half < 2; half++) {
		w32(v->common, CC_DEVICE_FEATURE_SELECT, half);
		offered |= (uint64_t)r32(v->common, CC_DEVICE_FEATURE) << (32 * half);
	}
	required |= VIRTIO_F_VERSION_1;
	if ((offered & required) != required) {
		*why = (offered & VIRTIO_F_VERSION_1) ? "a required feature is not offered"
						      : "VIRTIO_F_VERSION_1 not offered (legacy device)";
		virtio_pci_set_failed(v);
		return -1;
	}
	uint64_t accept = offered & (wanted | required);
	for (uint32_t half = 0; half < 2; half++) {
		w32(v->common, CC_DRIVER_FEATURE_SELECT, half);
		w32(v->common, CC_DRIVER_FEATURE, (uint32_t)(accept >> (32 * half)));
	}
	add_status(v, STATUS_FEATURES_OK);
	if (!(r8(v->common, CC_DEVICE_STATUS) & STATUS_FEATURES_OK)) {
		*why = "the device refused the features we accepted";
		virtio_pci_set_failed(v);
		return -1;
	}
	v->features = accept;
	return 0;
}

int virtio_pci_setup_queue(struct virtio_pci *v, uint16_t index, uint16_t max_entries,
			   struct virtq *q, const char **why)
{
	memset(q, 0, sizeof(*q));
	if (index >= r16(v->common, CC_NUM_QUEUES)) {
		*why = "the device has too few queues";
		return -1;
	}
	w16(v->common, CC_QUEUE_SELECT, index);
	uint16_t device_max = r16(v->common, CC_QUEUE_SIZE);
	if (device_max == 0) {
		*why = "the queue is not available";
		return -1;
	}
	if (max_entries > VIRTQ_MAX)
		max_entries = VIRTQ_MAX;
	uint16_t size = 1;
	while ((uint32_t)size * 2 <= device_max && (uint32_t)size * 2 <= max_entries)
		size *= 2;
	uint16_t notify_off = r16(v->common, CC_QUEUE_NOTIFY_OFF);
	uint64_t doorbell = (uint64_t)notify_off * v->notify_multiplier;
	if (doorbell + 2 > v->notify_len) {
		*why = "the queue's doorbell lies outside the notify structure";
		return -1;
	}
	q->phys = pmm_alloc(ZONE_DMA32, 0);
	if (!q->phys) {
		*why = "no DMA memory below 4 GiB for the queue";
		return -1;
	}
	uint8_t *page = phys_to_virt(q->phys);
	memset(page, 0, PAGE_SIZE);
	q->index = index;
	q->size = size;
	q->desc = (struct virtq_desc *)page;
	q->avail = (volatile uint16_t *)(page + AVAIL_OFFSET);
	q->used = (volatile uint16_t *)(page + USED_OFFSET);
	q->notify = (volatile uint16_t *)(v->notify_base + doorbell);

	w16(v->common, CC_QUEUE_SIZE, size);
	w16(v->common, CC_QUEUE_MSIX_VECTOR, NO_VECTOR);
	w64(v->common, CC_QUEUE_DESC, q->phys);
	w64(v->common, CC_QUEUE_DRIVER, q->phys + AVAIL_OFFSET);
	w64(v->common, CC_QUEUE_DEVICE, q->phys + USED_OFFSET);
	w16(v->common, CC_QUEUE_ENABLE, 1);
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *v)
{
	add_status(v, STATUS_DRIVER_OK);
}

bool virtio_pci_read_config(struct virtio_pci *v, uint32_t off, void *out, uint32_t len)
{
	if (off > v->device_cfg_len || len > v->device_cfg_len - off)
		return false;
	uint8_t *dst = out;
	for (int tries = 0; tries < 100; tries++) {
		uint8_t before = r8(v->common, CC_CONFIG_GENERATION);
		for (uint32_t i = 0; i < len; i++)
			dst[i] = r8(v->device_cfg, off + i);
		if (r8(v->common, CC_CONFIG_GENERATION) == before)
			return true;
	}
	return false;
}

void virtq_submit(struct virtq *q, uint16_t head)
{
	/* avail: flags at [0], idx at [1], ring from [2] */
	q->avail[2 + (q->next_avail & (q->size - 1))] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the entry before the index */
	q->next_avail++;
	q->avail[1] = q->next_avail;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before the doorbell */
	*q->notify = q->index;
}

int virtq_poll(struct virtq *q, uint64_t timeout_us, uint32_t *id, uint32_t *len)
{
	uint64_t end = timer_us_since_boot() + timeout_us;
	while (q->used[1] == q->last_used) {
		if (timer_us_since_boot() > end)
			return -1;
		cpu_relax();
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before the element */
	const volatile struct virtq_used_elem *ring =
		(const volatile struct virtq_used_elem *)(q->used + 2);
	const volatile struct virtq_used_elem *e = &ring[q->last_used & (q->size - 1)];
	*id = e->id;
	*len = e->len;
	q->last_used++;
	return 0;
}
