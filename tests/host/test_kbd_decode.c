/*
 * test_kbd_decode.c: host tests for the scancode set 1 decoder
 * (kernel/drivers/ps2kbd_decode.c): plain, shifted, Caps Lock, Ctrl, Alt,
 * Num Lock keys; 0xE0 extended keys; Print Screen's fake shifts and Pause's
 * E1 sequence; typematic repeats of normal, extended and modifier keys;
 * stray breaks and keyboard replies; every letter and digit against the HID
 * rule (usage = 0x04 + letter index, 0x1E + digit index) and the 8-byte
 * event encoding kbd.read writes; and 400 000 random bytes against a model
 * of which keys are down; the console bytes events type (characters, and
 * the terminal's escape sequences for the cursor keys).
 */
#include <string.h>

#include "check.h"
#include "drivers/ps2kbd_decode.h"

static struct kbd_decoder dec;

/* Feed bytes; the events they make go to ev (up to max); returns how many. */
static unsigned feed(const uint8_t *bytes, unsigned n, struct kbd_event *ev, unsigned max)
{
	unsigned got = 0;
	for (unsigned i = 0; i < n; i++) {
		struct kbd_event e;
		if (kbd_decode(&dec, bytes[i], &e)) {
			if (got < max)
				ev[got] = e;
			got++;
		}
	}
	return got;
}

#define FEED(ev, ...)                                                      \
	({                                                                 \
		static const uint8_t b_[] = {__VA_ARGS__};                \
		feed(b_, sizeof(b_), ev, sizeof(ev) / sizeof(ev[0]));    \
	})

static void test_decode_plain_and_shift(void)
{
	struct kbd_event ev[8];
	kbd_decoder_init(&dec);
	CHECK_EQ(FEED(ev, 0x1E, 0x9E), 2);
	CHECK_EQ(ev[0].scancode, 0x1E);
	CHECK_EQ(ev[0].key, 0x04);
	CHECK_EQ(ev[0].ch, 'a');
	CHECK_EQ(ev[0].modifiers, 0);
	CHECK_EQ(ev[0].action, KBD_PRESS);
	CHECK_EQ(ev[1].action, KBD_RELEASE);
	CHECK_EQ(ev[1].key, 0x04);

	/* left Shift down, a, Shift up, a */
	CHECK_EQ(FEED(ev, 0x2A, 0x1E, 0x9E, 0xAA, 0x1E, 0x9E), 6);
	CHECK_EQ(ev[0].key, 0xE1);
	CHECK_EQ(ev[0].ch, 0);
	CHECK_EQ(ev[0].modifiers, KBD_MOD_SHIFT);
	CHECK_EQ(ev[1].ch, 'A');
	CHECK_EQ(ev[1].modifiers, KBD_MOD_SHIFT);
	CHECK_EQ(ev[3].action, KBD_RELEASE);
	CHECK_EQ(ev[3].modifiers, 0);
	CHECK_EQ(ev[4].ch, 'a');
	CHECK_EQ(ev[4].action, KBD_PRESS);

	/* both Shifts: releasing one keeps Shift */
	CHECK_EQ(FEED(ev, 0x2A, 0x36, 0xAA, 0x02, 0x82, 0xB6, 0x02, 0x82), 8);
	CHECK_EQ(ev[2].modifiers, KBD_MOD_SHIFT);
	CHECK_EQ(ev[3].ch, '!');
	CHECK_EQ(ev[3].key, 0x1E);
	CHECK_EQ(ev[6].ch, '1');
	CHECK_EQ(ev[6].modifiers, 0);

	/* Enter, Backspace, Tab, Esc, Space */
	CHECK_EQ(FEED(ev, 0x1C, 0x9C, 0x0E, 0x8E, 0x0F, 0x8F, 0x01, 0x81), 8);
	CHECK_EQ(ev[0].ch, '\r');
	CHECK_EQ(ev[0].key, 0x28);
	CHECK_EQ(ev[2].ch, 0x08);
	CHECK_EQ(ev[4].ch, '\t');
	CHECK_EQ(ev[6].ch, 0x1B);
	CHECK_EQ(ev[6].key, 0x29);
}

