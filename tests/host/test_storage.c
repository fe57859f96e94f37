/*
 * test_storage.c: GPT parsing (kernel/drivers/part.c) and the Storage
 * Deck's pure parts (decks/storage_map.c).
 *
 * GPT: a well-formed table built here (CRC32s computed with an independent
 * table-driven CRC, checked against the standard "123456789" vector) is
 * accepted with the right ranges; then every field an attacker controls is
 * broken one at a time (signature, header size, header CRC, entry size,
 * entry count, entry array outside the disk, entry CRC, partition outside
 * the usable range, unaligned partition, first > last) and each must be
 * refused with a reason and no partitions; 2000 random mutations of the
 * good table must never crash and never return a partition outside the
 * disk.  The partition view must refuse blocks past its end.
 * Storage Deck: every TagFS code maps to the documented box_status; tag
 * lists reject bad names, dedupe, and stop at the limit; the create input
 * decoder checks its lengths before anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decks/storage.h"
#include "drivers/part.h"

#define SECTORS 65536u  /* a 32 MiB disk */

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t ref_crc(const void *d, size_t n)
{
	const uint8_t *p = d;
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

struct table {
	uint8_t hdr[512];
	uint8_t entries[128 * 128];
};

static void seal(struct table *t)
{
	put32(t->hdr + 88, ref_crc(t->entries, 128 * 128));
	put32(t->hdr + 16, 0);
	put32(t->hdr + 16, ref_crc(t->hdr, 92));
}

/* ESP at 2048..8191, TagFS at 8192..40959, another TagFS at 40960..49151. */
static void good_table(struct table *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->hdr, "EFI PART", 8);
	put32(t->hdr + 8, 0x00010000);
	put32(t->hdr + 12, 92);
	put64(t->hdr + 24, 1);
	put64(t->hdr + 32, SECTORS - 1);
	put64(t->hdr + 40, 34);
	put64(t->hdr + 48, SECTORS - 34);
	put64(t->hdr + 72, 2);
	put32(t->hdr + 80, 128);
	put32(t->hdr + 84, 128);
	uint8_t esp[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
			   0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};
	memcpy(t->entries, esp, 16);
	put64(t->entries + 32, 2048);
	put64(t->entries + 40, 8191);
	memcpy(t->entries + 128, part_type_tagfs, 16);
	put64(t->entries + 128 + 32, 8192);
	put64(t->entries + 128 + 40, 40959);
	memcpy(t->entries + 256, part_type_tagfs, 16);
	put64(t->entries + 256 + 32, 40960);
	put64(t->entries + 256 + 40, 49151);
	seal(t);
}

/* Runs both steps; returns -1 (why set) or the partition count. */
static int parse(const struct table *t, struct part_range *out, const char **why)
{
	struct part_gpt g;
	*why = NULL;
	if (part_gpt_header(t->hdr, SECTORS, &g, why) != 0)
		return -1;
	unsigned n = 99;
	if (part_gpt_find(&g, t->entries, sizeof(t->entries), part_type_tagfs, out, PART_MAX, &n,
			  why) != 0) {
		CHECK(n == 0);
		return -1;
	}
	return (int)n;
}

static void expect_refused(struct table *t, const char *what, const char *reason_part)
{
	struct part_range r[PART_MAX];
	const char *why;
	int n = parse(t, r, &why);
	if (n != -1 || !why || !strstr(why, reason_part)) {
		printf("FAIL %s: got %d (%s), wanted a refusal mentioning '%s'\n", what, n,
		       why ? why : "no reason", reason_part);
		check_failed++;
	} else {
		check_passed++;
	}
}

