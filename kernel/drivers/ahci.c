/*
 * ahci.c: SATA disks behind an AHCI 1.x controller (QEMU q35's ICH9 and
 * real chipsets), driven by polling.
 *
 * Controller bring-up: memory decoding on, INTx off; BIOS handoff when the
 * controller supports it (CAP2.BOH); a full HBA reset (GHC.HR) so no engine
 * the firmware left running can write into memory we do not own; only then
 * bus mastering; AHCI mode on (GHC.AE); interrupts stay off (GHC.IE = 0).
 *
 * Each implemented port with an established link (PxSSTS.DET = 3) gets one
 * 4 KiB page below 4 GiB holding its command list (1 KiB, only slot 0 is
 * used), its received-FIS area (256 bytes) and its one command table
 * (64-byte command FIS, one PRD entry), and one 4 KiB bounce page for data,
 * so callers' buffers may be anywhere.  The receive engine is started, the
 * device's signature checked (0x00000101: an ATA disk; ATAPI and port
 * multipliers are skipped), the command engine started and IDENTIFY DEVICE
 * sent; a disk with 48-bit LBA and 512-byte logical sectors is registered.
 *
 * Commands: READ DMA EXT, WRITE DMA EXT, FLUSH CACHE EXT, one at a time,
 * completion by polling PxCI with a timeout.  A task-file error is logged
 * and the port is recovered (engine stopped, errors cleared, engine
 * restarted); a timeout also resets the link (COMRESET).  A port that does
 * not recover is marked failed and answers every later request with an
 * error: no request hangs or panics the kernel.
 */
#include "drivers/ahci.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "drivers/disk.h"
#include "drivers/pci.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

/* Generic host control registers */
#define HBA_CAP 0x00
#define HBA_GHC 0x04
#define HBA_IS 0x08
#define HBA_PI 0x0C
#define HBA_VS 0x10
#define HBA_CAP2 0x24
#define HBA_BOHC 0x28
#define GHC_HR (1u << 0)
#define GHC_IE (1u << 1)
#define GHC_AE (1u << 31)
#define CAP2_BOH (1u << 0)
#define BOHC_BOS (1u << 0)
#define BOHC_OOS (1u << 1)
#define BOHC_BB (1u << 4)

/* Port registers, at 0x100 + 0x80 * port */
#define PX_CLB 0x00
#define PX_CLBU 0x04
#define PX_FB 0x08
#define PX_FBU 0x0C
#define PX_IS 0x10
#define PX_IE 0x14
#define PX_CMD 0x18
#define PX_TFD 0x20
#define PX_SIG 0x24
#define PX_SSTS 0x28
#define PX_SCTL 0x2C
#define PX_SERR 0x30
#define PX_SACT 0x34
#define PX_CI 0x38
#define CMD_ST (1u << 0)
#define CMD_SUD (1u << 1)
#define CMD_POD (1u << 2)
#define CMD_FRE (1u << 4)
#define CMD_FR (1u << 14)
#define CMD_CR (1u << 15)
#define IS_TFES (1u << 30)
#define IS_FATAL (IS_TFES | (1u << 29) | (1u << 28) | (1u << 27)) /* TFES HBFS HBDS IFS */
#define TFD_ERR (1u << 0)
#define TFD_DRQ (1u << 3)
#define TFD_BSY (1u << 7)
#define SIG_ATA 0x00000101u
#define SIG_ATAPI 0xEB140101u

#define ATA_IDENTIFY 0xEC
#define ATA_READ_DMA_EXT 0x25
#define ATA_WRITE_DMA_EXT 0x35
#define ATA_FLUSH_CACHE_EXT 0xEA

/* Where the port's structures sit in its DMA page */
#define OFF_CMD_LIST 0x000  /* 32 headers x 32 bytes, 1 KiB aligned */
#define OFF_RX_FIS 0x400    /* 256 bytes, 256 aligned */
#define OFF_CMD_TABLE 0x800 /* 128-byte header + PRDT, 128 aligned */

/* Timeouts in microseconds */
#define T_ENGINE_US 500000u     /* PxCMD.CR / FR to clear */
#define T_LINK_US 50000u        /* links to come up after the HBA reset, at most */
#define T_LINK_MIN_US 2000u     /* ... and at least (a drive signals within this) */
#define T_BSY_US 2000000u       /* device busy after link-up */
#define T_HBA_RESET_US 1000000u
#define T_IO_US 5000000u        /* a read or write */
#define T_FLUSH_US 30000000u    /* a cache flush may write out a whole cache */

