/*
 * echo: prints its arguments separated by single spaces and a newline; with
 * no arguments an empty line.  It shows what the shell's quoting made of a
 * command line.  An argument "--status=N" is not printed: echo then exits
 * with N (for testing how the shell reports a non-zero status).
 */
#include "boxlib/stdio.h"
#include "boxlib/string.h"

int main(int argc, char **argv)
{
	int status = 0;
	const char *sep = "";
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--status=", 9) == 0) {
			status = atoi(argv[i] + 9);
			continue;
		}
		printf("%s%s", sep, argv[i]);
		sep = " ";
	}
	printf("\n");
	return status;
}
