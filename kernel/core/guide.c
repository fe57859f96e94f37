/*
 * guide.c: the Guide, the K-Core's loop over Cabins' Pocket rings.
 *
 * A Cabin pushes Pockets onto its ring and rings the doorbell (a notify
 * verb); that sets its bit in the doorbell bitmap and wakes the K-Core, so
 * the Guide visits only rings with work, never every Cabin.  For each Pocket
 * the Guide first decodes everything and changes nothing (seL4's split):
 * the Pocket, Manifest and Crate descriptors are copied in once through the
 * Cabin's page table (validate.c, uaccess.c), every Crate page is proved
 * mapped with the right rights, and the engine's decode pass checks op ids,
 * parameter sizes and auth (manifest.c).  Only then does it switch to the
 * Cabin's address space, where the Crates are plain pointers, and run the
 * chain.  The Result goes onto the Result ring, the output Crates' sizes
 * back into the Cabin's descriptors, and the Cabin's App-Core gets a wake-up
 * IPI in case it sleeps in WAIT.  A Pocket is only taken off the ring when
 * there is room for its Result, so a Cabin that does not read its Results
 * stalls only itself.  On a one-CPU machine the doorbell runs the Guide on
 * the spot; with more CPUs the K-Core runs it whenever it wakes.
 */
#include "core/guide.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "core/cabin.h"
#include "core/launch.h"
#include "core/manifest.h"
#include "core/perftrace.h"
#include "core/panic.h"
#include "core/registry.h"
#include "core/uaccess.h"
#include "core/validate.h"
#include "boxos/abi/notify.h"
#include "decks/decks.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/paging.h"

static struct cabin *slots[GUIDE_MAX_CABINS];
static uint64_t doorbells[GUIDE_MAX_CABINS / 64];
static struct spinlock slot_lock = SPINLOCK_INIT;
static struct spinlock guide_lock = SPINLOCK_INIT; /* one Guide pass at a time */

static struct registry registry;
static struct box_plan plan;                    /* Guide-only scratch, too big for a stack */
static uint8_t manifest_buf[BOX_MANIFEST_MAX];
static struct op_buf bufs[BOX_MAX_CRATES];

void guide_init(void)
{
	static const struct deck *const decks[] = {&operations_deck, &execution_deck, &hardware_deck,
						   &system_deck};
	perftrace_init(rdtsc);
	char err[160];
	if (registry_init(&registry, decks, sizeof(decks) / sizeof(decks[0]), err, sizeof(err)) != 0)
		panic("guide: OpRegistry refused the Deck tables: %s", err);
	log_info("guide: OpRegistry has %u ops, %u with handlers (longest probe %u)", registry.count,
		 registry.handled, registry.max_probe);
}

bool guide_attach(struct cabin *c)
{
	bool ok = false;
	spin_lock(&slot_lock);
	for (uint32_t i = 0; i < GUIDE_MAX_CABINS && !ok; i++)
		if (!slots[i]) {
			slots[i] = c;
			c->slot = i;
			ok = true;
		}
	spin_unlock(&slot_lock);
	return ok;
}

void guide_detach(struct cabin *c)
{
	/* under guide_lock: the Guide may be in the middle of this Cabin's ring */
	spin_lock(&guide_lock);
	spin_lock(&slot_lock);
	slots[c->slot] = NULL;
	__atomic_and_fetch(&doorbells[c->slot / 64], ~(1ULL << (c->slot % 64)), __ATOMIC_RELAXED);
	spin_unlock(&slot_lock);
	spin_unlock(&guide_lock);
}

void guide_doorbell(struct cabin *c)
{
	__atomic_or_fetch(&doorbells[c->slot / 64], 1ULL << (c->slot % 64), __ATOMIC_RELEASE);
	if (cpu_count == 1)
		guide_poll(); /* one CPU plays both roles: run the Guide right here */
	else if (this_cpu()->id != 0)
		lapic_send_ipi(cpus[0].apic_id, VEC_WAKE);
}

static void fail(struct box_result *res, int32_t status)
{
	res->status = status;
	res->failed_op = 0xFFFF;
}