#define MAX_PORTS 32

struct ahci_port {
	volatile uint8_t *regs;
	unsigned number;
	uint64_t dma_phys;   /* the page with command list, FIS area, command table */
	uint8_t *dma;
	uint64_t bounce_phys;
	uint8_t *bounce;
	uint64_t sectors;
	char model[41];
	bool failed;
	const char *name;    /* for messages: the registered disk's name, or "ahci port" */
};

static inline uint32_t rd(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static inline void wr(volatile uint8_t *base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

/* Wait until (reg & mask) == want; true when it happened in time. */
static bool wait_reg(volatile uint8_t *base, uint32_t off, uint32_t mask, uint32_t want,
		     uint64_t timeout_us)
{
	uint64_t end = timer_us_since_boot() + timeout_us;
	for (;;) {
		if ((rd(base, off) & mask) == want)
			return true;
		if (timer_us_since_boot() > end)
			return (rd(base, off) & mask) == want;
		cpu_relax();
	}
}

static bool port_stop(struct ahci_port *p)
{
	uint32_t cmd = rd(p->regs, PX_CMD);
	if (cmd & CMD_ST)
		wr(p->regs, PX_CMD, cmd & ~CMD_ST);
	if (!wait_reg(p->regs, PX_CMD, CMD_CR, 0, T_ENGINE_US))
		return false;
	cmd = rd(p->regs, PX_CMD);
	if (cmd & CMD_FRE)
		wr(p->regs, PX_CMD, cmd & ~CMD_FRE);
	return wait_reg(p->regs, PX_CMD, CMD_FR, 0, T_ENGINE_US);
}

static void port_clear_errors(struct ahci_port *p)
{
	wr(p->regs, PX_SERR, 0xFFFFFFFFu);
	wr(p->regs, PX_IS, 0xFFFFFFFFu);
}

/* Receive engine on, wait for the device to be idle, command engine on. */
static bool port_start(struct ahci_port *p)
{
	wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) | CMD_FRE);
	if (!wait_reg(p->regs, PX_TFD, TFD_BSY | TFD_DRQ, 0, T_BSY_US))
		return false;
	port_clear_errors(p);
	wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) | CMD_ST);
	return true;
}

/* COMRESET: PxSCTL.DET = 1 for at least 1 ms, then 0, then wait for the link. */
static bool port_comreset(struct ahci_port *p)
{
	uint32_t sctl = rd(p->regs, PX_SCTL) & ~0xFu;
	wr(p->regs, PX_SCTL, sctl | 1);
	timer_delay_us(2000);
	wr(p->regs, PX_SCTL, sctl);
	bool up = wait_reg(p->regs, PX_SSTS, 0xF, 3, 1000000);
	port_clear_errors(p);
	return up;
}

/* After an error: stop the engines (COMRESET when they will not stop or
 * when asked), clear the errors, start again. False: the port is dead. */
static bool port_recover(struct ahci_port *p, bool reset_link)
{
	bool stopped = port_stop(p);
	if (!stopped || reset_link) {
		if (!port_comreset(p))
			return false;
		if (!stopped && !port_stop(p))
			return false;
	}
	port_clear_errors(p);
	return port_start(p);
}

/*
 * Issue one command on slot 0 and poll for it.  `bytes` (0..4096) go through
 * the bounce page; for a write the caller has filled it.  Returns 0 or -1.
 */
