/*
 * serial.c: COM1 (16550 UART at port 0x3F8) as the first console.
 *
 * 115200 baud, 8N1, FIFOs on, polled: the log must work before interrupts
 * do, and at panic time.  "\n" goes out as "\r\n" so real terminals and the
 * test harness both see whole lines.
 */
#include "drivers/serial.h"
#include "arch/x86_64/cpu.h"
#include "lib/log.h"

#define COM1 0x3F8
enum { DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

static bool present;

void serial_putc(char c)
{
	if (!present)
		return;
	if (c == '\n')
		serial_putc('\r');
	for (int spins = 0; !(inb(COM1 + LSR) & LSR_THR_EMPTY) && spins < 100000; spins++)
		cpu_relax();
	outb(COM1 + DATA, (uint8_t)c);
}

bool serial_poll_char(char *c)
{
	if (!present || !(inb(COM1 + LSR) & LSR_DATA_READY))
		return false;
	*c = (char)inb(COM1 + DATA);
	return true;
}

static void serial_console_write(const char *s, unsigned long len, enum log_level level)
{
	(void)level;
	for (unsigned long i = 0; i < len; i++)
		serial_putc(s[i]);
}

static struct console serial_console = {.name = "serial", .write = serial_console_write};

void serial_init(void)
{
	outb(COM1 + IER, 0x00);  /* no interrupts */
	outb(COM1 + LCR, 0x80);  /* DLAB on: set the divisor */
	outb(COM1 + DATA, 1);    /* 115200 / 1 */
	outb(COM1 + IER, 0);
	outb(COM1 + LCR, 0x03);  /* 8N1, DLAB off */
	outb(COM1 + FCR, 0xC7);  /* FIFO on, cleared, 14-byte threshold */
	outb(COM1 + MCR, 0x0B);  /* DTR, RTS, OUT2 */
	/* A UART that is not there reads back 0xFF everywhere. */
	present = inb(COM1 + LSR) != 0xFF;
	console_register(&serial_console);
}
