/*
 * power.c: turning the machine off or resetting it.
 *
 * Power-off is ACPI S5: write SLP_TYP (from \_S5 in the DSDT) with SLP_EN
 * into the PM1a (and PM1b) control registers.  Reset tries, in order, the
 * FADT reset register, the PCI reset control port 0xCF9 and the keyboard
 * controller's reset line, and finally a triple fault, which every x86
 * machine turns into a reset.  debug_exit() is QEMU's isa-debug-exit device,
 * which the tests use to leave QEMU with a pass/fail status; on a machine
 * without it the write goes nowhere.
 */
#include "drivers/power.h"
#include "drivers/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "lib/log.h"
#include "mm/paging.h"

#define SLP_EN (1u << 13)

void debug_exit(unsigned code)
{
	outl(0xF4, code);
}

void power_off(void)
{
	log_info("power: ACPI S5 power-off");
	irq_disable();
	if (acpi.has_s5 && acpi.pm1a_cnt) {
		outw(acpi.pm1a_cnt, (uint16_t)(acpi.slp_typ_a << 10) | SLP_EN);
		if (acpi.pm1b_cnt)
			outw(acpi.pm1b_cnt, (uint16_t)(acpi.slp_typ_b << 10) | SLP_EN);
		timer_delay_us(100000);
	}
	log_error("power: the machine did not power off; halting");
	cpu_stop();
}

void power_reboot(void)
{
	log_info("power: reboot");
	irq_disable();
	if (acpi.has_reset_reg) {
		const struct acpi_gas *r = &acpi.reset_reg;
		if (r->space == 1)
			outb((uint16_t)r->address, acpi.reset_value);
		else if (r->space == 0)
			*(volatile uint8_t *)mmio_map(r->address, 1) = acpi.reset_value;
		timer_delay_us(50000);
	}
	outb(0xCF9, 0x02);
	io_wait();
	outb(0xCF9, 0x06);
	timer_delay_us(50000);
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		cpu_relax();
	outb(0x64, 0xFE);
	timer_delay_us(50000);
	/* triple fault: an empty IDT and an exception */
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } empty = {0, 0};
	__asm__ volatile("lidt %0; int3" ::"m"(empty));
	cpu_stop();
}