static void test_decode_letters_and_digits(void)
{
	/* set-1 make codes of a..z; HID usages are 0x04 + letter index */
	static const uint8_t letter_codes[26] = {
		0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
		0x31, 0x18, 0x19, 0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F, 0x11, 0x2D, 0x15, 0x2C};
	kbd_decoder_init(&dec);
	for (int i = 0; i < 26; i++) {
		struct kbd_event e;
		CHECK(kbd_decode(&dec, letter_codes[i], &e));
		CHECK_EQ(e.ch, 'a' + i);
		CHECK_EQ(e.key, 0x04 + i);
		CHECK(kbd_decode(&dec, letter_codes[i] | 0x80, &e));
		CHECK_EQ(e.action, KBD_RELEASE);
	}
	/* 1..9, 0 are codes 0x02..0x0B and usages 0x1E..0x27 */
	for (int i = 0; i < 10; i++) {
		struct kbd_event e;
		CHECK(kbd_decode(&dec, (uint8_t)(0x02 + i), &e));
		CHECK_EQ(e.ch, i == 9 ? '0' : '1' + i);
		CHECK_EQ(e.key, 0x1E + i);
		CHECK(kbd_decode(&dec, (uint8_t)(0x82 + i), &e));
	}
}

static void test_decode_locks_and_ctrl(void)
{
	struct kbd_event ev[8];
	kbd_decoder_init(&dec);
	/* Caps Lock on: A; with Shift: a; Caps Lock off again */
	CHECK_EQ(FEED(ev, 0x3A, 0xBA, 0x1E, 0x9E), 4);
	CHECK_EQ(ev[0].key, 0x39);
	CHECK_EQ(ev[0].modifiers, KBD_MOD_CAPSLOCK);
	CHECK_EQ(ev[2].ch, 'A');
	CHECK_EQ(FEED(ev, 0x2A, 0x1E, 0x02, 0xAA), 4);
	CHECK_EQ(ev[1].ch, 'a');
	CHECK_EQ(ev[1].modifiers, KBD_MOD_SHIFT | KBD_MOD_CAPSLOCK);
	CHECK_EQ(ev[2].ch, '!'); /* Caps Lock leaves digits alone */
	CHECK_EQ(FEED(ev, 0x9E, 0x82, 0x3A, 0xBA, 0x1E), 5);
	CHECK_EQ(ev[4].ch, 'a');
	CHECK_EQ(ev[4].modifiers, 0);
	/* Caps Lock repeat does not toggle it back */
	kbd_decoder_init(&dec);
	CHECK_EQ(FEED(ev, 0x3A, 0x3A, 0x3A, 0xBA), 4);
	CHECK_EQ(ev[1].action, KBD_REPEAT);
	CHECK_EQ(ev[3].modifiers, KBD_MOD_CAPSLOCK);

	/* right Ctrl (E0 1D) + c = 0x03, left Ctrl + z = 0x1A; Alt changes nothing */
	kbd_decoder_init(&dec);
	CHECK_EQ(FEED(ev, 0xE0, 0x1D, 0x2E, 0xAE, 0xE0, 0x9D), 4);
	CHECK_EQ(ev[0].scancode, 0xE01D);
	CHECK_EQ(ev[0].key, 0xE4);
	CHECK_EQ(ev[1].ch, 0x03);
	CHECK_EQ(ev[1].modifiers, KBD_MOD_CTRL);
	CHECK_EQ(ev[3].modifiers, 0);
	CHECK_EQ(FEED(ev, 0x1D, 0x2C, 0xAC, 0x9D, 0x38, 0x1E, 0x9E, 0xB8), 8);
	CHECK_EQ(ev[1].ch, 0x1A);
	CHECK_EQ(ev[5].ch, 'a');
	CHECK_EQ(ev[5].modifiers, KBD_MOD_ALT);

	/* keypad: 1 types nothing until Num Lock, then '1'; KP- and KP+ always */
	kbd_decoder_init(&dec);
	CHECK_EQ(FEED(ev, 0x4F, 0xCF, 0x45, 0xC5, 0x4F, 0xCF, 0x4A, 0x4E), 8);
	CHECK_EQ(ev[0].key, 0x59);
	CHECK_EQ(ev[0].ch, 0);
	CHECK_EQ(ev[2].modifiers, KBD_MOD_NUMLOCK);
	CHECK_EQ(ev[4].ch, '1');
	CHECK_EQ(ev[6].ch, '-');
	CHECK_EQ(ev[7].ch, '+');
}

