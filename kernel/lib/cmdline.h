/* cmdline.h: reading the kernel command line (see cmdline.c). */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Copy the value of `key=value` into out (NUL-terminated); true if the key is present.
 * A bare `key` has the value "". The last occurrence wins. */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t out_size);
bool cmdline_has(const char *cmdline, const char *key);

#endif
