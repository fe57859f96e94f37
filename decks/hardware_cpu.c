/*
 * hardware_cpu.c: hardware.cpu.stats, every CPU as the scheduler sees it.
 *
 * Kernel-only.  Writes one struct box_cpu_stats (boxos/abi/info.h) per CPU
 * in index order: role, Local APIC id, online flag, timer ticks taken,
 * READY Cabins in its run queue (sched_queued), how many live Cabins call
 * it their core, and the Cabin running on it now.  The running Cabin is
 * found by walking the Cabin table under its lock (a Cabin RUNNING with
 * that core) rather than through cpus[i].current, which another CPU may
 * be changing and whose Cabin may be freed meanwhile.  The output must
 * hold every CPU (else BOUNDS); out->size = bytes written, value = CPUs.
 * The figures are a snapshot: the other CPUs keep running while it is taken.
 */
#include <stdint.h>

#include "boxos/ops.h"
#include "boxos/abi/info.h"
#include "decks/hardware.h"
#include "core/cabin.h"
#include "core/sched.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"

/* Only the Guide calls handlers, one at a time: kept off the kernel stack. */
static struct box_cpu_stats stats[MAX_CPUS];

static void note_cabin(struct cabin *c, void *arg)
{
	(void)arg;
	if (c->state >= CABIN_EXITING || c->core >= cpu_count)
		return;
	struct box_cpu_stats *s = &stats[c->core];
	s->cabins++;
	if (c->state == CABIN_RUNNING && s->running == 0) {
		s->running = c->id;
		kstrlcpy(s->running_name, c->name, sizeof(s->running_name));
	}
}

int32_t hw_cpu_stats(struct op_call *call)
{
	int32_t st = op_check_buf(call->out);
	if (st != BOX_OK)
		return st;
	uint32_t n = cpu_count;
	uint64_t bytes = (uint64_t)n * sizeof(struct box_cpu_stats);
	if (call->out->capacity < bytes)
		return BOX_ERR_BOUNDS;

	memset(stats, 0, sizeof(stats));
	for (uint32_t i = 0; i < n; i++) {
		stats[i].cpu = i;
		stats[i].apic_id = cpus[i].apic_id;
		stats[i].role = (uint8_t)cpus[i].role;
		stats[i].online = cpus[i].online ? 1 : 0;
		stats[i].ticks = cpus[i].ticks;
		stats[i].queued = sched_queued(i);
	}
	cabin_foreach(note_cabin, NULL);
	memcpy(call->out->data, stats, bytes);
	call->out->size = bytes;
	call->value = n;
	return BOX_OK;
}
