/*
 * check.h: the smallest useful unit-test harness for host tests.
 *
 * CHECK(cond) records a pass or prints the failing expression with its
 * file:line; CHECK_EQ(a, b) also prints both values.  A test's main() calls
 * its cases and returns check_report(), which prints "N passed, N failed"
 * (the line tests/run.py adds up) and yields the exit status.
 */
#ifndef BOXOS_CHECK_H
#define BOXOS_CHECK_H

#include <stdio.h>
#include <stdint.h>

static unsigned check_passed, check_failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		unsigned long long check_a_ = (unsigned long long)(a);       \
		unsigned long long check_b_ = (unsigned long long)(b);       \
		if (check_a_ == check_b_) {                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			printf("FAIL %s:%d: %s == %s (0x%llx != 0x%llx)\n",  \
			       __FILE__, __LINE__, #a, #b, check_a_, check_b_); \
		}                                                            \
	} while (0)

static inline int check_report(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
