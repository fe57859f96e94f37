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
 *
 * Waiting ops (OP_PENDING, core/op.h) never block the Guide: the chain is
 * parked with a copy of its plan, Crate views and partial Result, and the
 * Cabin's later Pockets stay queued behind it (Results come back in order).
 * Each pass first retries the parked chains whose events were signalled
 * (guide_signal, also from interrupt handlers) or whose deadline passed;
 * the K-Core's timer tick guarantees a pass at least every 10 ms.  When a
 * Cabin exits, the pass also frees the Cabins nobody will reap.
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
#include "core/sched.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "arch/x86_64/timer.h"
#include "boxos/abi/start.h"
#include "core/uaccess.h"
#include "core/validate.h"
#include "core/warm.h"
#include "boxos/abi/notify.h"
#include "decks/decks.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/paging.h"

struct guide_park {
	struct guide_park *next;      /* the list of parked chains */
	struct cabin *cabin;
	struct box_plan plan;         /* plan.manifest points at manifest[] below */
	struct op_buf bufs[BOX_MAX_CRATES];
	struct box_result res;
	struct manifest_cursor cur;
	bool write_back;
	uint8_t manifest[];           /* plan.manifest_size bytes */
};

static struct cabin *slots[GUIDE_MAX_CABINS];
static struct guide_park *parked;
static uint32_t pending_events;
static uint32_t guide_owner = ~0u; /* the CPU inside a pass, for guide_detach */
static uint64_t doorbells[GUIDE_MAX_CABINS / 64];
static struct spinlock slot_lock = SPINLOCK_INIT;
static struct spinlock guide_lock = SPINLOCK_INIT; /* one Guide pass at a time */

static struct registry registry;
static struct box_plan plan;                    /* Guide-only scratch, too big for a stack */
static uint8_t manifest_buf[BOX_MANIFEST_MAX];
static struct op_buf bufs[BOX_MAX_CRATES];

static struct box_kinfo *kinfo;
static uint64_t kinfo_phys;

uint64_t guide_kinfo_phys(void)
{
	return kinfo_phys;
}

void guide_init(void)
{
	kinfo_phys = pmm_alloc(ZONE_USER, 0);
	if (!kinfo_phys)
		panic("guide: no page for the kernel info page");
	kinfo = phys_to_virt(kinfo_phys);
	memset(kinfo, 0, PAGE_SIZE);
	kinfo->magic = BOX_KINFO_MAGIC;
	kinfo->cpu_count = cpu_count;
	static const struct deck *const decks[] = {&operations_deck, &execution_deck, &hardware_deck,
						   &system_deck, &storage_deck};
	perftrace_init(rdtsc);
	char err[160];
	if (registry_init(&registry, decks, sizeof(decks) / sizeof(decks[0]), err, sizeof(err)) != 0)
		panic("guide: OpRegistry refused the Deck tables: %s", err);
	log_info("guide: OpRegistry has %u ops, %u with handlers (longest probe %u)", registry.count,
		 registry.handled, registry.max_probe);
}