static void test_decode_extended(void)
{
	struct kbd_event ev[8];
	kbd_decoder_init(&dec);
	/* Up arrow is E0 48; a plain 48 is keypad 8 */
	CHECK_EQ(FEED(ev, 0xE0, 0x48, 0xE0, 0xC8, 0x48, 0xC8), 4);
	CHECK_EQ(ev[0].scancode, 0xE048);
	CHECK_EQ(ev[0].key, 0x52);
	CHECK_EQ(ev[0].ch, 0);
	CHECK_EQ(ev[0].action, KBD_PRESS);
	CHECK_EQ(ev[1].scancode, 0xE048);
	CHECK_EQ(ev[1].action, KBD_RELEASE);
	CHECK_EQ(ev[2].scancode, 0x48);
	CHECK_EQ(ev[2].key, 0x60);
	/* the two keys are tracked apart: KP8 down, Up pressed = PRESS, not REPEAT */
	CHECK_EQ(FEED(ev, 0x48, 0xE0, 0x48), 2);
	CHECK_EQ(ev[1].action, KBD_PRESS);
	CHECK_EQ(FEED(ev, 0xC8, 0xE0, 0xC8), 2);

	/* keypad Enter and / type like their main keys */
	CHECK_EQ(FEED(ev, 0xE0, 0x1C, 0xE0, 0x9C, 0xE0, 0x35, 0xE0, 0xB5), 4);
	CHECK_EQ(ev[0].key, 0x58);
	CHECK_EQ(ev[0].ch, '\r');
	CHECK_EQ(ev[2].key, 0x54);
	CHECK_EQ(ev[2].ch, '/');

	/* navigation: Home, End, Delete, right Alt */
	CHECK_EQ(FEED(ev, 0xE0, 0x47, 0xE0, 0x4F, 0xE0, 0x53, 0xE0, 0x38), 4);
	CHECK_EQ(ev[0].key, 0x4A);
	CHECK_EQ(ev[1].key, 0x4D);
	CHECK_EQ(ev[2].key, 0x4C);
	CHECK_EQ(ev[3].key, 0xE6);
	CHECK_EQ(ev[3].modifiers, KBD_MOD_ALT);

	/* Print Screen: E0 2A E0 37 ... E0 B7 E0 AA is one press and one release */
	kbd_decoder_init(&dec);
	CHECK_EQ(FEED(ev, 0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA), 2);
	CHECK_EQ(ev[0].scancode, 0xE037);
	CHECK_EQ(ev[0].key, 0x46);
	CHECK_EQ(ev[0].action, KBD_PRESS);
	CHECK_EQ(ev[0].modifiers, 0); /* the fake shift is not a Shift */
	CHECK_EQ(ev[1].action, KBD_RELEASE);

	/* Pause: six bytes, one PRESS, and the decoder is in step afterwards */
	CHECK_EQ(FEED(ev, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0x1E), 2);
	CHECK_EQ(ev[0].scancode, 0xE11D);
	CHECK_EQ(ev[0].key, 0x48);
	CHECK_EQ(ev[0].action, KBD_PRESS);
	CHECK_EQ(ev[0].modifiers, 0); /* its 1D is not Ctrl, its 45 not Num Lock */
	CHECK_EQ(ev[1].ch, 'a');
	CHECK_EQ(FEED(ev, 0x9E), 1);

	/* Ctrl+Pause is Break: E0 46 / E0 C6, the Pause key with Ctrl */
	CHECK_EQ(FEED(ev, 0x1D, 0xE0, 0x46, 0xE0, 0xC6, 0x9D), 4);
	CHECK_EQ(ev[1].scancode, 0xE046);
	CHECK_EQ(ev[1].key, 0x48);
	CHECK_EQ(ev[1].modifiers, KBD_MOD_CTRL);
	CHECK_EQ(ev[2].action, KBD_RELEASE);
}

