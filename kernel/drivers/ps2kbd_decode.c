/*
 * ps2kbd_decode.c: scancode set 1 (what an 8042 with translation on hands
 * over) to key events with a US keymap.
 *
 * A make code is the key's code, its break code the same with bit 7 set;
 * 0xE0 announces an extended key (arrows, right Ctrl/Alt, the navigation
 * block, keypad / and Enter).  Print Screen arrives wrapped in "fake shift"
 * codes (E0 2A / E0 AA, E0 36 / E0 B6), which are dropped; Pause sends
 * E1 1D 45 E1 9D C5 at once and nothing on release, so it becomes one PRESS
 * (with Ctrl held it is Break, E0 46 / E0 C6, reported as the Pause key).
 * The decoder keeps one bit per key that is down: a make code for a key
 * already down is the keyboard's typematic repeat (REPEAT), and a break code
 * for a key that is not down is dropped -- that also drops the 0xAA a
 * keyboard sends after its self-test, which is the left Shift break code.
 * Key codes are USB HID keyboard usages, so a later USB driver can report
 * the same codes.  Caps Lock and Num Lock toggle on their press (the LEDs are
 * not driven); Ctrl turns letters into control characters 0x01-0x1A; Alt
 * changes no character.  Enter types '\r', Backspace 0x08, Esc 0x1B.
 * kbd_console_bytes() turns an event into console input: its character, or
 * the terminal's escape sequence for a cursor key.
 */
#include "drivers/ps2kbd_decode.h"

#include <stddef.h>

enum {
	HELD_LSHIFT = 1u << 0,
	HELD_RSHIFT = 1u << 1,
	HELD_LCTRL  = 1u << 2,
	HELD_RCTRL  = 1u << 3,
	HELD_LALT   = 1u << 4,
	HELD_RALT   = 1u << 5,
};

#define CODES 0x80

/* USB HID usages of the plain (non-0xE0) set-1 codes. */
static const uint8_t hid_plain[CODES] = {
	[0x01] = 0x29, /* Esc */
	[0x02] = 0x1E, [0x03] = 0x1F, [0x04] = 0x20, [0x05] = 0x21, [0x06] = 0x22,
	[0x07] = 0x23, [0x08] = 0x24, [0x09] = 0x25, [0x0A] = 0x26, [0x0B] = 0x27, /* 1..9, 0 */
	[0x0C] = 0x2D, [0x0D] = 0x2E, [0x0E] = 0x2A, [0x0F] = 0x2B, /* - = Backspace Tab */
	[0x10] = 0x14, [0x11] = 0x1A, [0x12] = 0x08, [0x13] = 0x15, [0x14] = 0x17, /* q w e r t */
	[0x15] = 0x1C, [0x16] = 0x18, [0x17] = 0x0C, [0x18] = 0x12, [0x19] = 0x13, /* y u i o p */
	[0x1A] = 0x2F, [0x1B] = 0x30, [0x1C] = 0x28, [0x1D] = 0xE0, /* [ ] Enter LCtrl */
	[0x1E] = 0x04, [0x1F] = 0x16, [0x20] = 0x07, [0x21] = 0x09, [0x22] = 0x0A, /* a s d f g */
	[0x23] = 0x0B, [0x24] = 0x0D, [0x25] = 0x0E, [0x26] = 0x0F, /* h j k l */
	[0x27] = 0x33, [0x28] = 0x34, [0x29] = 0x35, [0x2A] = 0xE1, [0x2B] = 0x31, /* ; ' ` LShift \ */
	[0x2C] = 0x1D, [0x2D] = 0x1B, [0x2E] = 0x06, [0x2F] = 0x19, [0x30] = 0x05, /* z x c v b */
	[0x31] = 0x11, [0x32] = 0x10, [0x33] = 0x36, [0x34] = 0x37, [0x35] = 0x38, /* n m , . / */
	[0x36] = 0xE5, [0x37] = 0x55, [0x38] = 0xE2, [0x39] = 0x2C, [0x3A] = 0x39, /* RShift KP* LAlt Space Caps */
	[0x3B] = 0x3A, [0x3C] = 0x3B, [0x3D] = 0x3C, [0x3E] = 0x3D, [0x3F] = 0x3E, /* F1..F5 */
	[0x40] = 0x3F, [0x41] = 0x40, [0x42] = 0x41, [0x43] = 0x42, [0x44] = 0x43, /* F6..F10 */
	[0x45] = 0x53, [0x46] = 0x47, /* Num Lock, Scroll Lock */
	[0x47] = 0x5F, [0x48] = 0x60, [0x49] = 0x61, [0x4A] = 0x56, /* KP7 KP8 KP9 KP- */
	[0x4B] = 0x5C, [0x4C] = 0x5D, [0x4D] = 0x5E, [0x4E] = 0x57, /* KP4 KP5 KP6 KP+ */
	[0x4F] = 0x59, [0x50] = 0x5A, [0x51] = 0x5B, [0x52] = 0x62, [0x53] = 0x63, /* KP1 KP2 KP3 KP0 KP. */
	[0x56] = 0x64, [0x57] = 0x44, [0x58] = 0x45, /* the 102nd key, F11, F12 */
};

