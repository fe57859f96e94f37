/*
 * main.c: kmain, the order in which the kernel brings the machine up.
 *
 *   1. per-CPU block, serial console, own GDT/TSS/IDT   (faults are reported from here on)
 *   2. BootInfo check, command line, kernel symbols, ACPI, TSC rate
 *      (ACPI and the PM timer only need TagBoot's direct map; measuring the
 *      TSC this early gives every later log line a real timestamp)
 *   3. physical memory zones, own page tables, framebuffer console
 *   4. 8259 masked, Local APIC, IO-APIC, LAPIC timer, RTC, serial input, PS/2 keyboard
 *   5. Application Processors; CPU 0 becomes the K-Core
 *   6. the boot report, then what the command line asks for
 *      (self-tests, a deliberate fault, power-off or reboot), then the Guide.
 *
 * Command line words: loglevel=error|warn|info|debug, selftest,
 * fault=page|gp|ud|div, run=NAME[:LEVEL][,NAME...] (programs from the boot bundle, at an auth level),
 * cabintest=N (spawn and reap N Cabins, check no page leaks),
 * disktest[=SEED] (check every disk: drivers/disktest.c),
 * after=poweroff|reboot.
 */
#include "boxos/bootinfo.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "core/cabin.h"
#include "core/guide.h"
#include "core/launch.h"
#include "core/panic.h"
#include "core/selftest.h"
#include "core/volume.h"
#include "drivers/acpi.h"
#include "drivers/disk.h"
#include "drivers/fbcon.h"
#include "drivers/power.h"
#include "drivers/ps2kbd.h"
#include "drivers/rtc.h"
#include "drivers/serial.h"
#include "lib/cmdline.h"
#include "lib/ksyms.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "mm/pmm.h"

extern bool panic_exit_qemu;

static struct spinlock pmm_spinlock = SPINLOCK_INIT;
static void pmm_lock(void) { spin_lock(&pmm_spinlock); }
static void pmm_unlock(void) { spin_unlock(&pmm_spinlock); }

static const char *mem_type_name(uint32_t type)
{
	static const char *const names[] = {"?", "usable", "reserved", "ACPI reclaim", "ACPI NVS",
					    "MMIO", "bad", "kernel", "boot data"};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static void check_bootinfo(const struct bootinfo *bi)
{
	if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION ||
	    bi->size < sizeof(struct bootinfo)) {
		log_error("boot: BootInfo not understood (magic %#lx, version %u, size %u); "
			  "TagBoot and kernel do not match",
			  bi->magic, bi->version, bi->size);
		cpu_stop();
	}
}

static void report_memory(const struct bootinfo *bi)
{
	const struct boot_mem_region *map = phys_to_virt(bi->mem_map);
	uint64_t bytes[9] = {0};
	for (uint32_t i = 0; i < bi->mem_map_count; i++) {
		if (map[i].type < 9)
			bytes[map[i].type] += map[i].length;
		log_debug("mem: %016lx-%016lx %s", map[i].base, map[i].base + map[i].length - 1,
			  mem_type_name(map[i].type));
	}
	log_info("mem: %u regions: %lu MiB usable, %lu KiB kernel, %lu KiB boot data, %lu KiB ACPI",
		 bi->mem_map_count, bytes[BOOT_MEM_USABLE] >> 20, bytes[BOOT_MEM_KERNEL] >> 10,
		 bytes[BOOT_MEM_BOOT_DATA] >> 10,
		 (bytes[BOOT_MEM_ACPI_RECLAIM] + bytes[BOOT_MEM_ACPI_NVS]) >> 10);
	struct pmm_zone_stats zones[ZONE_COUNT];
	pmm_stats(zones);
	for (int z = 0; z < ZONE_COUNT; z++)
		log_info("mem: zone %s %lu MiB total, %lu MiB free", zones[z].name,
			 (uint64_t)(zones[z].total_pages * PAGE_SIZE >> 20),
			 (uint64_t)(zones[z].free_pages * PAGE_SIZE >> 20));
}

static void log_ms(const char *what, uint64_t tsc_delta, const char *span)
{
	uint64_t us = tsc_to_us(tsc_delta);
	log_info("boot: %s %lu.%03lu ms (%s)", what, us / 1000, us % 1000, span);
}

static void boot_report(const struct bootinfo *bi, uint64_t ready_tsc)
{
	/* The TSC starts at 0 at reset, so TagBoot's first stamp is the firmware's time. */
	if (bi->tsc_loader_entry && bi->tsc_loader_entry < bi->tsc_handoff &&
	    tsc_to_us(bi->tsc_loader_entry) < 600000000ULL)
		log_ms("firmware", bi->tsc_loader_entry, "reset to TagBoot entry");
	else
		log_info("boot: firmware time not measurable (TSC did not start at reset)");
	log_ms("TagBoot", bi->tsc_handoff - bi->tsc_loader_entry, "entry to hand-off");
	log_ms("kernel", ready_tsc - kernel_entry_tsc, "entry to ready");
	struct pmm_zone_stats zones[ZONE_COUNT];
	pmm_stats(zones);
	uint64_t total = 0;
	for (int z = 0; z < ZONE_COUNT; z++)
		total += zones[z].total_pages;
	log_info("boot: ready: %u CPUs (%s), %lu MiB RAM managed", cpu_count,
		 cpu_count > 1 ? "cpu0 K-Core, the rest App-Cores" : "cpu0 runs both roles",
		 (uint64_t)(total * PAGE_SIZE >> 20));
}

