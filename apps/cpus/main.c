/*
 * cpus: every CPU as the scheduler sees it, from hardware.cpu.stats
 * (struct box_cpu_stats, boxos/abi/info.h): index, role (K-Core, App-Core,
 * or both on a one-CPU machine), Local APIC id, online, timer ticks taken,
 * READY Cabins queued on it, live Cabins whose core it is, and the Cabin
 * running on it at that moment ("-" when none; `cpus` itself is usually
 * waiting for the answer, so it shows up only when it has the CPU).
 * The last line counts CPUs and App-Cores.  Exit 0, 1 when the op fails,
 * 2 for bad arguments.
 */
#include <stdint.h>

#include "boxos/abi/info.h"
#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define MAX_CPUS 64

static const char *role_name(uint8_t role)
{
	switch (role) {
	case BOX_CPU_ROLE_KCORE: return "K-Core";
	case BOX_CPU_ROLE_APP: return "App-Core";
	case BOX_CPU_ROLE_BOTH: return "K+App";
	default: return "none";
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: cpus [--help]\n");
		printf("list every CPU with its role, APIC id, ticks, queued Cabins and what runs on it\n");
		return 0;
	}
	if (argc > 1) {
		printf("unexpected argument '%s' (try cpus --help)\n", argv[1]);
		return 2;
	}
	static struct box_cpu_stats s[MAX_CPUS];
	uint64_t len = 0, n = 0;
	int32_t st = box_hardware_cpu_stats(s, sizeof(s), &len, &n);
	if (st != BOX_OK || len != n * sizeof(s[0]) || n == 0 || n > MAX_CPUS) {
		printf("hardware.cpu.stats failed: %s\n", box_status_name(st));
		return 1;
	}
	printf("CPU  ROLE      APIC  ONLINE  TICKS       QUEUED  CABINS  RUNNING\n");
	unsigned app = 0;
	for (uint64_t i = 0; i < n; i++) {
		char running[48] = "-";
		if (s[i].running) {
			s[i].running_name[sizeof(s[i].running_name) - 1] = 0;
			snprintf(running, sizeof(running), "%u (%s)", s[i].running, s[i].running_name);
		}
		app += s[i].role == BOX_CPU_ROLE_APP || s[i].role == BOX_CPU_ROLE_BOTH;
		printf("cpu%-2u %-9s %-5u %-7s %-11llu %-7u %-7u %s\n", s[i].cpu, role_name(s[i].role),
		       s[i].apic_id, s[i].online ? "yes" : "no", (unsigned long long)s[i].ticks,
		       s[i].queued, s[i].cabins, running);
	}
	printf("%llu CPUs, %u of them App-Cores\n", (unsigned long long)n, app);
	return 0;
}
