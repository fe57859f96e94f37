/*
 * exit42: the smallest Cabin.  main returns 42, which crt0 passes to
 * box_exit; a kernel test checks that the Cabin's exit code is 42.
 */
int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 42;
}
