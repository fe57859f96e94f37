/* timer.h: time keeping from the TSC and the per-CPU LAPIC tick (see timer.c). */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdint.h>

#define TIMER_HZ 100

extern uint64_t kernel_entry_tsc;  /* stamped by entry.S */

/* Bootstrap CPU, after ACPI and the LAPIC: the TSC and LAPIC timer rates,
 * from one window of the ACPI PM timer (the PIT without one). */
void timer_calibrate(void);
void timer_start_cpu(void);        /* every CPU: start its periodic tick */
uint64_t timer_tsc_hz(void);
const char *timer_calibration_source(void);
uint64_t timer_us_since_boot(void);
uint64_t tsc_to_us(uint64_t tsc_delta);
void timer_delay_us(uint64_t us);

#endif
