/*
 * reboot: reset the machine with hardware.system.reboot (the ACPI reset
 * register, then the keyboard controller, then a triple fault).
 * Needs auth SYSTEM (its about file asks the shell for it); the op never
 * returns when it works, so any answer is an error and exits 1.
 */
#include <stdint.h>

#include "boxlib/calls.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: reboot [--help]\n");
		printf("reset the machine; needs auth SYSTEM\n");
		return 0;
	}
	if (argc > 1) {
		printf("unexpected argument '%s' (try reboot --help)\n", argv[1]);
		return 2;
	}
	printf("resetting\n");
	box_console_flush();
	int32_t st = box_hardware_system_reboot(NULL);
	printf("the machine did not reset: %s\n", box_status_name(st));
	return 1;
}
