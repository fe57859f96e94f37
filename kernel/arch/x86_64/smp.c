/*
 * smp.c: bring up the Application Processors with INIT-SIPI-SIPI.
 *
 * One AP at a time: the trampoline page (trampoline.S) is patched with that
 * AP's stack and struct cpu, INIT is sent, then STARTUP twice (the second
 * only if the first did not take, as Intel's MP protocol allows), and the
 * AP announces itself by setting cpu->online.  An AP that does not answer in
 * half a second is left offline and the boot goes on.  While APs start, the
 * kernel tables identity-map the low 2 MiB so the trampoline survives the
 * moment paging turns on; afterwards that mapping is removed and every AP
 * flushes its TLB before it idles.
 */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "core/cabin.h"
#include "core/sched.h"
#include "core/guide.h"
#include "drivers/acpi.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "mm/pmm.h"

extern const char trampoline_start[], trampoline_end[], tramp_gdtr_base[], tramp_farptr[],
	tramp_cr3[], tramp_efer[], tramp_stack[], tramp_cpu[], tramp_entry[], tramp_long[], tramp_gdt[];

static volatile int smp_boot_done;

static uint8_t *slot(uint8_t *copy, const char *sym)
{
	return copy + (sym - trampoline_start);
}

static void test_ipi(struct trap_frame *f)
{
	(void)f;
	this_cpu()->ipis++;
}

__attribute__((noreturn)) static void ap_entry(struct cpu *c)
{
	gdt_init_cpu(c);
	percpu_install(c);
	idt_load();
	paging_load();
	lapic_init_cpu();
	timer_start_cpu();
	notify_init_cpu();
	log_info("cpu%u: online as %s (APIC id %u)", c->id, cpu_role_name(c->role), c->apic_id);
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	lapic_send_ipi(cpus[0].apic_id, VEC_WAKE); /* the bootstrap CPU sleeps until we are up */
	while (!__atomic_load_n(&smp_boot_done, __ATOMIC_ACQUIRE))
		cpu_relax();
	write_cr3(read_cr3()); /* forget the trampoline's identity mapping */
	irq_enable();
	sched_app_core_loop();
}

/*
 * The MP specification's INIT-SIPI-SIPI waits 10 ms after INIT, for the
 * external APICs of the 1990s.  CPUs with an integrated APIC that are
 * family 6 or later (Intel) or 0xF or later (AMD) take a STARTUP right after
 * INIT (Linux skips the wait for them too), and 10 ms per AP was most of
 * BoxOS's boot; older or unknown CPUs keep the full wait.
 */
static uint64_t init_delay_us(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	uint32_t family = (r[0] >> 8) & 0xF;
	if (family == 0xF)
		family += (r[0] >> 20) & 0xFF;
	return family >= 6 ? 0 : 10000;
}

static bool start_one(struct cpu *c, uint8_t *copy, uint64_t tramp_phys)
{
	uint64_t stack = pmm_alloc(ZONE_USER, 2); /* 16 KiB */
	if (!stack) {
		log_warn("smp: no memory for cpu%u's stack", c->id);
		return false;
	}
	c->kstack_top = (uint64_t)phys_to_virt(stack) + KSTACK_SIZE;
	uint64_t v;
	v = c->kstack_top;
	memcpy(slot(copy, tramp_stack), &v, 8);
	v = (uint64_t)c;
	memcpy(slot(copy, tramp_cpu), &v, 8);
	v = (uint64_t)ap_entry;
	memcpy(slot(copy, tramp_entry), &v, 8);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(c->apic_id);
	timer_delay_us(init_delay_us());
	for (int attempt = 0; attempt < 2 && !c->online; attempt++) {
		lapic_send_startup(c->apic_id, (uint8_t)(tramp_phys >> 12));
		uint64_t deadline = rdtsc() + timer_tsc_hz() / 2;
		/* halt, not spin: the AP's wake-up IPI (or a tick) ends the nap, and a
		 * halted vCPU hands the host (or QEMU's round robin) to the AP at once */
		while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) && rdtsc() < deadline) {
			irq_disable();
			if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
				irq_enable_and_halt();
			irq_enable();
		}
	}
	if (!c->online) {
		log_warn("smp: cpu%u (APIC id %u) did not start; continuing without it", c->id,
			 c->apic_id);
		pmm_free(stack, 2);
		return false;
	}
	return true;
}

static void ap_is_up(struct trap_frame *f)
{
	(void)f; /* the interrupt itself ended the bootstrap CPU's hlt */
}

unsigned smp_start_aps(const struct bootinfo *bi)
{
	irq_register(VEC_TEST_IPI, test_ipi);
	irq_register(VEC_WAKE, ap_is_up);
	uint32_t me = lapic_id();
	bool can_start = bi->trampoline && bi->trampoline < 0x100000 &&
			 bi->trampoline_size >= (uint64_t)(trampoline_end - trampoline_start) &&
			 paging_kernel_pml4() < 0x100000000ULL;
	if (acpi.cpu_count > 1 && !can_start)
		log_warn("smp: no usable AP trampoline from TagBoot; running on one CPU");

	if (acpi.cpu_count > 1 && can_start) {
		uint8_t *copy = phys_to_virt(bi->trampoline);
		memcpy(copy, trampoline_start, trampoline_end - trampoline_start);
		uint32_t v32 = (uint32_t)(bi->trampoline + (tramp_gdt - trampoline_start));
		memcpy(slot(copy, tramp_gdtr_base), &v32, 4);
		v32 = (uint32_t)(bi->trampoline + (tramp_long - trampoline_start));
		memcpy(slot(copy, tramp_farptr), &v32, 4);
		v32 = (uint32_t)paging_kernel_pml4();
		memcpy(slot(copy, tramp_cr3), &v32, 4);
		v32 = EFER_LME | (uint32_t)(rdmsr(MSR_EFER) & EFER_NXE);
		memcpy(slot(copy, tramp_efer), &v32, 4);
		paging_identity_low(true);

		for (unsigned i = 0; i < acpi.cpu_count && cpu_count < MAX_CPUS; i++) {
			if (acpi.cpu_apic_ids[i] == me)
				continue;
			struct cpu *c = &cpus[cpu_count];
			c->id = cpu_count;
			c->apic_id = acpi.cpu_apic_ids[i];
			c->role = CPU_ROLE_APP;
			if (start_one(c, copy, bi->trampoline))
				cpu_count++;
			else
				*c = (struct cpu){0};
		}
		paging_identity_low(false);
	}
	cpus[0].role = cpu_count > 1 ? CPU_ROLE_KCORE : CPU_ROLE_BOTH;
	__atomic_store_n(&smp_boot_done, 1, __ATOMIC_RELEASE);
	return cpu_count;
}

int smp_ping_all(void)
{
	for (unsigned i = 1; i < cpu_count; i++) {
		uint64_t before = cpus[i].ipis;
		lapic_send_ipi(cpus[i].apic_id, VEC_TEST_IPI);
		uint64_t deadline = rdtsc() + timer_tsc_hz() / 5;
		while (cpus[i].ipis == before && rdtsc() < deadline)
			cpu_relax();
		if (cpus[i].ipis == before)
			return -(int)i;
	}
	return 0;
}
