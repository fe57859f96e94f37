/*
 * pci.c: PCI/PCIe enumeration: configuration space access, the device list,
 * BAR sizes and the capability list.
 *
 * Access: when ACPI has an MCFG table with an entry for segment 0, the
 * memory-mapped ECAM is used (4 KiB of configuration space per function,
 * 1 MiB per bus); each bus's window is mapped with mmio_map() the first time
 * it is touched, so only buses that exist cost address space.  Without an
 * MCFG the legacy mechanism #1 (ports 0xCF8/0xCFC, 256 bytes per function)
 * is used.  Both go through one lock.
 *
 * Enumeration starts at bus 0 (and buses 1..7 when the host bridge at 00:00.0
 * is multi-function: one root bus per function) and follows PCI-PCI bridges
 * to their secondary bus; a bus is scanned once, so a bridge that points
 * back cannot make the walk loop.  Every function found is recorded (up to
 * PCI_MAX_DEVICES) with its BARs sized the usual way (decoding off, write
 * all ones, read back, restore) and logged in one line.
 */
#include "drivers/pci.h"
#include "arch/x86_64/cpu.h"
#include "drivers/acpi.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lib/fmt.h"
#include "mm/paging.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define ECAM_BUS_SIZE (1u << 20)

static struct pci_dev devices[PCI_MAX_DEVICES];
static unsigned device_count;
static unsigned devices_dropped;
static struct spinlock config_lock = SPINLOCK_INIT;

/* ECAM state: physical base for bus 0 (may be below start_bus's window),
 * the bus range the MCFG covers, and each bus's mapping once made. */
static bool ecam;
static uint64_t ecam_base;
static uint8_t ecam_start_bus, ecam_end_bus;
static volatile uint8_t *ecam_bus_virt[256];
static bool bus_scanned[256];

static void find_ecam(void)
{
	uint32_t len = 0;
	const uint8_t *mcfg = acpi_find_table("MCFG", &len);
	if (!mcfg)
		return;
	/* 36-byte header, 8 reserved bytes, then 16-byte allocation entries */
	for (uint32_t off = 44; off + 16 <= len; off += 16) {
		uint64_t base;
		uint16_t segment;
		memcpy(&base, mcfg + off, 8);
		memcpy(&segment, mcfg + off + 8, 2);
		uint8_t start = mcfg[off + 10], end = mcfg[off + 11];
		if (segment != 0 || base == 0 || end < start)
			continue;
		ecam = true;
		ecam_base = base;
		ecam_start_bus = start;
		ecam_end_bus = end;
		return;
	}
}

/* The virtual address of a function's config space in ECAM, or NULL when
 * the bus is outside the MCFG range. Caller holds config_lock. */
static volatile uint8_t *ecam_function(uint8_t bus, uint8_t dev, uint8_t fn)
{
	if (bus < ecam_start_bus || bus > ecam_end_bus)
		return NULL;
	if (!ecam_bus_virt[bus])
		ecam_bus_virt[bus] = mmio_map(ecam_base + ((uint64_t)(bus - ecam_start_bus) << 20),
					      ECAM_BUS_SIZE);
	return ecam_bus_virt[bus] + ((uint32_t)dev << 15) + ((uint32_t)fn << 12);
}

static uint32_t legacy_address(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 |
	       (off & 0xFC);
}

/* All accesses are 32-bit aligned dwords underneath; narrower ones are cut
 * out of (or merged into) the dword. Offsets past the space read as ones. */
static uint32_t config_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	uint32_t v = 0xFFFFFFFFu;
	spin_lock(&config_lock);
	if (ecam) {
		volatile uint8_t *f = off < 4096 ? ecam_function(bus, dev, fn) : NULL;
		if (f)
			v = *(volatile uint32_t *)(f + (off & ~3u));
	} else if (off < 256) {
		outl(PCI_CONFIG_ADDRESS, legacy_address(bus, dev, fn, off));
		v = inl(PCI_CONFIG_DATA);
	}
	spin_unlock(&config_lock);
	return v;
}

