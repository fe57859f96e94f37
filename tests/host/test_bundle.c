/*
 * test_bundle.c: host tests for the app bundle reader (kernel/core/bundle.c).
 *
 * A tiny cpio "newc" writer below builds archives in memory; every archive is
 * handed to the reader in a heap buffer of exactly its size, so ASan catches
 * any read past the end.  Covered: entries found with their data, "./"
 * stripped, directories skipped, an early stop, every truncation, non-hex
 * and uppercase fields, bad magic, huge sizes, a missing trailer, names
 * without a NUL or with one inside, nonzero padding, bytes after the
 * trailer, the real build/bundle.bin (when it has been built), and 100 000
 * random mutations with a fixed seed (only "no crash, results in bounds").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bundle.h"

/* ---- a newc writer ---------------------------------------------------- */

struct ar {
	uint8_t b[65536];
	size_t n;
	size_t trailer_end;  /* end of the trailer's name: the shortest valid prefix */
	int upper;           /* write hex fields in uppercase */
};

static void put(struct ar *a, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (a->n + n > sizeof(a->b)) {
		fprintf(stderr, "test archive too big\n");
		exit(2);
	}
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

static void pad(struct ar *a)
{
	static const uint8_t z[4];

	put(a, z, (4 - (a->n & 3)) & 3);
}

/* Appends one entry with the given mode; returns its header's offset. */
static size_t add(struct ar *a, const char *name, uint32_t mode, const void *data, size_t len)
{
	char hdr[111];
	size_t at = a->n, namesize = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr),
		 a->upper ? "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X"
			  : "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		 7u, mode, 0u, 0u, 1u, 0u, (unsigned)len, 0u, 0u, 0u, 0u,
		 (unsigned)namesize, 0u);
	put(a, hdr, 110);
	put(a, name, namesize);
	if (!strcmp(name, "TRAILER!!!")) {
		a->trailer_end = a->n;
		pad(a);
		return at;
	}
	pad(a);
	put(a, data, len);
	pad(a);
	return at;
}

static size_t add_file(struct ar *a, const char *name, const void *data, size_t len)
{
	return add(a, name, 0100755, data, len);
}

static void add_trailer(struct ar *a)
{
	add(a, "TRAILER!!!", 0, NULL, 0);
}

/* Offset of header field i (0 = ino ... 12 = check) in the header at hdr. */
static size_t field(size_t hdr, unsigned i)
{
	return hdr + 6 + 8 * i;
}

static void set_field(struct ar *a, size_t hdr, unsigned i, uint32_t v)
{
	char s[9];

	snprintf(s, sizeof(s), "%08x", v);
	memcpy(a->b + field(hdr, i), s, 8);
}

/* ---- running the reader on an exact-size copy ------------------------- */

struct seen {
	int count;
	char names[8][64];
	size_t lens[8];
	const uint8_t *base;
	size_t size;
	int stop_at;  /* return nonzero on this entry (1-based); 0 = never */
	int bad;      /* a name or data pointer outside the archive */
};

static int record(void *arg, const char *name, const void *data, size_t len)
{
	struct seen *s = arg;
	const uint8_t *d = data, *nm = (const uint8_t *)name;

	if (nm < s->base || nm >= s->base + s->size || d < s->base ||
	    len > s->size || d > s->base + s->size - len)
		s->bad = 1;
	else if (!memchr(nm, 0, (size_t)(s->base + s->size - nm)))
		s->bad = 1;
	else if (s->count < 8) {
		snprintf(s->names[s->count], sizeof(s->names[0]), "%s", name);
		s->lens[s->count] = len;
	}
	s->count++;
	return s->stop_at && s->count == s->stop_at;
}

/* bundle_foreach on a heap copy of exactly n bytes; *s gets what was seen. */
static int walk(const void *src, size_t n, struct seen *s, int stop_at)
{
	uint8_t *copy = malloc(n ? n : 1);
	int r;

	memcpy(copy, src, n);
	memset(s, 0, sizeof(*s));
	s->base = copy;
	s->size = n;
	s->stop_at = stop_at;
	r = bundle_foreach(copy, n, record, s);
	free(copy);
	return r;
}

static int walk_ar(const struct ar *a)
{
	struct seen s;
	int r = walk(a->b, a->n, &s, 0);

	return s.bad ? -100 : r;
}

/* ---- cases ------------------------------------------------------------ */

static const char hello[] = "hello, cabin";  /* 12 bytes: no data padding */
static const char seven[] = "1234567";       /* 7 bytes: one byte of padding */

