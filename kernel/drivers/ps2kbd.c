/*
 * ps2kbd.c: the PS/2 keyboard behind an 8042 controller.
 *
 * Set-up follows the controller's usual bring-up: both ports off, stale
 * output drained, interrupts and translation off in the configuration byte,
 * the controller's self-test (0xAA -> 0x55) and port 1's interface test
 * (0xAB -> 0x00), port 1 on, the keyboard reset (0xFF -> 0xFA, 0xAA), then
 * the configuration byte with port 1's interrupt and translation on (the
 * keyboard's default set 2 reaches us as set 1) and port 2's clock off.
 * Every wait for the controller has a deadline, so a machine without an
 * 8042 (the status port reads 0xFF, or nothing answers) costs a few
 * milliseconds and a log line, never a hang.  IRQ 1 goes through the
 * IO-APIC to the K-Core (CPU 0); the handler decodes each byte
 * (ps2kbd_decode.c), queues every key event and sends the characters that
 * presses and repeats type -- or the escape sequence of a cursor key -- to
 * the console input queue (console_input.c).
 */
#include "drivers/ps2kbd.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "drivers/console_input.h"
#include "drivers/ps2kbd_decode.h"
#include "lib/log.h"

#define PS2_DATA    0x60
#define PS2_STATUS  0x64  /* read */
#define PS2_COMMAND 0x64  /* write */

#define STATUS_OUT_FULL 0x01  /* a byte waits at PS2_DATA */
#define STATUS_IN_FULL  0x02  /* the controller has not taken our last byte yet */
#define STATUS_AUX      0x20  /* the waiting byte is from port 2 (a mouse) */

#define CMD_READ_CONFIG  0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_PORT2_OFF    0xA7
#define CMD_SELF_TEST    0xAA
#define CMD_PORT1_TEST   0xAB
#define CMD_PORT1_OFF    0xAD
#define CMD_PORT1_ON     0xAE

#define CONFIG_PORT1_IRQ   0x01
#define CONFIG_PORT2_IRQ   0x02
#define CONFIG_PORT1_CLOCK_OFF 0x10
#define CONFIG_PORT2_CLOCK_OFF 0x20
#define CONFIG_TRANSLATE   0x40

#define KBD_RESET 0xFF
#define KBD_ACK   0xFA
#define KBD_SELF_TEST_OK 0xAA

#define KBD_IRQ 1
#define WAIT_MS 50           /* one controller handshake */
#define RESET_WAIT_MS 1000   /* a keyboard's self-test after reset */
#define BYTES_PER_IRQ 16

static struct kbd_decoder decoder;

static uint64_t deadline_ms(unsigned ms)
{
	return rdtsc() + timer_tsc_hz() / 1000 * ms;
}

/* Wait until the controller takes a byte; false on timeout. */
static bool wait_writable(void)
{
	uint64_t end = deadline_ms(WAIT_MS);
	while (inb(PS2_STATUS) & STATUS_IN_FULL)
		if (rdtsc() > end)
			return false;
	return true;
}

/* Wait for a byte from the controller or the keyboard; -1 on timeout. */
static int read_byte(unsigned ms)
{
	uint64_t end = deadline_ms(ms);
	while (!(inb(PS2_STATUS) & STATUS_OUT_FULL))
		if (rdtsc() > end)
			return -1;
	return inb(PS2_DATA);
}

static bool command(uint8_t cmd)
{
	if (!wait_writable())
		return false;
	outb(PS2_COMMAND, cmd);
	return true;
}

static bool command_data(uint8_t cmd, uint8_t data)
{
	if (!command(cmd) || !wait_writable())
		return false;
	outb(PS2_DATA, data);
	return true;
}

static void drain(void)
{
	for (int i = 0; i < 64 && (inb(PS2_STATUS) & STATUS_OUT_FULL); i++)
		(void)inb(PS2_DATA);
}

