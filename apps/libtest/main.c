/*
 * libtest: boxlib from inside a Cabin, as a test program.
 *
 * Every check prints "PASS <name>" or "FAIL <name>: why" through printf
 * (so the console path is under test too; the kernel logs each line as
 * "libtest: ..."); the exit status is the number of failed checks.  tests/qemu/test_libtest.py reads the
 * lines.  Checked:
 *   start     the start page was valid, argv[0] is "libtest", argv[argc] is
 *             NULL, the strings are writable, and the heap range is set up
 *   args      libtest spawns itself (system.proc.spawn) with the arguments
 *             "child", "two words" and ""; the child checks its argc/argv,
 *             sends "ping" to the parent with system.ipc.send, which the
 *             parent takes from its inbox (box_inbox_wait) and answers
 *             "pong" (ipc.reply); the child exits 0 only if its arguments
 *             matched and the reply came back, and the parent reaps it
 *             (proc.wait)
 *   format    snprintf against literal expectations (each is what C's
 *             printf gives); one printf line that the test matches exactly
 *   heap      2000 blocks of random sizes filled with patterns, half freed,
 *             the rest realloc'ed and checked, calloc zeroes reused memory,
 *             aligned_alloc alignment, one 8 MiB block written end to end,
 *             box_heap_check after each phase and the heap empty at the end;
 *             a child that frees a block twice is ended by boxlib with
 *             BOX_HEAP_CORRUPT_EXIT (134) and a message
 *   wrappers  generated typed wrappers: timer.ticks (monotonic, 1 MHz),
 *             rtc.read (after 2024), operations.hash of a buffer against
 *             XXH3-64 computed here, fill, cpu.info, console.write
 *   timeout   (under args, while the child waits for the reply) a 300 ms
 *             proc.wait of the child under a 20 ms box_op timeout gives
 *             BOX_ERR_TIMEOUT; the next call (the ipc.reply) works and drops
 *             the late Result
 *   full      256 Pockets pushed without the doorbell fill the ring: box_op
 *             returns BOX_ERR_FULL; after the doorbell all 256 Results come
 *   inbox     an empty inbox: box_inbox_next is BOX_ERR_NOENT and a 10 ms
 *             box_inbox_wait times out (and a message, under args)
 */
#include <stdint.h>

#include "boxlib/call.h"
#include "boxlib/calls.h"
#include "boxlib/heap.h"
#include "boxlib/inbox.h"
#include "boxlib/manifest.h"
#include "boxlib/notify.h"
#include "boxlib/pocket.h"
#include "boxlib/start.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_SCALAR
#define XXH_FORCE_MEMORY_ACCESS 1
#define XXH_NO_STDLIB
#define XXH_NO_STREAM
#include <xxhash.h>


static int failures;

static void result(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		failures++;
	}
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* ---- the child: checks the arguments it was given ---------------------- */

static int child(int argc, char **argv)
{
	printf("libtest child: argc %d, argv[1] \"%s\", argv[2] \"%s\", argv[3] \"%s\"\n", argc,
	       argc > 1 ? argv[1] : "-", argc > 2 ? argv[2] : "-", argc > 3 ? argv[3] : "-");
	if (argc != 4)
		return 1;
	if (strcmp(argv[0], "libtest") || strcmp(argv[1], "child") ||
	    strcmp(argv[2], "two words") || argv[3][0] != 0)
		return 2;
	if (argv[4] != NULL)
		return 3;
	const struct box_start *sp = box_start_page();
	if (!sp || sp->parent == 0)
		return 4;
	/* a message to the parent's inbox; its reply completes the op */
	char reply[BOX_MESSAGE_PAYLOAD];
	uint64_t len = 0;
	int32_t st = box_system_ipc_send(sp->parent, 0xC0C0, 10000000000ull, "ping", 4, reply,
					 sizeof(reply), &len, NULL);
	printf("libtest child: ipc.send %s, reply %llu bytes\n", box_status_name(st),
	       (unsigned long long)len);
	if (st != BOX_OK)
		return 5;
	if (len != 4 || memcmp(reply, "pong", 4))
		return 6;
	return 0;
}

