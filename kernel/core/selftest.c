/*
 * selftest.c: tests that need the real machine, run by `selftest` on the
 * kernel command line (the QEMU tests boot with it and read the exit status
 * from isa-debug-exit).
 *
 * Each test is a function in one table, returning NULL on success or a
 * reason.  They check what host tests cannot: the allocator on the real
 * memory map, page tables the CPU actually walks, interrupts arriving on
 * every CPU, IPIs, ACPI facts against what booted, the RTC.  Every test
 * leaves the free-page count as it found it.
 *
 * The deliberate faults (`fault=page|gp|ud|div`) each live in a function of
 * their own so the backtrace has a name to show.  Each keeps a volatile
 * local: GCC gives a function that never touches the stack no frame at all,
 * even with -fno-omit-frame-pointer, and then its caller would be missing
 * from the backtrace.
 */
#include "core/selftest.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/timer.h"
#include "drivers/acpi.h"
#include "drivers/rtc.h"
#include "lib/cmdline.h"
#include "lib/ksyms.h"
#include "lib/log.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/paging.h"
#include "mm/pmm.h"

static const char *test_pmm_zones(void)
{
	uint64_t before = pmm_free_pages_total();
	uint64_t pages[ZONE_COUNT];
	for (int z = 0; z < ZONE_COUNT; z++) {
		pages[z] = pmm_alloc((enum pmm_zone)z, 0);
		if (z == ZONE_DMA32 && (!pages[z] || pages[z] >= PMM_DMA32_LIMIT))
			return "a DMA32 page must exist and lie below 4 GiB";
	}
	uint64_t big = pmm_alloc(ZONE_USER, BUDDY_MAX_ORDER);
	if (big && (big & ((PAGE_SIZE << BUDDY_MAX_ORDER) - 1)))
		return "an order-10 block is not naturally aligned";
	if (big)
		pmm_free(big, BUDDY_MAX_ORDER);
	for (int z = 0; z < ZONE_COUNT; z++)
		if (pages[z])
			pmm_free(pages[z], 0);
	if (pmm_free(pages[ZONE_DMA32], 0) == 0)
		return "a double free was accepted";
	if (pmm_check() != 0)
		return "pmm_check found an inconsistency";
	return pmm_free_pages_total() == before ? NULL : "free page count changed";
}

static const char *test_heap(void)
{
	struct heap_stats start, end;
	heap_stats(&start);
	uint64_t before = pmm_free_pages_total();
	enum { N = 200 };
	static uint8_t *ptrs[N];
	for (int i = 0; i < N; i++) {
		size_t size = 1 + (size_t)(i * 97) % 9000;
		ptrs[i] = kmalloc(size);
		if (!ptrs[i] || ((uint64_t)ptrs[i] & 15))
			return "kmalloc failed or returned a misaligned block";
		memset(ptrs[i], i & 0xFF, size);
	}
	for (int i = 0; i < N; i++) {
		size_t size = 1 + (size_t)(i * 97) % 9000;
		for (size_t j = 0; j < size; j++)
			if (ptrs[i][j] != (i & 0xFF))
				return "heap blocks overlap";
	}
	for (int i = 0; i < N; i++)
		kfree(ptrs[i]);
	/* small-class pages stay with the heap; large blocks must all be back */
	heap_stats(&end);
	if (end.bytes_in_use != start.bytes_in_use || end.allocs - start.allocs != N ||
	    end.frees - start.frees != N)
		return "heap accounting does not balance after freeing everything";
	return pmm_free_pages_total() + (end.pages - start.pages) == before
		       ? NULL
		       : "large blocks leaked pages";
}

static const char *test_paging(void)
{
	const uint64_t va = 0xFFFFE00000000000ULL; /* unused kernel-half address */
	uint64_t phys = pmm_alloc_page();
	if (!phys)
		return "no page";
	uint64_t *direct = phys_to_virt(phys);
	direct[0] = 0x1234;
	if (paging_map(va, phys, PAGE_SIZE, PTE_W | PTE_NX) != 0)
		return "map failed";
	uint64_t pa = 0, flags = 0;
	if (paging_translate(va, &pa, &flags) != 0 || pa != phys || !(flags & PTE_NX))
		return "translate disagrees with the mapping";
	volatile uint64_t *alias = (uint64_t *)va;
	if (*alias != 0x1234)
		return "alias does not see the direct-map write";
	*alias = 0xABCD;
	if (direct[0] != 0xABCD)
		return "direct map does not see the alias write";
	if (paging_map(va, phys, PAGE_SIZE, PTE_W) == 0)
		return "mapping an already mapped page succeeded";
	if (paging_unmap(va, PAGE_SIZE) != 0 || paging_translate(va, &pa, &flags) == 0)
		return "unmap failed";
	if (paging_translate(0, &pa, &flags) == 0)
		return "page 0 is still mapped (TagBoot's identity map leaked)";
	pmm_free(phys, 0);
	return NULL;
}

