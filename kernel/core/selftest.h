/* selftest.h: in-kernel self-tests and deliberate faults (see selftest.c). */
#ifndef CORE_SELFTEST_H
#define CORE_SELFTEST_H

#include <stdbool.h>

/* Run every self-test; returns true when all passed. */
bool selftest_run(void);
/* Trigger the fault named on the command line (page, gp, ud, div); returns if unknown. */
void selftest_fault(const char *kind);

#endif
