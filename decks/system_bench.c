/*
 * system_bench.c: system.bench.pingpong, the K-Core's half of a raw
 * cache-line ping-pong (the `cacheline.rtt` row of apps/bench).
 *
 * The handler runs on the K-Core inside a Guide pass, in the caller's
 * address space, so the output Crate is a plain pointer to the caller's
 * memory.  The u64 at its start is the shared word: the caller (spinning in
 * ring 3 on its App-Core) makes it odd, the handler sees that and writes it
 * + 1 (even), `rounds` times.  Nothing else happens between the two sides,
 * so one round is the cost of moving one cache line from one core to the
 * other and back: the floor under any cross-core message.
 *
 * The Guide is busy for as long as the handler spins, so the op gives up
 * after PINGPONG_LIMIT_MS of TSC time without 64 rounds of progress (the
 * rounds limit, 1e6, bounds the whole): a caller that stops playing
 * gets BOX_ERR_TIMEOUT (the kernel logs how many rounds were done; the
 * Result's value is 0, as for any failed op).  With
 * one CPU the Guide runs inside the caller's own doorbell, so the caller
 * could never answer: BOX_ERR_BUSY at once.
 *
 * Waiting, the handler pauses after 1, 2, 4, ... up to PINGPONG_BACKOFF_MAX
 * tight spins, starting again at 1 each round.  Under QEMU's deterministic
 * single-threaded TCG the first pause hands the host thread to the other
 * vCPU at once, so a round stays a few dozen instructions.  Under
 * multi-threaded TCG every pause makes the vCPU thread drop and retake
 * QEMU's global lock.  With a pause on every spin, the caller was seen to
 * stop between two rounds until this handler gave up after its second;
 * the likely cause (inferred, not traced) is that the two pausing vCPUs
 * starve the others of that lock, which the caller's interrupt handling
 * (the EOI is an MMIO write) needs.  With the back-off a long wait takes
 * the lock rarely, and the stall was not seen again.
 *
 * Decode: rounds 1..PINGPONG_MAX_ROUNDS (else BOX_ERR_INVALID); an output
 * Crate of at least 8 bytes (missing: INVALID, smaller: BOUNDS) whose
 * address is 8-aligned (else INVALID), so the word is one atomic access and
 * never straddles two cache lines.  The output's size is set to 8 when the
 * op ran; value = rounds completed.
 */
#include <stdint.h>

#include "decks/system.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "core/cabin.h"
#include "lib/log.h"

#define PINGPONG_MAX_ROUNDS 1000000u
#define PINGPONG_LIMIT_MS 1000u
/* See the file comment: the tight spins between two pauses double up to this. */
#define PINGPONG_BACKOFF_MAX 65536u

int32_t sys_bench_pingpong(struct op_call *call)
{
	OP_PARAMS(box_params_system_bench_pingpong, p);
	if (p->rounds == 0 || p->rounds > PINGPONG_MAX_ROUNDS)
		return BOX_ERR_INVALID;
	int32_t st = sys_check_out(call->out, sizeof(uint64_t));
	if (st != BOX_OK)
		return st;
	if ((uintptr_t)call->out->data % sizeof(uint64_t) != 0)
		return BOX_ERR_INVALID;
	if (cpu_count < 2)
		return BOX_ERR_BUSY;

	uint64_t *word = (uint64_t *)call->out->data;
	uint64_t deadline = rdtsc() + timer_tsc_hz() / 1000 * PINGPONG_LIMIT_MS;
	uint64_t done = 0;
	uint32_t spins = 0, budget = 1;
	st = BOX_OK;
	while (done < p->rounds) {
		uint64_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		if (v & 1) {
			__atomic_store_n(word, v + 1, __ATOMIC_RELEASE);
			done++;
			spins = 0, budget = 1;
			/* the limit is on a stall, not the whole run: a loaded host
			 * stalls a vCPU now and then, and 1100 rounds may take a while */
			if ((done & 63) == 0)
				deadline = rdtsc() + timer_tsc_hz() / 1000 * PINGPONG_LIMIT_MS;
			continue;
		}
		if (++spins < budget)
			continue;
		spins = 0;
		if (budget < PINGPONG_BACKOFF_MAX)
			budget *= 2;
		if (rdtsc() > deadline) {
			log_warn("bench.pingpong: cabin %u stopped playing after %lu of %lu rounds "
				 "(word %lu)", call->caller ? call->caller->id : 0, done, p->rounds, v);
			st = BOX_ERR_TIMEOUT;
			break;
		}
		cpu_relax();
	}
	call->out->size = sizeof(uint64_t);
	call->value = done;
	return st;
}
