/*
 * nop: the empty Cabin.  It exits 0 at once; bench's spawn row times
 * system.proc.spawn + system.proc.wait of it (the cost of a Cabin itself).
 */
int main(void)
{
	return 0;
}
