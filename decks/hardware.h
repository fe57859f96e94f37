/*
 * hardware.h: what the Hardware Deck's two files share.
 *
 * decks/hardware.c (kernel-only: it talks to the CPU, the APICs and the
 * power drivers) holds the Deck's table; decks/hardware_io.c holds the
 * handlers that are portable enough for the host tests: the waiting input
 * ops, timer.sleep and the framebuffer ops.  hardware_io.c reads the time
 * through hw_clock_now()/hw_clock_hz(): the TSC and its rate in the kernel
 * (defined in hardware.c), a hand-driven clock in the host tests.
 */
#ifndef DECKS_HARDWARE_H
#define DECKS_HARDWARE_H

#include <stdint.h>

#include "core/op.h"

#define HW_FB_INFO_SIZE 32u

int32_t hw_timer_sleep(struct op_call *call);
int32_t hw_console_read(struct op_call *call);
int32_t hw_kbd_read(struct op_call *call);
int32_t hw_fb_write(struct op_call *call);
int32_t hw_fb_clear(struct op_call *call);
int32_t hw_fb_info(struct op_call *call);
int32_t hw_cpu_stats(struct op_call *call); /* hardware_cpu.c, kernel-only */

uint64_t hw_clock_now(void);  /* the clock call->wake_tsc is in: the TSC */
uint64_t hw_clock_hz(void);   /* its ticks per second (never 0 once the kernel runs) */

#endif
