/*
 * boxlib/notify.h: the notify verbs as C calls for Cabins.
 *
 * box_notify() is the raw trap: SYSCALL with RAX = verb and RDI, RSI, RDX =
 * arguments, result in RAX.  SYSCALL itself overwrites RCX and R11, so they
 * are clobbered; "memory" makes the compiler finish its stores before the
 * trap (the kernel may read the rings) and reload afterwards.  The named
 * wrappers are in notify.c.  See include/boxos/abi/notify.h.
 */
#ifndef BOXLIB_NOTIFY_H
#define BOXLIB_NOTIFY_H

#include <stdint.h>

#include "boxos/abi/notify.h"

static inline long box_notify(long verb, long a0, long a1, long a2)
{
	long ret;
	register long rdx __asm__("rdx") = a2;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(verb), "D"(a0), "S"(a1), "r"(rdx)
			 : "rcx", "r11", "memory");
	return ret;
}

__attribute__((noreturn)) void box_exit(int code);
int box_yield(void);
int box_doorbell(void);
int box_wait(uint64_t timeout_us);

#endif
