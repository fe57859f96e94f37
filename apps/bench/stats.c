/*
 * stats.c: the bench app's samples, percentiles and output.
 *
 * Each row keeps every sample (cycles, the timer's overhead already taken
 * off).  row_finish() sorts them and takes nearest-rank percentiles: the
 * p-th percentile of n sorted samples is the one at index ceil(p * n) - 1,
 * so the median of 1000 samples is sample 499 and p99 is sample 989.
 * Nanoseconds come from the TSC rate on the start page (tsc_hz, which the
 * kernel calibrated against the ACPI PM timer): ns = cycles * 10^6 / kHz,
 * printed to a tenth.
 *
 * Output: a table for people, or with --csv one record per line whose first
 * field says what it is (info, row, derived, ratio); see print_header().
 */
#include <stdarg.h>

#include "bench.h"
#include "boxlib/heap.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

int row_alloc(struct row *r, const char *name, uint32_t iters)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->iters = iters;
	r->warmup = iters / 10 < 2 ? 2 : (iters / 10 > 100 ? 100 : iters / 10);
	r->samples = malloc((size_t)iters * sizeof(uint64_t));
	if (!r->samples) {
		row_fail(r, ROW_FAILED, "no memory for %u samples", iters);
		return -1;
	}
	/* touch every page now: a first touch during a row would time a page fault */
	memset(r->samples, 0, (size_t)iters * sizeof(uint64_t));
	return 0;
}

void row_add(struct row *r, uint64_t t0, uint64_t t1, uint64_t per)
{
	if (r->count >= r->iters)
		return;
	uint64_t d = t1 > t0 ? t1 - t0 : 0;
	d = d > bench_cfg.overhead ? d - bench_cfg.overhead : 0;
	r->samples[r->count++] = per > 1 ? d / per : d;
}

void row_fail(struct row *r, enum row_state state, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	if (r->state == ROW_OK)
		r->state = state;
}

/* Shell sort: no recursion, and quick enough for a few thousand samples. */
static void sort_u64(uint64_t *a, uint32_t n)
{
	static const uint32_t gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		uint32_t gap = gaps[g];
		for (uint32_t i = gap; i < n; i++) {
			uint64_t v = a[i];
			uint32_t j = i;
			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

/* Nearest rank: index ceil(pct / 100 * n) - 1, for n >= 1. */
static uint64_t percentile(const uint64_t *sorted, uint32_t n, uint32_t pct)
{
	uint64_t rank = ((uint64_t)pct * n + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}

void row_finish(struct row *r)
{
	if (r->state != ROW_OK)
		return;
	if (r->count != r->iters) {
		row_fail(r, ROW_FAILED, "%u of %u samples", r->count, r->iters);
		return;
	}
	if (r->count == 0) {
		row_fail(r, ROW_FAILED, "no samples");
		return;
	}
	sort_u64(r->samples, r->count);
	r->min = r->samples[0];
	r->median = percentile(r->samples, r->count, 50);
	r->p99 = percentile(r->samples, r->count, 99);
	r->max = r->samples[r->count - 1];
}

/* Tenths of a nanosecond. */
static uint64_t to_ns10(uint64_t cycles)
{
	uint64_t khz = bench_cfg.tsc_hz / 1000;
	if (!khz)
		return 0;
	if (cycles > UINT64_MAX / 10000000)
		return cycles / khz * 10000000;
	return cycles * 10000000 / khz;
}

void print_header(int csv)
{
	uint64_t mhz_milli = bench_cfg.tsc_hz / 1000;
	if (csv) {
		printf("kind,name,iterations,min_cycles,median_cycles,p99_cycles,max_cycles,"
		       "min_ns,median_ns,p99_ns,max_ns\n");
		printf("info,tsc_hz,%llu\n", (unsigned long long)bench_cfg.tsc_hz);
		printf("info,cpus,%u\n", bench_cfg.cpus);
		printf("info,warmup,iterations/10 (2..100)\n");
		printf("info,timer_overhead_cycles,%llu\n", (unsigned long long)bench_cfg.overhead);
		printf("info,rdtscp,%d\n", bench_have_rdtscp);
		return;
	}
	printf("%u CPUs, TSC %llu.%03llu MHz, %s fencing, timer overhead %llu cycles "
	       "subtracted, warm-up iters/10 (2..100) per row\n",
	       bench_cfg.cpus, (unsigned long long)(mhz_milli / 1000),
	       (unsigned long long)(mhz_milli % 1000),
	       bench_have_rdtscp ? "lfence;rdtsc / rdtscp" : "lfence;rdtsc (no rdtscp)",
	       (unsigned long long)bench_cfg.overhead);
	printf("%-14s %6s %10s %10s %10s %10s | %12s %12s %12s %12s\n", "row", "iters", "min cyc",
	       "median cyc", "p99 cyc", "max cyc", "min ns", "median ns", "p99 ns", "max ns");
}

void print_row(const struct row *r, int csv)
{
	if (r->state != ROW_OK) {
		const char *what = r->state == ROW_NA ? "n/a" : "FAILED";
		if (csv)
			printf("row,%s,0,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", r->name, what, what, what, what,
			       what, what, what, what, r->why);
		else
			printf("%-14s %6s %s (%s)\n", r->name, "-", what, r->why);
		return;
	}
	unsigned long long c[4] = {r->min, r->median, r->p99, r->max}, ns[4];
	for (int i = 0; i < 4; i++)
		ns[i] = to_ns10(c[i]);
	if (csv)
		printf("row,%s,%u,%llu,%llu,%llu,%llu,%llu.%llu,%llu.%llu,%llu.%llu,%llu.%llu\n", r->name,
		       r->count, c[0], c[1], c[2], c[3], ns[0] / 10, ns[0] % 10, ns[1] / 10, ns[1] % 10,
		       ns[2] / 10, ns[2] % 10, ns[3] / 10, ns[3] % 10);
	else
		printf("%-14s %6u %10llu %10llu %10llu %10llu | %10llu.%llu %10llu.%llu %10llu.%llu "
		       "%10llu.%llu\n",
		       r->name, r->count, c[0], c[1], c[2], c[3], ns[0] / 10, ns[0] % 10, ns[1] / 10,
		       ns[1] % 10, ns[2] / 10, ns[2] % 10, ns[3] / 10, ns[3] % 10);
}

void print_derived(const char *name, uint64_t milli, int csv)
{
	if (csv)
		printf("derived,%s,%llu.%03llu\n", name, (unsigned long long)(milli / 1000),
		       (unsigned long long)(milli % 1000));
	else
		printf("%-40s %llu.%03llu\n", name, (unsigned long long)(milli / 1000),
		       (unsigned long long)(milli % 1000));
}

void print_ratio(const char *name, const struct row *a, const struct row *b, int csv)
{
	if (a->state != ROW_OK || b->state != ROW_OK || b->median == 0) {
		if (csv)
			printf("ratio,%s,n/a\n", name);
		else
			printf("%-40s n/a\n", name);
		return;
	}
	/* medians; a * 1000 cannot overflow for any cycle count a run can reach */
	uint64_t milli = (a->median * 1000 + b->median / 2) / b->median;
	if (csv)
		printf("ratio,%s,%llu.%03llu\n", name, (unsigned long long)(milli / 1000),
		       (unsigned long long)(milli % 1000));
	else
		printf("%-40s %llu.%03llu\n", name, (unsigned long long)(milli / 1000),
		       (unsigned long long)(milli % 1000));
}
