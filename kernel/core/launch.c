/*
 * launch.c: the K-Core's loop, and starting Cabins from the boot bundle.
 *
 * The K-Core loops over Guide passes (core/guide.c) and halts when there is
 * nothing to do; on a one-CPU machine the same loop also runs the Cabins in
 * its run queue (core/sched.c).  The kernel's own launches wait in that loop
 * too.  The command line drives them: `run=a,b,c` runs those programs from
 * the bundle one after another, and `cabintest=N` spawns N Cabins, up to
 * CABINTEST_LIVE at once spread over every App-Core, reaps them, and checks
 * that the free-page count and the heap come back to where they were.  A run=
 * item may name the Cabin's auth level, `name:level` with level one of
 * none, app, utility, system, network (the command line is trusted); the
 * default is app.  The exit line names the level only when it is not app.
 */
#include "core/launch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "core/bundle.h"
#include "core/cabin.h"
#include "core/guide.h"
#include "core/sched.h"
#include "lib/fmt.h"
#include "arch/x86_64/timer.h"
#include "boxos/ops.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

static const void *bundle;
static size_t bundle_size;

static void wake(struct trap_frame *f)
{
	(void)f; /* the interrupt itself ended a halted core's nap */
}

static int count_entry(void *arg, const char *name, const void *data, size_t len)
{
	(void)name, (void)data, (void)len;
	++*(int *)arg;
	return 0;
}

void launch_init(const struct bootinfo *bi)
{
	irq_register(VEC_WAKE, wake);
	if (!bi->bundle || !bi->bundle_size)
		return;
	bundle = phys_to_virt(bi->bundle);
	bundle_size = bi->bundle_size;
	int counted = 0;
	int n = bundle_foreach(bundle, bundle_size, count_entry, &counted);
	if (n < 0) {
		log_warn("launch: the boot bundle is malformed; no programs available");
		bundle = NULL;
	} else {
		log_info("launch: boot bundle has %d programs", n);
	}
}

bool kcore_step(void)
{
	bool busy = guide_poll() != 0;
	if (cpu_count == 1)
		busy |= sched_run_one(); /* one CPU: the K-Core is the App-Core too */
	return busy;
}

/* How long the K-Core keeps polling running Cabins' rings after its last
 * work before it halts: back-to-back Pockets then need no doorbell at all. */
#define KCORE_SPIN_US 1000

bool kcore_idle(void)
{
	if (cpu_count > 1 && guide_spin(KCORE_SPIN_US))
		return true;
	irq_enable_and_halt(); /* a doorbell IPI or the next tick ends the nap */
	return false;
}

void kcore_run(void)
{
	for (;;) {
		irq_disable();
		if (!kcore_step())
			kcore_idle();
	}
}

/* The K-Core goes on with its work until the Cabin is released. */
static int32_t wait_done(struct cabin *c)
{
	while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CABIN_DONE) {
		irq_disable();
		if (!kcore_step())
			kcore_idle();
	}
	irq_enable();
	return c->exit_status;
}

static struct cabin *spawn_named(const char *name, const char **why)
{
	char file[CABIN_NAME_MAX + 8];
	const void *elf;
	size_t len;
	*why = "no boot bundle";
	if (!bundle)
		return NULL;
	kstrlcpy(file, name, sizeof(file) - 4);
	size_t n = strlen(file);
	memcpy(file + n, ".elf", 5);
	*why = "not in the boot bundle";
	if (bundle_find(bundle, bundle_size, file, &elf, &len) != 0)
		return NULL;
	return cabin_spawn(name, elf, len, name, (uint32_t)n + 1, 1, why);
}

struct cabin *launch_spawn(const char *args, uint32_t args_size, uint32_t argc, const char **why)
{
	char file[CABIN_NAME_MAX + 8];
	const void *elf;
	size_t len, n = strlen(args);
	*why = "no boot bundle";
	if (!bundle)
		return NULL;
	*why = "program name too long";
	if (n == 0 || n >= CABIN_NAME_MAX)
		return NULL;
	memcpy(file, args, n);
	memcpy(file + n, ".elf", 5);
	*why = "not in the boot bundle";
	if (bundle_find(bundle, bundle_size, file, &elf, &len) != 0)
		return NULL;
	return cabin_spawn(args, elf, len, args, args_size, argc, why);
}

static const char *const level_names[] = {
	[BOX_AUTH_NONE] = "none", [BOX_AUTH_APP] = "app", [BOX_AUTH_UTILITY] = "utility",
	[BOX_AUTH_SYSTEM] = "system", [BOX_AUTH_NETWORK] = "network",
};

/* Free pages, counting pages the kernel heap took meanwhile as free. */
static uint64_t free_pages_now(const struct heap_stats *base)
{
	struct heap_stats h;
	heap_stats(&h);
	return pmm_free_pages_total() + (h.pages - base->pages);
}

static void run_one(const char *name, uint8_t level)
{
	struct heap_stats h0;
	heap_stats(&h0);
	uint64_t before = free_pages_now(&h0);
	const char *why;
	struct cabin *c = spawn_named(name, &why);
	if (!c) {
		log_warn("launch: cannot start %s: %s", name, why);
		return;
	}
	cabin_set_origin(c, level, 0);
	uint32_t id = c->id;
	sched_add(c);
	int32_t status = wait_done(c);
	if (status == CABIN_KILLED)
		log_info("cabin %u (%s) killed on cpu%u: %s", id, name, c->core, c->why);
	else if (level == BOX_AUTH_APP)
		log_info("cabin %u (%s) exited with status %d on cpu%u", id, name, status, c->core);
	else
		log_info("cabin %u (%s) exited with status %d on cpu%u (auth %s)", id, name, status,
			 c->core, level_names[level]);
	cabin_destroy(c);
	/* detached children may still run; everything else must be back */
	uint64_t after = free_pages_now(&h0);
	if (after != before)
		log_warn("launch: %s: free pages %lu before, %lu after", name, before, after);
}