/* The "doublefree" child: boxlib must end it with BOX_HEAP_CORRUPT_EXIT. */
static int double_free(void)
{
	void *p = malloc(40);
	free(p);
	free(p);
	printf("double free was not caught\n");
	return 1;
}

/* ---- checks ------------------------------------------------------------ */

static void check_start(int argc, char **argv)
{
	const char *problem = box_start_problem();
	char why[96];
	snprintf(why, sizeof(why), "%s", problem ? problem : "?");
	result("start page", problem == NULL && box_start_page() != NULL, why);
	int ok = argc == 1 && argv && !strcmp(argv[0], "libtest") && argv[1] == NULL;
	snprintf(why, sizeof(why), "argc %d, argv[0] %s", argc, argv && argc ? argv[0] : "(none)");
	result("argv", ok, why);
	if (ok) {
		argv[0][0] = 'L';  /* the strings are our own copy: writable */
		ok = argv[0][0] == 'L';
		argv[0][0] = 'l';
		result("argv writable", ok, "");
	}
	const struct box_start *sp = box_start_page();
	ok = sp && box_global_heap.base == sp->heap_base && box_global_heap.end - box_global_heap.base ==
		   sp->heap_size;
	snprintf(why, sizeof(why), "heap [%p, %p)", (void *)box_global_heap.base,
		 (void *)box_global_heap.end);
	result("heap range", ok, why);
	printf("cabin %u, tsc %llu Hz, heap %llu MiB\n", box_cabin_id(),
	       (unsigned long long)box_tsc_hz(), sp ? (unsigned long long)(sp->heap_size >> 20) : 0ull);
}

static void check_args(void)
{
	static const char args[] = "libtest\0child\0two words\0";  /* + the final "" */
	uint8_t out[8];
	uint64_t out_len = 0, id = 0, status = 99;
	int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, sizeof(args), out, sizeof(out),
					   &out_len, &id);
	char why[96];
	snprintf(why, sizeof(why), "spawn: %s", box_status_name(st));
	result("spawn with arguments", st == BOX_OK && id != 0, why);
	if (st != BOX_OK)
		return;

	/* the child sends "ping" with ipc.send: it lands in our inbox */
	struct box_message m = {0};
	int rc = box_inbox_wait(&m, 10000000);
	snprintf(why, sizeof(why), "%s, kind %u, sender %u (child %llu), %u bytes",
		 box_status_name(rc), m.kind, m.sender, (unsigned long long)id, m.length);
	int ok = rc == BOX_OK && m.kind == BOX_MSG_IPC && m.sender == id && m.cookie == 0xC0C0 &&
		 m.length == 4 && !memcmp(m.payload, "ping", 4);
	result("inbox message from the child", ok, why);
	if (rc != BOX_OK)
		return;

	/* The child now waits for our reply, so a proc.wait of 300 ms parks in
	 * the kernel for the full 300 ms: under a 20 ms box_op timeout it times
	 * out.  Its late Result (the kernel's own ERR_TIMEOUT) arrives before
	 * the next call's, which must drop it and still get its own. */
	uint64_t stale = box_call_stale_results();
	struct box_params_system_proc_wait pw = {.cabin = id, .timeout_ns = 300000000ull};
	struct box_op_call c = {.op_id = BOX_OP_SYSTEM_PROC_WAIT, .params = &pw,
				.param_size = sizeof(pw), .timeout_us = 20000};
	st = box_op(&c);
	snprintf(why, sizeof(why), "300 ms proc.wait under a 20 ms timeout: %s", box_status_name(st));
	result("box_op timeout", st == BOX_ERR_TIMEOUT, why);

	st = box_system_ipc_reply(m.msg_id, "pong", 4, NULL);
	result("ipc.reply", st == BOX_OK, box_status_name(st));
	snprintf(why, sizeof(why), "stale Results dropped: %llu",
		 (unsigned long long)(box_call_stale_results() - stale));
	result("call after a timeout", st == BOX_OK && box_call_stale_results() - stale == 1, why);

	out_len = 0;
	uint64_t saved = box_call_timeout_us;
	box_call_timeout_us = 20000000;
	st = box_system_proc_wait(id, 15000000000ull, out, sizeof(out), &out_len, &status);
	box_call_timeout_us = saved;
	snprintf(why, sizeof(why), "wait: %s, child exit status %lld", box_status_name(st),
		 (long long)status);
	result("child saw its arguments and the reply", st == BOX_OK && status == 0, why);
}