static void test_gpt(void)
{
	crc_init();
	CHECK_EQ(ref_crc("123456789", 9), 0xCBF43926u);
	CHECK_EQ(part_crc32("123456789", 9), 0xCBF43926u);
	CHECK_EQ(part_crc32("", 0), 0u);

	struct table t;
	struct part_range r[PART_MAX];
	const char *why;
	good_table(&t);
	CHECK_EQ(parse(&t, r, &why), 2);
	CHECK_EQ(r[0].index, 2u);
	CHECK_EQ(r[0].first_block, 1024u);
	CHECK_EQ(r[0].blocks, 4096u);
	CHECK_EQ(r[1].index, 3u);
	CHECK_EQ(r[1].first_block, 5120u);
	CHECK_EQ(r[1].blocks, 1024u);

	/* max limits what is returned, not what is accepted */
	struct part_gpt g;
	unsigned n;
	CHECK(part_gpt_header(t.hdr, SECTORS, &g, &why) == 0);
	CHECK(part_gpt_find(&g, t.entries, sizeof(t.entries), part_type_tagfs, r, 1, &n, &why) == 0);
	CHECK_EQ(n, 1u);
	/* the entry array must be all there */
	CHECK(part_gpt_find(&g, t.entries, 100, part_type_tagfs, r, PART_MAX, &n, &why) == -1);

	good_table(&t);
	t.hdr[0] = 'X';
	expect_refused(&t, "signature", "signature");

	good_table(&t);
	put32(t.hdr + 12, 600);
	expect_refused(&t, "header size > sector", "header size");
	good_table(&t);
	put32(t.hdr + 12, 40);
	expect_refused(&t, "header size < 92", "header size");

	good_table(&t);
	t.hdr[60] ^= 1;  /* inside the CRC'd header, not resealed */
	expect_refused(&t, "header CRC", "header CRC32");

	good_table(&t);
	put32(t.hdr + 84, 64);
	seal(&t);
	expect_refused(&t, "entry size 64", "entry size");
	good_table(&t);
	put32(t.hdr + 84, 0xFFFFFFF8u);
	seal(&t);
	expect_refused(&t, "entry size huge", "entry size");

	good_table(&t);
	put32(t.hdr + 80, 0x40000000u);  /* count * size overflows 32 bits */
	seal(&t);
	expect_refused(&t, "entry count huge", "too large");
	good_table(&t);
	put32(t.hdr + 80, 0);
	seal(&t);
	expect_refused(&t, "entry count 0", "empty");

	good_table(&t);
	put64(t.hdr + 72, SECTORS - 2);
	seal(&t);
	expect_refused(&t, "entries past the end", "outside the disk");
	good_table(&t);
	put64(t.hdr + 72, UINT64_MAX);
	seal(&t);
	expect_refused(&t, "entries at 2^64-1", "outside the disk");
	good_table(&t);
	put64(t.hdr + 72, 1);
	seal(&t);
	expect_refused(&t, "entries over the header", "outside the disk");

	good_table(&t);
	put64(t.hdr + 48, SECTORS + 5);
	seal(&t);
	expect_refused(&t, "usable past the disk", "usable range");

	good_table(&t);
	t.entries[128 + 50] ^= 1;  /* entries changed, CRC not updated */
	put32(t.hdr + 16, 0);
	put32(t.hdr + 16, ref_crc(t.hdr, 92));
	expect_refused(&t, "entries CRC", "entry array CRC32");

	good_table(&t);
	put64(t.entries + 128 + 40, SECTORS + 100);
	seal(&t);
	expect_refused(&t, "partition past the usable end", "outside the usable");
	good_table(&t);
	put64(t.entries + 128 + 32, 10);
	seal(&t);
	expect_refused(&t, "partition over the GPT", "outside the usable");
	good_table(&t);
	put64(t.entries + 128 + 32, 9000);
	put64(t.entries + 128 + 40, 8000);
	seal(&t);
	expect_refused(&t, "first > last", "outside the usable");
	good_table(&t);
	put64(t.entries + 128 + 32, 8193);
	seal(&t);
	expect_refused(&t, "unaligned start", "4 KiB aligned");
	good_table(&t);
	put64(t.entries + 128 + 40, 40958);
	seal(&t);
	expect_refused(&t, "unaligned end", "4 KiB aligned");

	/* a partition of another type may be anything: it is not ours */
	good_table(&t);
	put64(t.entries + 32, 5);
	put64(t.entries + 40, 3);
	seal(&t);
	CHECK_EQ(parse(&t, r, &why), 2);

	/* random mutations: never a crash, never a range outside the disk */
	srand(12345);
	unsigned accepted = 0;
	for (int round = 0; round < 2000; round++) {
		good_table(&t);
		int flips = 1 + rand() % 4;
		for (int k = 0; k < flips; k++) {
			if (rand() % 2)
				t.hdr[rand() % 92] = (uint8_t)rand();
			else
				t.entries[rand() % 384] = (uint8_t)rand();
		}
		if (rand() % 2)
			seal(&t);
		int got = parse(&t, r, &why);
		if (got < 0) {
			CHECK(why != NULL);
			continue;
		}
		accepted++;
		for (int k = 0; k < got; k++)
			CHECK(r[k].blocks > 0 && r[k].first_block + r[k].blocks <= SECTORS / 8);
	}
	CHECK(accepted > 0);  /* some mutations land in ignored bytes */
}