/* USB HID usages of the 0xE0-prefixed codes. */
static const uint8_t hid_extended[CODES] = {
	[0x1C] = 0x58, [0x1D] = 0xE4, [0x35] = 0x54, [0x37] = 0x46, [0x38] = 0xE6, /* KPEnter RCtrl KP/ PrtSc RAlt */
	[0x47] = 0x4A, [0x48] = 0x52, [0x49] = 0x4B, [0x4B] = 0x50, [0x4D] = 0x4F, /* Home Up PgUp Left Right */
	[0x4F] = 0x4D, [0x50] = 0x51, [0x51] = 0x4E, [0x52] = 0x49, [0x53] = 0x4C, /* End Down PgDn Ins Del */
	[0x5B] = 0xE3, [0x5C] = 0xE7, [0x5D] = 0x65, /* left GUI, right GUI, Menu */
	[0x46] = 0x48, /* Ctrl+Pause (Break) sends E0 46 / E0 C6: the Pause key */
};

/* US layout: characters of the plain codes without and with Shift. */
static const char us_plain[CODES] = {
	[0x01] = 0x1B, [0x02] = '1', [0x03] = '2', [0x04] = '3', [0x05] = '4', [0x06] = '5',
	[0x07] = '6', [0x08] = '7', [0x09] = '8', [0x0A] = '9', [0x0B] = '0', [0x0C] = '-',
	[0x0D] = '=', [0x0E] = 0x08, [0x0F] = '\t', [0x10] = 'q', [0x11] = 'w', [0x12] = 'e',
	[0x13] = 'r', [0x14] = 't', [0x15] = 'y', [0x16] = 'u', [0x17] = 'i', [0x18] = 'o',
	[0x19] = 'p', [0x1A] = '[', [0x1B] = ']', [0x1C] = '\r', [0x1E] = 'a', [0x1F] = 's',
	[0x20] = 'd', [0x21] = 'f', [0x22] = 'g', [0x23] = 'h', [0x24] = 'j', [0x25] = 'k',
	[0x26] = 'l', [0x27] = ';', [0x28] = '\'', [0x29] = '`', [0x2B] = '\\', [0x2C] = 'z',
	[0x2D] = 'x', [0x2E] = 'c', [0x2F] = 'v', [0x30] = 'b', [0x31] = 'n', [0x32] = 'm',
	[0x33] = ',', [0x34] = '.', [0x35] = '/', [0x37] = '*', [0x39] = ' ', [0x4A] = '-',
	[0x4E] = '+', [0x56] = '\\',
};

