/* launch.h: running Cabins from the boot bundle on the App-Cores (see launch.c). */
#ifndef CORE_LAUNCH_H
#define CORE_LAUNCH_H

#include <stdbool.h>
#include "boxos/bootinfo.h"

void launch_init(const struct bootinfo *bi);
/* Run each Cabin named in the comma-separated list, one after another. */
void launch_list(const char *names);
/* Spawn and reap `count` Cabins of `name` across the App-Cores; true if no page leaked. */
bool launch_leak_test(const char *name, unsigned count);
/* An App-Core's loop: run whatever the K-Core hands it, sleep otherwise. */
__attribute__((noreturn)) void launch_app_core_loop(void);

#endif