static void build_basic(struct ar *a)
{
	memset(a, 0, sizeof(*a));
	add_file(a, "exit42.elf", hello, 12);
	add(a, ".", 040755, NULL, 0);              /* a directory: skipped */
	add_file(a, "./b.elf", NULL, 0);           /* empty file, "./" stripped */
	add_file(a, "c", seven, 7);                /* shortest name */
	add_trailer(a);
}

static void test_basic(void)
{
	struct ar a;
	struct seen s;
	uint8_t *copy;
	const void *data;
	size_t len;

	build_basic(&a);
	CHECK_EQ(walk(a.b, a.n, &s, 0), 3);
	CHECK(!s.bad);
	CHECK(!strcmp(s.names[0], "exit42.elf"));
	CHECK(!strcmp(s.names[1], "b.elf"));
	CHECK(!strcmp(s.names[2], "c"));
	CHECK_EQ(s.lens[0], 12);
	CHECK_EQ(s.lens[1], 0);
	CHECK_EQ(s.lens[2], 7);

	CHECK_EQ(bundle_foreach(a.b, a.n, NULL, NULL), 3);

	copy = malloc(a.n);
	memcpy(copy, a.b, a.n);
	CHECK_EQ(bundle_find(copy, a.n, "exit42.elf", &data, &len), 0);
	CHECK_EQ(len, 12);
	CHECK(!memcmp(data, hello, 12));
	CHECK_EQ(bundle_find(copy, a.n, "c", &data, &len), 0);
	CHECK_EQ(len, 7);
	CHECK(!memcmp(data, seven, 7));
	CHECK_EQ(bundle_find(copy, a.n, "b.elf", &data, &len), 0);
	CHECK_EQ(len, 0);
	CHECK(data >= (const void *)copy && data <= (const void *)(copy + a.n));

	data = (const void *)1;
	len = 99;
	CHECK_EQ(bundle_find(copy, a.n, "./b.elf", &data, &len), -1);  /* names are stripped */
	CHECK_EQ(bundle_find(copy, a.n, ".", &data, &len), -1);        /* directories are not files */
	CHECK_EQ(bundle_find(copy, a.n, "exit42", &data, &len), -1);
	CHECK_EQ(bundle_find(copy, a.n, "exit42.elf2", &data, &len), -1);
	CHECK_EQ(bundle_find(copy, a.n, "", &data, &len), -1);
	CHECK_EQ(bundle_find(copy, a.n, "TRAILER!!!", &data, &len), -1);
	CHECK(data == (const void *)1 && len == 99);  /* untouched on failure */
	CHECK_EQ(bundle_find(copy, a.n, NULL, &data, &len), -1);
	CHECK_EQ(bundle_find(copy, a.n, "c", NULL, &len), -1);
	CHECK_EQ(bundle_find(copy, a.n, "c", &data, NULL), -1);
	free(copy);

	/* Stopping early: the stopping entry counts, the rest is not read. */
	CHECK_EQ(walk(a.b, a.n, &s, 2), 2);
	CHECK_EQ(s.count, 2);
	CHECK_EQ(walk(a.b, a.n, &s, 1), 1);
}

static void test_empty_and_null(void)
{
	struct ar a;
	const void *data;
	size_t len;

	memset(&a, 0, sizeof(a));
	add_trailer(&a);
	CHECK_EQ(walk_ar(&a), 0);
	CHECK_EQ(bundle_find(a.b, a.n, "x", &data, &len), -1);

	CHECK_EQ(bundle_foreach(NULL, 0, NULL, NULL), -1);  /* no trailer */
	CHECK_EQ(bundle_foreach(NULL, 4096, NULL, NULL), -1);
	CHECK_EQ(bundle_find(NULL, 0, "x", &data, &len), -1);
}

