/*
 * fuzz_shell_line.c: the shell's line editor and word splitter on arbitrary
 * input bytes (what a serial line can send).
 *
 * Every byte goes through line_feed; after each one the editor's invariants
 * must hold (length within the cap, cursor within the line, the text
 * NUL-terminated at its length, printable only), its echo must be printable
 * ASCII, \n or one of the sequences it is allowed to send (ESC[nD, ESC[K),
 * and each finished line is split into words, whose argv must point into the
 * packed buffer at NUL-terminated strings that fill exactly packed_len.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"
#include "words.h"

static int esc; /* 0 none, 1 ESC, 2 ESC[ */

static void echo_check(void *ctx, const char *s, unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < n; i++) {
		char c = s[i];
		if (esc == 1) {
			if (c != '[')
				abort();
			esc = 2;
		} else if (esc == 2) {
			if (c == 'D' || c == 'K')
				esc = 0;
			else if (c < '0' || c > '9')
				abort();
		} else if (c == 0x1b) {
			esc = 1;
		} else if (c != '\n' && (c < 0x20 || c > 0x7e)) {
			abort();
		}
	}
}

static void check_words(const char *line)
{
	struct words w;
	const char *error;
	if (words_split(line, &w, &error) != 0) {
		if (!error)
			abort();
		return;
	}
	if (w.argc > WORDS_MAX || w.argv[w.argc] != NULL || w.packed_len > sizeof(w.packed))
		abort();
	unsigned at = 0;
	for (unsigned i = 0; i < w.argc; i++) {
		if (w.argv[i] != w.packed + at)
			abort();
		at += (unsigned)strnlen(w.argv[i], sizeof(w.packed) - at) + 1;
		if (at > w.packed_len)
			abort();
	}
	if (at != w.packed_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line_editor ed;
	line_init(&ed, echo_check, NULL);
	line_start(&ed);
	esc = 0;
	for (size_t i = 0; i < size; i++) {
		enum line_event ev = line_feed(&ed, data[i]);
		if (ed.len > LINE_CAP || ed.pos > ed.len || strlen(ed.text) != ed.len)
			abort();
		for (unsigned k = 0; k < ed.len; k++)
			if (ed.text[k] < 0x20 || ed.text[k] > 0x7e)
				abort();
		if (ev == LINE_ENTER) {
			check_words(line_text(&ed));
			line_start(&ed);
		} else if (ev == LINE_CANCEL) {
			if (ed.len != 0)
				abort();
			line_start(&ed);
		}
	}
	/* the words of whatever is left, too (the fuzzer's bytes as a line) */
	check_words(line_text(&ed));
	return 0;
}