static const char *test_timer_ticks(void)
{
	uint64_t before[MAX_CPUS];
	for (unsigned i = 0; i < cpu_count; i++)
		before[i] = cpus[i].ticks;
	timer_delay_us(100000); /* 100 ms = 10 ticks at 100 Hz */
	for (unsigned i = 0; i < cpu_count; i++)
		if (cpus[i].ticks < before[i] + 3)
			return "a CPU's timer is not ticking";
	return NULL;
}

static const char *test_ipi(void)
{
	return smp_ping_all() == 0 ? NULL : "an App-Core did not take the test IPI";
}

static const char *test_cpus_online(void)
{
	for (unsigned i = 0; i < cpu_count; i++)
		if (!cpus[i].online || cpus[i].role == CPU_ROLE_NONE)
			return "a started CPU is not online";
	return cpu_count == acpi.cpu_count ? NULL : "fewer CPUs online than ACPI lists";
}

static const char *test_acpi(void)
{
	if (!acpi.has_fadt || !acpi.pm1a_cnt)
		return "no FADT PM1a control block";
	if (!acpi.has_s5)
		return "no \\_S5 object: power-off would not work";
	return ioapic_line_count() >= 16 ? NULL : "fewer than 16 IO-APIC lines";
}

static const char *test_rtc(void)
{
	struct rtc_time t;
	if (rtc_read(&t) != 0)
		return "RTC never settled";
	if (t.year < 2024 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 ||
	    t.minute > 59 || t.second > 60)
		return "RTC reads an impossible date";
	struct rtc_time epoch = {1970, 1, 1, 0, 0, 0}, y2k = {2000, 3, 1, 0, 0, 0};
	if (rtc_to_unix(&epoch) != 0 || rtc_to_unix(&y2k) != 951868800)
		return "date conversion is wrong";
	return NULL;
}

static const char *test_ksyms(void)
{
	uint64_t off;
	uint64_t addr = ksyms_address("selftest_run");
	const char *name = ksyms_lookup((uint64_t)selftest_run + 4, &off);
	if (addr != (uint64_t)selftest_run || !name || strcmp(name, "selftest_run") != 0 || off != 4)
		return "symbol lookup does not find selftest_run";
	return NULL;
}

static const char *test_cmdline(void)
{
	char v[16];
	const char *line = "a=1 bee selftest loglevel=debug a=2";
	if (!cmdline_get(line, "a", v, sizeof(v)) || strcmp(v, "2") != 0)
		return "last occurrence should win";
	if (!cmdline_has(line, "bee") || cmdline_has(line, "be") || cmdline_has(line, "loglevel=d"))
		return "word matching is wrong";
	return NULL;
}

static const struct {
	const char *name;
	const char *(*run)(void);
} tests[] = {
	{"pmm_zones", test_pmm_zones},
	{"heap", test_heap},
	{"paging", test_paging},
	{"cpus_online", test_cpus_online},
	{"timer_ticks", test_timer_ticks},
	{"ipi", test_ipi},
	{"acpi", test_acpi},
	{"rtc", test_rtc},
	{"ksyms", test_ksyms},
	{"cmdline", test_cmdline},
};

bool selftest_run(void)
{
	unsigned passed = 0, failed = 0;
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		const char *why = tests[i].run();
		if (why) {
			failed++;
			log_error("selftest: %s FAILED: %s", tests[i].name, why);
		} else {
			passed++;
			log_info("selftest: %s ok", tests[i].name);
		}
	}
	log_info("selftest: %u passed, %u failed", passed, failed);
	return failed == 0;
}

__attribute__((noinline)) static void selftest_fault_page(void)
{
	volatile uint64_t target = 0xFFFFE0DEAD000000ULL; /* never mapped */
	*(volatile uint64_t *)target = 0xBAD;
}

__attribute__((noinline)) static void selftest_fault_gp(void)
{
	volatile uint64_t target = 0x8000000000000000ULL; /* non-canonical */
	*(volatile uint64_t *)target = 0xBAD;
}

__attribute__((noinline)) static void selftest_fault_ud(void)
{
	volatile int frame = 0;
	(void)frame;
	__asm__ volatile("ud2");
}

__attribute__((noinline)) static void selftest_fault_div(void)
{
	volatile unsigned zero = 0;
	volatile unsigned r = 1 / zero;
	(void)r;
}

void selftest_fault(const char *kind)
{
	log_info("selftest: deliberate %s fault", kind);
	if (strcmp(kind, "page") == 0)
		selftest_fault_page();
	else if (strcmp(kind, "gp") == 0)
		selftest_fault_gp();
	else if (strcmp(kind, "ud") == 0)
		selftest_fault_ud();
	else if (strcmp(kind, "div") == 0)
		selftest_fault_div();
	log_warn("selftest: unknown fault kind '%s' (page, gp, ud, div)", kind);
}
