/* fbcon.h: the framebuffer text console (see fbcon.c). */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include "boxos/bootinfo.h"

/* Start drawing text on the GOP framebuffer; fb_virt is where its pixels are mapped. */
void fbcon_init(const struct boot_framebuffer *fb, void *fb_virt);
void fbcon_geometry(unsigned *cols, unsigned *rows);

#endif
