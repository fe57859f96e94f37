/*
 * boxlib/inbox.h: this Cabin's inbox, the ring of messages other Cabins and
 * the kernel send it (struct box_message, boxos/abi/start.h).
 *
 * The inbox ring sits at BOX_INBOX_RING_VA with the fixed ABI geometry
 * (BOX_RING_SLOTS slots of 128 bytes); inbox.c attaches it on first use.
 *   box_inbox_next()  pop the oldest message: BOX_OK, BOX_ERR_NOENT when the
 *                     inbox is empty, BOX_ERR_INVALID when its indices are
 *                     corrupted
 *   box_inbox_wait()  the same, but waits up to timeout_us for a message
 *                     (BOX_ERR_TIMEOUT when none came); Results that arrive
 *                     meanwhile stay on the Result ring for their caller
 * An IPC message (kind BOX_MSG_IPC) is answered with system.ipc.reply naming
 * its msg_id (box_system_ipc_reply in boxlib/calls.h).
 */
#ifndef BOXLIB_INBOX_H
#define BOXLIB_INBOX_H

#include <stdint.h>

#include "boxos/abi/start.h"

int box_inbox_next(struct box_message *msg);
int box_inbox_wait(struct box_message *msg, uint64_t timeout_us);
/* Messages waiting (0..BOX_RING_SLOTS), or BOX_ERR_INVALID. */
int64_t box_inbox_count(void);

#endif
