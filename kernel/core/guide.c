/*
 * guide.c: the K-Core's Guide loop and the App-Cores' idle loop.
 *
 * The Guide will drain Cabins' Pocket rings; that part of the message-ring
 * work is not built yet, so for now it sleeps until the next interrupt,
 * exactly as it will when every ring is empty.  An App-Core runs the Cabins it is handed
 * (core/launch.c) and sleeps in between.
 * `sti; hlt` is one step, so an interrupt cannot slip in between the check
 * and the sleep.  On a one-CPU machine the single CPU runs the Guide loop.
 */
#include "core/guide.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/launch.h"

void guide_run(void)
{
	for (;;)
		irq_enable_and_halt();
}

void app_core_idle(void)
{
	launch_app_core_loop();
}