static int fake_reads[4];

static int fake_read(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *c)
{
	(void)d, (void)c;
	memset(buf, (int)block, TAGFS_BLOCK_SIZE);
	fake_reads[0]++;
	return TAGFS_OK;
}

static int fake_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	(void)d, (void)buf;
	fake_reads[1] = (int)block;
	return TAGFS_OK;
}

static int fake_flush(struct tagfs_dev *d)
{
	(void)d;
	fake_reads[2]++;
	return TAGFS_OK;
}

static void test_part_dev(void)
{
	struct tagfs_dev disk = {.blocks = 100, .regions = 1, .read = fake_read,
				 .write = fake_write, .flush = fake_flush};
	struct part_dev p;
	part_dev_init(&p, &disk, 40, 10);
	static uint8_t buf[TAGFS_BLOCK_SIZE];
	CHECK_EQ(p.dev.blocks, 10u);
	CHECK_EQ(p.dev.read(&p.dev, 3, buf, NULL), TAGFS_OK);
	CHECK_EQ(buf[0], 43);
	CHECK_EQ(p.dev.read(&p.dev, 10, buf, NULL), TAGFS_ERANGE);
	CHECK_EQ(p.dev.read(&p.dev, UINT64_MAX, buf, NULL), TAGFS_ERANGE);
	CHECK_EQ(p.dev.write(&p.dev, 9, buf), TAGFS_OK);
	CHECK_EQ(fake_reads[1], 49);
	CHECK_EQ(p.dev.write(&p.dev, 10, buf), TAGFS_ERANGE);
	CHECK_EQ(p.dev.flush(&p.dev), TAGFS_OK);
	CHECK_EQ(fake_reads[2], 1);
}

static void test_mapping(void)
{
	static const struct { int code; int32_t st; } map[] = {
		{TAGFS_OK, BOX_OK},
		{TAGFS_EIO, BOX_ERR_INTERNAL},
		{TAGFS_ECORRUPT, BOX_ERR_INTERNAL},
		{TAGFS_ERANGE, BOX_ERR_BOUNDS},
		{TAGFS_ENOSPC, BOX_ERR_FULL},
		{TAGFS_ENOENT, BOX_ERR_NOENT},
		{TAGFS_EEXIST, BOX_ERR_BUSY},
		{TAGFS_EINVAL, BOX_ERR_INVALID},
		{TAGFS_EFORMAT, BOX_ERR_INTERNAL},
		{TAGFS_ENOMEM, BOX_ERR_NOMEM},
		{TAGFS_EROFS, BOX_ERR_PERM},
		{BOX_STORAGE_ENOVOLUME, BOX_ERR_NOENT},
		{BOX_STORAGE_EHANDLE, BOX_ERR_NOENT},
		{-77, BOX_ERR_INTERNAL},
		{5, BOX_ERR_INTERNAL},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (storage_status(map[i].code) != map[i].st) {
			printf("FAIL storage_status(%d) = %d, want %d\n", map[i].code,
			       storage_status(map[i].code), map[i].st);
			check_failed++;
		} else {
			check_passed++;
		}
		CHECK(storage_code_text(map[i].code) != NULL);
	}
	/* the ABI's codes are TagFS's */
	CHECK_EQ(BOX_STORAGE_EROFS, TAGFS_EROFS);
	CHECK_EQ(BOX_STORAGE_ECORRUPT, TAGFS_ECORRUPT);
	CHECK(strstr(storage_code_text(TAGFS_ECORRUPT), "corrupt") != NULL);
	CHECK(strstr(storage_code_text(-77), "unknown") != NULL);
}

