/* pci.h: PCI/PCIe configuration space, device list and BARs (see pci.c). */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_DEVICES 64
#define PCI_BAR_COUNT 6

/* Configuration space registers used by the drivers. */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_COMMAND_INTX_OFF (1u << 10)
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST (1u << 4)

#define PCI_CAP_VENDOR 0x09 /* vendor-specific capability (virtio uses it) */

struct pci_bar {
	uint64_t phys; /* 0 when the BAR is not implemented or not assigned */
	uint64_t size;
	bool io;       /* an I/O port range, not memory */
	bool is64;     /* the upper half is in the next BAR slot */
	bool prefetch;
	void *virt;    /* mapped by pci_map_bar(), NULL until then */
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type; /* 0 device, 1 PCI-PCI bridge (bit 7 masked off) */
	struct pci_bar bars[PCI_BAR_COUNT];
};

/* Find the configuration access method (MCFG -> ECAM, else ports 0xCF8/0xCFC),
 * walk the buses from bus 0 through bridges, record every function and log
 * one line per device.  Needs ACPI and paging. */
void pci_init(void);

unsigned pci_count(void);
struct pci_dev *pci_get(unsigned i);
/* The next device at index >= *pos with this class/subclass/prog-if (prog_if
 * -1: any), or NULL; *pos is advanced past it. */
struct pci_dev *pci_find_class(unsigned *pos, uint8_t class_code, uint8_t subclass, int prog_if);

uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);

/* Offset of the next capability with this id after `after` (0: from the start
 * of the list), or 0.  The list is walked with a bound, so a looping or
 * out-of-range list from a broken device ends the walk. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after);

/* Turn on memory decoding and turn off INTx (drivers poll): the registers
 * can be used, the device cannot yet reach memory. */
void pci_enable_mmio(const struct pci_dev *d);
/* Turn on bus mastering (DMA); only after the device was reset, so that
 * nothing the firmware left running writes to memory we now own. */
void pci_enable_dma(const struct pci_dev *d);

/* Map a memory BAR uncached (once; later calls return the same address).
 * NULL when the BAR is absent, an I/O BAR, or larger than `max_size`. */
void *pci_map_bar(struct pci_dev *d, unsigned bar, uint64_t max_size);

#endif
