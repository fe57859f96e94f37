/*
 * test_ring.c: host tests for the SPSC ring in include/boxos/ring.h.
 *
 * Order and full/empty behaviour on a small ring, wrap-around of the 64-bit
 * indices at 2^32 and at 2^64, corrupted indices (reported, nothing read or
 * written), the ABI geometry of the real Pocket/Result rings, and a
 * two-thread producer/consumer run of 1e6 items whose checksum must match.
 * (pthread is part of glibc's libc since 2.34, so no -pthread is needed.)
 */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "boxos/ring.h"

struct item {
	uint64_t seq;
	uint64_t check;
};

static struct box_ring_header hdr;
static struct item slots[8];
static struct ring r;

static struct item mk(uint64_t seq) { return (struct item){ seq, seq * 0x9E3779B97F4A7C15ull }; }

static void test_basic(void)
{
	struct item it;
	CHECK_EQ(ring_init(&r, &hdr, slots, 8, sizeof(struct item)), BOX_OK);
	CHECK_EQ(hdr.magic, BOX_RING_MAGIC);
	CHECK_EQ(hdr.slot_count, 8);
	CHECK_EQ(hdr.slot_size, 16);
	CHECK_EQ(ring_count(&r), 0);
	CHECK_EQ(ring_pop(&r, &it), BOX_ERR_NOENT);        /* empty */
	CHECK_EQ(hdr.tail, 0);

	for (uint64_t i = 0; i < 8; i++) {
		it = mk(i);
		CHECK_EQ(ring_push(&r, &it), BOX_OK);
	}
	CHECK_EQ(ring_count(&r), 8);

	/* Full: at once, and nothing changes. */
	struct item before[8];
	memcpy(before, slots, sizeof slots);
	it = mk(99);
	CHECK_EQ(ring_push(&r, &it), BOX_ERR_FULL);
	CHECK_EQ(ring_push(&r, &it), BOX_ERR_FULL);
	CHECK_EQ(hdr.head, 8);
	CHECK_EQ(hdr.tail, 0);
	CHECK(memcmp(before, slots, sizeof slots) == 0);

	for (uint64_t i = 0; i < 8; i++) {
		CHECK_EQ(ring_pop(&r, &it), BOX_OK);
		CHECK_EQ(it.seq, i);
		CHECK_EQ(it.check, mk(i).check);
	}
	CHECK_EQ(ring_pop(&r, &it), BOX_ERR_NOENT);
	CHECK_EQ(ring_count(&r), 0);

	/* Interleaved: the ring never holds more than 8. */
	uint64_t next_in = 100, next_out = 100, bad = 0;
	for (int round = 0; round < 1000; round++) {
		int n = round % 11;
		for (int k = 0; k < n; k++) {
			it = mk(next_in);
			int rc = ring_push(&r, &it);
			if (rc == BOX_OK)
				next_in++;
			else if (rc != BOX_ERR_FULL || next_in - next_out != 8)
				bad++;
		}
		for (int k = 0; k < (round * 7) % 10; k++) {
			int rc = ring_pop(&r, &it);
			if (rc == BOX_OK)
				bad += it.seq != next_out++;
			else if (rc != BOX_ERR_NOENT || next_in != next_out)
				bad++;
		}
		bad += ring_count(&r) != (int64_t)(next_in - next_out);
	}
	CHECK_EQ(bad, 0);
}

/* Push and pop 3 * slot_count items starting from index `start`. */
static uint64_t wrap_from(uint64_t start)
{
	struct item it;
	uint64_t bad = 0, in = 0, out = 0;
	ring_init(&r, &hdr, slots, 8, sizeof(struct item));
	hdr.head = hdr.tail = start;
	for (int round = 0; round < 12; round++) {
		for (int k = 0; k < 5; k++) {
			it = mk(in);
			if (ring_push(&r, &it) == BOX_OK)
				in++;
		}
		while (ring_pop(&r, &it) == BOX_OK)
			bad += it.seq != out++ || it.check != mk(it.seq).check;
		bad += ring_count(&r) != 0;
	}
	bad += in != 60 || out != 60;
	bad += hdr.head != start + 60 || hdr.tail != start + 60;
	return bad;
}

static void test_wrap(void)
{
	CHECK_EQ(wrap_from(0), 0);
	CHECK_EQ(wrap_from((1ull << 32) - 21), 0);            /* crosses 2^32 */
	CHECK_EQ(wrap_from(~0ull - 21), 0);                   /* crosses 2^64 -> 0 */
	CHECK_EQ(hdr.head, 60 - 22);                          /* wrapped to small values */

	/* Full exactly across the 2^64 boundary. */
	struct item it = mk(1);
	ring_init(&r, &hdr, slots, 8, sizeof(struct item));
	hdr.head = hdr.tail = ~0ull - 3;
	for (int i = 0; i < 8; i++)
		CHECK_EQ(ring_push(&r, &it), BOX_OK);
	CHECK_EQ(hdr.head, 4);
	CHECK_EQ(ring_count(&r), 8);
	CHECK_EQ(ring_push(&r, &it), BOX_ERR_FULL);
	CHECK_EQ(ring_pop(&r, &it), BOX_OK);
	CHECK_EQ(ring_push(&r, &it), BOX_OK);
}