static const char us_shift[CODES] = {
	[0x01] = 0x1B, [0x02] = '!', [0x03] = '@', [0x04] = '#', [0x05] = '$', [0x06] = '%',
	[0x07] = '^', [0x08] = '&', [0x09] = '*', [0x0A] = '(', [0x0B] = ')', [0x0C] = '_',
	[0x0D] = '+', [0x0E] = 0x08, [0x0F] = '\t', [0x10] = 'Q', [0x11] = 'W', [0x12] = 'E',
	[0x13] = 'R', [0x14] = 'T', [0x15] = 'Y', [0x16] = 'U', [0x17] = 'I', [0x18] = 'O',
	[0x19] = 'P', [0x1A] = '{', [0x1B] = '}', [0x1C] = '\r', [0x1E] = 'A', [0x1F] = 'S',
	[0x20] = 'D', [0x21] = 'F', [0x22] = 'G', [0x23] = 'H', [0x24] = 'J', [0x25] = 'K',
	[0x26] = 'L', [0x27] = ':', [0x28] = '"', [0x29] = '~', [0x2B] = '|', [0x2C] = 'Z',
	[0x2D] = 'X', [0x2E] = 'C', [0x2F] = 'V', [0x30] = 'B', [0x31] = 'N', [0x32] = 'M',
	[0x33] = '<', [0x34] = '>', [0x35] = '?', [0x37] = '*', [0x39] = ' ', [0x4A] = '-',
	[0x4E] = '+', [0x56] = '|',
};

/* Keypad digits and point (codes 0x47..0x53), typed only with Num Lock on. */
static const char keypad_numlock[0x53 - 0x47 + 1] = {
	'7', '8', '9', 0, '4', '5', '6', 0, '1', '2', '3', '0', '.',
};

void kbd_decoder_init(struct kbd_decoder *d)
{
	*d = (struct kbd_decoder){0};
}

static uint8_t modifiers_of(const struct kbd_decoder *d)
{
	uint8_t m = d->modifiers & (KBD_MOD_CAPSLOCK | KBD_MOD_NUMLOCK);
	if (d->held & (HELD_LSHIFT | HELD_RSHIFT))
		m |= KBD_MOD_SHIFT;
	if (d->held & (HELD_LCTRL | HELD_RCTRL))
		m |= KBD_MOD_CTRL;
	if (d->held & (HELD_LALT | HELD_RALT))
		m |= KBD_MOD_ALT;
	return m;
}

/* The HELD_* bit of a modifier key, 0 for any other key. */
static uint8_t held_bit(uint8_t index)
{
	switch (index) {
	case 0x2A: return HELD_LSHIFT;
	case 0x36: return HELD_RSHIFT;
	case 0x1D: return HELD_LCTRL;
	case 0x80 | 0x1D: return HELD_RCTRL;
	case 0x38: return HELD_LALT;
	case 0x80 | 0x38: return HELD_RALT;
	default: return 0;
	}
}

static char character(uint8_t index, uint8_t mods)
{
	if (index & 0x80) {
		if (index == (0x80 | 0x35))
			return '/';
		if (index == (0x80 | 0x1C))
			return '\r';
		return 0;
	}
	if (index >= 0x47 && index <= 0x53 && keypad_numlock[index - 0x47])
		return (mods & KBD_MOD_NUMLOCK) ? keypad_numlock[index - 0x47] : 0;
	char c = (mods & KBD_MOD_SHIFT) ? us_shift[index] : us_plain[index];
	bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (letter && (mods & KBD_MOD_CAPSLOCK))
		c ^= 0x20; /* Caps Lock swaps the case Shift chose */
	if (letter && (mods & KBD_MOD_CTRL))
		c &= 0x1F;
	return c;
}

static bool key_down(const struct kbd_decoder *d, uint8_t index)
{
	return d->down[index / 64] & (1ull << (index % 64));
}

static void set_down(struct kbd_decoder *d, uint8_t index, bool down)
{
	if (down)
		d->down[index / 64] |= 1ull << (index % 64);
	else
		d->down[index / 64] &= ~(1ull << (index % 64));
}

