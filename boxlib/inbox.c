/*
 * inbox.c: popping messages off the inbox ring (boxlib/inbox.h).
 *
 * The Cabin is the ring's only consumer, so ring_pop of boxos/ring.h is the
 * whole protocol.  box_inbox_wait loops on BOX_NOTIFY_WAIT with
 * BOX_WAIT_INBOX, which returns when the Result ring or the inbox has an
 * entry (or on timeout), and keeps a TSC deadline so Results arriving
 * meanwhile do not stretch the wait (a Result left unread makes WAIT return
 * at once, so the loop then polls until the deadline); without a TSC rate
 * it waits once.
 */
#include "boxlib/inbox.h"
#include "boxlib/notify.h"
#include "boxlib/start.h"
#include "boxos/ring.h"

static struct ring inbox;
static int attached;

static const struct ring *inbox_ring(void)
{
	if (!attached &&
	    ring_attach(&inbox, (struct box_ring_header *)BOX_INBOX_RING_VA,
			(void *)(BOX_INBOX_RING_VA + BOX_RING_HEADER_SIZE), BOX_RING_SLOTS,
			sizeof(struct box_message)) == BOX_OK)
		attached = 1;
	return &inbox;
}

int box_inbox_next(struct box_message *msg)
{
	return ring_pop(inbox_ring(), msg);
}

int64_t box_inbox_count(void)
{
	return ring_count(inbox_ring());
}

/* WAIT for the inbox too: the kernel wants BOX_WAIT_INBOX in the second
 * argument for that (older kernels end WAIT on any news). */
static int wait_news(uint64_t timeout_us)
{
#ifdef BOX_WAIT_INBOX
	return (int)box_notify(BOX_NOTIFY_WAIT, (long)timeout_us, BOX_WAIT_INBOX, 0);
#else
	return box_wait(timeout_us);
#endif
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

int box_inbox_wait(struct box_message *msg, uint64_t timeout_us)
{
	uint64_t hz = box_tsc_hz(), start = rdtsc();
	uint64_t per_us = hz / 1000000u ? hz / 1000000u : 1;
	uint64_t budget = timeout_us * per_us;
	for (;;) {
		int rc = box_inbox_next(msg);
		if (rc != BOX_ERR_NOENT)
			return rc;
		if (!hz) {  /* no clock: one wait, one look */
			rc = wait_news(timeout_us);
			if (rc != BOX_OK && rc != BOX_ERR_TIMEOUT)
				return rc;
			rc = box_inbox_next(msg);
			return rc == BOX_ERR_NOENT ? BOX_ERR_TIMEOUT : rc;
		}
		uint64_t spent = rdtsc() - start;
		if (spent >= budget)
			return BOX_ERR_TIMEOUT;
		rc = wait_news((budget - spent) / per_us + 1);
		if (rc != BOX_OK && rc != BOX_ERR_TIMEOUT)
			return rc;
	}
}
