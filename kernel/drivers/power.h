/* power.h: power-off, reset and the QEMU test exit (see power.c). */
#ifndef DRIVERS_POWER_H
#define DRIVERS_POWER_H

/* isa-debug-exit: QEMU exits with status (code << 1) | 1 */
#define DEBUG_EXIT_PASS 0x10 /* status 33 */
#define DEBUG_EXIT_FAIL 0x11 /* status 35 */

__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_reboot(void);
void debug_exit(unsigned code);

#endif
