/*
 * display.h: the display daemon's protocol (docs/apps.md, "display").
 *
 * A client sends one request per system.ipc.send to the daemon's Cabin,
 * cookie DISPLAY_COOKIE, payload a struct display_req (at most the 88
 * bytes of a message).  The daemon performs the requests one at a time in
 * the order they reach its inbox and answers each with ipc.reply carrying
 * a struct display_reply: the status of the framebuffer op it ran (or
 * BOX_ERR_INVALID for a malformed request) and how many requests it has
 * served so far, this one included.
 */
#ifndef APPS_DISPLAY_H
#define APPS_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

#define DISPLAY_COOKIE 0xD15B1A7ull
#define DISPLAY_TEXT_MAX 72u

enum display_cmd {
	DISPLAY_WRITE = 'W',  /* draw text[0..len) at col,row in fg on bg (hardware.fb.write) */
	DISPLAY_CLEAR = 'C',  /* clear the screen to bg (hardware.fb.clear) */
	DISPLAY_PING = 'P',   /* nothing; answers BOX_OK (how clients find the daemon) */
	DISPLAY_QUIT = 'Q',   /* answer, then the daemon exits 0 */
};

struct display_req {
	uint8_t  cmd;         /* enum display_cmd */
	uint8_t  len;         /* WRITE: text bytes, 1..DISPLAY_TEXT_MAX */
	uint16_t col, row;    /* WRITE: text grid position */
	uint16_t reserved;    /* zero */
	uint32_t fg, bg;      /* 0xRRGGBB; CLEAR uses bg */
	char     text[DISPLAY_TEXT_MAX];
};
_Static_assert(sizeof(struct display_req) == 88, "a request fills one message payload");
_Static_assert(offsetof(struct display_req, col) == 2, "display_req.col");
_Static_assert(offsetof(struct display_req, row) == 4, "display_req.row");
_Static_assert(offsetof(struct display_req, fg) == 8, "display_req.fg");
_Static_assert(offsetof(struct display_req, bg) == 12, "display_req.bg");
_Static_assert(offsetof(struct display_req, text) == 16, "display_req.text");

struct display_reply {
	int32_t  status;      /* the fb op's box_status, BOX_OK for PING/QUIT */
	uint32_t served;      /* requests served so far, this one included */
};
_Static_assert(sizeof(struct display_reply) == 8, "display_reply is 8 bytes");

#endif
