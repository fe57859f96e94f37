/*
 * bundle.h: reading the app bundle, a cpio "newc" archive of ELF files that
 * TagBoot loads from /boxos/bundle.bin and hands to the kernel.
 *
 * The archive is untrusted bytes: every header is checked (magic "070701",
 * strict 8-digit hex fields, name NUL-terminated inside the archive, data
 * inside the archive, 4-byte padding present and zero), nothing is read past
 * `size`, and an archive without its "TRAILER!!!" entry is malformed.  Only
 * regular files are reported; directories and other entry types are checked
 * and skipped.  A leading "./" is stripped from names.  Portable: used by the
 * kernel and by the host tests and the fuzzer.
 */
#ifndef CORE_BUNDLE_H
#define CORE_BUNDLE_H

#include <stddef.h>

/*
 * Calls fn(arg, name, data, len) for each regular file in archive order and
 * returns how many were passed to fn.  When fn returns nonzero the walk stops
 * there (that entry is counted) and the rest is not checked.  Returns -1 on a
 * malformed archive; fn may have been called for entries before the fault.
 * `name` points into the archive and is NUL-terminated.
 */
int bundle_foreach(const void *bundle, size_t size,
		   int (*fn)(void *arg, const char *name, const void *data, size_t len),
		   void *arg);

/*
 * Finds the first regular file called `name` ("exit42.elf"; a leading "./"
 * in the archive is ignored) and sets *data and *len to its contents inside
 * the archive.  The whole archive is checked first: returns 0 when found in a
 * well-formed archive, -1 otherwise (outputs untouched).
 */
int bundle_find(const void *bundle, size_t size, const char *name,
		const void **data, size_t *len);

#endif
