/*
 * guide.c: the K-Core's Guide loop and the App-Cores' idle loop.
 *
 * The Guide will drain Cabins' Pocket rings; until Cabins exist it has no
 * rings to drain, so it sleeps until the next interrupt, exactly as it will
 * when every ring is empty.  An App-Core with no Cabin to run does the same.
 * `sti; hlt` is one step, so an interrupt cannot slip in between the check
 * and the sleep.  On a one-CPU machine the single CPU runs the Guide loop.
 */
#include "core/guide.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"

void guide_run(void)
{
	for (;;)
		irq_enable_and_halt();
}

void app_core_idle(void)
{
	for (;;)
		irq_enable_and_halt();
}
