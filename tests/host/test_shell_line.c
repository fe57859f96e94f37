/*
 * test_shell_line.c: host tests for the shell's line editor
 * (apps/shell/line.c) and word splitter (apps/shell/words.c).
 *
 * The editor's echo is fed to a small model of a terminal row that knows
 * only what the framebuffer console knows (printable bytes, \b, \r, \n,
 * ESC[nD, ESC[nC, ESC[K; anything else fails the test), so every check of
 * "what the user sees" is the rendered row and cursor, not the bytes.
 * Covered: typing, Backspace (0x08 and 0x7f), Delete, Left/Right,
 * Home/End (every encoding), Ctrl-U, Ctrl-C, the line cap, Enter as CR, LF
 * and CR LF (and CR CR, LF LF, CR x LF), history (Up/Down, the draft kept
 * while browsing, no empty lines, no repeats, the oldest dropped after 32),
 * ignored escape sequences and control bytes, and 20000 random key strokes
 * against a model editor.  Words: blanks, both quotes, empty words,
 * backslashes, the errors, the packed form system.proc.spawn takes.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "line.h"
#include "words.h"

/* ---- a terminal row -------------------------------------------------- */

#define ROW 512
static struct {
	char cell[ROW];     /* what the row shows (spaces when blank) */
	unsigned col;
	unsigned newlines;
	int esc;            /* 0 none, 1 ESC seen, 2 in ESC[ */
	unsigned param;
	int bad;            /* a byte the framebuffer console would not understand */
} term;

static void term_reset(void)
{
	memset(&term, 0, sizeof(term));
	memset(term.cell, ' ', sizeof(term.cell));
}

static void term_byte(char c)
{
	if (term.esc == 1) {
		if (c != '[')
			term.bad = 1;
		term.esc = 2;
		term.param = 0;
		return;
	}
	if (term.esc == 2) {
		if (c >= '0' && c <= '9') {
			term.param = term.param * 10 + (unsigned)(c - '0');
			return;
		}
		term.esc = 0;
		unsigned n = term.param ? term.param : 1;
		if (c == 'D')
			term.col = n > term.col ? 0 : term.col - n;
		else if (c == 'C')
			term.col += n;
		else if (c == 'K' && term.param == 0)
			memset(term.cell + term.col, ' ', ROW - term.col);
		else
			term.bad = 1;
		return;
	}
	if (c == 0x1b) {
		term.esc = 1;
	} else if (c == '\b') {
		if (term.col)
			term.col--;
	} else if (c == '\r') {
		term.col = 0;
	} else if (c == '\n') {
		term.newlines++;
		term.col = 0;
		memset(term.cell, ' ', ROW);
	} else if (c >= 0x20 && c < 0x7f && term.col < ROW) {
		term.cell[term.col++] = c;
	} else {
		term.bad = 1;
	}
}

static char echoed[8192];
static unsigned echoed_len;

static void term_write(void *ctx, const char *s, unsigned n)
{
	(void)ctx;
	for (unsigned i = 0; i < n; i++) {
		term_byte(s[i]);
		if (echoed_len < sizeof(echoed))
			echoed[echoed_len++] = s[i];
	}
}

/* The row as a string without trailing blanks. */
static const char *term_row(void)
{
	static char row[ROW + 1];
	memcpy(row, term.cell, ROW);
	unsigned n = ROW;
	while (n && row[n - 1] == ' ')
		n--;
	row[n] = 0;
	return row;
}

/* ---- driving the editor ---------------------------------------------- */

static struct line_editor ed;
static unsigned enters, cancels;

static void start(void)
{
	term_reset();
	echoed_len = 0;
	enters = cancels = 0;
	line_start(&ed);
}

static void type_n(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum line_event ev = line_feed(&ed, (uint8_t)s[i]);
		enters += ev == LINE_ENTER;
		cancels += ev == LINE_CANCEL;
	}
}

static void type(const char *s)
{
	type_n(s, strlen(s));
}

/* The row shows exactly the line and the cursor is where the editor says. */
static void check_shown(const char *want, unsigned pos)
{
	CHECK(strcmp(line_text(&ed), want) == 0);
	CHECK(strcmp(term_row(), want) == 0);
	CHECK_EQ(term.col, pos);
	CHECK_EQ(ed.pos, pos);
	CHECK(!term.bad);
}