static void test_decode_repeat_and_noise(void)
{
	struct kbd_event ev[8];
	kbd_decoder_init(&dec);
	/* typematic: make, make, make, break */
	CHECK_EQ(FEED(ev, 0x1E, 0x1E, 0x1E, 0x9E), 4);
	CHECK_EQ(ev[0].action, KBD_PRESS);
	CHECK_EQ(ev[1].action, KBD_REPEAT);
	CHECK_EQ(ev[1].ch, 'a');
	CHECK_EQ(ev[2].action, KBD_REPEAT);
	CHECK_EQ(ev[3].action, KBD_RELEASE);
	/* an extended key repeats too: E0 4D E0 4D */
	CHECK_EQ(FEED(ev, 0xE0, 0x4D, 0xE0, 0x4D, 0xE0, 0xCD), 3);
	CHECK_EQ(ev[1].action, KBD_REPEAT);
	CHECK_EQ(ev[1].scancode, 0xE04D);
	/* a repeating Shift stays a Shift */
	CHECK_EQ(FEED(ev, 0x2A, 0x2A, 0x1E), 3);
	CHECK_EQ(ev[1].action, KBD_REPEAT);
	CHECK_EQ(ev[2].ch, 'A');
	CHECK_EQ(FEED(ev, 0x9E, 0xAA), 2);

	/* replies and stray breaks: 0xAA (self-test passed) with no Shift down,
	 * 0xFA ack, 0xFE resend, 0xEE echo, 0x00/0xFF errors, a break for a key not down,
	 * an unused code (0x59) */
	CHECK_EQ(FEED(ev, 0xAA, 0xFA, 0xFE, 0xEE, 0x00, 0xFF, 0x9E, 0x59, 0xE0, 0x11), 0);
	/* and the decoder still works */
	CHECK_EQ(FEED(ev, 0x30), 1);
	CHECK_EQ(ev[0].ch, 'b');
}

static void test_event_encoding(void)
{
	struct kbd_event e = {.scancode = 0xE048, .key = 0x52, .ch = 0, .modifiers = 0x09,
			      .action = KBD_REPEAT};
	uint8_t out[KBD_EVENT_SIZE];
	memset(out, 0xcc, sizeof(out));
	kbd_event_encode(&e, out);
	const uint8_t want[8] = {0x48, 0xE0, 0x52, 0x00, 0x09, 0x03, 0x00, 0x00};
	CHECK(memcmp(out, want, 8) == 0);
}

/* The bytes each scancode sequence types into the console input stream. */
static unsigned typed(const uint8_t *bytes, unsigned n, uint8_t *out, unsigned cap)
{
	unsigned got = 0;
	for (unsigned i = 0; i < n; i++) {
		struct kbd_event e;
		if (!kbd_decode(&dec, bytes[i], &e))
			continue;
		uint8_t b[KBD_CONSOLE_MAX];
		memset(b, 0xcc, sizeof(b));
		unsigned k = kbd_console_bytes(&e, b);
		CHECK(k <= KBD_CONSOLE_MAX);
		for (unsigned j = 0; j < k && got < cap; j++)
			out[got++] = b[j];
	}
	return got;
}

#define TYPED(out, ...)                                                   \
	({                                                                \
		static const uint8_t t_[] = {__VA_ARGS__};               \
		typed(t_, sizeof(t_), out, sizeof(out));                 \
	})

