/*
 * fault: reads address 0, a user page fault.  The kernel must end this Cabin
 * (not panic) and keep running the others.  The pointer goes through an
 * empty asm statement so the compiler cannot see it is null and replace the
 * load with a trap instruction (#UD instead of the #PF this test wants).
 * Should the read ever succeed, the Cabin exits with 1.
 */
int main(int argc, char **argv)
{
	volatile int *p;

	(void)argc;
	(void)argv;
	__asm__("" : "=r"(p) : "0"(0L));
	(void)*p;
	return 1;
}
