/*
 * bundle.c: a strict reader for the cpio "newc" app bundle (see bundle.h).
 *
 * newc layout, all from the start of the archive, every header 4-aligned:
 *   header  110 bytes: "070701" then 13 fields of exactly 8 hex digits
 *           (ino mode uid gid nlink mtime filesize devmajor devminor
 *            rdevmajor rdevminor namesize check)
 *   name    namesize bytes including the terminating NUL, then zero padding
 *           up to a multiple of 4 (counted from the header's start)
 *   data    filesize bytes, then zero padding up to a multiple of 4
 * The entry named "TRAILER!!!" ends the archive; whatever follows it (cpio
 * pads to 512-byte blocks) is ignored.
 *
 * Every length is checked against what is left (`size - off`) before it is
 * used, so no offset arithmetic can overflow and nothing past `size` is
 * read.  Portable: only the freestanding headers.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#include "core/bundle.h"

#define NEWC_HDR_SIZE   110u
#define NEWC_FIELDS     13u
#define F_MODE          1u
#define F_FILESIZE      6u
#define F_NAMESIZE      11u
#define MODE_TYPE_MASK  0170000u
#define MODE_REGULAR    0100000u

static const char newc_magic[6] = { '0', '7', '0', '7', '0', '1' };
static const char trailer_name[] = "TRAILER!!!";

/* Exactly 8 hex digits, either case; false on anything else. */
static bool parse_hex8(const unsigned char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 8; i++) {
		unsigned c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}

/* Bytes of padding after `n` bytes to reach a multiple of 4. */
static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* The `n` bytes at p are all zero. */
static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* a and b are NUL-terminated and equal. */
static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int bundle_foreach(const void *bundle, size_t size,
		   int (*fn)(void *arg, const char *name, const void *data, size_t len),
		   void *arg)
{
	const unsigned char *base = bundle;
	size_t off = 0;
	int count = 0;

	if (!bundle && size)
		return -1;

	for (;;) {
		uint32_t field[NEWC_FIELDS];
		const unsigned char *hdr;
		const char *name;
		size_t namesize, filesize, skip;

		/* off <= size holds here: every advance below was checked. */
		if (size - off < NEWC_HDR_SIZE)
			return -1;
		hdr = base + off;
		for (unsigned i = 0; i < sizeof(newc_magic); i++)
			if (hdr[i] != (unsigned char)newc_magic[i])
				return -1;
		for (unsigned i = 0; i < NEWC_FIELDS; i++)
			if (!parse_hex8(hdr + sizeof(newc_magic) + 8 * i, &field[i]))
				return -1;
		off += NEWC_HDR_SIZE;

		/* The name: at least one character plus its NUL, with no NUL
		 * before the end, then padding, all inside the archive. */
		namesize = field[F_NAMESIZE];
		if (namesize < 2 || namesize > size - off)
			return -1;
		name = (const char *)(base + off);
		for (size_t i = 0; i + 1 < namesize; i++)
			if (name[i] == '\0')
				return -1;
		if (name[namesize - 1] != '\0')
			return -1;
		off += namesize;

		if (str_eq(name, trailer_name))
			return count;

		skip = pad4(NEWC_HDR_SIZE + namesize);
		if (skip > size - off || !all_zero(base + off, skip))
			return -1;
		off += skip;

		/* The data and its padding.  filesize fits 32 bits, so it is
		 * compared, never added, before it is known to fit. */
		filesize = field[F_FILESIZE];
		if (filesize > size - off)
			return -1;
		const unsigned char *data = base + off;
		off += filesize;
		skip = pad4(filesize);
		if (skip > size - off || !all_zero(base + off, skip))
			return -1;
		off += skip;

		if ((field[F_MODE] & MODE_TYPE_MASK) != MODE_REGULAR)
			continue;
		if (name[0] == '.' && name[1] == '/')
			name += 2;
		if (name[0] == '\0')
			return -1;
		count++;
		if (fn && fn(arg, name, data, filesize))
			return count;
		if (count == INT32_MAX)
			return -1;
	}
}

struct find_ctx {
	const char *name;
	const void *data;
	size_t len;
	bool found;
};

/* Records the first match and keeps going, so the whole archive is checked. */
static int find_cb(void *arg, const char *name, const void *data, size_t len)
{
	struct find_ctx *c = arg;

	if (!c->found && str_eq(name, c->name)) {
		c->found = true;
		c->data = data;
		c->len = len;
	}
	return 0;
}

int bundle_find(const void *bundle, size_t size, const char *name,
		const void **data, size_t *len)
{
	struct find_ctx c = { .name = name, .data = NULL, .len = 0, .found = false };

	if (!name || !data || !len)
		return -1;
	if (bundle_foreach(bundle, size, find_cb, &c) < 0 || !c.found)
		return -1;
	*data = c.data;
	*len = c.len;
	return 0;
}
