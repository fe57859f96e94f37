/*
 * console_input.c: where typed input waits until a Cabin reads it.
 *
 * Two fixed rings: console bytes (COM1's receive interrupt and the
 * characters the PS/2 keyboard types, merged in arrival order) for
 * hardware.console.read, and key events (every press, release and repeat)
 * for hardware.kbd.read.  Producers are interrupt handlers, the consumer is
 * the Guide; a spinlock (which also masks interrupts) keeps them apart even
 * when they run on different CPUs.  A full ring drops the new input and
 * counts it, never the old: what was typed first is read first.  Every put
 * signals the Guide (OP_WAKE_CONSOLE / OP_WAKE_KBD) so a parked read runs
 * again.  Portable: the host tests build it with BOXOS_HOST_TEST, where the
 * lock is a no-op and guide_signal is the test's.
 */
#include "drivers/console_input.h"
#include "core/guide.h"
#include "core/op.h"

#ifdef BOXOS_HOST_TEST
struct spinlock { int unused; };
#define SPINLOCK_INIT {0}
static inline void spin_lock(struct spinlock *l) { (void)l; }
static inline void spin_unlock(struct spinlock *l) { (void)l; }
#else
#include "lib/spinlock.h"
#endif

_Static_assert((CONSOLE_INPUT_BYTES & (CONSOLE_INPUT_BYTES - 1)) == 0, "a power of two");
_Static_assert((KBD_QUEUE_EVENTS & (KBD_QUEUE_EVENTS - 1)) == 0, "a power of two");

/* head and tail count up forever; slot = count % size; full when head - tail == size */
static struct {
	uint8_t bytes[CONSOLE_INPUT_BYTES];
	uint32_t head, tail;
	uint64_t dropped;
} console;

static struct {
	struct kbd_event events[KBD_QUEUE_EVENTS];
	uint32_t head, tail;
	uint64_t dropped;
} keys;

static struct spinlock lock = SPINLOCK_INIT;

void console_input_put(const uint8_t *bytes, unsigned n)
{
	if (!n)
		return;
	spin_lock(&lock);
	for (unsigned i = 0; i < n; i++) {
		if (console.head - console.tail == CONSOLE_INPUT_BYTES) {
			console.dropped += n - i;
			break;
		}
		console.bytes[console.head++ % CONSOLE_INPUT_BYTES] = bytes[i];
	}
	spin_unlock(&lock);
	guide_signal(OP_WAKE_CONSOLE);
}

void kbd_events_put(const struct kbd_event *ev)
{
	spin_lock(&lock);
	if (keys.head - keys.tail == KBD_QUEUE_EVENTS)
		keys.dropped++;
	else
		keys.events[keys.head++ % KBD_QUEUE_EVENTS] = *ev;
	spin_unlock(&lock);
	guide_signal(OP_WAKE_KBD);
}

unsigned console_input_read(uint8_t *out, unsigned max)
{
	unsigned n = 0;
	spin_lock(&lock);
	while (n < max && console.tail != console.head)
		out[n++] = console.bytes[console.tail++ % CONSOLE_INPUT_BYTES];
	spin_unlock(&lock);
	return n;
}

unsigned kbd_events_read(struct kbd_event *out, unsigned max)
{
	unsigned n = 0;
	spin_lock(&lock);
	while (n < max && keys.tail != keys.head)
		out[n++] = keys.events[keys.tail++ % KBD_QUEUE_EVENTS];
	spin_unlock(&lock);
	return n;
}

uint64_t console_input_dropped(void)
{
	return console.dropped;
}

uint64_t kbd_events_dropped(void)
{
	return keys.dropped;
}

void console_input_reset(void)
{
	spin_lock(&lock);
	console.head = console.tail = 0;
	console.dropped = 0;
	keys.head = keys.tail = 0;
	keys.dropped = 0;
	spin_unlock(&lock);
}
