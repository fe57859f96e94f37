/*
 * line.c: the shell's line editor.
 *
 * Input is whatever hardware.console.read returns: bytes from the serial
 * line (a terminal, or a program with no terminal at all) and the
 * characters and escape sequences the PS/2 keyboard types, merged.  So the
 * editor understands what terminals send and nothing more:
 *
 *   printable ASCII        inserted at the cursor
 *   CR, LF, CR LF          Enter (an LF right after a CR is the same Enter)
 *   0x08, 0x7f             Backspace: delete left of the cursor
 *   ESC[3~                 Delete: delete under the cursor
 *   ESC[D / ESC[C          Left / Right (also ESC O D / ESC O C)
 *   ESC[H ESC[1~, Ctrl-A   Home
 *   ESC[F ESC[4~, Ctrl-E   End
 *   ESC[A / ESC[B          Up / Down: older / newer history entry; Down
 *                          past the newest brings back the line being typed
 *   Ctrl-C (0x03)          drop the line ("^C" and a new line)
 *   Ctrl-U (0x15)          erase the whole line
 * Other control bytes and escape sequences are ignored.
 *
 * Echo: a change redraws from where it happened to the end of the line,
 * erases what is left (ESC[K) and moves the cursor back with ESC[nD, so a
 * terminal and the framebuffer console (which understands just these) show
 * the line as it is.  A line wider than the screen is not handled: the
 * cursor movements stay within one row.
 */
#include "line.h"

#include <stddef.h>

enum { ESC_NONE, ESC_SEEN, ESC_CSI, ESC_SS3 };

static unsigned str_len(const char *s)
{
	unsigned n = 0;
	while (s[n])
		n++;
	return n;
}

