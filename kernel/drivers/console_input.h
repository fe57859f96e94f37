/*
 * console_input.h: the merged console input queue and the key-event queue
 * (see console_input.c).
 */
#ifndef DRIVERS_CONSOLE_INPUT_H
#define DRIVERS_CONSOLE_INPUT_H

#include <stdint.h>

#include "drivers/ps2kbd_decode.h"

#define CONSOLE_INPUT_BYTES 1024   /* bytes the console queue holds */
#define KBD_QUEUE_EVENTS    128    /* key events the keyboard queue holds */

/* Producers (interrupt handlers): append, dropping what does not fit; signal the Guide. */
void console_input_put(const uint8_t *bytes, unsigned n);
void kbd_events_put(const struct kbd_event *ev);

/* Consumers (the Hardware Deck): take up to max, oldest first; return how many. */
unsigned console_input_read(uint8_t *out, unsigned max);
unsigned kbd_events_read(struct kbd_event *out, unsigned max);

/* Bytes / events dropped because the queue was full, since boot. */
uint64_t console_input_dropped(void);
uint64_t kbd_events_dropped(void);

/* Empty both queues and zero the counters (tests; a new console owner). */
void console_input_reset(void);

#endif