static void test_console_bytes(void)
{
	uint8_t out[64];
	unsigned n;
	kbd_decoder_init(&dec);
	/* each cursor key pressed and released: the terminal's sequence, once */
	static const struct { uint8_t code; const char *seq; } keys[] = {
		{0x48, "\x1b[A"}, {0x50, "\x1b[B"}, {0x4D, "\x1b[C"}, {0x4B, "\x1b[D"},
		{0x47, "\x1b[H"}, {0x4F, "\x1b[F"}, {0x53, "\x1b[3~"},
	};
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint8_t bytes[4] = {0xE0, keys[i].code, 0xE0, (uint8_t)(keys[i].code | 0x80)};
		n = typed(bytes, 4, out, sizeof(out));
		CHECK_EQ(n, strlen(keys[i].seq));
		CHECK(memcmp(out, keys[i].seq, n) == 0);
	}
	/* the keypad's 8 4 . with Num Lock off type the same sequences as Up, Left, Delete */
	n = TYPED(out, 0x48, 0xC8, 0x4B, 0xCB, 0x53, 0xD3);
	CHECK_EQ(n, 3 + 3 + 4);
	CHECK(memcmp(out, "\x1b[A\x1b[D\x1b[3~", n) == 0);
	/* with Num Lock on they type digits */
	n = TYPED(out, 0x45, 0xC5, 0x48, 0xC8, 0x53, 0xD3, 0x45, 0xC5);
	CHECK_EQ(n, 2);
	CHECK(memcmp(out, "8.", 2) == 0);
	/* characters as before: a, Shift+b, Backspace, Enter, Ctrl+C; releases type nothing */
	n = TYPED(out, 0x1E, 0x9E, 0x2A, 0x30, 0xB0, 0xAA, 0x0E, 0x8E, 0x1C, 0x9C, 0x1D, 0x2E, 0xAE, 0x9D);
	CHECK_EQ(n, 5);
	CHECK(memcmp(out, "aB\x08\r\x03", 5) == 0);
	/* a held Left repeats its sequence; keys with neither character nor sequence type nothing */
	n = TYPED(out, 0xE0, 0x4B, 0xE0, 0x4B, 0xE0, 0xCB, 0xE0, 0x49, 0xE0, 0xC9, 0x3B, 0xBB, 0x2A, 0xAA);
	CHECK_EQ(n, 6);
	CHECK(memcmp(out, "\x1b[D\x1b[D", 6) == 0);
}

/*
 * Random byte streams (fixed seed, prefixes and breaks made common) checked
 * against a model built only from the events: a PRESS is for a key not down,
 * REPEAT and RELEASE for a key down; Shift/Ctrl/Alt are set exactly while
 * one of their keys is down; every event has a key code and an action.
 */
static void test_decode_random_streams(void)
{
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	unsigned bad = 0, events = 0;
	for (int stream = 0; stream < 200; stream++) {
		kbd_decoder_init(&dec);
		uint8_t down[0x10000 / 8] = {0};
		for (int i = 0; i < 2000; i++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			uint8_t byte;
			switch (seed % 8) {
			case 0: byte = 0xE0; break;
			case 1: byte = (seed >> 8) % 64 ? (uint8_t)((seed >> 16) & 0x7F) : 0xE1; break;
			case 2: case 3: byte = (uint8_t)(((seed >> 16) & 0x3F) | 0x80); break;
			default: byte = (uint8_t)((seed >> 16) & 0x3F); break;
			}
			struct kbd_event e;
			if (!kbd_decode(&dec, byte, &e))
				continue;
			events++;
			bool was = down[e.scancode / 8] & (1u << (e.scancode % 8));
			if (e.key == 0 || e.action < KBD_PRESS || e.action > KBD_REPEAT || e.scancode == 0)
				bad++;
			if (e.scancode == 0xE11D) { /* Pause: a press with no release */
				if (e.action != KBD_PRESS)
					bad++;
				continue;
			}
			if ((e.action == KBD_PRESS) == was)
				bad++;
			if (e.action == KBD_PRESS)
				down[e.scancode / 8] |= (uint8_t)(1u << (e.scancode % 8));
			if (e.action == KBD_RELEASE)
				down[e.scancode / 8] &= (uint8_t)~(1u << (e.scancode % 8));
#define IS_DOWN(sc) (down[(sc) / 8] & (1u << ((sc) % 8)))
			bool shift = IS_DOWN(0x2A) || IS_DOWN(0x36);
			bool ctrl = IS_DOWN(0x1D) || IS_DOWN(0xE01D);
			bool alt = IS_DOWN(0x38) || IS_DOWN(0xE038);
#undef IS_DOWN
			if (!!(e.modifiers & KBD_MOD_SHIFT) != shift || !!(e.modifiers & KBD_MOD_CTRL) != ctrl ||
			    !!(e.modifiers & KBD_MOD_ALT) != alt)
				bad++;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(events > 100000); /* the streams really exercised it */
}

int main(void)
{
	test_decode_plain_and_shift();
	test_decode_letters_and_digits();
	test_decode_locks_and_ctrl();
	test_decode_extended();
	test_decode_repeat_and_noise();
	test_event_encoding();
	test_console_bytes();
	test_decode_random_streams();
	return check_report();
}
