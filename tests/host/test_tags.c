/*
 * test_tags.c: tag names <-> bits, tag lists, the use context
 * (kernel/core/tags.c) and the Listen table (kernel/core/listen.c).
 */
#include <string.h>

#include "check.h"
#include "core/auth.h"
#include "core/listen.h"
#include "core/tags.h"
#include "boxos/abi/status.h"

static struct tags t;
static struct listen_table lt;

static void test_names(void)
{
	tags_init(&t);
	unsigned bit = 99;
	CHECK_EQ(tags_bit(&t, "god", 3, false, &bit), BOX_OK);
	CHECK_EQ(1ull << bit, AUTH_TAG_GOD);
	CHECK_EQ(tags_bit(&t, "stopped", 7, false, &bit), BOX_OK);
	CHECK_EQ(1ull << bit, AUTH_TAG_STOPPED);
	CHECK_EQ(tags_bit(&t, "kernel", 6, false, &bit), BOX_ERR_NOENT);
	CHECK_EQ(tags_bit(&t, "kernel", 6, true, &bit), BOX_OK);
	CHECK_EQ(bit, 2);
	unsigned again;
	CHECK_EQ(tags_bit(&t, "kernel", 6, true, &again), BOX_OK);
	CHECK_EQ(again, bit);
	/* a prefix is another name */
	CHECK_EQ(tags_bit(&t, "kern", 4, false, &again), BOX_ERR_NOENT);
	CHECK_EQ(tags_bit(&t, "kernelx", 7, false, &again), BOX_ERR_NOENT);
	/* bad names */
	CHECK(!tags_valid_name("", 0));
	CHECK(!tags_valid_name("Kernel", 6));
	CHECK(!tags_valid_name("a b", 3));
	CHECK(!tags_valid_name("a\0b", 3));
	CHECK(tags_valid_name("a-b.c_9", 7));
	char long_name[40];
	memset(long_name, 'a', sizeof(long_name));
	CHECK(tags_valid_name(long_name, 31));
	CHECK(!tags_valid_name(long_name, 32));
	CHECK_EQ(tags_bit(&t, "Bad", 3, true, &again), BOX_ERR_INVALID);
	/* all 62 free bits, then full */
	char name[8];
	unsigned given = 0;
	for (unsigned i = 0; i < 70; i++) {
		int n = snprintf(name, sizeof(name), "t%u", i);
		int32_t st = tags_bit(&t, name, (size_t)n, true, &again);
		if (st == BOX_OK)
			given++;
		else
			CHECK_EQ(st, BOX_ERR_FULL);
	}
	CHECK_EQ(given, 61); /* 64 - god - stopped - kernel */
}

static void test_lists(void)
{
	tags_init(&t);
	uint8_t bits[TAGS_CTX_MAX];
	unsigned n = 99;
	CHECK_EQ(tags_parse_list(&t, "kernel notify", 13, bits, TAGS_CTX_MAX, &n), BOX_OK);
	CHECK_EQ(n, 2);
	tags_ctx_set(&t, bits, n);
	char out[64];
	size_t len = tags_ctx_format(&t, out, sizeof(out));
	CHECK_EQ(len, 13);
	CHECK(memcmp(out, "kernel notify", 13) == 0);
	CHECK_EQ(tags_ctx_mask(&t), (1ull << bits[0]) | (1ull << bits[1]));
	/* too small: nothing written, the size needed returned */
	memset(out, '#', sizeof(out));
	CHECK_EQ(tags_ctx_format(&t, out, 5), 13);
	CHECK_EQ(out[0], '#');
	/* separators: commas, spaces, NULs, repeated; duplicates collapse */
	CHECK_EQ(tags_parse_list(&t, ",a,, b\0a ", 9, bits, TAGS_CTX_MAX, &n), BOX_OK);
	CHECK_EQ(n, 2);
	/* refused lists change nothing */
	unsigned dummy;
	CHECK_EQ(tags_parse_list(&t, "ok Bad", 6, bits, TAGS_CTX_MAX, &n), BOX_ERR_INVALID);
	CHECK_EQ(tags_bit(&t, "ok", 2, false, &dummy), BOX_ERR_NOENT);
	CHECK_EQ(tags_parse_list(&t, "   ", 3, bits, TAGS_CTX_MAX, &n), BOX_ERR_INVALID);
	CHECK_EQ(tags_parse_list(&t, "", 0, bits, TAGS_CTX_MAX, &n), BOX_ERR_INVALID);
	CHECK_EQ(tags_parse_list(&t, "a b c d e f g h i", 17, bits, TAGS_CTX_MAX, &n), BOX_ERR_TOO_BIG);
	CHECK_EQ(tags_bit(&t, "i", 1, false, &dummy), BOX_ERR_NOENT);
	/* the context is unchanged by all of that */
	CHECK_EQ(tags_ctx_format(&t, out, sizeof(out)), 13);
	tags_ctx_set(&t, NULL, 0);
	CHECK_EQ(tags_ctx_mask(&t), 0);
	CHECK_EQ(tags_ctx_format(&t, out, 0), 0);
	/* a list needing more new bits than are free is refused whole */
	tags_init(&t);
	char name[8];
	for (unsigned i = 0; i < 61; i++) {
		int k = snprintf(name, sizeof(name), "t%u", i);
		CHECK_EQ(tags_bit(&t, name, (size_t)k, true, &dummy), BOX_OK);
	}
	CHECK_EQ(tags_parse_list(&t, "x y", 3, bits, TAGS_CTX_MAX, &n), BOX_ERR_FULL);
	CHECK_EQ(tags_bit(&t, "x", 1, false, &dummy), BOX_ERR_NOENT);
	CHECK_EQ(tags_parse_list(&t, "x t0", 4, bits, TAGS_CTX_MAX, &n), BOX_OK);
}

