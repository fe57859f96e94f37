/*
 * fuzz_bundle.c: libFuzzer target for the app bundle reader
 * (kernel/core/bundle.c).
 *
 * Input layout:
 *   byte 0 with bit 7 clear: the whole input is the archive, as is.
 *   byte 0 with bit 7 set: a generator builds a well-formed newc archive
 *     from the input (so even tiny inputs get past the magic and the hex
 *     fields) and then applies byte edits:
 *       low 3 bits of byte 0   number of edits E (0..7), taken from the end
 *                              of the input, 3 bytes each: offset (u16 LE,
 *                              modulo the archive size), new byte value;
 *       the bytes in between   entries, each: a control byte (bits 0-3 name
 *                              length - 1, bit 4 "./" prefix, bit 5 a
 *                              directory, bit 6 truncate the archive here),
 *                              the name bytes (mapped to [a-z0-9.]), a data
 *                              length byte (0..63) and the data.
 * Either way the reader gets a buffer of exactly the archive's size, so ASan
 * catches any read past the end.  bundle_foreach walks it with a callback
 * that aborts on a name or data range outside the buffer, a name not
 * NUL-terminated inside it, or a count that differs from the return value;
 * then bundle_find looks up the first entry's name (which must be found)
 * and a fixed one.  An unedited generated archive must parse completely.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bundle.h"

#define GEN_MAX 8192

struct walk {
	const uint8_t *base;
	size_t size;
	int count;
	const char *first;
};

static int visit(void *arg, const char *name, const void *data, size_t len)
{
	struct walk *w = arg;
	const uint8_t *n = (const uint8_t *)name, *d = data;

	if (n < w->base || n >= w->base + w->size)
		abort();
	if (!memchr(n, 0, (size_t)(w->base + w->size - n)) || name[0] == '\0')
		abort();
	if (d < w->base || len > w->size || d > w->base + w->size - len)
		abort();
	if (w->count++ == 0)
		w->first = name;
	return 0;
}

/* Returns what bundle_foreach returned. */
static int check(const uint8_t *in, size_t size)
{
	struct walk w = { .base = in, .size = size, .count = 0, .first = NULL };
	const void *data;
	size_t len;
	int r;

	r = bundle_foreach(in, size, visit, &w);
	if (r < -1 || (r >= 0 && r != w.count))
		abort();
	if (r > 0 && bundle_find(in, size, w.first, &data, &len) != 0)
		abort();
	if (bundle_find(in, size, "exit42.elf", &data, &len) == 0) {
		if (r < 0 || (const uint8_t *)data < in || len > size ||
		    (const uint8_t *)data > in + size - len)
			abort();
	}
	return r;
}

static uint8_t gen[GEN_MAX];
static size_t gen_len;

static void put(const void *p, size_t n)
{
	memcpy(gen + gen_len, p, n);
	gen_len += n;
}

static void pad(void)
{
	while (gen_len & 3)
		gen[gen_len++] = 0;
}

static void entry(const char *name, size_t namesize, unsigned mode, const uint8_t *data, size_t len)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		 1u, mode, 0u, 0u, 1u, 0u, (unsigned)len, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
	put(hdr, 110);
	put(name, namesize);
	pad();
	if (len)
		put(data, len);
	pad();
}

static void generate_and_check(const uint8_t *in, size_t size)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789.";
	unsigned edits = in[0] & 7;
	size_t end = size, i = 1, cut = 0;
	int entries = 0;

	if (end < 1 + 3 * edits)
		edits = (unsigned)((end - 1) / 3);
	end -= 3 * edits;
	gen_len = 0;

	while (i < end && entries < 16) {
		uint8_t ctl = in[i++];
		char name[20];
		size_t nl = 0, want = 1 + (ctl & 15u), dl;

		if (ctl & 0x10) {
			name[nl++] = '.';
			name[nl++] = '/';
		}
		for (size_t k = 0; k < want; k++)
			name[nl++] = alphabet[(i < end ? in[i++] : k) % (sizeof(alphabet) - 1)];
		name[nl++] = '\0';
		dl = i < end ? in[i++] & 63u : 0;
		if (dl > end - i)
			dl = end - i;
		if ((ctl & 0x40) && !cut)
			cut = gen_len + 1;
		entry(name, nl, (ctl & 0x20) ? 040755u : 0100644u, in + i, dl);
		i += dl;
		entries++;
	}
	entry("TRAILER!!!", 11, 0, NULL, 0);

	/* Unedited and whole, the archive must parse. */
	uint8_t *buf = malloc(gen_len);
	memcpy(buf, gen, gen_len);
	if (edits == 0 && !cut && check(buf, gen_len) < 0)
		abort();
	for (unsigned e = 0; e < edits; e++) {
		const uint8_t *ed = in + end + 3 * e;
		buf[(ed[0] | (size_t)ed[1] << 8) % gen_len] = ed[2];
	}
	check(buf, cut ? cut - 1 : gen_len);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	if (size > 0 && (in[0] & 0x80)) {
		generate_and_check(in, size);
		return 0;
	}
	check(in, size);
	return 0;
}
