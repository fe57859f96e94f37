/*
 * bench.h: what the bench app's files share (apps/bench/).
 *
 * Timing: tsc_begin() is `lfence; rdtsc; lfence` (earlier instructions are
 * done before the read, later ones do not start before it) and tsc_end()
 * is `rdtscp; lfence` (rdtscp waits for everything before it; the lfence
 * keeps later work out), or `lfence; rdtsc; lfence` on a CPU without
 * RDTSCP.  A sample is tsc_end() - tsc_begin() minus the timer's own
 * overhead (the minimum of the `rdtsc` row, clamped at 0).
 *
 * A row is a name, its iterations and its samples (cycles); stats.c sorts
 * them into min, median, p99 and max (nearest rank) and prints the table or
 * CSV; rows.c measures each row.
 */
#ifndef APPS_BENCH_H
#define APPS_BENCH_H

#include <stdint.h>

extern int bench_have_rdtscp;

static inline uint64_t tsc_begin(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t tsc_end(void)
{
	uint32_t lo, hi, aux;
	if (bench_have_rdtscp)
		__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
	else
		__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	(void)aux;
	return ((uint64_t)hi << 32) | lo;
}

static inline void bench_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

enum row_state {
	ROW_OK,      /* samples are valid */
	ROW_NA,      /* cannot be measured on this machine (why says so) */
	ROW_FAILED,  /* something went wrong (why says what) */
};

struct row {
	const char *name;
	uint32_t iters;       /* samples wanted */
	uint32_t warmup;      /* untimed rounds first: iters / 10, 2..100 */
	uint32_t count;       /* samples taken */
	uint64_t *samples;    /* cycles, timer overhead already subtracted */
	enum row_state state;
	char why[96];
	/* filled by row_finish() */
	uint64_t min, median, p99, max;
};

struct bench_config {
	uint64_t overhead;       /* cycles subtracted from every sample (rdtsc row's min) */
	uint64_t tsc_hz;
	uint32_t cpus;
};

extern struct bench_config bench_cfg;

/* stats.c */
int row_alloc(struct row *r, const char *name, uint32_t iters);
/* Store one sample (t1 - t0 minus the overhead, divided by `per`). */
void row_add(struct row *r, uint64_t t0, uint64_t t1, uint64_t per);
void row_fail(struct row *r, enum row_state state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void row_finish(struct row *r);
void print_header(int csv);
void print_row(const struct row *r, int csv);
/* a / b as a decimal with three places; "n/a" when either is missing */
void print_ratio(const char *name, const struct row *a, const struct row *b, int csv);
void print_derived(const char *name, uint64_t milli, int csv);

/* rows.c: each fills one row */
void bench_rdtsc(struct row *r);
void bench_cacheline(struct row *r);
void bench_syscall(struct row *r);
void bench_pocket(struct row *r, int wait);
void bench_chain(struct row *r);
void bench_ipc(struct row *r);
void bench_hash(struct row *r);
void bench_spawn(struct row *r);
void bench_storage(struct row *raw, struct row *rd, struct row *wr, struct row *query);
/* the child bench spawns for ipc.rtt: answer every ipc.send with its own bytes */
int bench_echo(void);

#define HASH_BYTES (64u * 1024u)
#define CHAIN_OPS 64u

#endif
