/*
 * port.h: the few things TagFS needs from its environment.
 *
 * TagFS is compiled three ways: into the host tools and tests (a hosted C
 * library is there), and into the freestanding kernel (kmalloc/kfree and
 * kernel/lib/string.h).  Everything else in tagfs/ uses only these names, so
 * the same sources build in both places; `make tagfs-kernel-check` compiles
 * them with the kernel's flags to keep it that way.
 */
#ifndef TAGFS_PORT_H
#define TAGFS_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#if __STDC_HOSTED__
#include <stdlib.h>
#include <string.h>
static inline void *tagfs_alloc(size_t n) { return malloc(n ? n : 1); }
static inline void tagfs_free(void *p) { free(p); }
#else
#include "lib/string.h"
#include "mm/heap.h"
static inline void *tagfs_alloc(size_t n) { return kmalloc(n ? n : 1); }
static inline void tagfs_free(void *p) { kfree(p); }
#endif

/* Zeroed allocation; n * size must not overflow (callers bound their counts). */
static inline void *tagfs_zalloc(size_t n)
{
	void *p = tagfs_alloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

#endif