/* Decode and run one Pocket; the Result is filled in either way. */
static void handle(struct cabin *c, struct box_pocket *pocket, struct box_result *res)
{
	memset(res, 0, sizeof(*res));
	res->cookie = pocket->cookie;
	res->failed_op = 0xFFFF;
	pocket->sender = c->id; /* filled by the kernel, whatever the Cabin wrote */

	struct box_user_view uv = {BOX_USER_LO, BOX_USER_HI, c, uaccess_copy_in};
	plan.manifest = manifest_buf;
	int32_t st = box_validate_pocket(pocket, &uv, &plan);
	if (st != BOX_OK)
		return fail(res, st);
	res->cookie = plan.pocket.cookie;
	for (uint32_t i = 0; i < plan.crate_count; i++) {
		const struct box_crate *k = &plan.crates[i];
		st = uaccess_check(c, k->addr, k->capacity, k->dir & BOX_CRATE_OUT);
		if (st != BOX_OK)
			return fail(res, st);
		bufs[i] = (struct op_buf){(uint8_t *)k->addr, k->size, k->capacity};
	}
	bool write_back = plan.crate_count &&
			  uaccess_check(c, plan.pocket.crates,
					plan.crate_count * sizeof(struct box_crate), true) == BOX_OK;

	/* act: the Crates are user addresses, so run in the Cabin's address space */
	uint64_t saved_cr3 = read_cr3();
	if (saved_cr3 != c->pt.pml4)
		write_cr3(c->pt.pml4);
	struct exec_ctx ctx = {.caller = c, .level = c->auth, .tags = c->tags,
			       .trace = PERFTRACE_HOOK, .trace_arg = (void *)(uintptr_t)c->id};
	manifest_execute(&registry, &plan, bufs, &ctx, res);
	if (write_back) {
		struct box_crate *user = (struct box_crate *)plan.pocket.crates;
		for (uint32_t i = 0; i < plan.crate_count; i++)
			if (plan.crates[i].dir & BOX_CRATE_OUT)
				user[i].size = bufs[i].size;
	}
	if (saved_cr3 != c->pt.pml4)
		write_cr3(saved_cr3);
}

static unsigned drain(struct cabin *c)
{
	unsigned handled = 0, posted = 0;
	struct box_pocket pocket;
	struct box_result res;
	for (;;) {
		int64_t room = ring_count(&c->results);
		if (room < 0 || room >= (int64_t)c->results.slot_count)
			break; /* no room for a Result (or a broken ring): leave the Pocket queued */
		int st = ring_pop(&c->pockets, &pocket);
		if (st == BOX_ERR_NOENT)
			break;
		if (st != BOX_OK) {
			log_warn("guide: cabin %u (%s) corrupted its Pocket ring indices", c->id, c->name);
			memset(&res, 0, sizeof(res));
			fail(&res, BOX_ERR_INVALID);
			if (ring_push(&c->results, &res) == BOX_OK)
				posted++;
			break;
		}
		handle(c, &pocket, &res);
		if (ring_push(&c->results, &res) == BOX_OK)
			posted++;
		handled++;
	}
	if (posted && c->state == CABIN_RUNNING && c->core != this_cpu()->id)
		lapic_send_ipi(cpus[c->core].apic_id, VEC_WAKE); /* it may be asleep in WAIT */
	return handled;
}

unsigned guide_poll(void)
{
	unsigned handled = 0;
	spin_lock(&guide_lock);
	for (unsigned w = 0; w < GUIDE_MAX_CABINS / 64; w++) {
		uint64_t bits = __atomic_exchange_n(&doorbells[w], 0, __ATOMIC_ACQUIRE);
		while (bits) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			bits &= bits - 1;
			struct cabin *c = slots[w * 64 + b];
			if (c)
				handled += drain(c);
		}
	}
	spin_unlock(&guide_lock);
	return handled;
}

void guide_run(void)
{
	for (;;) {
		irq_disable();
		if (guide_poll() == 0)
			irq_enable_and_halt(); /* a doorbell IPI ends the nap */
	}
}

void app_core_idle(void)
{
	launch_app_core_loop();
}

static uint32_t pending_events;

void guide_signal(uint32_t events)
{
	__atomic_or_fetch(&pending_events, events, __ATOMIC_RELEASE);
}
