/* serial.h: the COM1 16550 UART console (see serial.c). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>

void serial_init(void);
void serial_putc(char c);
bool serial_poll_char(char *c);
/* Receive interrupts from here on (IO-APIC and LAPIC up): bytes go to the console input queue. */
void serial_start_input(void);

#endif
