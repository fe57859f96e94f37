/*
 * line.h: the shell's line editor (line.c), one input byte at a time.
 *
 * Portable: no boxlib calls, so the host tests drive it directly.  The
 * editor keeps the line being typed and a history, and says what to show
 * through the write callback: the typed text, and the few VT100 sequences
 * the framebuffer console also understands (ESC[nD and ESC[K).
 */
#ifndef SHELL_LINE_H
#define SHELL_LINE_H

#include <stdbool.h>
#include <stdint.h>

#define LINE_CAP     200  /* characters in a line; more are refused (not echoed) */
#define LINE_HISTORY 32   /* lines remembered for Up / Down */

/* What a byte did to the line. */
enum line_event {
	LINE_MORE,    /* still typing */
	LINE_ENTER,   /* Enter: line_text() is the finished line */
	LINE_CANCEL,  /* Ctrl-C: the line was dropped */
};

struct line_editor {
	char text[LINE_CAP + 1];            /* the line, NUL-terminated */
	unsigned len, pos;                  /* its length and the cursor */
	char history[LINE_HISTORY][LINE_CAP + 1];
	unsigned history_count;             /* entries kept (at most LINE_HISTORY) */
	unsigned history_next;              /* slot the next entry goes to */
	unsigned browsing;                  /* 0: the new line; k: the k-th most recent entry */
	char draft[LINE_CAP + 1];           /* the new line, kept while browsing */
	uint8_t esc;                        /* where in an escape sequence the input is */
	char esc_param[4];                  /* ESC[ parameter bytes */
	unsigned esc_len;
	bool after_cr;                      /* the last byte was CR: an LF now is the same Enter */
	void (*write)(void *ctx, const char *s, unsigned n);
	void *ctx;
};

/* A fresh editor with an empty history; output goes to write(ctx, ...). */
void line_init(struct line_editor *e, void (*write)(void *ctx, const char *s, unsigned n),
	       void *ctx);
/* Start a new, empty line (the caller has shown the prompt). */
void line_start(struct line_editor *e);
/* One input byte. */
enum line_event line_feed(struct line_editor *e, uint8_t byte);
/* The line (valid after LINE_ENTER until the next line_start). */
const char *line_text(const struct line_editor *e);
/* The k-th most recent history entry (1 = the last), or NULL. */
const char *line_history(const struct line_editor *e, unsigned k);

#endif