static void str_copy(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

static void out(struct line_editor *e, const char *s, unsigned n)
{
	if (n)
		e->write(e->ctx, s, n);
}

static void out_str(struct line_editor *e, const char *s)
{
	out(e, s, str_len(s));
}

/* ESC[nD: the cursor n cells left (nothing for 0). */
static void move_left(struct line_editor *e, unsigned n)
{
	if (n == 0)
		return;
	char seq[16];
	unsigned len = 0, digits = 0;
	char rev[10];
	do {
		rev[digits++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	seq[len++] = 0x1b;
	seq[len++] = '[';
	while (digits)
		seq[len++] = rev[--digits];
	seq[len++] = 'D';
	out(e, seq, len);
}

/* Show text[from..len), erase the rest of the row, put the cursor back at pos. */
static void redraw_from(struct line_editor *e, unsigned from)
{
	out(e, e->text + from, e->len - from);
	out_str(e, "\x1b[K");
	move_left(e, e->len - e->pos);
}

void line_init(struct line_editor *e, void (*write)(void *ctx, const char *s, unsigned n),
	       void *ctx)
{
	*e = (struct line_editor){.write = write, .ctx = ctx};
}

void line_start(struct line_editor *e)
{
	e->len = e->pos = 0;
	e->text[0] = 0;
	e->browsing = 0;
	e->esc = ESC_NONE;
}

const char *line_text(const struct line_editor *e)
{
	return e->text;
}

const char *line_history(const struct line_editor *e, unsigned k)
{
	if (k == 0 || k > e->history_count)
		return NULL;
	return e->history[(e->history_next + LINE_HISTORY - k) % LINE_HISTORY];
}

/* Remember a finished line: not empty ones, not the same line twice in a row. */
static void remember(struct line_editor *e)
{
	if (e->len == 0)
		return;
	const char *last = line_history(e, 1);
	if (last) {
		unsigned i = 0;
		while (last[i] && last[i] == e->text[i])
			i++;
		if (last[i] == 0 && e->text[i] == 0)
			return;
	}
	str_copy(e->history[e->history_next], e->text);
	e->history_next = (e->history_next + 1) % LINE_HISTORY;
	if (e->history_count < LINE_HISTORY)
		e->history_count++;
}

/* Replace the whole line with s, cursor at its end. */
static void replace(struct line_editor *e, const char *s)
{
	move_left(e, e->pos);
	str_copy(e->text, s);
	e->len = e->pos = str_len(s);
	redraw_from(e, 0);
}

static void insert(struct line_editor *e, char c)
{
	if (e->len >= LINE_CAP)
		return;
	for (unsigned i = e->len; i > e->pos; i--)
		e->text[i] = e->text[i - 1];
	e->text[e->pos] = c;
	e->text[++e->len] = 0;
	e->pos++;
	if (e->pos == e->len)
		out(e, &c, 1); /* typing at the end: just the character */
	else
		redraw_from(e, e->pos - 1);
}

/* Delete the character at index at (the cursor moves to at). */
static void delete_at(struct line_editor *e, unsigned at)
{
	if (at >= e->len)
		return;
	for (unsigned i = at; i < e->len; i++)
		e->text[i] = e->text[i + 1];
	e->len--;
	if (e->pos > at) {
		move_left(e, e->pos - at);
		e->pos = at;
	}
	redraw_from(e, at);
}

static void history_step(struct line_editor *e, bool older)
{
	if (older) {
		if (e->browsing >= e->history_count)
			return;
		if (e->browsing == 0)
			str_copy(e->draft, e->text);
		e->browsing++;
		replace(e, line_history(e, e->browsing));
	} else {
		if (e->browsing == 0)
			return;
		e->browsing--;
		replace(e, e->browsing ? line_history(e, e->browsing) : e->draft);
	}
}

static void go_home(struct line_editor *e)
{
	move_left(e, e->pos);
	e->pos = 0;
}

static void go_end(struct line_editor *e)
{
	out(e, e->text + e->pos, e->len - e->pos);
	e->pos = e->len;
}

/* The final byte of ESC[params or ESC O. */
static void escape_key(struct line_editor *e, char final)
{
	unsigned param = 0;
	for (unsigned i = 0; i < e->esc_len && e->esc_param[i] >= '0' && e->esc_param[i] <= '9'; i++)
		param = param * 10 + (unsigned)(e->esc_param[i] - '0');
	switch (final) {
	case 'A': history_step(e, true); break;
	case 'B': history_step(e, false); break;
	case 'C':
		if (e->pos < e->len) {
			out(e, e->text + e->pos, 1); /* writing the character moves the cursor over it */
			e->pos++;
		}
		break;
	case 'D':
		if (e->pos > 0) {
			move_left(e, 1);
			e->pos--;
		}
		break;
	case 'H': go_home(e); break;
	case 'F': go_end(e); break;
	case '~':
		if (param == 1 || param == 7)
			go_home(e);
		else if (param == 4 || param == 8)
			go_end(e);
		else if (param == 3)
			delete_at(e, e->pos);
		break;
	default:
		break;
	}
}

/* A byte while inside an escape sequence. */
static void escape_byte(struct line_editor *e, uint8_t b)
{
	if (e->esc == ESC_SEEN) {
		e->esc = b == '[' ? ESC_CSI : b == 'O' ? ESC_SS3 : ESC_NONE;
		e->esc_len = 0;
		return;
	}
	if (b >= 0x40 && b <= 0x7e) {
		e->esc = ESC_NONE;
		escape_key(e, (char)b);
	} else if (b >= 0x20 && b < 0x40) {
		if (e->esc_len < sizeof(e->esc_param))
			e->esc_param[e->esc_len++] = (char)b;
	} else {
		e->esc = ESC_NONE; /* a control byte inside a sequence: give up on it */
	}
}

enum line_event line_feed(struct line_editor *e, uint8_t b)
{
	bool after_cr = e->after_cr;
	e->after_cr = false;
	if (e->esc != ESC_NONE) {
		escape_byte(e, b);
		return LINE_MORE;
	}
	switch (b) {
	case '\r':
	case '\n':
		if (b == '\n' && after_cr)
			return LINE_MORE; /* the LF of a CR LF */
		e->after_cr = b == '\r';
		go_end(e);
		out_str(e, "\n");
		remember(e);
		e->browsing = 0;
		return LINE_ENTER;
	case 0x03:
		go_end(e);
		out_str(e, "^C\n");
		e->len = e->pos = 0;
		e->text[0] = 0;
		e->browsing = 0;
		return LINE_CANCEL;
	case 0x08:
	case 0x7f:
		if (e->pos > 0)
			delete_at(e, e->pos - 1);
		return LINE_MORE;
	case 0x01:
		go_home(e);
		return LINE_MORE;
	case 0x05:
		go_end(e);
		return LINE_MORE;
	case 0x15:
		replace(e, "");
		return LINE_MORE;
	case 0x1b:
		e->esc = ESC_SEEN;
		return LINE_MORE;
	default:
		if (b >= 0x20 && b < 0x7f)
			insert(e, (char)b);
		return LINE_MORE; /* other control bytes and non-ASCII: ignored */
	}
}
