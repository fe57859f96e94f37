/* lapic.h: the Local APIC of each CPU (see lapic.c). */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

void lapic_init_bsp(uint64_t phys);   /* map the registers, then lapic_init_cpu() */
void lapic_init_cpu(void);            /* enable this CPU's APIC (every CPU) */
bool lapic_ready(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint8_t page);
void lapic_send_nmi_all_but_self(void);
/* Timer: one-shot countdown for calibration, then periodic at `hz`. */
void lapic_timer_start_count(void);
uint32_t lapic_timer_read_count(void);
void lapic_timer_periodic(uint32_t ticks_per_period, uint8_t vector);

#endif