bool kbd_decode(struct kbd_decoder *d, uint8_t byte, struct kbd_event *ev)
{
	if (d->e1_left) {
		/* the rest of Pause: 1D 45 E1 9D C5 */
		if (--d->e1_left)
			return false;
		*ev = (struct kbd_event){.scancode = 0xE11D, .key = 0x48,
					 .modifiers = modifiers_of(d), .action = KBD_PRESS};
		return true;
	}
	if (byte == 0xE1) {
		d->prefix = 0;
		d->e1_left = 5;
		return false;
	}
	if (byte == 0xE0) {
		d->prefix = 0xE0;
		return false;
	}
	bool extended = d->prefix == 0xE0;
	d->prefix = 0;
	uint8_t code = byte & 0x7F;
	bool brk = byte & 0x80;
	if (extended && (code == 0x2A || code == 0x36))
		return false; /* Print Screen's fake shifts */
	uint8_t key = extended ? hid_extended[code] : hid_plain[code];
	if (!key)
		return false; /* no key (also 0x00/0xFF errors and 0xFA/0xEE/0xFE replies) */

	uint8_t index = code | (extended ? 0x80 : 0);
	uint8_t action;
	if (brk) {
		if (!key_down(d, index))
			return false;
		set_down(d, index, false);
		d->held &= (uint8_t)~held_bit(index);
		action = KBD_RELEASE;
	} else if (key_down(d, index)) {
		action = KBD_REPEAT;
	} else {
		set_down(d, index, true);
		d->held |= held_bit(index);
		if (index == 0x3A)
			d->modifiers ^= KBD_MOD_CAPSLOCK;
		if (index == 0x45)
			d->modifiers ^= KBD_MOD_NUMLOCK;
		action = KBD_PRESS;
	}
	uint8_t mods = modifiers_of(d);
	*ev = (struct kbd_event){
		.scancode = (uint16_t)((extended ? 0xE000 : 0) | code),
		.key = key,
		.ch = (uint8_t)character(index, mods),
		.modifiers = mods,
		.action = action,
	};
	return true;
}

void kbd_event_encode(const struct kbd_event *ev, uint8_t out[KBD_EVENT_SIZE])
{
	out[0] = (uint8_t)ev->scancode;
	out[1] = (uint8_t)(ev->scancode >> 8);
	out[2] = ev->key;
	out[3] = ev->ch;
	out[4] = ev->modifiers;
	out[5] = ev->action;
	out[6] = 0;
	out[7] = 0;
}

/* The escape sequence (after ESC[) a terminal sends for a HID usage, or NULL. */
static const char *cursor_sequence(uint8_t key)
{
	switch (key) {
	case 0x52: case 0x60: return "A";  /* Up, KP8 */
	case 0x51: case 0x5A: return "B";  /* Down, KP2 */
	case 0x4F: case 0x5E: return "C";  /* Right, KP6 */
	case 0x50: case 0x5C: return "D";  /* Left, KP4 */
	case 0x4A: case 0x5F: return "H";  /* Home, KP7 */
	case 0x4D: case 0x59: return "F";  /* End, KP1 */
	case 0x4C: case 0x63: return "3~"; /* Delete, KP. */
	default: return NULL;
	}
}

unsigned kbd_console_bytes(const struct kbd_event *ev, uint8_t out[KBD_CONSOLE_MAX])
{
	if (ev->action == KBD_RELEASE)
		return 0;
	if (ev->ch) {
		out[0] = ev->ch;
		return 1;
	}
	const char *seq = cursor_sequence(ev->key);
	if (!seq)
		return 0;
	unsigned n = 0;
	out[n++] = 0x1B;
	out[n++] = '[';
	while (*seq && n < KBD_CONSOLE_MAX)
		out[n++] = (uint8_t)*seq++;
	return n;
}