static void config_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	spin_lock(&config_lock);
	if (ecam) {
		volatile uint8_t *f = off < 4096 ? ecam_function(bus, dev, fn) : NULL;
		if (f)
			*(volatile uint32_t *)(f + (off & ~3u)) = v;
	} else if (off < 256) {
		outl(PCI_CONFIG_ADDRESS, legacy_address(bus, dev, fn, off));
		outl(PCI_CONFIG_DATA, v);
	}
	spin_unlock(&config_lock);
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	return config_read(d->bus, d->dev, d->fn, off);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return (uint16_t)(config_read(d->bus, d->dev, d->fn, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	return (uint8_t)(config_read(d->bus, d->dev, d->fn, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
	config_write(d->bus, d->dev, d->fn, off, v);
}

void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	/* Read-modify-write of the dword. Only used on the command register,
	 * whose neighbour (status) has write-1-to-clear bits: write zeros there. */
	uint32_t dw = config_read(d->bus, d->dev, d->fn, off);
	unsigned shift = (off & 2) * 8;
	dw &= shift ? 0x0000FFFFu : 0x00000000u;
	dw |= (uint32_t)v << shift;
	config_write(d->bus, d->dev, d->fn, off, dw);
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	uint8_t off = after ? pci_read8(d, after + 1) : pci_read8(d, 0x34);
	/* at most 48 capabilities fit in 192 bytes: a longer walk is a loop */
	for (int steps = 0; steps < 48; steps++) {
		off &= 0xFC;
		if (off < 0x40)
			return 0;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}

void pci_enable_mmio(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_OFF);
}

void pci_enable_dma(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
}

void *pci_map_bar(struct pci_dev *d, unsigned bar, uint64_t max_size)
{
	if (bar >= PCI_BAR_COUNT)
		return NULL;
	struct pci_bar *b = &d->bars[bar];
	if (b->virt)
		return b->virt;
	if (b->io || b->phys == 0 || b->size == 0 || b->size > max_size)
		return NULL;
	b->virt = mmio_map(b->phys, b->size);
	return b->virt;
}

/* Size the BARs of a function with `count` BAR slots; decoding is off meanwhile
 * so that the all-ones probe never decodes as a real address. */
static void size_bars(struct pci_dev *d, unsigned count)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < count; i++) {
		uint16_t reg = 0x10 + 4 * i;
		uint32_t orig = pci_read32(d, reg);
		pci_write32(d, reg, 0xFFFFFFFFu);
		uint32_t probe = pci_read32(d, reg);
		pci_write32(d, reg, orig);
		struct pci_bar *b = &d->bars[i];
		if (probe == 0 || probe == 0xFFFFFFFFu)
			continue; /* not implemented (or the function vanished) */
		if (orig & 1) {
			b->io = true;
			b->phys = orig & ~3u;
			b->size = (uint16_t)(~(probe & ~3u) + 1);
			continue;
		}
		uint64_t base = orig & ~0xFu, mask = probe & ~0xFu;
		b->prefetch = orig & 8;
		if (((orig >> 1) & 3) == 2 && i + 1 < count) { /* 64-bit BAR */
			uint16_t hreg = reg + 4;
			uint32_t horig = pci_read32(d, hreg);
			pci_write32(d, hreg, 0xFFFFFFFFu);
			uint32_t hprobe = pci_read32(d, hreg);
			pci_write32(d, hreg, horig);
			b->is64 = true;
			base |= (uint64_t)horig << 32;
			mask |= (uint64_t)hprobe << 32;
			i++;
		} else {
			mask |= 0xFFFFFFFF00000000ull;
		}
		b->phys = base;
		b->size = ~mask + 1;
	}
	pci_write16(d, PCI_COMMAND, cmd);
}

static const char *class_name(uint8_t cls, uint8_t sub, uint8_t prog_if)
{
	switch (cls) {
	case 0x01:
		if (sub == 0x06 && prog_if == 0x01) return "SATA (AHCI)";
		if (sub == 0x08) return "NVMe";
		if (sub == 0x01) return "IDE";
		if (sub == 0x00) return "SCSI";
		return "storage";
	case 0x02: return "network";
	case 0x03: return "display";
	case 0x04: return "multimedia";
	case 0x06:
		if (sub == 0x00) return "host bridge";
		if (sub == 0x01) return "ISA bridge";
		if (sub == 0x04) return "PCI bridge";
		return "bridge";
	case 0x0C:
		if (sub == 0x03) return "USB";
		if (sub == 0x05) return "SMBus";
		return "serial bus";
	default: return "other";
	}
}

