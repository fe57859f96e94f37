/* ps2kbd.h: the PS/2 keyboard behind an 8042 controller (see ps2kbd.c). */
#ifndef DRIVERS_PS2KBD_H
#define DRIVERS_PS2KBD_H

#include <stdbool.h>

/*
 * Find and set up the 8042 and its keyboard, then take IRQ 1 on the K-Core.
 * Needs the IO-APIC and a calibrated TSC.  A missing or broken controller
 * is logged and left alone; returns whether the keyboard is in use.
 */
bool ps2kbd_init(void);

#endif