static void report_clock(void)
{
	struct rtc_time t;
	if (rtc_read(&t) == 0)
		log_info("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.month, t.day, t.hour,
			 t.minute, t.second);
	else
		log_warn("rtc: the clock did not settle; no wall-clock time");
}

void kmain(struct bootinfo *bi)
{
	/* 1. this_cpu() must work before anything can fault or log */
	cpus[0].id = 0;
	percpu_install(&cpus[0]);
	serial_init();
	gdt_init_cpu(&cpus[0]);
	percpu_install(&cpus[0]); /* loading GS in the GDT switch cleared the base */
	idt_init();
	idt_load();
	log_info("BoxOS kernel starting");

	/* 2. */
	check_bootinfo(bi);
	char value[32];
	enum log_level level;
	if (cmdline_get(bi->cmdline, "loglevel", value, sizeof(value)) &&
	    log_level_from_name(value, &level) == 0)
		log_set_level(level);
	log_info("boot: BootInfo v%u, command line \"%s\"", bi->version, bi->cmdline);
	if (ksyms_init(phys_to_virt(bi->kernel_elf), bi->kernel_elf_size) != 0)
		log_warn("ksyms: no symbol table; backtraces will show addresses only");
	bool selftest = cmdline_has(bi->cmdline, "selftest");
	panic_exit_qemu = selftest;
	if (acpi_init(bi->acpi_rsdp) != 0)
		panic("acpi: no usable ACPI tables (need the MADT to find the APICs)");

	/* 3. */
	if (pmm_init(phys_to_virt(bi->mem_map), bi->mem_map_count, HHDM_BASE) != 0)
		panic("mem: no usable memory in the BootInfo memory map");
	pmm_set_lock(pmm_lock, pmm_unlock);
	paging_init(bi);
	if (bi->fb.base)
		fbcon_init(&bi->fb, phys_to_virt(bi->fb.base));
	if (bi->fb.base) {
		unsigned cols, rows;
		fbcon_geometry(&cols, &rows);
		log_info("fbcon: %ux%u framebuffer, %ux%u text", bi->fb.width, bi->fb.height, cols,
			 rows);
	}
	report_memory(bi);

	/* 4. */
	pic_disable();
	lapic_init_bsp(acpi.lapic_phys);
	cpus[0].apic_id = lapic_id();
	ioapic_init();
	timer_calibrate();
	timer_start_cpu();
	cpus[0].online = 1;
	notify_init_cpu();
	irq_enable();
	report_clock();
	serial_start_input();
	ps2kbd_init();

	/* 5. */
	smp_start_aps(bi);
	log_info("cpu0: online as %s (APIC id %u)", cpu_role_name(cpus[0].role), cpus[0].apic_id);

	/* 6. */
	disk_init();
	volume_init(bi->cmdline);
	boot_report(bi, rdtsc());
	guide_init();
	launch_init(bi);

	if (selftest) {
		bool ok = selftest_run();
		debug_exit(ok ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
		log_error("selftest: no isa-debug-exit device; halting");
		cpu_stop();
	}
	if (cmdline_get(bi->cmdline, "fault", value, sizeof(value)))
		selftest_fault(value);
	char programs[BOOTINFO_CMDLINE_MAX];
	if (cmdline_get(bi->cmdline, "run", programs, sizeof(programs)))
		launch_list(programs);
	if (cmdline_get(bi->cmdline, "cabintest", value, sizeof(value))) {
		unsigned n = 0;
		for (const char *p = value; *p >= '0' && *p <= '9' && n < 1000000; p++)
			n = n * 10 + (unsigned)(*p - '0');
		launch_leak_test("exit42", n ? n : 1);
	}
	if (cmdline_get(bi->cmdline, "disktest", value, sizeof(value)))
		disktest_run(value);
	bool scripted = cmdline_get(bi->cmdline, "after", value, sizeof(value));
	if (scripted) {
		if (strcmp(value, "poweroff") == 0)
			power_off();
		if (strcmp(value, "reboot") == 0)
			power_reboot();
		log_warn("boot: unknown after=%s (poweroff, reboot)", value);
	}
	/* An interactive boot ends in the first program, `init=` (the shell by
	 * default), kept running by the K-Core; a scripted one (after=) does not. */
	char init[CABIN_NAME_MAX + 16] = "shell:system";
	cmdline_get(bi->cmdline, "init", init, sizeof(init));
	uint8_t init_level;
	if (!scripted && strcmp(init, "none") != 0 && launch_parse_item(init, &init_level)) {
		log_info("guide: cpu0 runs the Guide loop; init is %s", init);
		launch_supervise(init, init_level);
	}
	log_info("guide: cpu0 runs the Guide loop");
	kcore_run();
}
