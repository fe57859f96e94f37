/*
 * test_perftrace.c: host tests for PerfTrace (kernel/core/perftrace.c).
 *
 * Order and contents on a partly filled ring, wrap-around past 256 (only
 * the newest 256 remain, oldest first), snapshots with max below the count
 * (the newest max entries), the clock callback, an entry overwritten while
 * a snapshot copies it (dropped, through the mid-copy test hook), and the
 * compiled-out build (BOXOS_PERFTRACE=0: nothing recorded, empty snapshots,
 * a NULL PERFTRACE_HOOK), which is perftrace.c included once more below
 * under other names.
 */
#include <string.h>

#include "check.h"
#include "core/perftrace.h"

static uint64_t fake_tsc;
static uint64_t fake_clock(void) { return fake_tsc += 10; }

static struct perftrace_entry out[PERFTRACE_SLOTS + 8];

/* Record n entries; entry i has op id 1000 + i, cabin i % 7, deck i % 5, status -(i % 3). */
static void record_n(uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		perftrace_record((uint32_t)(i % 7), (uint8_t)(i % 5), 1000 + i, -(int32_t)(i % 3));
}

static int entry_is(const struct perftrace_entry *e, uint64_t i)
{
	return e->op_id == 1000 + i && e->cabin == i % 7 && e->deck == i % 5 &&
	       e->status == -(int32_t)(i % 3) && e->seq_lo == (uint32_t)i && !e->pad[0] &&
	       !e->pad[1] && !e->pad[2];
}

static void test_empty_and_order(void)
{
	perftrace_init(fake_clock);
	fake_tsc = 0;
	CHECK_EQ(perftrace_snapshot(out, PERFTRACE_SLOTS), 0);
	CHECK_EQ(perftrace_snapshot(NULL, 4), 0);
	record_n(0, 10);
	CHECK_EQ(perftrace_count(), 10);
	CHECK_EQ(perftrace_snapshot(out, 0), 0);
	unsigned n = perftrace_snapshot(out, PERFTRACE_SLOTS);
	CHECK_EQ(n, 10);
	for (unsigned i = 0; i < n; i++) {
		CHECK(entry_is(&out[i], i));
		CHECK_EQ(out[i].tsc, 10 * (i + 1));
	}
	/* the hook form: arg is the cabin id */
	perftrace_hook((void *)(uintptr_t)42, 0xABCDull, 3, -5);
	n = perftrace_snapshot(out, 1);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].cabin, 42);
	CHECK_EQ(out[0].op_id, 0xABCDull);
	CHECK_EQ(out[0].deck, 3);
	CHECK_EQ(out[0].status, -5);
	CHECK_EQ(out[0].seq_lo, 10);
	CHECK(PERFTRACE_HOOK == perftrace_hook);
}

static void test_wrap(void)
{
	perftrace_init(fake_clock);
	fake_tsc = 0;
	record_n(0, 1000);
	CHECK_EQ(perftrace_count(), 1000);
	memset(out, 0xEE, sizeof(out));
	unsigned n = perftrace_snapshot(out, PERFTRACE_SLOTS + 8);
	CHECK_EQ(n, PERFTRACE_SLOTS);
	for (unsigned i = 0; i < n; i++)
		CHECK(entry_is(&out[i], 1000 - PERFTRACE_SLOTS + i));
	for (unsigned i = 1; i < n; i++)
		CHECK(out[i].tsc > out[i - 1].tsc);
	CHECK_EQ(out[PERFTRACE_SLOTS].op_id, 0xEEEEEEEEEEEEEEEEull); /* nothing past the end */

	/* max < count: the newest max, oldest first */
	n = perftrace_snapshot(out, 5);
	CHECK_EQ(n, 5);
	for (unsigned i = 0; i < n; i++)
		CHECK(entry_is(&out[i], 995 + i));

	/* no clock: TSC 0 */
	perftrace_init(NULL);
	record_n(0, 3);
	n = perftrace_snapshot(out, 8);
	CHECK_EQ(n, 3);
	for (unsigned i = 0; i < n; i++) {
		CHECK(entry_is(&out[i], i));
		CHECK_EQ(out[i].tsc, 0);
	}
}

