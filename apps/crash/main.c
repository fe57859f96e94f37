/*
 * crash: ends in a page fault on purpose, for testing the shell's crash
 * report.  It writes to address 0 (through an empty asm statement, so the
 * compiler cannot turn the store into a trap instruction); the kernel ends
 * this Cabin and records why, and the shell prints that in one line.  With
 * the argument "ud" it runs an undefined instruction instead.  Should it
 * survive either, it exits with 1.
 */
#include "boxlib/string.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "ud") == 0)
		__asm__ volatile("ud2");
	volatile int *p;
	__asm__("" : "=r"(p) : "0"(0L));
	*p = 1;
	return 1;
}
