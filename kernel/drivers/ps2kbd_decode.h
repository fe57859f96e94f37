/*
 * ps2kbd_decode.h: scancode set 1 bytes -> key events (see ps2kbd_decode.c).
 *
 * Portable (no hardware access): the PS/2 driver feeds it the bytes the 8042
 * hands over, the host tests feed it byte strings.
 */
#ifndef DRIVERS_PS2KBD_DECODE_H
#define DRIVERS_PS2KBD_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* What happened to the key. */
enum kbd_action {
	KBD_PRESS   = 1,
	KBD_RELEASE = 2,
	KBD_REPEAT  = 3,  /* a make code while the key is already down (typematic) */
};

/* Modifier bits: the state after the event was applied. */
enum kbd_modifier {
	KBD_MOD_SHIFT    = 1u << 0,
	KBD_MOD_CTRL     = 1u << 1,
	KBD_MOD_ALT      = 1u << 2,
	KBD_MOD_CAPSLOCK = 1u << 3,
	KBD_MOD_NUMLOCK  = 1u << 4,
};

/*
 * One key event; also its 8-byte little-endian layout in kbd.read's output
 * (kbd_event_encode).
 *   0 u16 scancode  set-1 make code; extended keys carry 0xE0 in the high byte (0xE048 = up)
 *   2 u8  key       USB HID keyboard usage (page 0x07), 0 for a key without one
 *   3 u8  ch        the character it types on a US keyboard with the modifiers, 0 for none
 *   4 u8  modifiers KBD_MOD_* after this event
 *   5 u8  action    KBD_PRESS / KBD_RELEASE / KBD_REPEAT
 *   6 u16 zero
 */
struct kbd_event {
	uint16_t scancode;
	uint8_t key;
	uint8_t ch;
	uint8_t modifiers;
	uint8_t action;
};

#define KBD_EVENT_SIZE 8

/* The decoder's state between bytes: prefixes seen, keys down, modifiers. */
struct kbd_decoder {
	uint8_t prefix;          /* 0, 0xE0, or 0xE1 (Pause) */
	uint8_t e1_left;         /* bytes of the Pause sequence still to swallow */
	uint8_t modifiers;       /* KBD_MOD_* toggles (caps, num) kept here too */
	uint8_t held;            /* KBD_HELD_* bits: which physical modifier keys are down */
	uint64_t down[4];        /* one bit per key index (code | 0x80 when extended) */
};

void kbd_decoder_init(struct kbd_decoder *d);

/*
 * Feed one byte from the keyboard.  Returns true and fills *ev when the
 * byte completes a key event; false for prefixes, the fake shifts around
 * Print Screen, keyboard replies (0xFA ack, 0xAA self-test passed, 0xEE,
 * 0xFE, 0x00/0xFF errors) and codes without a key.
 */
bool kbd_decode(struct kbd_decoder *d, uint8_t byte, struct kbd_event *ev);

/*
 * The bytes a key event types into the console input stream (at most
 * KBD_CONSOLE_MAX): nothing for a release; the character when it has one;
 * else for the cursor keys the VT100/xterm sequences a terminal sends, so a
 * line editor reading serial and keyboard input sees the same bytes:
 * Up ESC[A, Down ESC[B, Right ESC[C, Left ESC[D, Home ESC[H, End ESC[F,
 * Delete ESC[3~ (also the keypad's 8 2 6 4 7 1 . with Num Lock off).
 * Returns how many bytes it wrote to out.
 */
#define KBD_CONSOLE_MAX 4
unsigned kbd_console_bytes(const struct kbd_event *ev, uint8_t out[KBD_CONSOLE_MAX]);

/* The 8-byte layout above. */
void kbd_event_encode(const struct kbd_event *ev, uint8_t out[KBD_EVENT_SIZE]);

#endif
