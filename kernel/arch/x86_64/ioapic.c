/*
 * ioapic.c: the IO-APICs, which turn device interrupt lines into messages
 * to a chosen CPU and vector.
 *
 * At boot every redirection entry is masked.  A driver asks for an ISA IRQ;
 * ACPI's interrupt source overrides translate it to the global system
 * interrupt (GSI) and give its polarity and trigger mode.  Registers are
 * reached through an index/data pair (IOREGSEL at +0, IOWIN at +0x10).
 * Every route made is remembered (ioapic_routes) for hardware.irq.info.
 */
#include "arch/x86_64/ioapic.h"
#include "drivers/acpi.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "mm/paging.h"

#define REG_VERSION 0x01
#define REG_REDIR(n) (0x10 + 2 * (n))
#define REDIR_MASKED (1u << 16)
#define REDIR_LEVEL (1u << 15)
#define REDIR_ACTIVE_LOW (1u << 13)

static struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base, lines;
} ioapics[ACPI_MAX_IOAPICS];
static unsigned ioapic_count, total_lines;
static struct ioapic_route routes[IOAPIC_MAX_ROUTES];
static unsigned route_count;
static struct spinlock ioapic_lock = SPINLOCK_INIT;

static uint32_t rd(struct ioapic *io, uint32_t reg)
{
	io->regs[0] = reg;
	return io->regs[4];
}

static void wr(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[0] = reg;
	io->regs[4] = v;
}

void ioapic_init(void)
{
	for (unsigned i = 0; i < acpi.ioapic_count; i++) {
		struct ioapic *io = &ioapics[ioapic_count];
		io->regs = mmio_map(acpi.ioapics[i].phys, 0x20);
		io->gsi_base = acpi.ioapics[i].gsi_base;
		io->lines = ((rd(io, REG_VERSION) >> 16) & 0xFF) + 1;
		for (uint32_t n = 0; n < io->lines; n++) {
			wr(io, REG_REDIR(n) + 1, 0);
			wr(io, REG_REDIR(n), REDIR_MASKED);
		}
		total_lines += io->lines;
		ioapic_count++;
		log_info("ioapic: id %u at %#lx, GSI %u-%u, all lines masked", acpi.ioapics[i].id,
			 acpi.ioapics[i].phys, io->gsi_base, io->gsi_base + io->lines - 1);
	}
}

unsigned ioapic_line_count(void)
{
	return total_lines;
}

static struct ioapic *find(uint32_t gsi, uint32_t *line)
{
	for (unsigned i = 0; i < ioapic_count; i++)
		if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].lines) {
			*line = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	return 0;
}

int ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t apic_id)
{
	if (irq >= 16)
		return -1;
	uint32_t line;
	struct ioapic *io = find(acpi.isa_gsi[irq], &line);
	if (!io)
		return -1;
	uint16_t flags = acpi.isa_flags[irq];
	uint32_t low = vector;
	if ((flags & 3) == 3)
		low |= REDIR_ACTIVE_LOW;
	if (((flags >> 2) & 3) == 3)
		low |= REDIR_LEVEL;
	spin_lock(&ioapic_lock);
	wr(io, REG_REDIR(line) + 1, apic_id << 24);
	wr(io, REG_REDIR(line), low);
	unsigned r = 0;
	while (r < route_count && routes[r].isa_irq != irq)
		r++;
	if (r < IOAPIC_MAX_ROUTES) {
		routes[r] = (struct ioapic_route){.gsi = acpi.isa_gsi[irq], .isa_irq = (uint8_t)irq,
						  .vector = vector, .level = !!(low & REDIR_LEVEL),
						  .active_low = !!(low & REDIR_ACTIVE_LOW),
						  .apic_id = apic_id};
		if (r == route_count)
			route_count++;
	}
	spin_unlock(&ioapic_lock);
	return 0;
}

unsigned ioapic_routes(struct ioapic_route *out, unsigned max)
{
	spin_lock(&ioapic_lock);
	unsigned n = route_count < max ? route_count : max;
	for (unsigned i = 0; i < n; i++)
		out[i] = routes[i];
	spin_unlock(&ioapic_lock);
	return route_count;
}

void ioapic_mask_isa(unsigned irq)
{
	uint32_t line;
	struct ioapic *io = irq < 16 ? find(acpi.isa_gsi[irq], &line) : 0;
	if (!io)
		return;
	spin_lock(&ioapic_lock);
	wr(io, REG_REDIR(line), rd(io, REG_REDIR(line)) | REDIR_MASKED);
	for (unsigned r = 0; r < route_count; r++)
		if (routes[r].isa_irq == irq)
			routes[r].masked = 1;
	spin_unlock(&ioapic_lock);
}