static void test_typing_and_moving(void)
{
	line_init(&ed, term_write, NULL);
	start();
	type("hello");
	check_shown("hello", 5);
	CHECK(memcmp(echoed, "hello", 5) == 0 && echoed_len == 5); /* at the end: just the characters */
	type("\x1b[D\x1b[D");
	check_shown("hello", 3);
	type("XY");
	check_shown("helXYlo", 5);
	type("\x7f");
	check_shown("helXlo", 4);
	type("\x08");
	check_shown("hello", 3);
	type("\x08\x08");
	check_shown("hlo", 1);
}

static void test_keys(void)
{
	line_init(&ed, term_write, NULL);
	start();
	type("abcdef");
	type("\x1b[H");
	check_shown("abcdef", 0);
	type("\x7f"); /* Backspace at the start: nothing */
	check_shown("abcdef", 0);
	type("\x1b[3~");
	check_shown("bcdef", 0);
	type("\x1b[C\x1b[C");
	check_shown("bcdef", 2);
	type("\x1b[F");
	check_shown("bcdef", 5);
	type("\x1b[C"); /* Right at the end: nothing */
	check_shown("bcdef", 5);
	type("\x1b[3~"); /* Delete at the end: nothing */
	check_shown("bcdef", 5);
	type("\x01");
	check_shown("bcdef", 0);
	type("\x05");
	check_shown("bcdef", 5);
	type("\x1b[1~");
	check_shown("bcdef", 0);
	type("\x1b[4~");
	check_shown("bcdef", 5);
	type("\x1bOD\x1bOD");
	check_shown("bcdef", 3);
	type("\x1bOH");
	check_shown("bcdef", 0);
	type("\x1bOF");
	check_shown("bcdef", 5);
	/* sequences it does not know, and stray control bytes: nothing happens */
	type("\x1b[5~\x1b[1;5C\x1b[2J\x07\x0b\x80\xff\t");
	check_shown("bcdef", 5);
	/* ESC and a byte that starts no sequence: both dropped */
	type("\x1bq");
	check_shown("bcdef", 5);
	type("\x15");
	check_shown("", 0);
	CHECK_EQ(enters, 0);
	CHECK_EQ(cancels, 0);
}

static void test_backspace_both_codes(void)
{
	line_init(&ed, term_write, NULL);
	start();
	type("ab\x08" "c\x7f" "d");
	check_shown("ad", 2);
	type("\r");
	CHECK_EQ(enters, 1);
	CHECK(strcmp(line_text(&ed), "ad") == 0);
}

static void test_cap(void)
{
	line_init(&ed, term_write, NULL);
	start();
	for (int i = 0; i < LINE_CAP + 10; i++)
		type("x");
	CHECK_EQ(ed.len, LINE_CAP);
	CHECK_EQ(strlen(term_row()), LINE_CAP);
	type("\x1b[H" "y"); /* inserting into a full line: refused too */
	CHECK_EQ(ed.len, LINE_CAP);
	CHECK_EQ(line_text(&ed)[0], 'x');
}

static void test_enter_forms(void)
{
	static const struct { const char *in; unsigned enters; } cases[] = {
		{"a\r", 1}, {"a\n", 1}, {"a\r\n", 1}, {"a\r\r", 2}, {"a\n\n", 2},
		{"a\n\r", 2}, {"a\rx\n", 2}, {"a\r\n\r\n", 2}, {"\r\n", 1},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		line_init(&ed, term_write, NULL);
		start();
		unsigned got = 0;
		const char *first = NULL;
		for (const char *p = cases[i].in; *p; p++) {
			if (line_feed(&ed, (uint8_t)*p) == LINE_ENTER) {
				if (!got)
					first = strcmp(line_text(&ed), "a") == 0 ? "a" : line_text(&ed);
				got++;
				line_start(&ed); /* as the shell does after each command */
			}
		}
		CHECK_EQ(got, cases[i].enters);
		if (cases[i].in[0] == 'a')
			CHECK(first && strcmp(first, "a") == 0);
	}
	/* the LF of a CR LF may come in a later read, after the command ran */
	line_init(&ed, term_write, NULL);
	start();
	type("ls\r");
	CHECK_EQ(enters, 1);
	line_start(&ed);
	type("\n");
	CHECK_EQ(enters, 1);
	/* Enter with the cursor mid-line takes the whole line, and the newline goes after it */
	start();
	type("abc\x1b[D\x1b[D\r");
	CHECK(strcmp(line_text(&ed), "abc") == 0);
	CHECK_EQ(term.newlines, 1);
	CHECK(echoed_len >= 3 && memcmp(echoed + echoed_len - 3, "bc\n", 3) == 0);
}

