/*
 * serial.c: COM1 (16550 UART at port 0x3F8) as the first console.
 *
 * 115200 baud, 8N1, FIFOs on.  Output is polled: the log must work before
 * interrupts do, and at panic time.  "\n" goes out as "\r\n" so real
 * terminals and the test harness both see whole lines.  Input is
 * interrupt-driven once serial_start_input() has run: IRQ 4 through the
 * IO-APIC to the K-Core (CPU 0), whose handler moves every received byte,
 * as it came (CR, LF and CRLF untouched), into the console input queue.
 */
#include "drivers/serial.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "drivers/console_input.h"
#include "lib/log.h"

#define COM1 0x3F8
enum { DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define IER_RX_DATA    0x01
#define SERIAL_IRQ     4
#define RX_BURST       64  /* bytes taken per interrupt at most (the FIFO holds 16) */

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

static void serial_rx_interrupt(struct trap_frame *f)
{
	(void)f;
	uint8_t got[RX_BURST];
	unsigned n = 0;
	while (n < RX_BURST && (inb(COM1 + LSR) & LSR_DATA_READY))
		got[n++] = inb(COM1 + DATA);
	console_input_put(got, n);
}

void serial_start_input(void)
{
	if (!present)
		return;
	uint8_t vector = VEC_IRQ_BASE + SERIAL_IRQ;
	irq_register(vector, serial_rx_interrupt);
	if (ioapic_route_isa(SERIAL_IRQ, vector, cpus[0].apic_id) != 0) {
		log_warn("serial: IRQ %u cannot be routed; no serial input", SERIAL_IRQ);
		return;
	}
	while (inb(COM1 + LSR) & LSR_DATA_READY) /* what came before boot is not input */
		(void)inb(COM1 + DATA);
	outb(COM1 + FCR, 0x07);       /* FIFO on and cleared, interrupt at every byte */
	outb(COM1 + IER, IER_RX_DATA);
	log_info("serial: COM1 input on IRQ %u, vector %#x, cpu0", SERIAL_IRQ, vector);
}