/* The keyboard's reset: ACK, then its self-test result.  The keyboard stays usable if it fails. */
static bool reset_keyboard(void)
{
	if (!wait_writable())
		return false;
	outb(PS2_DATA, KBD_RESET);
	int ack = read_byte(RESET_WAIT_MS);
	int result = read_byte(RESET_WAIT_MS);
	return ack == KBD_ACK && result == KBD_SELF_TEST_OK;
}

static void kbd_interrupt(struct trap_frame *f)
{
	(void)f;
	for (int i = 0; i < BYTES_PER_IRQ; i++) {
		uint8_t status = inb(PS2_STATUS);
		if (!(status & STATUS_OUT_FULL))
			break;
		uint8_t byte = inb(PS2_DATA);
		if (status & STATUS_AUX)
			continue; /* port 2 is off, but never feed a mouse byte to the decoder */
		struct kbd_event ev;
		if (!kbd_decode(&decoder, byte, &ev))
			continue;
		kbd_events_put(&ev);
		uint8_t typed[KBD_CONSOLE_MAX];
		unsigned n = kbd_console_bytes(&ev, typed);
		if (n)
			console_input_put(typed, n);
	}
}

static bool skip(const char *why)
{
	log_warn("ps2kbd: %s; no PS/2 keyboard", why);
	return false;
}

bool ps2kbd_init(void)
{
	if (inb(PS2_STATUS) == 0xFF)
		return skip("no 8042 controller (status port reads 0xFF)");
	if (!command(CMD_PORT1_OFF) || !command(CMD_PORT2_OFF))
		return skip("the 8042 does not take commands");
	drain();

	int config = command(CMD_READ_CONFIG) ? read_byte(WAIT_MS) : -1;
	if (config < 0)
		return skip("the 8042 does not report its configuration");
	config &= ~(CONFIG_PORT1_IRQ | CONFIG_PORT2_IRQ | CONFIG_TRANSLATE);
	if (!command_data(CMD_WRITE_CONFIG, (uint8_t)config))
		return skip("the 8042 does not take its configuration");

	int answer = command(CMD_SELF_TEST) ? read_byte(WAIT_MS) : -1;
	if (answer != 0x55) {
		log_warn("ps2kbd: 8042 self-test answered %#x (want 0x55)", answer);
		return skip("the controller failed its self-test");
	}
	/* the self-test may reset the controller: write the configuration again */
	if (!command_data(CMD_WRITE_CONFIG, (uint8_t)config))
		return skip("the 8042 does not take its configuration");
	answer = command(CMD_PORT1_TEST) ? read_byte(WAIT_MS) : -1;
	if (answer != 0x00) {
		log_warn("ps2kbd: port 1 test answered %#x (want 0x00)", answer);
		return skip("port 1 failed its test");
	}
	if (!command(CMD_PORT1_ON))
		return skip("port 1 cannot be enabled");
	if (!reset_keyboard())
		log_warn("ps2kbd: the keyboard did not confirm its reset; using it anyway");
	drain();

	config = (config | CONFIG_PORT1_IRQ | CONFIG_TRANSLATE | CONFIG_PORT2_CLOCK_OFF) &
		 ~CONFIG_PORT1_CLOCK_OFF;
	kbd_decoder_init(&decoder);
	uint8_t vector = VEC_IRQ_BASE + KBD_IRQ;
	irq_register(vector, kbd_interrupt);
	if (ioapic_route_isa(KBD_IRQ, vector, cpus[0].apic_id) != 0)
		return skip("IRQ 1 cannot be routed");
	if (!command_data(CMD_WRITE_CONFIG, (uint8_t)config)) {
		ioapic_mask_isa(KBD_IRQ);
		return skip("the 8042 does not take its configuration");
	}
	drain();
	log_info("ps2kbd: 8042 ready, keyboard on IRQ %u, vector %#x, cpu0 (set 1 by translation)",
		 KBD_IRQ, vector);
	return true;
}