#define INIT_BACKOFF_MIN_MS 100
#define INIT_BACKOFF_MAX_MS 5000

/* The K-Core works on until the TSC passes deadline. */
static void keep_working_until(uint64_t deadline)
{
	while (rdtsc() < deadline) {
		irq_disable();
		if (!kcore_step())
			kcore_idle();
	}
	irq_enable();
}

void launch_supervise(const char *name, uint8_t level)
{
	uint64_t backoff_ms = INIT_BACKOFF_MIN_MS;
	for (;;) {
		const char *why;
		struct cabin *c = spawn_named(name, &why);
		if (!c) {
			log_warn("launch: cannot start %s: %s; the K-Core goes on without it", name, why);
			kcore_run();
		}
		cabin_set_origin(c, level, 0);
		c->console = CABIN_CONSOLE_TERMINAL; /* init owns the console: its bytes go out as written */
		uint32_t id = c->id;
		uint64_t started = rdtsc();
		sched_add(c);
		int32_t status = wait_done(c);
		if (status == CABIN_KILLED)
			log_warn("cabin %u (%s) killed on cpu%u: %s; starting it again", id, name, c->core,
				 c->why);
		else
			log_info("cabin %u (%s) exited with status %d; starting it again", id, name, status);
		cabin_destroy(c);
		/* a quick death backs off (up to 5 s); one that ran a while restarts soon */
		uint64_t ran_ms = tsc_to_us(rdtsc() - started) / 1000;
		backoff_ms = ran_ms >= 1000 ? INIT_BACKOFF_MIN_MS
					    : (backoff_ms * 2 > INIT_BACKOFF_MAX_MS ? INIT_BACKOFF_MAX_MS
										     : backoff_ms * 2);
		keep_working_until(rdtsc() + backoff_ms * (timer_tsc_hz() / 1000));
	}
}

/* "name" or "name:level"; false (and a warning) for an unknown level. */
bool launch_parse_item(char *item, uint8_t *level)
{
	*level = BOX_AUTH_APP;
	char *colon = item;
	while (*colon && *colon != ':')
		colon++;
	if (!*colon)
		return true;
	*colon = 0;
	for (uint8_t l = 0; l < sizeof(level_names) / sizeof(level_names[0]); l++)
		if (level_names[l] && strcmp(colon + 1, level_names[l]) == 0) {
			*level = l;
			return true;
		}
	log_warn("launch: %s: unknown auth level \"%s\"", item, colon + 1);
	return false;
}

void launch_list(const char *names)
{
	char name[CABIN_NAME_MAX + 16];
	while (*names) {
		size_t n = 0;
		while (names[n] && names[n] != ',')
			n++;
		if (n > 0 && n < sizeof(name)) {
			uint8_t level;
			memcpy(name, names, n);
			name[n] = 0;
			if (launch_parse_item(name, &level)) {
				if (strlen(name) < CABIN_NAME_MAX)
					run_one(name, level);
				else
					log_warn("launch: program name too long");
			}
		} else if (n >= sizeof(name)) {
			log_warn("launch: program name too long");
		}
		names += n + (names[n] == ',');
	}
}

#define CABINTEST_LIVE 32

bool launch_leak_test(const char *name, unsigned count)
{
	uint64_t before = pmm_free_pages_total();
	struct heap_stats h0, h1;
	heap_stats(&h0);
	struct cabin *live[CABINTEST_LIVE] = {0};
	unsigned spawned = 0, reaped = 0, ok = 0, per_cpu[MAX_CPUS] = {0};
	bool failed = false;
	while (reaped < spawned || (spawned < count && !failed)) {
		for (unsigned i = 0; i < CABINTEST_LIVE; i++) {
			if (live[i] && __atomic_load_n(&live[i]->state, __ATOMIC_ACQUIRE) == CABIN_DONE) {
				ok += live[i]->exit_status == 42;
				per_cpu[live[i]->core]++;
				cabin_destroy(live[i]);
				live[i] = NULL;
				reaped++;
			}
			if (!live[i] && spawned < count && !failed) {
				const char *why;
				live[i] = spawn_named(name, &why);
				if (!live[i]) {
					log_error("cabintest: spawn %u of %s failed: %s", spawned, name, why);
					failed = true;
					continue;
				}
				sched_add(live[i]);
				spawned++;
			}
		}
		irq_disable();
		if (!kcore_step())
			kcore_idle();
		irq_enable();
	}
	heap_stats(&h1);
	uint64_t after = pmm_free_pages_total() + (h1.pages - h0.pages);
	bool clean = after == before && h1.bytes_in_use == h0.bytes_in_use && ok == count;
	char spread[160];
	size_t used = 0;
	spread[0] = 0;
	for (unsigned i = 0; i < cpu_count && used + 16 < sizeof(spread); i++)
		if (per_cpu[i])
			used += fmt_snprintf(spread + used, sizeof(spread) - used, "%scpu%u %u",
					     used ? ", " : "", i, per_cpu[i]);
	log_info("cabintest: ran on %s", spread);
	log_info("cabintest: %u of %u Cabins exited with 42; free pages %lu before, %lu after; "
		 "heap bytes in use %lu before, %lu after: %s",
		 ok, count, before, after, h0.bytes_in_use, h1.bytes_in_use,
		 clean ? "no leak" : "LEAK");
	return clean;
}
