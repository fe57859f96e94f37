/* panic.h: stopping the machine on a fatal error (see panic.c). */
#ifndef CORE_PANIC_H
#define CORE_PANIC_H

#include <stdbool.h>
#include <stdint.h>

bool panic_in_progress(void);
/* Claim the panic; a second CPU that faults meanwhile stops quietly. */
void panic_enter(void);
void panic_print_symbol(uint64_t addr);
void panic_backtrace(uint64_t rip, uint64_t rbp);
__attribute__((noreturn)) void panic_halt_all(void);
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