static void test_cancel(void)
{
	line_init(&ed, term_write, NULL);
	start();
	type("rm all\x1b[D\x1b[D\x03");
	CHECK_EQ(cancels, 1);
	CHECK_EQ(enters, 0);
	CHECK(strcmp(line_text(&ed), "") == 0);
	CHECK(echoed_len >= 5 && memcmp(echoed + echoed_len - 5, "ll^C\n", 5) == 0); /* to the end, then ^C */
	CHECK_EQ(line_history(&ed, 1), NULL); /* a dropped line is not remembered */
	line_start(&ed);
	type("x\r");
	CHECK(strcmp(line_text(&ed), "x") == 0);
}

static void test_history(void)
{
	line_init(&ed, term_write, NULL);
	const char *lines[] = {"one", "two", "", "two", "three"};
	for (unsigned i = 0; i < 5; i++) {
		start();
		type(lines[i]);
		type("\r");
	}
	CHECK(strcmp(line_history(&ed, 1), "three") == 0);
	CHECK(strcmp(line_history(&ed, 2), "two") == 0); /* the repeat and the empty line are not kept */
	CHECK(strcmp(line_history(&ed, 3), "one") == 0);
	CHECK_EQ(line_history(&ed, 4), NULL);

	start();
	type("dra");
	type("\x1b[A");
	check_shown("three", 5);
	type("\x1b[A\x1b[A");
	check_shown("one", 3);
	type("\x1b[A"); /* past the oldest: stays */
	check_shown("one", 3);
	type("\x1b[B");
	check_shown("two", 3);
	type("\x1b[B\x1b[B");
	check_shown("dra", 3); /* the line being typed comes back */
	type("\x1b[B");
	check_shown("dra", 3);
	type("\x1b[A\x1b[D\x7f\r"); /* an entry edited and run */
	CHECK(strcmp(line_text(&ed), "thre") == 0);
	CHECK(strcmp(line_history(&ed, 1), "thre") == 0);
	CHECK(strcmp(line_history(&ed, 2), "three") == 0); /* the entry itself unchanged */

	/* the oldest go after LINE_HISTORY */
	line_init(&ed, term_write, NULL);
	for (unsigned i = 0; i < LINE_HISTORY + 5; i++) {
		char l[16];
		snprintf(l, sizeof(l), "cmd%u\r", i);
		start();
		type(l);
	}
	CHECK(strcmp(line_history(&ed, 1), "cmd36") == 0);
	CHECK(strcmp(line_history(&ed, LINE_HISTORY), "cmd5") == 0);
	CHECK_EQ(line_history(&ed, LINE_HISTORY + 1), NULL);
}

/*
 * Random key strokes against a model: a string and a cursor, with the
 * same rules (and a two-entry history to browse).
 */
static void test_random(void)
{
	srand(7);
	line_init(&ed, term_write, NULL);
	start();
	type("alpha\r");
	start();
	type("beta gamma\r");
	start();
	char model[LINE_CAP + 1] = "";
	unsigned len = 0, pos = 0, browsing = 0;
	char draft[LINE_CAP + 1] = "";
	const char *hist[] = {NULL, "beta gamma", "alpha"};
	for (int step = 0; step < 20000; step++) {
		int k = rand() % 12;
		switch (k) {
		case 0: case 1: case 2: case 3: {
			char c = (char)(0x20 + rand() % 95);
			type_n(&c, 1);
			if (len < LINE_CAP) {
				memmove(model + pos + 1, model + pos, len - pos + 1);
				model[pos++] = c;
				len++;
			}
			break;
		}
		case 4:
			type(rand() % 2 ? "\x7f" : "\x08");
			if (pos) {
				memmove(model + pos - 1, model + pos, len - pos + 1);
				pos--;
				len--;
			}
			break;
		case 5:
			type("\x1b[3~");
			if (pos < len) {
				memmove(model + pos, model + pos + 1, len - pos);
				len--;
			}
			break;
		case 6:
			type("\x1b[D");
			pos -= pos > 0;
			break;
		case 7:
			type("\x1b[C");
			pos += pos < len;
			break;
		case 8:
			type(rand() % 2 ? "\x1b[H" : "\x01");
			pos = 0;
			break;
		case 9:
			type(rand() % 2 ? "\x1b[F" : "\x05");
			pos = len;
			break;
		case 10:
			type("\x1b[A");
			if (browsing < 2) {
				if (browsing == 0)
					strcpy(draft, model);
				browsing++;
				strcpy(model, hist[browsing]);
				len = pos = (unsigned)strlen(model);
			}
			break;
		case 11:
			type("\x1b[B");
			if (browsing > 0) {
				browsing--;
				strcpy(model, browsing ? hist[browsing] : draft);
				len = pos = (unsigned)strlen(model);
			}
			break;
		}
		char shown[LINE_CAP + 1]; /* the row drops trailing blanks */
		strcpy(shown, model);
		for (size_t n = strlen(shown); n && shown[n - 1] == ' '; n--)
			shown[n - 1] = 0;
		if (strcmp(line_text(&ed), model) != 0 || strcmp(term_row(), shown) != 0 ||
		    term.col != pos || ed.pos != pos || term.bad) {
			CHECK(!"random keys: the editor, the screen and the model disagree");
			printf("  step %d key %d: model \"%s\" pos %u, editor \"%s\" pos %u, row \"%s\" col %u\n",
			       step, k, model, pos, line_text(&ed), ed.pos, term_row(), term.col);
			return;
		}
		if (echoed_len > sizeof(echoed) / 2)
			echoed_len = 0;
	}
	CHECK(1);
}