static void test_truncations(void)
{
	struct ar a;
	int bad = 0;

	build_basic(&a);
	/* Every prefix shorter than the trailer's name is malformed; from there
	 * on (the trailer's padding and anything after it) it is complete. */
	for (size_t n = 0; n < a.n; n++) {
		int r = walk(a.b, n, &(struct seen){ 0 }, 0);

		if (n < a.trailer_end ? r != -1 : r != 3) {
			printf("FAIL truncation to %zu bytes: %d\n", n, r);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);
}

static void test_fields(void)
{
	static const char junk[] = "gG xX-+.\n\0\xff";
	struct ar a, m;
	int bad = 0;

	/* Uppercase hex is hex. */
	memset(&a, 0, sizeof(a));
	a.upper = 1;
	add_file(&a, "EXIT42.ELF", hello, 12);
	add_trailer(&a);
	CHECK_EQ(walk_ar(&a), 1);

	/* Any non-hex character in any field of any header is rejected. */
	build_basic(&a);
	size_t hdrs[] = { 0, 0 };
	hdrs[1] = a.trailer_end - 11 - 110;  /* the trailer's header */
	for (unsigned h = 0; h < 2; h++)
		for (unsigned f = 0; f < 13; f++)
			for (unsigned pos = 0; pos < 8; pos += 7)
				for (size_t j = 0; j < sizeof(junk) - 1; j++) {
					m = a;
					m.b[field(hdrs[h], f) + pos] = (uint8_t)junk[j];
					if (walk_ar(&m) != -1) {
						printf("FAIL junk 0x%02x in field %u of header %u accepted\n",
						       (uint8_t)junk[j], f, h);
						bad++;
					}
				}
	CHECK_EQ(bad, 0);

	/* Magic. */
	static const char *const magics[] = { "070702", "070707", "070700", "170701", "07070" };
	for (unsigned i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		m = a;
		memcpy(m.b, magics[i], strlen(magics[i]));
		if (strlen(magics[i]) < 6)
			m.b[5] = 'x';
		CHECK_EQ(walk_ar(&m), -1);
	}
	m = a;
	memcpy(m.b + hdrs[1], "070702", 6);  /* the trailer's magic */
	CHECK_EQ(walk_ar(&m), -1);
}

static void test_sizes(void)
{
	struct ar a, m;

	memset(&a, 0, sizeof(a));
	add_file(&a, "a.elf", hello, 12);
	add_trailer(&a);
	CHECK_EQ(walk_ar(&a), 1);

	/* filesize: huge, past the end, one byte off either way. */
	static const uint32_t fs[] = { 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0x10000u, 13, 11, 16, 8 };
	for (unsigned i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		m = a;
		set_field(&m, 0, 6, fs[i]);
		CHECK_EQ(walk_ar(&m), -1);
	}
	/* namesize: 0, 1 (empty name), huge, too long or short by one. */
	static const uint32_t ns[] = { 0, 1, 0xFFFFFFFFu, 0x80000000u, 7, 5, 4 };
	for (unsigned i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		m = a;
		set_field(&m, 0, 11, ns[i]);
		CHECK_EQ(walk_ar(&m), -1);
	}
	/* The trailer's namesize too. */
	m = a;
	set_field(&m, a.trailer_end - 11 - 110, 11, 0xFFFFFFFFu);
	CHECK_EQ(walk_ar(&m), -1);
}

static void test_names_and_padding(void)
{
	struct ar a, m;

	memset(&a, 0, sizeof(a));
	add_file(&a, "ab.elf", seven, 7);  /* 110 + 7 = 117: 3 bytes of name padding */
	add_trailer(&a);
	CHECK_EQ(walk_ar(&a), 1);

	m = a;
	m.b[110 + 6] = 'x';               /* name without its NUL */
	CHECK_EQ(walk_ar(&m), -1);
	m = a;
	m.b[110 + 2] = '\0';              /* a NUL inside the name */
	CHECK_EQ(walk_ar(&m), -1);
	for (unsigned i = 0; i < 3; i++) {
		m = a;
		m.b[117 + i] = 1;         /* nonzero name padding */
		CHECK_EQ(walk_ar(&m), -1);
	}
	m = a;
	m.b[120 + 7] = 0x20;              /* nonzero data padding */
	CHECK_EQ(walk_ar(&m), -1);

	/* A name that is only "./" is empty once stripped. */
	memset(&m, 0, sizeof(m));
	add_file(&m, "./", hello, 12);
	add_trailer(&m);
	CHECK_EQ(walk_ar(&m), -1);

	/* Missing trailer, a near-miss trailer, and a trailer cut short. */
	memset(&m, 0, sizeof(m));
	add_file(&m, "ab.elf", seven, 7);
	CHECK_EQ(walk_ar(&m), -1);
	add(&m, "TRAILER!!", 0, NULL, 0);
	CHECK_EQ(walk_ar(&m), -1);
	add(&m, "trailer!!!", 0, NULL, 0);
	CHECK_EQ(walk_ar(&m), -1);

	/* Whatever follows the trailer is ignored (cpio pads to 512 bytes). */
	m = a;
	memset(m.b + m.n, 0xA5, 1000);
	m.n += 1000;
	CHECK_EQ(walk_ar(&m), 1);

	/* bundle_find checks the whole archive, even past its match. */
	m = a;
	m.n = m.trailer_end - 1;
	const void *data;
	size_t len;
	CHECK_EQ(bundle_find(m.b, m.n, "ab.elf", &data, &len), -1);
	CHECK_EQ(bundle_find(a.b, a.n, "ab.elf", &data, &len), 0);

	/* Two files with one name: find returns the first. */
	memset(&m, 0, sizeof(m));
	add_file(&m, "x", hello, 12);
	add_file(&m, "./x", seven, 7);
	add_trailer(&m);
	CHECK_EQ(walk_ar(&m), 2);
	CHECK_EQ(bundle_find(m.b, m.n, "x", &data, &len), 0);
	CHECK_EQ(len, 12);
}

/* The archive `make` builds: every entry is one of the apps, an x86-64
 * ELF executable; the four test apps are there. */
static void test_real_bundle(void)
{
	static const char *const apps[] = { "exit42.elf", "regcheck.elf", "badnotify.elf", "fault.elf" };
	struct seen s;
	FILE *f = fopen(BUNDLE_BIN, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		printf("note: %s not built, skipping the real-bundle checks\n", BUNDLE_BIN);
		return;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	CHECK(n > 0 && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);

	int count = walk(buf, (size_t)n, &s, 0);
	CHECK(count >= 4);
	CHECK(!s.bad);
	for (unsigned i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
		const uint8_t *d;
		const void *data;
		size_t len;

		CHECK_EQ(bundle_find(buf, (size_t)n, apps[i], &data, &len), 0);
		d = data;
		if (!d || len < 64) {
			CHECK(0);
			continue;
		}
		CHECK(!memcmp(d, "\x7f" "ELF", 4));
		CHECK_EQ(d[4], 2);                       /* ELFCLASS64 */
		CHECK_EQ(d[5], 1);                       /* little-endian */
		CHECK_EQ(d[16] | d[17] << 8, 2);         /* ET_EXEC */
		CHECK_EQ(d[18] | d[19] << 8, 62);        /* EM_X86_64 */
		uint64_t entry;
		memcpy(&entry, d + 24, 8);
		CHECK(entry >= 0x400000 && entry < 0x0000700000000000ull);
	}
	free(buf);
}

/* Random edits of a valid archive never crash and never yield a name or
 * data outside the buffer (ASan and record() watch). */
static void test_mutations(void)
{
	static const char hexdig[] = "0123456789abcdefABCDEF";
	struct ar a;
	uint64_t x = 0x9E3779B97F4A7C15ull;
	int bad = 0, accepted = 0;

	memset(&a, 0, sizeof(a));
	add_file(&a, "exit42.elf", hello, 12);
	add(&a, ".", 040755, NULL, 0);
	add_file(&a, "./b.elf", NULL, 0);
	add_file(&a, "c", seven, 7);
	add_file(&a, "later.elf", hello, 5);
	add_trailer(&a);

	for (int it = 0; it < 100000; it++) {
		static uint8_t m[sizeof(a.b)];
		size_t n = a.n;
		unsigned edits;

		memcpy(m, a.b, n);
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		edits = 1 + (unsigned)(x % 4);
		for (unsigned e = 0; e < edits; e++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			size_t at = (size_t)(x >> 16) % n;
			switch ((x >> 8) & 3) {
			case 0: m[at] = (uint8_t)x; break;                             /* any byte */
			case 1: m[at] = (uint8_t)hexdig[(x >> 40) % 22]; break;        /* another hex digit */
			case 2: m[at] ^= (uint8_t)(1u << ((x >> 40) & 7)); break;      /* a bit */
			case 3: n = at + 1; break;                                     /* truncate */
			}
		}

		struct seen s;
		int r = walk(m, n, &s, 0);
		if (s.bad || r < -1 || r > 5 || (r >= 0 && s.count != r)) {
			if (bad++ < 5)
				printf("FAIL mutation %d: result %d, seen %d, bad %d\n", it, r, s.count, s.bad);
		}
		if (r >= 0)
			accepted++;

		uint8_t *copy = malloc(n);
		const void *data;
		size_t len;
		memcpy(copy, m, n);
		if (bundle_find(copy, n, "exit42.elf", &data, &len) == 0) {
			if (r < 0 || (const uint8_t *)data < copy || len > n ||
			    (const uint8_t *)data > copy + n - len)
				bad++;
		}
		free(copy);
	}
	CHECK_EQ(bad, 0);
	CHECK(accepted > 0);  /* some edits (a data byte) leave it valid */
	printf("mutations: %d of 100000 still well-formed\n", accepted);
}

int main(void)
{
	test_basic();
	test_empty_and_null();
	test_truncations();
	test_fields();
	test_sizes();
	test_names_and_padding();
	test_real_bundle();
	test_mutations();
	return check_report();
}