static void check_double_free(void)
{
	static const char args[] = "libtest\0doublefree";
	uint8_t out[8];
	uint64_t len = 0, id = 0, status = 0;
	int32_t st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, sizeof(args), out,
					   sizeof(out), &len, &id);
	if (st == BOX_OK) {
		len = 0;
		st = box_system_proc_wait(id, 10000000000ull, out, sizeof(out), &len, &status);
	}
	char why[96];
	snprintf(why, sizeof(why), "%s, exit status %lld", box_status_name(st), (long long)status);
	result("double free ends the Cabin", st == BOX_OK && status == BOX_HEAP_CORRUPT_EXIT, why);
}

static int expect(const char *got, const char *want, int n, int want_n)
{
	if (strcmp(got, want) || n != want_n) {
		printf("format: got \"%s\" (%d), want \"%s\" (%d)\n", got, n, want, want_n);
		return 0;
	}
	return 1;
}

static void check_format(void)
{
	char b[128];
	int ok = 1;
	int n = snprintf(b, sizeof(b), "%d|%i|%u|%x|%X", -42, 7, 4294967295u, 0xbeefu, 0xbeefu);
	ok &= expect(b, "-42|7|4294967295|beef|BEEF", n, 26);
	n = snprintf(b, sizeof(b), "[%5d|%-5d|%05d|%+d|% d|%.3d]", 42, 42, -42, 3, 3, 5);
	ok &= expect(b, "[   42|42   |-0042|+3| 3|005]", n, 29);
	n = snprintf(b, sizeof(b), "%lld %llu %lx %zu", -9223372036854775807LL - 1,
		     18446744073709551615ULL, 0xfedcba9876543210UL, (size_t)12345);
	ok &= expect(b, "-9223372036854775808 18446744073709551615 fedcba9876543210 12345", n, 64);
	n = snprintf(b, sizeof(b), "%s|%8s|%-8s|%.3s|%c%c|%%", "box", "box", "box", "boxlib", 'o', 'k');
	ok &= expect(b, "box|     box|box     |box|ok|%", n, 30);
	n = snprintf(b, sizeof(b), "%p %p %#x %#o", (void *)0x400000, (void *)0, 255u, 8u);
	ok &= expect(b, "0x400000 (nil) 0xff 010", n, 23);
	n = snprintf(b, 6, "%s", "truncated");
	ok &= expect(b, "trunc", n, 9);
	n = snprintf(b, sizeof(b), "%*d|%-*d|%.*s", 4, 1, 4, 2, 2, "abc");
	ok &= expect(b, "   1|2   |ab", n, 12);
	result("snprintf formats", ok, "see the format lines above");
	/* The QEMU test matches this line exactly. */
	printf("printf %d %u %x %X %p %s %c %% [%6d] [%-6d] [%06d] %lld %zu\n", -1, 3000000000u,
	       0xc0ffeeu, 0xc0ffeeu, (void *)0x1000, "str", '!', 77, 77, -77, -5000000000LL,
	       (size_t)4096);
	/* A line longer than the console buffer still arrives (in pieces). */
	char longline[400];
	for (unsigned i = 0; i < sizeof(longline) - 1; i++)
		longline[i] = (char)('a' + i % 26);
	longline[sizeof(longline) - 1] = 0;
	size_t before = box_console_written();
	printf("long %s\n", longline);
	size_t sent = box_console_written() - before;
	char why[64];
	snprintf(why, sizeof(why), "%zu bytes reached the console", sent);
	result("long printf line", sent == 5 + 399 + 1 && box_console_errors() == 0, why);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define BLOCKS 2000
static uint8_t *blocks[BLOCKS];
static size_t sizes[BLOCKS];

static int block_ok(unsigned i)
{
	for (size_t k = 0; k < sizes[i]; k++)
		if (blocks[i][k] != (uint8_t)(i * 7 + k))
			return 0;
	return 1;
}

static void fill_block(unsigned i)
{
	for (size_t k = 0; k < sizes[i]; k++)
		blocks[i][k] = (uint8_t)(i * 7 + k);
}

static void check_heap(void)
{
	const char *why = "ok";
	int ok = 1;
	for (unsigned i = 0; i < BLOCKS; i++) {
		sizes[i] = 1 + next_rand() % ((next_rand() & 15) ? 200 : 5000);
		blocks[i] = malloc(sizes[i]);
		if (!blocks[i] || ((uintptr_t)blocks[i] & 15)) {
			ok = 0;
			why = "malloc returned NULL or a misaligned block";
			break;
		}
		fill_block(i);
	}
	if (ok && box_heap_check(&box_global_heap, &why) != 0)
		ok = 0;
	result("malloc 2000 blocks", ok, why);

	ok = 1;
	for (unsigned i = 0; i < BLOCKS && ok; i += 2) {
		ok = block_ok(i);
		free(blocks[i]);
		blocks[i] = NULL;
	}
	for (unsigned i = 1; i < BLOCKS && ok; i += 2) {
		size_t old = sizes[i];
		size_t size = 1 + next_rand() % 3000;
		uint8_t *p = realloc(blocks[i], size);
		if (!p) {
			ok = 0;
			break;
		}
		for (size_t k = 0; k < (old < size ? old : size); k++)
			if (p[k] != (uint8_t)(i * 7 + k))
				ok = 0;
		blocks[i] = p;
		sizes[i] = size;
		fill_block(i);
	}
	for (unsigned i = 1; i < BLOCKS && ok; i += 2)
		ok = block_ok(i);
	why = ok ? "ok" : "a block lost its contents";
	if (ok && box_heap_check(&box_global_heap, &why) != 0)
		ok = 0;
	result("free half, realloc the rest", ok, why);

	/* calloc must clear memory that malloc'ed blocks left dirty */
	uint8_t *dirty = malloc(1000);
	memset(dirty, 0xAB, 1000);
	free(dirty);
	uint8_t *z = calloc(250, 4);
	ok = z != NULL;
	for (unsigned k = 0; ok && k < 1000; k++)
		ok = z[k] == 0;
	free(z);
	volatile size_t huge = (size_t)1 << 62;
	ok &= calloc(huge, 8) == NULL;  /* count * size overflows */
	result("calloc zeroes and checks overflow", ok, "");

	ok = 1;
	void *al[12];
	for (unsigned k = 0; k < 12; k++) {
		al[k] = aligned_alloc((size_t)16 << k, 100);
		ok &= al[k] && ((uintptr_t)al[k] & (((size_t)16 << k) - 1)) == 0;
	}
	for (unsigned k = 0; k < 12; k++)
		free(al[k]);
	ok &= aligned_alloc(24, 10) == NULL;
	result("aligned_alloc", ok, "");

	/* 8 MiB: pages the kernel backs on first touch */
	size_t big_size = 8u << 20;
	uint64_t *big = malloc(big_size);
	ok = big != NULL;
	for (size_t k = 0; ok && k < big_size / 8; k += 512)
		big[k] = k * 0x9E3779B97F4A7C15ull;
	for (size_t k = 0; ok && k < big_size / 8; k += 512)
		ok = big[k] == k * 0x9E3779B97F4A7C15ull;
	free(big);
	result("8 MiB block", ok, "");

	for (unsigned i = 0; i < BLOCKS; i++)
		free(blocks[i]);
	ok = box_heap_check(&box_global_heap, &why) == 0 && box_global_heap.live == 0 &&
	     box_global_heap.top == box_global_heap.base;
	result("heap empty again", ok, why);
	char *dup = strdup("duplicated");
	ok = dup && !strcmp(dup, "duplicated");
	free(dup);
	result("strdup", ok, "");
}

static void check_wrappers(void)
{
	uint8_t out[64];
	uint64_t len = 0, value = 0;
	char why[128];

	int32_t st = box_hardware_timer_ticks(out, sizeof(out), &len, &value);
	uint64_t t1 = get_le(out, 8), hz = get_le(out + 8, 8);
	snprintf(why, sizeof(why), "%s, len %llu, ticks %llu, hz %llu", box_status_name(st),
		 (unsigned long long)len, (unsigned long long)t1, (unsigned long long)hz);
	result("timer.ticks", st == BOX_OK && len == 16 && value == t1 && hz == 1000000, why);
	len = 0;
	st = box_hardware_timer_ticks(out, sizeof(out), &len, &value);
	result("timer.ticks again is later", st == BOX_OK && get_le(out, 8) >= t1, "went back");

	len = 0;
	st = box_hardware_rtc_read(out, sizeof(out), &len, &value);
	snprintf(why, sizeof(why), "%s, %llu", box_status_name(st), (unsigned long long)value);
	result("rtc.read", st == BOX_OK && len == 8 && value >= 1704067200ull &&
			       get_le(out, 8) == value, why);

	static uint8_t data[3000];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(next_rand() >> 11);
	uint64_t seed = 0x5EED;
	uint64_t want = XXH3_64bits_withSeed(data, sizeof(data), seed);
	len = 0;
	st = box_operations_hash(seed, data, sizeof(data), out, sizeof(out), &len, &value);
	snprintf(why, sizeof(why), "%s, kernel %016llx, here %016llx", box_status_name(st),
		 (unsigned long long)value, (unsigned long long)want);
	result("operations.hash = XXH3 here", st == BOX_OK && value == want && len == 8 &&
						  get_le(out, 8) == want, why);

	memset(out, 0, sizeof(out));
	len = 4;  /* the first 4 bytes count as already there: fill goes after them */
	st = box_operations_fill(4, 10, 'z', out, sizeof(out), &len, &value);
	int ok = st == BOX_OK && len == 14 && out[3] == 0 && out[4] == 'z' && out[13] == 'z' &&
		 out[14] == 0;
	snprintf(why, sizeof(why), "%s, len %llu", box_status_name(st), (unsigned long long)len);
	result("operations.fill", ok, why);

	len = 0;
	st = box_hardware_cpu_info(out, sizeof(out), &len, &value);
	snprintf(why, sizeof(why), "%s, len %llu, cpus %llu", box_status_name(st),
		 (unsigned long long)len, (unsigned long long)value);
	result("cpu.info", st == BOX_OK && len >= 4 && value >= 1 && value == get_le(out, 4), why);

	static const char text[] = "typed console.write";
	st = box_hardware_console_write(text, sizeof(text) - 1, &value);
	result("console.write", st == BOX_OK && value == sizeof(text) - 1, box_status_name(st));

	st = box_hardware_port_out(0, 0x80, 1, NULL);  /* SYSTEM op from an APP Cabin */
	result("port.out refused", st == BOX_ERR_PERM, box_status_name(st));
}

/*
 * Push without ringing until the ring answers FULL.  On one CPU nothing
 * drains it meanwhile, so that is after exactly BOX_RING_SLOTS; with more,
 * the K-Core polls running Cabins' rings and may take Pockets as they come,
 * but only while their Results have room: after at most 256 answered
 * (unread) Pockets plus 256 queued ones the ring must answer FULL.
 */
static void check_full_ring(void)
{
	static uint8_t manifest[64] __attribute__((aligned(8)));
	struct box_mb mb;
	struct box_params_execution_result code = {.code = 7};
	box_mb_begin(&mb, manifest, sizeof(manifest));
	box_mb_add(&mb, BOX_OP_EXECUTION_RESULT, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, &code,
		   sizeof(code));
	unsigned pushed = 0;
	for (;;) {
		struct box_pocket p;
		box_pocket_init(&p, mb.buf, mb.len, NULL, 0);
		if (box_push(&p) != BOX_OK)
			break;
		pushed++;
	}
	uint8_t out[16];
	uint64_t len = 0;
	int32_t st = box_hardware_timer_ticks(out, sizeof(out), &len, NULL);
	/* printf itself needs room on the ring: report once it is drained */
	char full_why[96];
	snprintf(full_why, sizeof(full_why), "pushed %u, then %s", pushed, box_status_name(st));
	int full_ok = st == BOX_ERR_FULL &&
		      (((const struct box_kinfo *)BOX_KINFO_VA)->cpu_count == 1 ? pushed == BOX_RING_SLOTS
					: pushed >= BOX_RING_SLOTS && pushed <= 2 * BOX_RING_SLOTS);
	box_doorbell();
	unsigned got = 0, good = 0;
	struct box_result res;
	while (got < pushed && box_result_next(&res, 2000000) == BOX_OK) {
		got++;
		good += res.status == BOX_OK && res.value == 7;
	}
	result("full Pocket ring", full_ok, full_why);
	char why[96];
	snprintf(why, sizeof(why), "%u Results, %u with value 7", got, good);
	result("Results after the doorbell", got == pushed && good == pushed, why);
	len = 0;
	st = box_hardware_timer_ticks(out, sizeof(out), &len, NULL);
	result("calls work again", st == BOX_OK, box_status_name(st));
}

static void check_inbox(void)
{
	struct box_message m;
	int rc = box_inbox_next(&m);
	result("empty inbox", rc == BOX_ERR_NOENT, box_status_name(rc));
	rc = box_inbox_wait(&m, 10000);
	result("inbox wait times out", rc == BOX_ERR_TIMEOUT, box_status_name(rc));
}

static uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Timings for the record (printed, not checked: TCG speed varies). */
static void measure(void)
{
	uint64_t hz = box_tsc_hz();
	if (!hz)
		return;
	uint8_t out[16];
	uint64_t t0 = tsc();
	for (int i = 0; i < 1000; i++) {
		uint64_t len = 0;
		box_hardware_timer_ticks(out, sizeof(out), &len, NULL);
	}
	uint64_t calls_ns = (tsc() - t0) * 1000u / (hz / 1000000u);
	t0 = tsc();
	for (int i = 0; i < 100000; i++)
		free(malloc(16 + (size_t)(i & 255)));
	uint64_t heap_ns = (tsc() - t0) * 1000u / (hz / 1000000u);
	printf("measure: box_op timer.ticks %llu ns per call, malloc+free %llu ns per pair\n",
	       (unsigned long long)(calls_ns / 1000), (unsigned long long)(heap_ns / 100000));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return child(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "doublefree"))
		return double_free();
	printf("start\n");
	check_start(argc, argv);
	check_format();
	check_heap();
	check_wrappers();
	check_full_ring();
	check_inbox();
	check_args();
	check_double_free();
	measure();
	printf("%d failed\n", failures);
	return failures;
}
