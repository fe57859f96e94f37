/* launch.h: running Cabins from the boot bundle on the App-Cores (see launch.c). */
#ifndef CORE_LAUNCH_H
#define CORE_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>
#include "boxos/bootinfo.h"

void launch_init(const struct bootinfo *bi);
/* Spawn (not start) the program argv[0] of args (argc packed NUL-terminated
 * strings, args_size bytes) from the boot bundle; NULL with *why. */
struct cabin *launch_spawn(const char *args, uint32_t args_size, uint32_t argc, const char **why);
/* Run each Cabin named in the comma-separated list, one after another. */
void launch_list(const char *names);
/* Spawn and reap `count` Cabins of `name` across the App-Cores; true if no page leaked. */
bool launch_leak_test(const char *name, unsigned count);
/* Keep the program running: start it, and start it again whenever it ends
 * (after a back-off if it dies quickly).  Never returns. */
__attribute__((noreturn)) void launch_supervise(const char *name, uint8_t level);
/* Split "name" or "name:level" in place; false (with a warning) for an unknown level. */
bool launch_parse_item(char *item, uint8_t *level);
/* One round of K-Core work (a Guide pass; with one CPU also a Cabin);
 * false when there was nothing to do.  Call with interrupts off. */
bool kcore_step(void);
/* Nothing to do: poll a moment (more than one CPU), then halt; true when
 * work turned up while polling.  Interrupts off on entry. */
bool kcore_idle(void);
/* The K-Core's loop: kcore_step, kcore_idle when there was nothing. */
__attribute__((noreturn)) void kcore_run(void);

#endif
