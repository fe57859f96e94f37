/*
 * cmdline.c: the kernel command line is space-separated words, each `key` or
 * `key=value`.  Lookups scan it in place (it is at most 255 bytes); values
 * are copied out truncated to the caller's buffer.  Portable: host-tested.
 */
#include "lib/cmdline.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t out_size)
{
	bool found = false;
	const char *p = cmdline;
	while (p && *p) {
		while (is_space(*p))
			p++;
		const char *word = p;
		while (*p && !is_space(*p))
			p++;
		const char *k = key, *w = word;
		while (*k && w < p && *w == *k)
			k++, w++;
		if (*k || (w < p && *w != '='))
			continue;
		found = true;
		if (w < p)
			w++; /* skip '=' */
		if (out && out_size) {
			size_t n = 0;
			while (w < p && n + 1 < out_size)
				out[n++] = *w++;
			out[n] = 0;
		}
	}
	return found;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_get(cmdline, key, NULL, 0);
}
