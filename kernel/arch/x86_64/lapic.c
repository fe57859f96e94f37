/*
 * lapic.c: the Local APIC, in xAPIC (MMIO) mode.
 *
 * Every CPU has one at the same physical address; the registers seen there
 * are always the current CPU's own, so one mapping serves all CPUs.  It
 * delivers the per-CPU timer tick and carries inter-processor interrupts:
 * INIT and STARTUP to boot APs, fixed vectors for work, NMI for "stop now".
 */
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "mm/paging.h"

enum {
	REG_ID = 0x20, REG_TPR = 0x80, REG_EOI = 0xB0, REG_SVR = 0xF0,
	REG_ICR_LOW = 0x300, REG_ICR_HIGH = 0x310, REG_LVT_TIMER = 0x320,
	REG_LVT_LINT0 = 0x350, REG_LVT_LINT1 = 0x360, REG_LVT_ERROR = 0x370,
	REG_TIMER_INITIAL = 0x380, REG_TIMER_CURRENT = 0x390, REG_TIMER_DIVIDE = 0x3E0,
};
#define ICR_PENDING   (1u << 12)
#define ICR_ASSERT    (1u << 14)
#define ICR_LEVEL     (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)
#define LVT_MASKED    (1u << 16)
#define LVT_PERIODIC  (1u << 17)

static volatile uint32_t *regs;

static uint32_t rd(uint32_t reg) { return regs[reg / 4]; }
static void wr(uint32_t reg, uint32_t v) { regs[reg / 4] = v; }

bool lapic_ready(void) { return regs != 0; }
uint32_t lapic_id(void) { return rd(REG_ID) >> 24; }
void lapic_eoi(void) { wr(REG_EOI, 0); }

void lapic_init_bsp(uint64_t phys)
{
	regs = mmio_map(phys, 4096);
	lapic_init_cpu();
}

void lapic_init_cpu(void)
{
	/* make sure the APIC is globally enabled (bit 11 of the base MSR) */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
	wr(REG_TPR, 0);
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_LVT_ERROR, LVT_MASKED);
	wr(REG_SVR, 0x100 | VEC_SPURIOUS); /* software enable + spurious vector */
	lapic_eoi();
}

static void icr_wait(void)
{
	for (int i = 0; i < 1000000 && (rd(REG_ICR_LOW) & ICR_PENDING); i++)
		cpu_relax();
}

static void icr_send(uint32_t apic_id, uint32_t low)
{
	icr_wait();
	wr(REG_ICR_HIGH, apic_id << 24);
	wr(REG_ICR_LOW, low);
	icr_wait();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, vector | ICR_ASSERT);
}

void lapic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, 0x500 | ICR_ASSERT | ICR_LEVEL);
}

void lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, 0x600 | page | ICR_ASSERT);
}

void lapic_send_nmi_all_but_self(void)
{
	icr_send(0, 0x400 | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_timer_start_count(void)
{
	wr(REG_TIMER_DIVIDE, 0x3); /* divide by 16 */
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_TIMER_INITIAL, 0xFFFFFFFF);
}

uint32_t lapic_timer_read_count(void)
{
	return rd(REG_TIMER_CURRENT);
}

void lapic_timer_periodic(uint32_t ticks_per_period, uint8_t vector)
{
	wr(REG_TIMER_DIVIDE, 0x3);
	wr(REG_LVT_TIMER, vector | LVT_PERIODIC);
	wr(REG_TIMER_INITIAL, ticks_per_period ? ticks_per_period : 1);
}