/* ---- words ------------------------------------------------------------ */

static int split(const char *line, struct words *w, const char **err)
{
	memset(w, 0x55, sizeof(*w));
	return words_split(line, w, err);
}

static void test_words(void)
{
	struct words w;
	const char *err;
	CHECK_EQ(split("  echo   a\tb  ", &w, &err), 0);
	CHECK_EQ(w.argc, 3);
	CHECK(strcmp(w.argv[0], "echo") == 0 && strcmp(w.argv[1], "a") == 0 && strcmp(w.argv[2], "b") == 0);
	CHECK_EQ(w.argv[3], NULL);
	CHECK_EQ(w.packed_len, 9);
	CHECK(memcmp(w.packed, "echo\0a\0b\0", 9) == 0);

	CHECK_EQ(split("echo \"a  b\" 'c \"d\"' x\"y z\"w \"\" ''", &w, &err), 0);
	CHECK_EQ(w.argc, 6);
	CHECK(strcmp(w.argv[1], "a  b") == 0);
	CHECK(strcmp(w.argv[2], "c \"d\"") == 0);
	CHECK(strcmp(w.argv[3], "xy zw") == 0);
	CHECK(strcmp(w.argv[4], "") == 0);
	CHECK(strcmp(w.argv[5], "") == 0);
	CHECK_EQ(w.packed_len, 5 + 5 + 6 + 6 + 1 + 1);

	CHECK_EQ(split("a\\ b \"q\\\"q\" 'x\\y' \\\\", &w, &err), 0);
	CHECK_EQ(w.argc, 4);
	CHECK(strcmp(w.argv[0], "a b") == 0);
	CHECK(strcmp(w.argv[1], "q\"q") == 0);
	CHECK(strcmp(w.argv[2], "x\\y") == 0); /* no escapes in single quotes */
	CHECK(strcmp(w.argv[3], "\\") == 0);

	CHECK_EQ(split("", &w, &err), 0);
	CHECK_EQ(w.argc, 0);
	CHECK_EQ(w.packed_len, 0);
	CHECK_EQ(split(" \t ", &w, &err), 0);
	CHECK_EQ(w.argc, 0);

	CHECK_EQ(split("echo \"open", &w, &err), -1);
	CHECK(err && strstr(err, "unterminated \""));
	CHECK_EQ(split("echo 'open", &w, &err), -1);
	CHECK(err && strstr(err, "unterminated '"));
	CHECK_EQ(split("echo \\", &w, &err), -1);
	CHECK(err && strstr(err, "backslash"));

	char many[256] = "";
	for (int i = 0; i < WORDS_MAX; i++)
		strcat(many, "w ");
	CHECK_EQ(split(many, &w, &err), 0);
	CHECK_EQ(w.argc, WORDS_MAX);
	strcat(many, "w");
	CHECK_EQ(split(many, &w, &err), -1);
	CHECK(err && strstr(err, "too many"));

	char longline[400];
	memset(longline, 'z', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	CHECK_EQ(split(longline, &w, &err), -1);
	CHECK(err && strstr(err, "too long"));
	longline[sizeof(w.packed) - 1] = 0; /* 255 characters and the NUL: fits exactly */
	CHECK_EQ(split(longline, &w, &err), 0);
	CHECK_EQ(w.packed_len, sizeof(w.packed));
}

int main(void)
{
	test_typing_and_moving();
	test_keys();
	test_backspace_both_codes();
	test_cap();
	test_enter_forms();
	test_cancel();
	test_history();
	test_random();
	test_words();
	return check_report();
}
