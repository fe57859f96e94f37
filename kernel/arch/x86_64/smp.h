/* smp.h: starting the Application Processors (see smp.c). */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include "boxos/bootinfo.h"

/* Start every other CPU ACPI lists; returns the number of CPUs online. */
unsigned smp_start_aps(const struct bootinfo *bi);
/* Send a test IPI to every other online CPU and wait for each to take it. */
int smp_ping_all(void);

#endif