static void log_device(const struct pci_dev *d)
{
	char bars[160];
	size_t used = 0;
	bars[0] = 0;
	for (unsigned i = 0; i < PCI_BAR_COUNT && used < sizeof(bars); i++) {
		const struct pci_bar *b = &d->bars[i];
		if (!b->size)
			continue;
		uint64_t sz = b->size;
		const char *unit = "";
		if (sz >= (1u << 20) && !(sz & ((1u << 20) - 1))) {
			sz >>= 20;
			unit = "M";
		} else if (sz >= 1024 && !(sz & 1023)) {
			sz >>= 10;
			unit = "K";
		}
		int n = fmt_snprintf(bars + used, sizeof(bars) - used, " bar%u %s %#lx/%lu%s", i,
				     b->io ? "io" : b->is64 ? "mem64" : "mem32", b->phys, sz, unit);
		used = n > 0 ? used + (size_t)n : used; /* past the end: the loop stops */
	}
	log_info("pci: %02x:%02x.%u %04x:%04x %02x.%02x.%02x %s%s", d->bus, d->dev, d->fn, d->vendor,
		 d->device, d->class_code, d->subclass, d->prog_if,
		 class_name(d->class_code, d->subclass, d->prog_if), bars);
}

static void scan_bus(uint8_t bus, int depth);

static void scan_function(uint8_t bus, uint8_t dev, uint8_t fn, int depth)
{
	uint32_t id = config_read(bus, dev, fn, 0);
	if ((id & 0xFFFF) == 0xFFFF)
		return;
	struct pci_dev tmp = {.bus = bus, .dev = dev, .fn = fn};
	tmp.vendor = id & 0xFFFF;
	tmp.device = id >> 16;
	uint32_t class_reg = pci_read32(&tmp, 0x08);
	tmp.revision = class_reg & 0xFF;
	tmp.prog_if = (class_reg >> 8) & 0xFF;
	tmp.subclass = (class_reg >> 16) & 0xFF;
	tmp.class_code = class_reg >> 24;
	tmp.header_type = pci_read8(&tmp, 0x0E) & 0x7F;
	if (tmp.header_type == 0)
		size_bars(&tmp, 6);
	else if (tmp.header_type == 1)
		size_bars(&tmp, 2);
	log_device(&tmp);
	if (device_count < PCI_MAX_DEVICES)
		devices[device_count++] = tmp;
	else
		devices_dropped++;
	if (tmp.header_type == 1) {
		uint8_t secondary = pci_read8(&tmp, 0x19);
		if (secondary > bus)
			scan_bus(secondary, depth + 1);
	}
}

static void scan_bus(uint8_t bus, int depth)
{
	if (bus_scanned[bus] || depth > 32)
		return;
	bus_scanned[bus] = true;
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint32_t id = config_read(bus, dev, 0, 0);
		if ((id & 0xFFFF) == 0xFFFF)
			continue;
		bool multi = config_read(bus, dev, 0, 0x0C) & (0x80u << 16);
		for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++)
			scan_function(bus, dev, fn, depth);
	}
}

void pci_init(void)
{
	find_ecam();
	if (ecam)
		log_info("pci: ECAM at %#lx for buses %u-%u (MCFG)", ecam_base, ecam_start_bus,
			 ecam_end_bus);
	else
		log_info("pci: no MCFG; configuration through ports 0xCF8/0xCFC");
	/* a multi-function host bridge means one root bus per function */
	bool multi_root = config_read(0, 0, 0, 0x0C) & (0x80u << 16);
	for (uint8_t root = 0; root < (multi_root ? 8 : 1); root++) {
		if (root && (config_read(0, 0, root, 0) & 0xFFFF) == 0xFFFF)
			continue;
		scan_bus(root, 0);
	}
	log_info("pci: %u functions", device_count + devices_dropped);
	if (devices_dropped)
		log_warn("pci: %u functions past the first %u ignored", devices_dropped,
			 PCI_MAX_DEVICES);
}

unsigned pci_count(void)
{
	return device_count;
}

struct pci_dev *pci_get(unsigned i)
{
	return i < device_count ? &devices[i] : NULL;
}

struct pci_dev *pci_find_class(unsigned *pos, uint8_t class_code, uint8_t subclass, int prog_if)
{
	for (unsigned i = *pos; i < device_count; i++) {
		struct pci_dev *d = &devices[i];
		if (d->class_code == class_code && d->subclass == subclass &&
		    (prog_if < 0 || d->prog_if == prog_if)) {
			*pos = i + 1;
			return d;
		}
	}
	*pos = device_count;
	return NULL;
}
