/*
 * perfprobe: the message ring's fast path in TSC ticks, for kernel work.
 *
 * Prints the minimum and median over ITER runs of: a NOP notify, a one-op
 * inline Pocket (execution.result) pushed and answered with the Cabin
 * spinning on its Result ring after the doorbell, and a 64-op pointer
 * Manifest of execution.result, per op.  Under `-icount shift=0` the TSC
 * counts guest instructions, so these are instruction counts.  bench is the
 * user-facing benchmark; this is the small, fast probe the kernel engineer
 * runs after each change (`run=perfprobe after=poweroff`).
 */
#include <stdint.h>
#include <stdio.h>
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/ops.h"
#include "boxlib/pocket.h"

#define ITER 201

static uint64_t t[ITER];

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void sort(uint64_t *a, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && a[j - 1] > a[j]; j--) {
			uint64_t x = a[j];
			a[j] = a[j - 1];
			a[j - 1] = x;
		}
}

static void report(const char *name, unsigned div)
{
	sort(t, ITER);
	printf("perfprobe: %-12s min %llu median %llu\n", name, (unsigned long long)(t[0] / div),
	       (unsigned long long)(t[ITER / 2] / div));
}

static int roundtrip(struct box_pocket *p)
{
	struct box_result res;
	if (box_submit(p) != BOX_OK)
		return -1;
	const struct ring *r = box_result_ring();
	for (;;) {
		if (ring_pop((struct ring *)r, &res) == BOX_OK)
			return res.status;
	}
}

static uint8_t chain[8 + 64 * 24] __attribute__((aligned(8)));

int main(void)
{
	box_rings_init();
	for (int i = 0; i < ITER; i++) {
		uint64_t a = tsc();
		box_notify(BOX_NOTIFY_NOP, 0, 0, 0);
		t[i] = tsc() - a;
	}
	report("notify.nop", 1);

	uint8_t buf[64] __attribute__((aligned(8)));
	struct box_mb mb;
	struct box_params_execution_result er = {.code = 7};
	box_mb_begin(&mb, buf, sizeof(buf));
	box_mb_add(&mb, BOX_OP_EXECUTION_RESULT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, &er,
		   sizeof(er));
	struct box_pocket p = {0};
	p.flags = BOX_POCKET_INLINE;
	p.manifest_size = (uint16_t)mb.len;
	for (unsigned i = 0; i < mb.len; i++)
		p.inline_manifest[i] = buf[i];
	for (int i = 0; i < ITER; i++) {
		uint64_t a = tsc();
		if (roundtrip(&p) != BOX_OK)
			return 1;
		t[i] = tsc() - a;
	}
	report("pocket.rtt", 1);

	box_mb_begin(&mb, chain, sizeof(chain));
	for (int i = 0; i < 64; i++)
		box_mb_add(&mb, BOX_OP_EXECUTION_RESULT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE,
			   &er, sizeof(er));
	struct box_pocket q;
	box_pocket_init(&q, chain, mb.len, 0, 0);
	for (int i = 0; i < ITER; i++) {
		uint64_t a = tsc();
		if (roundtrip(&q) != BOX_OK)
			return 2;
		t[i] = tsc() - a;
	}
	report("chain.64/op", 64);
	return 0;
}
