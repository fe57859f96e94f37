/*
 * linebuf.h: building one console line in a fixed buffer, for the hardware
 * test programs (fbtest, kbdtest, kbdrepeat, waittest).  The app defines
 * LINEBUF (a char array) before including this; each put_* appends at
 * offset `at`, never past the array, and returns the new offset.  The
 * formatting is boxlib's snprintf.
 */
#ifndef APPS_LINEBUF_H
#define APPS_LINEBUF_H

#include <stdint.h>
#include "boxlib/stdio.h"

/* Append what snprintf made of one value: at most up to the array's end. */
static inline unsigned linebuf_take(unsigned at, const char *made, unsigned n)
{
	while (n-- && *made && at < sizeof(LINEBUF))
		LINEBUF[at++] = *made++;
	return at;
}

static inline unsigned put_str(unsigned at, const char *s)
{
	return linebuf_take(at, s, ~0u);
}

static inline unsigned put_dec(unsigned at, uint64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	return linebuf_take(at, tmp, ~0u);
}

/* The low `digits` hex digits of v (1..16), zero-padded. */
static inline unsigned put_hex(unsigned at, uint64_t v, unsigned digits)
{
	char tmp[24];
	if (digits > 16)
		digits = 16;
	snprintf(tmp, sizeof(tmp), "%016llx", (unsigned long long)v);
	return linebuf_take(at, tmp + 16 - digits, digits);
}

#endif
