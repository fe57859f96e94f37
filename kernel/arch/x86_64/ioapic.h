/* ioapic.h: IO-APIC routing of device interrupts (see ioapic.c). */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <stdint.h>

void ioapic_init(void);
unsigned ioapic_line_count(void);
/* Route an ISA IRQ (after ACPI overrides) to `vector` on the CPU with `apic_id`. */
int ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t apic_id);
void ioapic_mask_isa(unsigned irq);

#define IOAPIC_MAX_ROUTES 24

/* One ISA IRQ routed through an IO-APIC, as ioapic_route_isa left it. */
struct ioapic_route {
	uint32_t gsi;        /* global system interrupt (after ACPI overrides) */
	uint8_t isa_irq;
	uint8_t vector;
	uint8_t level, active_low, masked;
	uint32_t apic_id;    /* the target CPU's Local APIC id */
};

/* Copy up to max routes, oldest first; returns how many there are. */
unsigned ioapic_routes(struct ioapic_route *out, unsigned max);

#endif
