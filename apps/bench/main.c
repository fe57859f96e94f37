/*
 * bench: RDTSC microbenchmarks of the message ring and the floors under it.
 *
 *   bench [--csv] [--iters N]   run every row, print a table (or CSV)
 *   bench --echo                the ipc.rtt child: echo ipc.send messages
 *   bench --help
 *
 * Rows (rows.c says how each is measured):
 *   rdtsc          the timer's own cost (its min is subtracted from every
 *                  other row's samples)
 *   cacheline.rtt  one cache line bounced between this App-Core and the
 *                  K-Core (system.bench.pingpong); n/a with one CPU
 *   syscall.null   SYSCALL/SYSRET with the NOP verb
 *   pocket.rtt     a one-op Pocket (execution.result), box_submit to its
 *                  Result, spinning on the Result ring
 *   pocket.wait    the same, waiting with box_result_next (WAIT)
 *   chain.64       a 64-op pointer Manifest, per op (total / 64)
 *   ipc.rtt        system.ipc.send to a `bench --echo` child and its reply
 *   hash.xxh3      operations.hash over a 64 KiB Crate
 *   spawn          system.proc.spawn + system.proc.wait of `nop`
 * then hash.xxh3's bytes per cycle and the ratios of the medians.  Needs
 * auth UTILITY (the pingpong op).  Exit status: the number of rows that
 * failed (n/a is not a failure); 2 for bad arguments.
 */
#include "bench.h"
#include "boxlib/calls.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

int bench_have_rdtscp;
struct bench_config bench_cfg;

enum { R_RDTSC, R_CACHELINE, R_SYSCALL, R_POCKET, R_POCKET_WAIT, R_CHAIN, R_IPC, R_HASH,
       R_SPAWN, R_DISK_RAW, R_STORAGE_READ, R_STORAGE_WRITE, R_STORAGE_QUERY, R_COUNT };

static const struct {
	const char *name;
	uint32_t iters; /* default iterations */
} row_defs[R_COUNT] = {
	[R_RDTSC] = {"rdtsc", 1000},        [R_CACHELINE] = {"cacheline.rtt", 1000},
	[R_SYSCALL] = {"syscall.null", 1000}, [R_POCKET] = {"pocket.rtt", 1000},
	[R_POCKET_WAIT] = {"pocket.wait", 1000}, [R_CHAIN] = {"chain.64", 200},
	[R_IPC] = {"ipc.rtt", 200},         [R_HASH] = {"hash.xxh3", 50},
	[R_SPAWN] = {"spawn", 20},
	[R_DISK_RAW] = {"disk.read4k", 100}, [R_STORAGE_READ] = {"storage.read4k", 100},
	[R_STORAGE_WRITE] = {"storage.write4k", 20}, [R_STORAGE_QUERY] = {"storage.query", 100},
};

#define ITERS_MAX 100000u

static void usage(void)
{
	printf("usage: bench [--csv] [--iters N]    microbenchmarks of the message ring\n");
	printf("       bench --echo                 (the ipc.rtt child)\n");
	printf("rows: rdtsc cacheline.rtt syscall.null pocket.rtt pocket.wait chain.64 ipc.rtt "
	       "hash.xxh3 spawn\n");
	printf("each row: warm-up, then N timed rounds (default 1000, fewer for the slow rows); "
	       "min, median, p99, max in TSC cycles and ns\n");
	printf("--csv: one record per line (kind,name,...); --iters N: N rounds for every row "
	       "(1..%u); needs auth utility\n", ITERS_MAX);
}

static void detect_rdtscp(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
	if (a < 0x80000001u)
		return;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
	bench_have_rdtscp = (d >> 27) & 1;
}

static uint32_t cpu_count(void)
{
	uint8_t info[64];
	uint64_t len = 0, cpus = 0;
	if (box_hardware_cpu_info(info, sizeof(info), &len, &cpus) != BOX_OK)
		return 0;
	return (uint32_t)cpus;
}