static unsigned hits[2048];
static void count_hit(uint32_t cabin, void *arg)
{
	(void)arg;
	hits[cabin]++;
}

static void test_listen(void)
{
	listen_init(&lt);
	CHECK_EQ(listen_add(&lt, 0, 1), BOX_ERR_INVALID);
	CHECK_EQ(listen_add(&lt, 1, 0), BOX_ERR_INVALID);
	CHECK_EQ(listen_add(&lt, 1, 0x1), BOX_OK);
	CHECK_EQ(listen_add(&lt, 1, 0x1), BOX_OK); /* idempotent */
	CHECK_EQ(lt.used, 1);
	CHECK_EQ(listen_add(&lt, 1, 0x6), BOX_OK);
	CHECK_EQ(listen_add(&lt, 2, 0x4), BOX_OK);
	memset(hits, 0, sizeof(hits));
	/* cabin 1 matches twice but is called once */
	CHECK_EQ(listen_match(&lt, 0x5, count_hit, NULL), 2);
	CHECK_EQ(hits[1], 1);
	CHECK_EQ(hits[2], 1);
	CHECK_EQ(listen_match(&lt, 0x8, count_hit, NULL), 0);
	CHECK_EQ(listen_remove(&lt, 1, 0x2), BOX_ERR_NOENT);
	CHECK_EQ(listen_remove(&lt, 1, 0x6), BOX_OK);
	CHECK_EQ(listen_remove(&lt, 1, 0x6), BOX_ERR_NOENT);
	/* fill the table; a full table refuses, forget makes room */
	listen_init(&lt);
	unsigned added = 0;
	for (uint32_t c = 1; c <= LISTEN_SLOTS + 10; c++) {
		int32_t st = listen_add(&lt, c, 0x10 | c);
		if (st == BOX_OK)
			added++;
		else
			CHECK_EQ(st, BOX_ERR_FULL);
	}
	CHECK_EQ(added, LISTEN_SLOTS);
	/* every entry is findable (probing past tombstones too) */
	for (uint32_t c = 1; c <= LISTEN_SLOTS; c += 2)
		CHECK_EQ(listen_remove(&lt, c, 0x10 | c), BOX_OK);
	unsigned found = 0;
	for (uint32_t c = 2; c <= LISTEN_SLOTS; c += 2)
		found += listen_add(&lt, c, 0x10 | c) == BOX_OK; /* already there: OK, no growth */
	CHECK_EQ(found, LISTEN_SLOTS / 2);
	CHECK_EQ(lt.used, LISTEN_SLOTS / 2);
	CHECK_EQ(listen_forget(&lt, 2), 1);
	CHECK_EQ(listen_add(&lt, 5000, 0x1), BOX_OK);
	memset(hits, 0, sizeof(hits));
	CHECK_EQ(listen_match(&lt, 0x10, count_hit, NULL), LISTEN_SLOTS / 2 - 1);
}

int main(void)
{
	test_names();
	test_lists();
	test_listen();
	return check_report();
}
