/* fbcon.h: the framebuffer text console (see fbcon.c). */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <stdbool.h>
#include <stdint.h>

#include "boxos/bootinfo.h"

/* Start drawing text on the GOP framebuffer; fb_virt is where its pixels are mapped. */
void fbcon_init(const struct boot_framebuffer *fb, void *fb_virt);
void fbcon_geometry(unsigned *cols, unsigned *rows);

struct fbcon_info {
	uint32_t width, height, pitch;  /* pixels, pixels, bytes per scan line */
	uint32_t bpp;                   /* always 32 (GOP RGBX or BGRX) */
	uint32_t cols, rows;            /* the text grid */
	uint32_t glyph_width, glyph_height;
};

/* The geometry; false when there is no framebuffer console. */
bool fbcon_info(struct fbcon_info *info);
/*
 * Draw len bytes of text at the cell (col, row) with colours fg and bg
 * (0xRRGGBB), without moving the log's cursor.  -1, drawing nothing, when
 * there is no framebuffer console or the text does not fit in the row.
 */
int fbcon_draw_text(unsigned col, unsigned row, const char *text, unsigned len, uint32_t fg,
		    uint32_t bg);
/* Fill the screen with bg (0xRRGGBB) and move the log's cursor home; -1 without a console. */
int fbcon_clear(uint32_t bg);

#endif
