/* acpi.h: what the kernel takes from the ACPI tables (see acpi.c). */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <stdint.h>
#include <stdbool.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 4

struct acpi_gas { /* Generic Address Structure */
	uint8_t space;  /* 0 memory, 1 I/O port */
	uint8_t bit_width, bit_offset, access_size;
	uint64_t address;
} __attribute__((packed));

struct acpi_info {
	uint8_t revision;            /* RSDP revision: 0 = ACPI 1.0 (RSDT), 2+ = XSDT */
	char oem[7];
	uint32_t table_count;

	uint64_t lapic_phys;
	uint32_t cpu_count;
	uint32_t cpu_apic_ids[ACPI_MAX_CPUS];

	uint32_t ioapic_count;
	struct { uint8_t id; uint64_t phys; uint32_t gsi_base; } ioapics[ACPI_MAX_IOAPICS];
	/* ISA IRQ -> global system interrupt, after interrupt source overrides */
	uint32_t isa_gsi[16];
	uint16_t isa_flags[16];

	bool has_fadt;
	uint16_t pm1a_cnt, pm1b_cnt;   /* I/O ports, 0 if absent */
	uint16_t pm_timer_port;        /* 0 if absent */
	bool pm_timer_32bit;
	uint8_t century_reg;           /* CMOS register, 0 if none */
	bool has_reset_reg;
	struct acpi_gas reset_reg;
	uint8_t reset_value;

	bool has_s5;
	uint8_t slp_typ_a, slp_typ_b;
};

extern struct acpi_info acpi;

/* Parse RSDP -> XSDT/RSDT -> FADT, MADT, DSDT.  Returns 0 or -1 (no usable ACPI). */
int acpi_init(uint64_t rsdp_phys);
/* The first table with this signature (checksum verified, header included) and
 * its length in bytes, or NULL; for drivers that parse a table themselves (MCFG). */
const void *acpi_find_table(const char signature[4], uint32_t *length);

#endif
