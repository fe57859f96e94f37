/*
 * regcheck: checks that the notify path preserves the Cabin's registers.
 * The work is in loop.S (regcheck_loop); main runs it for 100000 YIELDs
 * and exits with its answer: 0 when every register held, else 100 + the
 * index of the first register found changed (the table is in loop.S).
 */
#include <stdint.h>

int regcheck_loop(uint64_t iterations);

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return regcheck_loop(100000);
}