static void test_corrupt(void)
{
	struct item it = mk(5), out = { 0, 0 }, before[8];
	static const uint64_t heads[] = { 0, 9, 100, 1ull << 63, ~0ull };
	static const uint64_t tails[] = { 1, 0, 0, 0, 0 };
	for (unsigned i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		ring_init(&r, &hdr, slots, 8, sizeof(struct item));
		hdr.head = heads[i];        /* head behind tail, or too far ahead */
		hdr.tail = tails[i];
		memcpy(before, slots, sizeof slots);
		CHECK_EQ(ring_pop(&r, &out), BOX_ERR_INVALID);
		CHECK_EQ(ring_push(&r, &it), BOX_ERR_INVALID);
		CHECK_EQ(ring_count(&r), BOX_ERR_INVALID);
		CHECK_EQ(hdr.head, heads[i]);                 /* nothing moved */
		CHECK_EQ(hdr.tail, tails[i]);
		CHECK(memcmp(before, slots, sizeof slots) == 0);
		CHECK_EQ(out.seq, 0);                         /* nothing read */
	}
	/* The header's geometry is not trusted: a hostile slot_count changes nothing. */
	ring_init(&r, &hdr, slots, 8, sizeof(struct item));
	hdr.slot_count = 1u << 31;
	hdr.slot_size = 4096;
	hdr.head = 1000;
	hdr.tail = 0;
	CHECK_EQ(ring_pop(&r, &out), BOX_ERR_INVALID);
	/* Any in-range index is masked into the slot array. */
	hdr.head = 0xFFFFFFFF00000003ull;
	hdr.tail = 0xFFFFFFFF00000001ull;
	CHECK_EQ(ring_count(&r), 2);
	CHECK_EQ(ring_pop(&r, &out), BOX_OK);
	/* Bad geometry is refused. */
	CHECK_EQ(ring_attach(&r, &hdr, slots, 6, 16), BOX_ERR_INVALID);
	CHECK_EQ(ring_attach(&r, &hdr, slots, 0, 16), BOX_ERR_INVALID);
	CHECK_EQ(ring_attach(&r, &hdr, slots, 8, 12), BOX_ERR_INVALID);
	CHECK_EQ(ring_attach(&r, &hdr, slots, 8, 0), BOX_ERR_INVALID);
}

/* The real rings: Pocket and Result slots, 256 each, behind a header page. */
static void test_abi_rings(void)
{
	static _Alignas(4096) uint8_t pocket_area[BOX_POCKET_RING_SIZE];
	static _Alignas(4096) uint8_t result_area[BOX_RESULT_RING_SIZE];
	struct ring pr, rr;
	CHECK_EQ(ring_init(&pr, (struct box_ring_header *)pocket_area,
			   pocket_area + BOX_RING_HEADER_SIZE, BOX_RING_SLOTS,
			   sizeof(struct box_pocket)), BOX_OK);
	CHECK_EQ(ring_init(&rr, (struct box_ring_header *)result_area,
			   result_area + BOX_RING_HEADER_SIZE, BOX_RING_SLOTS,
			   sizeof(struct box_result)), BOX_OK);
	struct box_pocket p = { .cookie = 42, .flags = BOX_POCKET_INLINE }, q;
	struct box_result res = { .cookie = 42, .status = BOX_ERR_PERM }, res2;
	unsigned n = 0;
	while (ring_push(&pr, &p) == BOX_OK)
		n++;
	CHECK_EQ(n, 256);
	CHECK_EQ(ring_pop(&pr, &q), BOX_OK);
	CHECK_EQ(q.cookie, 42);
	CHECK_EQ(ring_push(&rr, &res), BOX_OK);
	CHECK_EQ(ring_pop(&rr, &res2), BOX_OK);
	CHECK_EQ(res2.status, BOX_ERR_PERM);
	CHECK(strcmp(box_status_name(res2.status), "ERR_PERM") == 0);
	CHECK(strcmp(box_status_name(BOX_OK), "OK") == 0);
	CHECK(strcmp(box_status_name(BOX_ERR_INTERNAL), "ERR_INTERNAL") == 0);
	CHECK(strcmp(box_status_name(-99), "ERR_UNKNOWN") == 0);
	CHECK(strcmp(box_status_name(1), "ERR_UNKNOWN") == 0);
}

/* ---- two threads ---- */

#define STRESS_ITEMS 1000000ull

static struct box_ring_header shdr;
static struct item sslots[64];
static struct ring sr;
static uint64_t consumer_sum, consumer_bad;

static void *consumer(void *arg)
{
	(void)arg;
	struct item it;
	uint64_t expect = 0, sum = 0, bad = 0;
	while (expect < STRESS_ITEMS) {
		int rc = ring_pop(&sr, &it);
		if (rc == BOX_ERR_NOENT)
			continue;
		if (rc != BOX_OK || it.seq != expect || it.check != mk(expect).check)
			bad++;
		sum += it.check;
		expect++;
	}
	consumer_sum = sum;
	consumer_bad = bad;
	return NULL;
}

static void test_threads(void)
{
	pthread_t t;
	uint64_t sum = 0, full = 0, bad = 0;
	ring_init(&sr, &shdr, sslots, 64, sizeof(struct item));
	CHECK_EQ(pthread_create(&t, NULL, consumer, NULL), 0);
	for (uint64_t i = 0; i < STRESS_ITEMS; i++) {
		struct item it = mk(i);
		int rc;
		while ((rc = ring_push(&sr, &it)) == BOX_ERR_FULL)
			full++;
		bad += rc != BOX_OK;
		sum += it.check;
	}
	CHECK_EQ(pthread_join(t, NULL), 0);
	printf("threads: %llu items, producer saw full %llu times\n",
	       (unsigned long long)STRESS_ITEMS, (unsigned long long)full);
	CHECK_EQ(bad, 0);
	CHECK_EQ(consumer_bad, 0);
	CHECK_EQ(consumer_sum, sum);
	CHECK_EQ(shdr.head, STRESS_ITEMS);
	CHECK_EQ(shdr.tail, STRESS_ITEMS);
}

int main(void)
{
	test_basic();
	test_wrap();
	test_corrupt();
	test_abi_rings();
	test_threads();
	return check_report();
}