static void test_tags(void)
{
	struct storage_taglist l = {0};
	const char *s = "kernel, notes  kernel\0draft";
	CHECK_EQ(storage_parse_tags(&l, s, 27, 8), BOX_OK);
	CHECK_EQ(l.count, 3u);
	CHECK(strcmp(l.name[0], "kernel") == 0 && strcmp(l.name[1], "notes") == 0 &&
	      strcmp(l.name[2], "draft") == 0);
	l.count = 0;
	CHECK_EQ(storage_parse_tags(&l, "a -b", 4, 8), BOX_ERR_INVALID);
	l.count = 0;
	CHECK_EQ(storage_parse_tags(&l, "a\tb", 3, 8), BOX_ERR_INVALID);
	l.count = 0;
	CHECK_EQ(storage_parse_tags(&l, "a b c", 5, 2), BOX_ERR_TOO_BIG);
	l.count = 0;
	CHECK_EQ(storage_parse_tags(&l, "", 0, 2), BOX_OK);
	CHECK_EQ(l.count, 0u);
	char longtag[80];
	memset(longtag, 'x', sizeof(longtag));
	l.count = 0;
	CHECK_EQ(storage_parse_tags(&l, longtag, 64, 8), BOX_ERR_INVALID);
	CHECK_EQ(storage_parse_tags(&l, longtag, 63, 8), BOX_OK);
	CHECK(storage_tag_ok("x", 1));
	CHECK(!storage_tag_ok("", 0));
	CHECK(!storage_tag_ok("-x", 2));
	CHECK(!storage_tag_ok("a\x7f", 2));
}

static void test_create_decode(void)
{
	static struct storage_create_in c;
	struct storage_taglist l = {0};
	const uint8_t in[] = "notesa bhello";
	CHECK_EQ(storage_decode_create(in, 13, 5, 3, &c, &l), BOX_OK);
	CHECK(strcmp(c.name, "notes") == 0);
	CHECK_EQ(l.count, 2u);
	CHECK_EQ(c.content_len, 5u);
	CHECK(memcmp(c.content, "hello", 5) == 0);
	l.count = 0;
	CHECK_EQ(storage_decode_create(in, 13, 10, 10, &c, &l), BOX_ERR_BOUNDS);
	CHECK_EQ(storage_decode_create(in, 13, UINT32_MAX, 1, &c, &l), BOX_ERR_TOO_BIG);
	CHECK_EQ(storage_decode_create(in, 13, 1, UINT32_MAX, &c, &l), BOX_ERR_TOO_BIG);
	const uint8_t bad[] = "no\ttag";
	CHECK_EQ(storage_decode_create(bad, 6, 6, 0, &c, &l), BOX_ERR_INVALID);
	l.count = 0;
	CHECK_EQ(storage_decode_create(in, 13, 0, 0, &c, &l), BOX_OK);
	CHECK_EQ(c.name[0], 0);
	CHECK_EQ(c.content_len, 13u);
	static uint8_t big[BOX_STORAGE_IO_MAX + 10];
	CHECK_EQ(storage_decode_create(big, sizeof(big), 0, 0, &c, &l), BOX_ERR_TOO_BIG);
}

int main(void)
{
	test_gpt();
	test_part_dev();
	test_mapping();
	test_tags();
	test_create_decode();
	return check_report();
}
