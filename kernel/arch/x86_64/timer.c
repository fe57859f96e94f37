/*
 * timer.c: a known TSC frequency and a periodic tick on every CPU.
 *
 * The TSC is the kernel's clock (invariant on anything recent, and cheap to
 * read), but its rate is not announced reliably, so it is measured against a
 * timer whose rate is fixed by specification: the ACPI PM timer
 * (3.579545 MHz) when the FADT names one, else PIT channel 2 gated through
 * port 0x61 (1.193182 MHz; absent on some virtual machines, hence second).
 * The Local APIC timer is then measured against the TSC and set to fire
 * TIMER_HZ times a second on each CPU.
 */
#include "core/sched.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "drivers/acpi.h"
#include "lib/log.h"

#define PM_TIMER_HZ 3579545ULL
#define PIT_HZ 1193182ULL
#define CALIBRATION_MS 20

uint64_t kernel_entry_tsc;
static uint64_t tsc_hz;
static uint64_t lapic_ticks_per_sec;
static const char *source = "none";

uint64_t timer_tsc_hz(void) { return tsc_hz; }
const char *timer_calibration_source(void) { return source; }

uint64_t tsc_to_us(uint64_t delta)
{
	if (!tsc_hz)
		return 0;
	/* split to avoid overflow for long uptimes */
	return (delta / tsc_hz) * 1000000 + (delta % tsc_hz) * 1000000 / tsc_hz;
}

uint64_t timer_us_since_boot(void)
{
	return tsc_to_us(rdtsc() - kernel_entry_tsc);
}

void timer_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_hz / 1000000;
	while (rdtsc() < end)
		cpu_relax();
}

static uint32_t pm_timer_read(void)
{
	uint32_t v = inl(acpi.pm_timer_port);
	return acpi.pm_timer_32bit ? v : (v & 0xFFFFFF);
}

static uint64_t calibrate_pm_timer(void)
{
	uint32_t mask = acpi.pm_timer_32bit ? 0xFFFFFFFFu : 0xFFFFFFu;
	uint64_t want = PM_TIMER_HZ * CALIBRATION_MS / 1000;
	uint32_t start = pm_timer_read();
	uint64_t tsc0 = rdtsc_ordered(), elapsed = 0;
	uint32_t last = start;
	while (elapsed < want) {
		uint32_t now = pm_timer_read();
		elapsed += (now - last) & mask;
		last = now;
	}
	uint64_t tsc1 = rdtsc_ordered();
	return (tsc1 - tsc0) * PM_TIMER_HZ / elapsed;
}

static uint64_t calibrate_pit(void)
{
	uint16_t count = PIT_HZ * CALIBRATION_MS / 1000;
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xB0);                       /* channel 2, lo/hi, mode 0 */
	outb(0x42, count & 0xFF);
	outb(0x42, count >> 8);
	uint64_t tsc0 = rdtsc_ordered();
	uint64_t limit = tsc0 + (1ULL << 34); /* give up if the PIT never ends */
	while (!(inb(0x61) & 0x20))
		if (rdtsc() > limit)
			return 0;
	uint64_t tsc1 = rdtsc_ordered();
	return (tsc1 - tsc0) * 1000 / CALIBRATION_MS;
}

static void timer_tick(struct trap_frame *f)
{
	(void)f;
	this_cpu()->ticks++;
	sched_tick(); /* quantum accounting; the switch itself waits for the EOI (trap.c) */
}

void timer_calibrate_tsc(void)
{
	if (acpi.pm_timer_port) {
		tsc_hz = calibrate_pm_timer();
		source = "ACPI PM timer";
	}
	if (!tsc_hz) {
		tsc_hz = calibrate_pit();
		source = "PIT";
	}
	if (!tsc_hz) {
		tsc_hz = 1000000000ULL;
		source = "a guess (no reference timer)";
		log_warn("timer: no PM timer or PIT; assuming a 1 GHz TSC");
	}
	log_info("timer: TSC %lu.%03lu MHz (measured against the %s)", tsc_hz / 1000000,
		 (tsc_hz / 1000) % 1000, source);
}

void timer_calibrate_lapic(void)
{
	lapic_timer_start_count();
	uint64_t start = rdtsc();
	while (rdtsc() - start < tsc_hz * CALIBRATION_MS / 1000)
		cpu_relax();
	uint32_t used = 0xFFFFFFFFu - lapic_timer_read_count();
	lapic_ticks_per_sec = (uint64_t)used * 1000 / CALIBRATION_MS;

	irq_register(VEC_TIMER, timer_tick);
	log_info("timer: LAPIC timer %lu kHz, tick %u Hz on every CPU", lapic_ticks_per_sec / 1000,
		 TIMER_HZ);
}

void timer_start_cpu(void)
{
	lapic_timer_periodic((uint32_t)(lapic_ticks_per_sec / TIMER_HZ), VEC_TIMER);
}
