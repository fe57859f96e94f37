/*
 * start.h: what a Cabin finds when it starts, and its inbox (ABI).
 *
 * Start page: one read-only page at BOX_START_VA, filled by the kernel at
 * spawn.  It names the Cabin, its parent, its auth level, where its heap may
 * grow (a range the kernel backs with zeroed pages on first touch), the TSC
 * rate, and the arguments: argc NUL-terminated strings packed one after the
 * other in args[] (argv[0] is the program name).  crt0 hands a pointer to it
 * to boxlib, which builds argv for main().
 *
 * Inbox: a third ring (kernel produces, Cabin consumes) at
 * BOX_INBOX_RING_VA, same layout as the others (abi/ring.h), whose slots are
 * 128-byte messages: what other Cabins sent with system.ipc.send and
 * system.ipc.broadcast, and the events system.notify.send posted to the
 * Cabin's Listen entries.  An ipc.send waits for an answer: the receiver
 * answers with system.ipc.reply naming msg_id, and the answer completes the
 * sender's op (it lands in the sender's output Crate and its Result comes
 * back on the sender's Result ring).  BOX_NOTIFY_WAIT also ends when the
 * inbox has a message.
 */
#ifndef BOXOS_ABI_START_H
#define BOXOS_ABI_START_H

#include <stdint.h>
#include <stddef.h>

#include "boxos/abi/ring.h"

#define BOX_INBOX_RING_VA   0x0000700000200000ull
#define BOX_START_VA        0x0000700000300000ull
#define BOX_KINFO_VA        0x0000700000301000ull  /* the kernel info page, read-only */
#define BOX_KINFO_MAGIC     0x4F464E4Bu            /* "KNFO" little-endian */
#define BOX_START_MAGIC     0x54525453u            /* "STRT" little-endian */
#define BOX_START_VERSION   1u
#define BOX_START_ARGS_MAX  3968u                  /* bytes of packed arguments */
#define BOX_MESSAGE_PAYLOAD 88u                    /* bytes a message carries */

struct box_start {
	uint32_t magic;        /* BOX_START_MAGIC */
	uint32_t version;      /* BOX_START_VERSION */
	uint32_t cabin;        /* this Cabin's id */
	uint32_t parent;       /* the Cabin that spawned it, 0 = the kernel */
	uint64_t heap_base;    /* first byte of the heap range, page aligned */
	uint64_t heap_size;    /* bytes the heap may grow to */
	uint64_t tsc_hz;       /* TSC ticks per second (0 if uncalibrated) */
	uint32_t argc;         /* strings in args[] */
	uint32_t args_size;    /* bytes of args[] used, NULs included */
	uint8_t  auth;         /* enum box_auth */
	uint8_t  reserved[79]; /* 0 */
	char     args[BOX_START_ARGS_MAX];
};

_Static_assert(sizeof(struct box_start) == 4096, "start page is one page");
_Static_assert(offsetof(struct box_start, magic) == 0, "start.magic");
_Static_assert(offsetof(struct box_start, version) == 4, "start.version");
_Static_assert(offsetof(struct box_start, cabin) == 8, "start.cabin");
_Static_assert(offsetof(struct box_start, parent) == 12, "start.parent");
_Static_assert(offsetof(struct box_start, heap_base) == 16, "start.heap_base");
_Static_assert(offsetof(struct box_start, heap_size) == 24, "start.heap_size");
_Static_assert(offsetof(struct box_start, tsc_hz) == 32, "start.tsc_hz");
_Static_assert(offsetof(struct box_start, argc) == 40, "start.argc");
_Static_assert(offsetof(struct box_start, args_size) == 44, "start.args_size");
_Static_assert(offsetof(struct box_start, auth) == 48, "start.auth");
_Static_assert(offsetof(struct box_start, args) == 128, "start.args");

/*
 * The kernel info page: one physical page the kernel shares read-only with
 * every Cabin, at BOX_KINFO_VA.  guide_polling is 1 while the K-Core's
 * Guide is polling the rings of running Cabins (it does so for a moment
 * after each piece of work): a Cabin that pushed a Pocket, then (after a
 * full fence) reads 1 here, need not ring the doorbell.  Reading 0 means
 * ring it.  The kernel never relies on a Cabin's choice: a Cabin that
 * leaves its CPU (WAIT, preemption) with Pockets queued gets its doorbell
 * rung by the kernel.
 */
struct box_kinfo {
	uint32_t magic;            /* BOX_KINFO_MAGIC */
	uint32_t cpu_count;        /* CPUs online; 1 = the K-Core runs Cabins too */
	volatile uint32_t guide_polling;
	uint32_t reserved[13];     /* 0 */
};

_Static_assert(sizeof(struct box_kinfo) == 64, "kernel info page header is one cache line");
_Static_assert(offsetof(struct box_kinfo, magic) == 0, "kinfo.magic");
_Static_assert(offsetof(struct box_kinfo, cpu_count) == 4, "kinfo.cpu_count");
_Static_assert(offsetof(struct box_kinfo, guide_polling) == 8, "kinfo.guide_polling");
_Static_assert(BOX_KINFO_VA == BOX_START_VA + 4096, "the info page follows the start page");

enum box_message_kind {
	BOX_MSG_IPC = 1,        /* system.ipc.send: answer it with system.ipc.reply */
	BOX_MSG_BROADCAST = 2,  /* system.ipc.broadcast: no answer expected */
	BOX_MSG_EVENT = 3,      /* system.notify.send to a Listen entry; event is set */
};

struct box_message {
	uint64_t msg_id;       /* kernel-unique; name it in system.ipc.reply */
	uint64_t cookie;       /* the sender's cookie, unchanged */
	uint64_t tag_mask;     /* broadcast/event: the mask it was sent to */
	uint32_t sender;       /* Cabin id, written by the kernel (0 = the kernel) */
	uint32_t kind;         /* enum box_message_kind */
	uint32_t event;        /* BOX_MSG_EVENT: the event number */
	uint32_t length;       /* payload bytes used, <= BOX_MESSAGE_PAYLOAD */
	uint8_t  payload[BOX_MESSAGE_PAYLOAD];
};

_Static_assert(sizeof(struct box_message) == 128, "a message fills a Pocket-sized slot");
_Static_assert(offsetof(struct box_message, msg_id) == 0, "message.msg_id");
_Static_assert(offsetof(struct box_message, cookie) == 8, "message.cookie");
_Static_assert(offsetof(struct box_message, tag_mask) == 16, "message.tag_mask");
_Static_assert(offsetof(struct box_message, sender) == 24, "message.sender");
_Static_assert(offsetof(struct box_message, kind) == 28, "message.kind");
_Static_assert(offsetof(struct box_message, event) == 32, "message.event");
_Static_assert(offsetof(struct box_message, length) == 36, "message.length");
_Static_assert(offsetof(struct box_message, payload) == 40, "message.payload");

#define BOX_INBOX_RING_SIZE (BOX_RING_HEADER_SIZE + BOX_RING_SLOTS * sizeof(struct box_message))
_Static_assert(BOX_RESULT_RING_VA + BOX_RESULT_RING_SIZE <= BOX_INBOX_RING_VA, "rings do not overlap");
_Static_assert(BOX_INBOX_RING_VA + BOX_INBOX_RING_SIZE <= BOX_START_VA, "inbox below the start page");

#endif