static int port_command(struct ahci_port *p, uint8_t command, uint64_t lba, uint16_t count,
			uint32_t bytes, bool write, uint64_t timeout_us)
{
	if (p->failed)
		return -1;
	uint32_t *header = (uint32_t *)(p->dma + OFF_CMD_LIST);
	uint8_t *table = p->dma + OFF_CMD_TABLE;
	memset(table, 0, 0x80 + 16);
	uint8_t *fis = table;
	fis[0] = 0x27;       /* Register FIS, host to device */
	fis[1] = 0x80;       /* this is a command */
	fis[2] = command;
	fis[4] = (uint8_t)lba;
	fis[5] = (uint8_t)(lba >> 8);
	fis[6] = (uint8_t)(lba >> 16);
	fis[7] = 0x40;       /* LBA mode */
	fis[8] = (uint8_t)(lba >> 24);
	fis[9] = (uint8_t)(lba >> 32);
	fis[10] = (uint8_t)(lba >> 40);
	fis[12] = (uint8_t)count;
	fis[13] = (uint8_t)(count >> 8);
	uint16_t prdt_entries = 0;
	if (bytes) {
		uint32_t *prd = (uint32_t *)(table + 0x80);
		prd[0] = (uint32_t)p->bounce_phys;
		prd[1] = (uint32_t)(p->bounce_phys >> 32);
		prd[3] = bytes - 1; /* byte count minus one; no interrupt */
		prdt_entries = 1;
	}
	header[0] = 5u /* FIS length in dwords */ | (write ? 1u << 6 : 0) |
		    (uint32_t)prdt_entries << 16;
	header[1] = 0; /* bytes transferred, written by the HBA */
	header[2] = (uint32_t)(p->dma_phys + OFF_CMD_TABLE);
	header[3] = (uint32_t)((p->dma_phys + OFF_CMD_TABLE) >> 32);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	wr(p->regs, PX_IS, 0xFFFFFFFFu);
	wr(p->regs, PX_CI, 1);
	uint64_t end = timer_us_since_boot() + timeout_us;
	uint32_t is = 0;
	bool done = false;
	for (;;) {
		is = rd(p->regs, PX_IS);
		if (is & IS_FATAL)
			break;
		if (!(rd(p->regs, PX_CI) & 1)) {
			done = true;
			break;
		}
		if (timer_us_since_boot() > end)
			break;
		cpu_relax();
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t tfd = rd(p->regs, PX_TFD);
	if (done && !(tfd & TFD_ERR) && !(is & IS_FATAL))
		return 0;

	bool timeout = !done && !(is & IS_FATAL);
	if (timeout)
		log_error("%s: command %#x lba %lu timed out after %lu ms (PxIS %#x, PxTFD %#x)",
			  p->name, command, lba, timeout_us / 1000, is, tfd);
	else
		log_error("%s: command %#x lba %lu failed: status %#x error %#x (PxIS %#x, PxSERR %#x)",
			  p->name, command, lba, tfd & 0xFF, (tfd >> 8) & 0xFF, is,
			  rd(p->regs, PX_SERR));
	if (!port_recover(p, timeout)) {
		p->failed = true;
		log_error("%s: port %u does not recover; disk marked failed", p->name, p->number);
	}
	return -1;
}

static int ahci_read(void *ctx, uint64_t lba, uint32_t sectors, void *buf)
{
	struct ahci_port *p = ctx;
	if (sectors == 0 || sectors > DISK_SECTORS_PER_BLOCK || lba + sectors > p->sectors)
		return -1;
	uint32_t bytes = sectors * DISK_SECTOR_SIZE;
	if (port_command(p, ATA_READ_DMA_EXT, lba, (uint16_t)sectors, bytes, false, T_IO_US))
		return -1;
	memcpy(buf, p->bounce, bytes);
	return 0;
}

static int ahci_write(void *ctx, uint64_t lba, uint32_t sectors, const void *buf)
{
	struct ahci_port *p = ctx;
	if (sectors == 0 || sectors > DISK_SECTORS_PER_BLOCK || lba + sectors > p->sectors)
		return -1;
	uint32_t bytes = sectors * DISK_SECTOR_SIZE;
	memcpy(p->bounce, buf, bytes);
	return port_command(p, ATA_WRITE_DMA_EXT, lba, (uint16_t)sectors, bytes, true, T_IO_US);
}

static int ahci_flush(void *ctx)
{
	struct ahci_port *p = ctx;
	return port_command(p, ATA_FLUSH_CACHE_EXT, 0, 0, 0, false, T_FLUSH_US);
}

static const struct disk_ops ahci_ops = {
	.read = ahci_read,
	.write = ahci_write,
	.flush = ahci_flush,
};

/* IDENTIFY strings are big-endian 16-bit words. */
static void identify_string(const uint16_t *words, unsigned first, unsigned count, char *out)
{
	for (unsigned i = 0; i < count; i++) {
		out[2 * i] = (char)(words[first + i] >> 8);
		out[2 * i + 1] = (char)words[first + i];
	}
	out[2 * count] = 0;
}

/* Parse IDENTIFY DEVICE data; 0, or -1 with *why set when the disk is unusable. */
static int parse_identify(struct ahci_port *p, const uint16_t *id, const char **why)
{
	identify_string(id, 27, 20, p->model);
	if (!(id[83] & (1u << 10))) {
		*why = "no 48-bit LBA";
		return -1;
	}
	uint64_t sectors = 0;
	for (int i = 3; i >= 0; i--)
		sectors = sectors << 16 | id[100 + i];
	/* word 106: valid when bit 14 set and bit 15 clear; bit 12: logical sector > 512 bytes */
	if ((id[106] & 0xC000) == 0x4000 && (id[106] & (1u << 12))) {
		uint32_t words = (uint32_t)id[117] | (uint32_t)id[118] << 16;
		if (words != 256) {
			*why = "logical sectors are not 512 bytes";
			return -1;
		}
	}
	if (sectors < DISK_SECTORS_PER_BLOCK) {
		*why = "smaller than one 4 KiB block";
		return -1;
	}
	p->sectors = sectors;
	return 0;
}

static void free_port(struct ahci_port *p)
{
	if (p->dma_phys)
		pmm_free(p->dma_phys, 0);
	if (p->bounce_phys)
		pmm_free(p->bounce_phys, 0);
	kfree(p);
}

/* Bring up one port; registers its disk or logs why not. */
static void setup_port(volatile uint8_t *abar, unsigned number, unsigned controller)
{
	volatile uint8_t *regs = abar + 0x100 + 0x80 * number;
	uint32_t ssts = rd(regs, PX_SSTS);
	if ((ssts & 0xF) != 3)
		return; /* nothing attached (or no link): not worth a line */
	struct ahci_port *p = kzalloc(sizeof(*p));
	if (!p) {
		log_error("ahci%u: port %u: out of memory", controller, number);
		return;
	}
	p->regs = regs;
	p->number = number;
	p->name = "ahci";
	p->dma_phys = pmm_alloc(ZONE_DMA32, 0);
	p->bounce_phys = pmm_alloc(ZONE_DMA32, 0);
	if (!p->dma_phys || !p->bounce_phys) {
		log_error("ahci: controller %u port %u: no DMA memory below 4 GiB", controller, number);
		free_port(p);
		return;
	}
	p->dma = phys_to_virt(p->dma_phys);
	p->bounce = phys_to_virt(p->bounce_phys);
	memset(p->dma, 0, PAGE_SIZE);

	const char *why = NULL;
	if (!port_stop(p)) {
		why = "the command engine does not stop";
		goto fail;
	}
	wr(regs, PX_CLB, (uint32_t)(p->dma_phys + OFF_CMD_LIST));
	wr(regs, PX_CLBU, (uint32_t)((p->dma_phys + OFF_CMD_LIST) >> 32));
	wr(regs, PX_FB, (uint32_t)(p->dma_phys + OFF_RX_FIS));
	wr(regs, PX_FBU, (uint32_t)((p->dma_phys + OFF_RX_FIS) >> 32));
	wr(regs, PX_IE, 0);
	port_clear_errors(p);
	/* spin up and power on, for controllers with staggered spin-up */
	wr(regs, PX_CMD, rd(regs, PX_CMD) | CMD_SUD | CMD_POD);
	if (!port_start(p)) {
		why = "the device stays busy";
		goto fail;
	}
	uint32_t sig = rd(regs, PX_SIG);
	if (sig != SIG_ATA) {
		log_info("ahci: controller %u port %u: %s (signature %#x), not a disk; skipped",
			 controller, number, sig == SIG_ATAPI ? "ATAPI device" : "unknown device", sig);
		if (port_stop(p))
			free_port(p); /* else leaked on purpose: the HBA may still use the pages */
		return;
	}
	if (port_command(p, ATA_IDENTIFY, 0, 0, 512, false, T_IO_US) != 0) {
		why = "IDENTIFY DEVICE failed";
		goto fail;
	}
	if (parse_identify(p, (const uint16_t *)p->bounce, &why) != 0)
		goto fail;
	int index = disk_register("ahci", p->model, p->sectors, &ahci_ops, p, false);
	if (index < 0)
		goto fail_quiet;
	p->name = disk_name((unsigned)index);
	log_debug("ahci: controller %u port %u is %s", controller, number, p->name);
	return;
fail:
	log_error("ahci: controller %u port %u: %s; disk ignored", controller, number, why);
fail_quiet:
	if (port_stop(p))
		free_port(p); /* only when the HBA no longer uses the pages */
	else
		p->failed = true; /* leaked on purpose: the HBA may still write there */
}

static bool bios_handoff(volatile uint8_t *abar)
{
	if (!(rd(abar, HBA_CAP2) & CAP2_BOH))
		return true;
	wr(abar, HBA_BOHC, rd(abar, HBA_BOHC) | BOHC_OOS);
	if (!wait_reg(abar, HBA_BOHC, BOHC_BOS, 0, 25000))
		return false;
	/* the firmware may finish outstanding commands first (BB set): up to 2 s */
	timer_delay_us(25000);
	if (rd(abar, HBA_BOHC) & BOHC_BB)
		return wait_reg(abar, HBA_BOHC, BOHC_BB, 0, 2000000);
	return true;
}

static void setup_controller(struct pci_dev *d, unsigned controller)
{
	volatile uint8_t *abar = pci_map_bar(d, 5, 1u << 20);
	if (!abar) {
		log_error("ahci%u: %02x:%02x.%u has no usable memory BAR 5; ignored", controller,
			  d->bus, d->dev, d->fn);
		return;
	}
	pci_enable_mmio(d);
	if (!bios_handoff(abar))
		log_warn("ahci: controller %u: the firmware did not hand over; taking it anyway",
			 controller);
	wr(abar, HBA_GHC, rd(abar, HBA_GHC) | GHC_AE);
	wr(abar, HBA_GHC, rd(abar, HBA_GHC) | GHC_HR);
	if (!wait_reg(abar, HBA_GHC, GHC_HR, 0, T_HBA_RESET_US)) {
		log_error("ahci: controller %u: HBA reset did not complete; ignored", controller);
		return;
	}
	pci_enable_dma(d); /* only now: the reset stopped whatever the firmware left running */
	wr(abar, HBA_GHC, (rd(abar, HBA_GHC) | GHC_AE) & ~GHC_IE);
	uint32_t cap = rd(abar, HBA_CAP), vs = rd(abar, HBA_VS);
	uint32_t implemented = rd(abar, HBA_PI);
	unsigned nports = (cap & 0x1F) + 1;
	if (implemented == 0) /* some controllers leave PI empty: use CAP.NP */
		implemented = nports >= 32 ? 0xFFFFFFFFu : (1u << nports) - 1;
	/* never touch a port whose registers lie past the end of the BAR */
	uint64_t bar_size = d->bars[5].size;
	for (unsigned i = 0; i < MAX_PORTS; i++) {
		if ((implemented & (1u << i)) && 0x100 + 0x80 * (uint64_t)(i + 1) > bar_size) {
			log_warn("ahci: controller %u: port %u lies outside the %lu-byte BAR; ignored",
				 controller, i, bar_size);
			implemented &= ~(1u << i);
		}
	}
	log_info("ahci: controller %u at %02x:%02x.%u: AHCI %x.%x, %u ports (mask %#x), %u slots%s",
		 controller, d->bus, d->dev, d->fn, vs >> 16, (vs >> 8) & 0xFF, nports, implemented,
		 ((cap >> 8) & 0x1F) + 1, cap & (1u << 31) ? ", 64-bit" : "");
	/*
	 * After the reset the links retrain: wait (once, for all ports) until
	 * every port has settled, up (DET 3) or empty (DET 0), with nothing
	 * still in DET 1 (device seen, link training), and at least
	 * T_LINK_MIN_US so a drive has time to signal its presence; at most
	 * T_LINK_US.  Waiting the whole 50 ms for the empty ports of q35's
	 * six was most of the kernel's boot time.
	 */
	uint64_t start = timer_us_since_boot(), end = start + T_LINK_US;
	for (;;) {
		bool settled = true;
		for (unsigned i = 0; i < MAX_PORTS; i++) {
			if (!(implemented & (1u << i)))
				continue; /* not mapped beyond the implemented ports */
			uint32_t det = rd(abar + 0x100 + 0x80 * i, PX_SSTS) & 0xF;
			if (det != 3 && det != 0)
				settled = false;
		}
		uint64_t now = timer_us_since_boot();
		if ((settled && now >= start + T_LINK_MIN_US) || now > end)
			break;
		timer_delay_us(200);
	}
	for (unsigned i = 0; i < MAX_PORTS; i++)
		if (implemented & (1u << i))
			setup_port(abar, i, controller);
}

void ahci_init(void)
{
	unsigned pos = 0, controller = 0;
	struct pci_dev *d;
	while ((d = pci_find_class(&pos, 0x01, 0x06, 0x01)) != NULL)
		setup_controller(d, controller++);
}
