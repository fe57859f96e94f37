/*
 * storage_app.h: what the storage apps (files, create, show, tag, untag,
 * name, rm, snap, fsck, braid, df) share: naming a file by name or id,
 * printing an error with the TagFS reason (storage.why), the pattern
 * content `create --size` writes and `show --check` verifies, and --help.
 * Header-only (static functions) because each app is its own folder.
 */
#ifndef APPS_STORAGE_APP_H
#define APPS_STORAGE_APP_H

#include <stdbool.h>
#include <stdint.h>
#include "boxos/abi/status.h"
#include "boxos/abi/storage.h"
#include "boxlib/call.h"
#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

/* fsck and big reads take long under TCG: wait for Results up to 5 minutes. */
static inline void st_init(void)
{
	box_call_timeout_us = 300000000ull;
}

static inline int st_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%s\n", usage);
			return 1;
		}
	return 0;
}

/* Prints "what: STATUS (TagFS reason)" and returns exit status 1. */
static inline int st_fail(const char *what, int32_t st)
{
	struct box_storage_why w;
	uint64_t len = 0;
	memset(&w, 0, sizeof(w));
	/* why describes the last op that reached the volume: only when its
	 * status is this one is its reason this failure's */
	if (box_storage_why(&w, sizeof(w), &len, NULL) == BOX_OK && w.code != 0 && w.status == st)
		printf("error: %s: %s (%s)\n", what, box_status_name(st), w.text);
	else
		printf("error: %s: %s\n", what, box_status_name(st));
	return 1;
}

static inline int st_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	return box_strtou64(s, &end, 0, out) == 0 && *end == 0 ? 0 : -1;
}

/* A file named by its name label, or by its id ("#12" or "12" when no file
 * has that name). */
static inline int32_t st_resolve(const char *arg, uint64_t *id)
{
	if (arg[0] == '#')
		return st_parse_u64(arg + 1, id) == 0 ? BOX_OK : BOX_ERR_INVALID;
	uint64_t v = 0;
	int32_t st = box_storage_lookup(arg, strlen(arg), &v);
	if (st == BOX_OK) {
		*id = v;
		return BOX_OK;
	}
	if (st == BOX_ERR_NOENT && st_parse_u64(arg, id) == 0)
		return BOX_OK;
	return st;
}

/* Pattern content: byte i of a file made from word w. */
static inline uint8_t st_pattern_byte(const char *w, size_t wl, uint64_t i)
{
	uint64_t line = i / 64, col = i % 64;
	if (col == 63)
		return '\n';
	if (col < wl)
		return (uint8_t)w[col];
	if (col == wl)
		return ':';
	return (uint8_t)('a' + (line * 7 + col) % 26);
}

static inline void st_pattern(const char *w, uint64_t off, uint8_t *buf, uint64_t n)
{
	size_t wl = strlen(w);
	if (wl > 40)
		wl = 40;
	for (uint64_t i = 0; i < n; i++)
		buf[i] = st_pattern_byte(w, wl, off + i);
}

/* tag and untag: `NAME FILE TAG...`, each TAG set (set) or unset on FILE. */
static inline int st_tag_main(int argc, char **argv, bool set)
{
	const char *name = set ? "tag" : "untag";
	st_init();
	if (st_help(argc, argv, set ? "usage: tag FILE TAG...  (FILE: a name or #id)"
						: "usage: untag FILE TAG...  (FILE: a name or #id)"))
		return 0;
	if (argc < 3) {
		printf("usage: %s FILE TAG...\n", name);
		return 1;
	}
	uint64_t id;
	int32_t st = st_resolve(argv[1], &id);
	if (st != BOX_OK)
		return st_fail(argv[1], st);
	for (int i = 2; i < argc; i++) {
		st = set ? box_storage_tag_set(id, argv[i], strlen(argv[i]), NULL)
			 : box_storage_tag_unset(id, argv[i], strlen(argv[i]), NULL);
		if (st != BOX_OK)
			return st_fail(argv[i], st);
	}
	printf("%s %lu\n", set ? "tagged" : "untagged", (unsigned long)id);
	return 0;
}

#endif
