/* timer.h: time keeping from the TSC and the per-CPU LAPIC tick (see timer.c). */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdint.h>

#define TIMER_HZ 100

extern uint64_t kernel_entry_tsc;  /* stamped by entry.S */

void timer_calibrate_tsc(void);    /* bootstrap CPU, after ACPI: the TSC rate */
void timer_calibrate_lapic(void);  /* bootstrap CPU, after the LAPIC: its timer rate */
void timer_start_cpu(void);        /* every CPU: start its periodic tick */
uint64_t timer_tsc_hz(void);
const char *timer_calibration_source(void);
uint64_t timer_us_since_boot(void);
uint64_t tsc_to_us(uint64_t tsc_delta);
void timer_delay_us(uint64_t us);

#endif