int main(int argc, char **argv)
{
	int csv = 0;
	uint32_t iters = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--echo") && argc == 2)
			return bench_echo();
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		}
		if (!strcmp(argv[i], "--csv")) {
			csv = 1;
		} else if (!strcmp(argv[i], "--iters") && i + 1 < argc) {
			uint64_t n;
			char *end;
			const char *s = argv[++i];
			if (box_strtou64(s, &end, 10, &n) != 0 || *end || n == 0 || n > ITERS_MAX) {
				printf("--iters wants a number from 1 to %u, not \"%s\"\n", ITERS_MAX,
				       s);
				return 2;
			}
			iters = (uint32_t)n;
		} else {
			printf("unknown argument \"%s\" (bench --help)\n", argv[i]);
			return 2;
		}
	}

	detect_rdtscp();
	bench_cfg.tsc_hz = box_tsc_hz();
	if (!bench_cfg.tsc_hz) {
		printf("the start page gives no TSC rate\n");
		return 2;
	}
	bench_cfg.cpus = cpu_count();
	/* printed before any work, so its log time is "kernel entry to a Cabin's first line" */
	if (!csv)
		printf("measuring %d rows on %u CPUs\n", R_COUNT, bench_cfg.cpus);

	struct row rows[R_COUNT];
	for (int i = 0; i < R_COUNT; i++) {
		uint32_t n = iters ? iters : row_defs[i].iters;
		row_alloc(&rows[i], row_defs[i].name, n);
	}

	/* Measure everything first: printing is itself a Pocket per line. */
	if (rows[R_RDTSC].state == ROW_OK)
		bench_rdtsc(&rows[R_RDTSC]);
	row_finish(&rows[R_RDTSC]);
	bench_cfg.overhead = rows[R_RDTSC].state == ROW_OK ? rows[R_RDTSC].min : 0;
	void (*const measure[R_COUNT])(struct row *) = {
		[R_CACHELINE] = bench_cacheline, [R_SYSCALL] = bench_syscall,
		[R_CHAIN] = bench_chain,         [R_IPC] = bench_ipc,
		[R_HASH] = bench_hash,           [R_SPAWN] = bench_spawn,
	};
	for (int i = R_CACHELINE; i < R_DISK_RAW; i++) {
		if (rows[i].state != ROW_OK)
			continue;
		if (i == R_POCKET || i == R_POCKET_WAIT)
			bench_pocket(&rows[i], i == R_POCKET_WAIT);
		else
			measure[i](&rows[i]);
		row_finish(&rows[i]);
	}

	bench_storage(&rows[R_DISK_RAW], &rows[R_STORAGE_READ], &rows[R_STORAGE_WRITE],
		      &rows[R_STORAGE_QUERY]);
	for (int i = R_DISK_RAW; i < R_COUNT; i++)
		row_finish(&rows[i]);

	print_header(csv);
	int failed = 0;
	for (int i = 0; i < R_COUNT; i++) {
		print_row(&rows[i], csv);
		failed += rows[i].state == ROW_FAILED;
	}
	if (!csv)
		printf("derived and ratios (medians):\n");
	const struct row *hash = &rows[R_HASH], *pocket = &rows[R_POCKET];
	if (hash->state == ROW_OK && hash->median) {
		print_derived("hash.xxh3.bytes_per_cycle", (uint64_t)HASH_BYTES * 1000 / hash->median,
			      csv);
		if (pocket->state == ROW_OK && hash->median > pocket->median)
			print_derived("hash.xxh3.bytes_per_cycle_net",
				      (uint64_t)HASH_BYTES * 1000 / (hash->median - pocket->median),
				      csv);
	}
	print_ratio("pocket.rtt/cacheline.rtt", pocket, &rows[R_CACHELINE], csv);
	print_ratio("pocket.rtt/syscall.null", pocket, &rows[R_SYSCALL], csv);
	print_ratio("chain.64/pocket.rtt", &rows[R_CHAIN], pocket, csv);
	if (csv)
		printf("info,failed_rows,%d\n", failed);
	else
		printf("%d rows failed\n", failed);
	return failed;
}
