/*
 * badnotify: checks the kernel's answers to notify calls that must fail.
 *
 * Exit code: 0 all held; 1 an unknown verb (999) did not return
 * BOX_ERR_INVALID; 2 WAIT with timeout 0 (poll) did not return
 * BOX_ERR_TIMEOUT (this Cabin never sends a Pocket, so no Result exists);
 * 3 a verb that is unknown only in its upper bits (0, -1, or
 * 2^32 + BOX_NOTIFY_YIELD, which a kernel comparing just EAX would take for
 * YIELD) did not return BOX_ERR_INVALID.
 */
#include "boxlib/notify.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;

	if (box_notify(999, 0, 0, 0) != BOX_ERR_INVALID)
		return 1;
	if (box_wait(0) != BOX_ERR_TIMEOUT)
		return 2;
	if (box_notify(0, 0, 0, 0) != BOX_ERR_INVALID ||
	    box_notify(-1, 0, 0, 0) != BOX_ERR_INVALID ||
	    box_notify((1L << 32) + BOX_NOTIFY_YIELD, 0, 0, 0) != BOX_ERR_INVALID)
		return 3;
	return 0;
}
