/*
 * notify.c: the named notify calls (exit, yield, doorbell, wait), each one
 * box_notify() with its verb; see boxlib/include/boxlib/notify.h.  box_exit
 * first sends any pending console line (boxlib/stdio.h).
 */
#include "boxlib/notify.h"
#include "boxlib/stdio.h"

void box_exit(int code)
{
	box_console_flush();  /* a partial printf line is not lost */
	box_notify(BOX_NOTIFY_EXIT, code, 0, 0);
	/* EXIT never returns; should a broken kernel come back, do not run on. */
	for (;;)
		box_notify(BOX_NOTIFY_EXIT, code, 0, 0);
}

int box_yield(void)
{
	return (int)box_notify(BOX_NOTIFY_YIELD, 0, 0, 0);
}

int box_doorbell(void)
{
	return (int)box_notify(BOX_NOTIFY_DOORBELL, 0, 0, 0);
}

int box_wait(uint64_t timeout_us)
{
	return (int)box_notify(BOX_NOTIFY_WAIT, (long)timeout_us, 0, 0);
}