const struct registry *guide_registry(void)
{
	return &registry;
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

static void drop_park(struct cabin *c)
{
	for (struct guide_park **p = &parked; *p; p = &(*p)->next)
		if (*p == c->park) {
			*p = c->park->next;
			break;
		}
	kfree(c->park);
	c->park = NULL;
}

void guide_detach(struct cabin *c)
{
	/* under guide_lock: the Guide may be in the middle of this Cabin's ring,
	 * unless this CPU is the Guide (an op reaping a Cabin) */
	bool inside = __atomic_load_n(&guide_owner, __ATOMIC_RELAXED) == this_cpu()->id;
	if (!inside)
		spin_lock(&guide_lock);
	spin_lock(&slot_lock);
	slots[c->slot] = NULL;
	__atomic_and_fetch(&doorbells[c->slot / 64], ~(1ULL << (c->slot % 64)), __ATOMIC_RELAXED);
	spin_unlock(&slot_lock);
	if (c->park)
		drop_park(c);
	if (!inside)
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

static struct exec_ctx exec_ctx_for(struct cabin *c)
{
	return (struct exec_ctx){.caller = c, .level = c->auth, .tags = c->tags,
				 .trace = PERFTRACE_HOOK, .trace_arg = (void *)(uintptr_t)c->id};
}

/* Copy the output Crates' sizes back to the Cabin's descriptors (its CR3 is loaded). */
static void write_sizes_back(const struct box_plan *p, const struct op_buf *b, bool write_back)
{
	if (!write_back)
		return;
	struct box_crate *user = (struct box_crate *)p->pocket.crates;
	for (uint32_t i = 0; i < p->crate_count; i++)
		if (p->crates[i].dir & BOX_CRATE_OUT)
			user[i].size = b[i].size;
}

/* Keep a chain that returned OP_PENDING until its op can finish. */
static bool park(struct cabin *c, const struct box_plan *p, const struct manifest_cursor *cur,
		 const struct box_result *res, bool write_back)
{
	struct guide_park *gp = kmalloc(sizeof(*gp) + p->manifest_size);
	if (!gp)
		return false;
	gp->cabin = c;
	gp->plan = *p;
	memcpy(gp->manifest, p->manifest, p->manifest_size);
	gp->plan.manifest = gp->manifest;
	for (uint32_t i = 0; i < p->op_count; i++)
		if (p->ops[i].params)
			gp->plan.ops[i].params = gp->manifest + (p->ops[i].params - p->manifest);
	memcpy(gp->bufs, bufs, p->crate_count * sizeof(bufs[0]));
	gp->res = *res;
	gp->cur = *cur;
	gp->write_back = write_back;
	gp->next = parked;
	parked = gp;
	c->park = gp;
	return true;
}

/* Run a decoded plan in the Cabin's address space, where Crates are plain
 * pointers; false when its chain was parked (no Result yet). */
static bool run_plan(struct cabin *c, struct box_plan *p, bool decoded, struct box_result *res)
{
	bool write_back = p->crate_count &&
			  uaccess_check(c, p->pocket.crates,
					p->crate_count * sizeof(struct box_crate), true) == BOX_OK;
	uint64_t saved_cr3 = read_cr3();
	if (saved_cr3 != c->pt.pml4)
		write_cr3(c->pt.pml4);
	struct exec_ctx ctx = exec_ctx_for(c);
	struct manifest_cursor cur;
	int32_t st = decoded ? manifest_start_decoded(p, bufs, &ctx, res, &cur)
			     : manifest_start(&registry, p, bufs, &ctx, res, &cur);
	if (!decoded && (st == OP_PENDING || res->ops_run > 0))
		warm_store(c, p); /* the decode pass accepted it: keep it for next time */
	bool done = true;
	if (st == OP_PENDING) {
		done = !park(c, p, &cur, res, write_back);
		if (done)
			fail(res, BOX_ERR_NOMEM);
	}
	if (done)
		write_sizes_back(p, bufs, write_back);
	if (saved_cr3 != c->pt.pml4)
		write_cr3(saved_cr3);
	return done;
}

/* Decode and run one Pocket; false when its chain was parked (no Result yet). */
static bool handle(struct cabin *c, struct box_pocket *pocket, struct box_result *res)
{
	memset(res, 0, sizeof(*res));
	res->cookie = pocket->cookie;
	res->failed_op = 0xFFFF;
	pocket->sender = c->id; /* filled by the kernel, whatever the Cabin wrote */

	struct box_plan *warm_plan = warm_match(c, pocket, bufs);
	if (warm_plan)
		return run_plan(c, warm_plan, true, res);

	struct box_user_view uv = {BOX_USER_LO, BOX_USER_HI, c, uaccess_copy_in};
	plan.manifest = manifest_buf;
	int32_t st = box_validate_pocket(pocket, &uv, &plan);
	if (st != BOX_OK) {
		fail(res, st);
		return true;
	}
	res->cookie = plan.pocket.cookie;
	for (uint32_t i = 0; i < plan.crate_count; i++) {
		const struct box_crate *k = &plan.crates[i];
		st = cabin_populate_range(c, k->addr, k->capacity); /* untouched heap or stack */
		if (st == BOX_OK)
			st = uaccess_check(c, k->addr, k->capacity, k->dir & BOX_CRATE_OUT);
		if (st != BOX_OK) {
			fail(res, st);
			return true;
		}
		bufs[i] = (struct op_buf){(uint8_t *)k->addr, k->size, k->capacity};
	}
	return run_plan(c, &plan, false, res);
}

/* The Guide posted to c: wake it if it sleeps in WAIT. */
static void posted_to(struct cabin *c)
{
	if (c->state == CABIN_BLOCKED)
		sched_wake(c);
}

static unsigned drain(struct cabin *c)
{
	unsigned handled = 0, posted = 0;
	struct box_pocket pocket;
	struct box_result res;
	while (!c->park) {
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
		handled++;
		if (handle(c, &pocket, &res) && ring_push(&c->results, &res) == BOX_OK)
			posted++;
	}
	if (posted)
		posted_to(c);
	return handled;
}

/* Retry the parked chains that may go on; true when one finished. */
static unsigned resume_parked(uint32_t events)
{
	unsigned finished = 0;
	uint64_t now = rdtsc();
	struct guide_park **p = &parked;
	while (*p) {
		struct guide_park *gp = *p;
		bool due = (gp->cur.wake_events & events) || (gp->cur.wake_tsc && now >= gp->cur.wake_tsc);
		if (!due) {
			p = &gp->next;
			continue;
		}
		struct cabin *c = gp->cabin;
		uint64_t saved_cr3 = read_cr3();
		if (saved_cr3 != c->pt.pml4)
			write_cr3(c->pt.pml4);
		struct exec_ctx ctx = exec_ctx_for(c);
		int32_t st = manifest_continue(&registry, &gp->plan, gp->bufs, &ctx, &gp->res, &gp->cur);
		if (st != OP_PENDING)
			write_sizes_back(&gp->plan, gp->bufs, gp->write_back);
		if (saved_cr3 != c->pt.pml4)
			write_cr3(saved_cr3);
		if (st == OP_PENDING) {
			p = &gp->next;
			continue;
		}
		*p = gp->next;
		c->park = NULL;
		if (ring_push(&c->results, &gp->res) == BOX_OK)
			posted_to(c);
		kfree(gp);
		/* its ring may hold more Pockets queued behind the parked one */
		__atomic_or_fetch(&doorbells[c->slot / 64], 1ULL << (c->slot % 64), __ATOMIC_RELAXED);
		finished++;
	}
	return finished;
}

static void collect_orphan(struct cabin *c, void *arg)
{
	struct cabin **list = arg;
	if (c->autoreap && __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == CABIN_DONE)
		for (unsigned i = 0; i < 16; i++)
			if (!list[i]) {
				list[i] = c;
				break;
			}
}

/* Free the Cabins that ended with nobody left to reap them (16 per pass). */
static void reap_orphans(void)
{
	struct cabin *list[16] = {0};
	cabin_foreach(collect_orphan, list);
	for (unsigned i = 0; i < 16 && list[i]; i++)
		cabin_destroy(list[i]);
	if (list[15])
		guide_signal(OP_WAKE_CABIN_EXIT); /* maybe more: look again next pass */
}

unsigned guide_poll(void)
{
	unsigned handled = 0;
	spin_lock(&guide_lock);
	__atomic_store_n(&guide_owner, this_cpu()->id, __ATOMIC_RELAXED);
	uint32_t events = __atomic_exchange_n(&pending_events, 0, __ATOMIC_ACQUIRE);
	if (events & OP_WAKE_CABIN_EXIT) {
		reap_orphans();
		system_deck_forget_gone();
	}
	if (parked)
		handled += resume_parked(events);
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
	__atomic_store_n(&guide_owner, ~0u, __ATOMIC_RELAXED);
	spin_unlock(&guide_lock);
	return handled;
}

void guide_leaving(struct cabin *c)
{
	if (c->attached && ring_count(&c->pockets) > 0)
		guide_doorbell(c);
}

static bool doorbell_rung(void)
{
	for (unsigned w = 0; w < GUIDE_MAX_CABINS / 64; w++)
		if (__atomic_load_n(&doorbells[w], __ATOMIC_RELAXED))
			return true;
	return __atomic_load_n(&pending_events, __ATOMIC_RELAXED) != 0;
}

/* Ring for every running Cabin with queued Pockets; true if there was one.
 * K-Core only: a struct cabin is freed only here, so current is safe to
 * read even while its CPU releases it (its slot is rechecked in the pass). */
static bool watch_running(void)
{
	bool found = false;
	for (unsigned i = 1; i < cpu_count; i++) {
		struct cabin *c = __atomic_load_n(&cpus[i].current, __ATOMIC_ACQUIRE);
		if (c && c->attached && ring_count(&c->pockets) > 0) {
			__atomic_or_fetch(&doorbells[c->slot / 64], 1ULL << (c->slot % 64),
					  __ATOMIC_RELEASE);
			found = true;
		}
	}
	return found;
}

bool guide_spin(uint64_t us)
{
	uint64_t end = rdtsc() + us * (timer_tsc_hz() / 1000000);
	__atomic_store_n(&kinfo->guide_polling, 1, __ATOMIC_SEQ_CST);
	while (rdtsc() < end) {
		if (doorbell_rung() || watch_running())
			return true;
		cpu_relax();
	}
	/* stop advertising, then look once more: a Cabin that pushed before it
	 * saw the 0 is caught here, one that pushed after rings the doorbell */
	__atomic_store_n(&kinfo->guide_polling, 0, __ATOMIC_SEQ_CST);
	return doorbell_rung() || watch_running();
}

void guide_signal(uint32_t events)
{
	__atomic_or_fetch(&pending_events, events, __ATOMIC_RELEASE);
	if (cpu_count > 1 && this_cpu()->id != 0)
		lapic_send_ipi(cpus[0].apic_id, VEC_WAKE);
}
