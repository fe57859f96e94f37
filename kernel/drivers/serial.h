/* serial.h: the COM1 16550 UART console (see serial.c). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>

void serial_init(void);
void serial_putc(char c);
bool serial_poll_char(char *c);

#endif
