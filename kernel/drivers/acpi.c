/*
 * acpi.c: find the machine's CPUs, interrupt controllers, timer and power
 * registers in the ACPI tables.
 *
 * RSDP (from TagBoot) -> XSDT (ACPI 2.0+) or RSDT -> each table header is
 * checksum-verified and length-bounded before it is read.  From the FADT:
 * the PM1 control ports and the PM timer (for power-off and TSC calibration),
 * the reset register and the CMOS century register.  From the MADT: the Local
 * APIC address, enabled CPUs, IO-APICs and ISA interrupt overrides.  From
 * the DSDT: the \_S5 sleep type (acpi_aml.c).  Tables are reached through the
 * direct map and nothing is copied except the facts above.
 */
#include "drivers/acpi.h"
#include "drivers/acpi_aml.h"
#include "mm/paging.h"
#include "lib/log.h"
#include "lib/string.h"

struct acpi_info acpi;

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct sdt_header) == 36, "ACPI table header");

#define ACPI_TABLE_MAX (4u << 20) /* refuse absurd lengths from broken firmware */

static bool checksum_ok(const void *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static const struct sdt_header *map_table(uint64_t phys)
{
	if (phys == 0)
		return NULL;
	const struct sdt_header *h = phys_to_virt(phys);
	if (h->length < sizeof(*h) || h->length > ACPI_TABLE_MAX || !checksum_ok(h, h->length)) {
		log_warn("acpi: table at %#lx has a bad length or checksum, ignored", phys);
		return NULL;
	}
	return h;
}

static uint16_t gas_port(const uint8_t *fadt, size_t len, size_t legacy_off, size_t gas_off)
{
	/* prefer the 64-bit GAS form when the table is long enough and it is an I/O port */
	if (gas_off + 12 <= len) {
		struct acpi_gas g;
		memcpy(&g, fadt + gas_off, sizeof(g));
		if (g.address && g.space == 1)
			return (uint16_t)g.address;
	}
	uint32_t port = 0;
	if (legacy_off + 4 <= len)
		memcpy(&port, fadt + legacy_off, 4);
	return (uint16_t)port;
}

static void parse_dsdt(uint64_t phys)
{
	const struct sdt_header *dsdt = map_table(phys);
	if (!dsdt)
		return;
	const uint8_t *aml = (const uint8_t *)dsdt + sizeof(*dsdt);
	if (acpi_find_s5(aml, dsdt->length - sizeof(*dsdt), &acpi.slp_typ_a, &acpi.slp_typ_b) == 0)
		acpi.has_s5 = true;
}

static void parse_fadt(const struct sdt_header *h)
{
	const uint8_t *f = (const uint8_t *)h;
	size_t len = h->length;
	acpi.has_fadt = true;
	acpi.pm1a_cnt = gas_port(f, len, 64, 172);
	acpi.pm1b_cnt = gas_port(f, len, 68, 184);
	acpi.pm_timer_port = gas_port(f, len, 76, 208);
	uint32_t flags = 0;
	if (len >= 116)
		memcpy(&flags, f + 112, 4);
	acpi.pm_timer_32bit = flags & (1u << 8);
	if (len >= 109)
		acpi.century_reg = f[108];
	if ((flags & (1u << 10)) && len >= 129) {
		memcpy(&acpi.reset_reg, f + 116, sizeof(acpi.reset_reg));
		acpi.reset_value = f[128];
		acpi.has_reset_reg = acpi.reset_reg.address != 0;
	}
	uint64_t dsdt = 0;
	if (len >= 148)
		memcpy(&dsdt, f + 140, 8);
	if (!dsdt && len >= 44) {
		uint32_t d32;
		memcpy(&d32, f + 40, 4);
		dsdt = d32;
	}
	parse_dsdt(dsdt);
}

static void parse_madt(const struct sdt_header *h)
{
	const uint8_t *m = (const uint8_t *)h;
	uint32_t lapic32;
	memcpy(&lapic32, m + 36, 4);
	acpi.lapic_phys = lapic32;
	for (unsigned i = 0; i < 16; i++)
		acpi.isa_gsi[i] = i;

	for (size_t off = 44; off + 2 <= h->length;) {
		uint8_t type = m[off], len = m[off + 1];
		if (len < 2 || off + len > h->length)
			break;
		const uint8_t *e = m + off;
		if (type == 0 && len >= 8) { /* Processor Local APIC */
			uint32_t flags;
			memcpy(&flags, e + 4, 4);
			if ((flags & 1) && acpi.cpu_count < ACPI_MAX_CPUS)
				acpi.cpu_apic_ids[acpi.cpu_count++] = e[3];
		} else if (type == 1 && len >= 12 && acpi.ioapic_count < ACPI_MAX_IOAPICS) {
			uint32_t addr, gsi;
			memcpy(&addr, e + 4, 4);
			memcpy(&gsi, e + 8, 4);
			acpi.ioapics[acpi.ioapic_count].id = e[2];
			acpi.ioapics[acpi.ioapic_count].phys = addr;
			acpi.ioapics[acpi.ioapic_count].gsi_base = gsi;
			acpi.ioapic_count++;
		} else if (type == 2 && len >= 10) { /* Interrupt Source Override */
			uint8_t source = e[3];
			uint32_t gsi;
			uint16_t flags;
			memcpy(&gsi, e + 4, 4);
			memcpy(&flags, e + 8, 2);
			if (source < 16) {
				acpi.isa_gsi[source] = gsi;
				acpi.isa_flags[source] = flags;
			}
		} else if (type == 5 && len >= 12) { /* Local APIC address override */
			memcpy(&acpi.lapic_phys, e + 4, 8);
		}
		off += len;
	}
}

static const struct sdt_header *root_table; /* XSDT or RSDT, for acpi_find_table() */
static size_t root_entry_size;

int acpi_init(uint64_t rsdp_phys)
{
	if (!rsdp_phys) {
		log_warn("acpi: no RSDP from the firmware");
		return -1;
	}
	const struct rsdp *r = phys_to_virt(rsdp_phys);
	if (memcmp(r->signature, "RSD PTR ", 8) != 0 || !checksum_ok(r, 20)) {
		log_warn("acpi: RSDP at %#lx is invalid", rsdp_phys);
		return -1;
	}
	acpi.revision = r->revision;
	memcpy(acpi.oem, r->oem, 6);
	bool use_xsdt = r->revision >= 2 && r->xsdt && checksum_ok(r, sizeof(*r));
	const struct sdt_header *root = map_table(use_xsdt ? r->xsdt : r->rsdt);
	if (!root)
		return -1;
	root_table = root;
	root_entry_size = use_xsdt ? 8 : 4;
	size_t entry_size = use_xsdt ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / entry_size;
	const uint8_t *entries = (const uint8_t *)root + sizeof(*root);
	for (size_t i = 0; i < n; i++) {
		uint64_t phys = 0;
		memcpy(&phys, entries + i * entry_size, entry_size);
		const struct sdt_header *h = map_table(phys);
		if (!h)
			continue;
		acpi.table_count++;
		if (memcmp(h->signature, "FACP", 4) == 0)
			parse_fadt(h);
		else if (memcmp(h->signature, "APIC", 4) == 0)
			parse_madt(h);
	}
	log_info("acpi: %s %s, %u tables, %u CPUs, %u IO-APICs, PM timer %s, S5 %s",
		 use_xsdt ? "XSDT" : "RSDT", acpi.oem, acpi.table_count, acpi.cpu_count,
		 acpi.ioapic_count, acpi.pm_timer_port ? "yes" : "no", acpi.has_s5 ? "yes" : "no");
	return acpi.cpu_count ? 0 : -1;
}

const void *acpi_find_table(const char signature[4], uint32_t *length)
{
	if (!root_table)
		return NULL;
	size_t n = (root_table->length - sizeof(*root_table)) / root_entry_size;
	const uint8_t *entries = (const uint8_t *)root_table + sizeof(*root_table);
	for (size_t i = 0; i < n; i++) {
		uint64_t phys = 0;
		memcpy(&phys, entries + i * root_entry_size, root_entry_size);
		const struct sdt_header *h = map_table(phys);
		if (h && memcmp(h->signature, signature, 4) == 0) {
			*length = h->length;
			return h;
		}
	}
	return NULL;
}
