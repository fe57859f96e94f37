/* ioapic.h: IO-APIC routing of device interrupts (see ioapic.c). */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <stdint.h>

void ioapic_init(void);
unsigned ioapic_line_count(void);
/* Route an ISA IRQ (after ACPI overrides) to `vector` on the CPU with `apic_id`. */
int ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t apic_id);
void ioapic_mask_isa(unsigned irq);

#endif
