/*
 * launch.c: starting Cabins from the boot bundle and handing them to cores.
 *
 * Until the scheduler exists this is the whole of "where does a Cabin run":
 * the K-Core spawns a Cabin, puts it in one App-Core's mailbox, wakes that
 * core with an IPI and waits until the Cabin is done; the App-Core runs it to
 * completion and goes back to sleep.  App-Cores are used round robin.  On a
 * one-CPU machine the K-Core runs the Cabin itself.  The command line drives
 * it: `run=a,b,c` runs those programs from the bundle in order, and
 * `cabintest=N` spawns and reaps N Cabins and checks no page leaked.  A run=
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
#include "boxos/ops.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

static const void *bundle;
static size_t bundle_size;
static unsigned next_core = 1;

static void wake(struct trap_frame *f)
{
	(void)f; /* the interrupt itself ended the App-Core's hlt */
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

/* The K-Core waits here for the App-Core; the IPI only wakes it from hlt. */
static int32_t run_on_app_core(struct cabin *c)
{
	if (cpu_count == 1)
		return cabin_run(c);
	struct cpu *target = &cpus[next_core];
	next_core = next_core + 1 < cpu_count ? next_core + 1 : 1;
	__atomic_store_n(&target->mailbox, c, __ATOMIC_RELEASE);
	lapic_send_ipi(target->apic_id, VEC_WAKE);
	while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CABIN_DONE)
		if (guide_poll() == 0) /* the K-Core is the Guide while it waits */
			cpu_relax();
	return c->exit_status;
}

void launch_app_core_loop(void)
{
	struct cpu *cpu = this_cpu();
	for (;;) {
		irq_disable();
		struct cabin *c = __atomic_exchange_n(&cpu->mailbox, NULL, __ATOMIC_ACQUIRE);
		if (!c) {
			irq_enable_and_halt(); /* a mailbox filled after the check still wakes us */
			continue;
		}
		cabin_run(c); /* sets c->state = CABIN_DONE, which the K-Core waits for */
	}
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
	return cabin_spawn(name, elf, len, why);
}

static const char *const level_names[] = {
	[BOX_AUTH_NONE] = "none", [BOX_AUTH_APP] = "app", [BOX_AUTH_UTILITY] = "utility",
	[BOX_AUTH_SYSTEM] = "system", [BOX_AUTH_NETWORK] = "network",
};

static void run_one(const char *name, uint8_t level)
{
	const char *why;
	struct cabin *c = spawn_named(name, &why);
	if (!c) {
		log_warn("launch: cannot start %s: %s", name, why);
		return;
	}
	c->auth = level;
	uint32_t id = c->id;
	int32_t status = run_on_app_core(c);
	if (status == CABIN_KILLED)
		log_info("cabin %u (%s) killed on cpu%u: %s", id, name, c->core, c->why);
	else if (level == BOX_AUTH_APP)
		log_info("cabin %u (%s) exited with status %d on cpu%u", id, name, status, c->core);
	else
		log_info("cabin %u (%s) exited with status %d on cpu%u (auth %s)", id, name, status,
			 c->core, level_names[level]);
	cabin_destroy(c);
}

/* "name" or "name:level"; false (and a warning) for an unknown level. */
static bool parse_item(char *item, uint8_t *level)
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
			if (parse_item(name, &level)) {
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

bool launch_leak_test(const char *name, unsigned count)
{
	uint64_t before = pmm_free_pages_total();
	struct heap_stats h0, h1;
	heap_stats(&h0);
	unsigned ok = 0;
	for (unsigned i = 0; i < count; i++) {
		const char *why;
		struct cabin *c = spawn_named(name, &why);
		if (!c) {
			log_error("cabintest: spawn %u of %s failed: %s", i, name, why);
			break;
		}
		if (run_on_app_core(c) == 42)
			ok++;
		cabin_destroy(c);
	}
	heap_stats(&h1);
	uint64_t after = pmm_free_pages_total() + (h1.pages - h0.pages);
	bool clean = after == before && h1.bytes_in_use == h0.bytes_in_use && ok == count;
	log_info("cabintest: %u of %u Cabins exited with 42; free pages %lu before, %lu after; "
		 "heap bytes in use %lu before, %lu after: %s",
		 ok, count, before, after, h0.bytes_in_use, h1.bytes_in_use,
		 clean ? "no leak" : "LEAK");
	return clean;
}