/* The writer strikes while the reader copies: */
static unsigned strike_at, strikes;
static uint64_t next_rec;
static void strike(unsigned i)
{
	if (i == strike_at && strikes) {
		strikes--;
		record_n(next_rec++, 1);
	}
}

static void burst3(unsigned i)
{
	if (i == strike_at && strikes) {
		strikes--;
		record_n(next_rec, 3);
		next_rec += 3;
	}
}

static void test_overwrite_during_snapshot(void)
{
	perftrace_init(fake_clock);
	record_n(0, PERFTRACE_SLOTS); /* full: seq 0..255 */
	next_rec = PERFTRACE_SLOTS;

	/* one record while entry 0 (seq 0) is copied: it reuses seq 0's slot */
	perftrace_test_mid_copy = strike;
	strike_at = 0, strikes = 1;
	unsigned n = perftrace_snapshot(out, PERFTRACE_SLOTS);
	CHECK_EQ(n, PERFTRACE_SLOTS - 1);
	for (unsigned i = 0; i < n; i++)
		CHECK(entry_is(&out[i], 1 + i)); /* seq 0 dropped, the new 256 not in this snapshot */

	/* a record while entry 10 is copied reuses the oldest slot, already copied: all kept */
	strike_at = 10, strikes = 1;
	n = perftrace_snapshot(out, PERFTRACE_SLOTS);
	CHECK_EQ(n, PERFTRACE_SLOTS);
	for (unsigned i = 0; i < n; i++)
		CHECK(entry_is(&out[i], 1 + i));

	/* three records at once while entry 0 is copied: entry 0 is dropped, and
	 * entries 1 and 2 are skipped as already reused when the reader gets there */
	uint64_t base = perftrace_count() - PERFTRACE_SLOTS; /* the oldest seq */
	perftrace_test_mid_copy = burst3;
	strike_at = 0, strikes = 1;
	n = perftrace_snapshot(out, PERFTRACE_SLOTS);
	CHECK_EQ(n, PERFTRACE_SLOTS - 3);
	for (unsigned i = 0; i < n; i++)
		CHECK(entry_is(&out[i], base + 3 + i));
	perftrace_test_mid_copy = NULL;

	/* afterwards a snapshot sees the newest 256 again */
	base = perftrace_count() - PERFTRACE_SLOTS;
	n = perftrace_snapshot(out, PERFTRACE_SLOTS);
	CHECK_EQ(n, PERFTRACE_SLOTS);
	for (unsigned i = 0; i < n; i++)
		CHECK(entry_is(&out[i], base + i));
}

/* The compiled-out build, under other names. */
#undef CORE_PERFTRACE_H
#undef BOXOS_PERFTRACE
#undef PERFTRACE_HOOK
#define BOXOS_PERFTRACE 0
#define perftrace_entry off_perftrace_entry
#define perftrace_clock_t off_perftrace_clock_t
#define perftrace_init off_perftrace_init
#define perftrace_record off_perftrace_record
#define perftrace_hook off_perftrace_hook
#define perftrace_snapshot off_perftrace_snapshot
#define perftrace_count off_perftrace_count
#define perftrace_test_mid_copy off_perftrace_test_mid_copy
#include "../../kernel/core/perftrace.c"

static void test_compiled_out(void)
{
	struct off_perftrace_entry o[4];
	off_perftrace_init(fake_clock);
	for (unsigned i = 0; i < 300; i++)
		off_perftrace_record(1, 2, 3, 4);
	off_perftrace_hook((void *)1, 3, 2, 0);
	CHECK_EQ(off_perftrace_count(), 0);
	CHECK_EQ(off_perftrace_snapshot(o, 4), 0);
	CHECK(PERFTRACE_HOOK == NULL);
}

int main(void)
{
	test_empty_and_order();
	test_wrap();
	test_overwrite_during_snapshot();
	test_compiled_out();
	return check_report();
}
