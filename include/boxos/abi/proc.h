/*
 * proc.h: what the System Deck's process ops write (ABI).
 *
 * system.proc.info writes one struct box_proc_info; system.proc.list writes
 * u64 Cabin ids; system.proc.spawn takes its program and arguments as
 * argc NUL-terminated strings packed back to back (argv[0] names the
 * program in the boot bundle, without ".elf").
 */
#ifndef BOXOS_ABI_PROC_H
#define BOXOS_ABI_PROC_H

#include <stdint.h>
#include <stddef.h>

/* system.proc.spawn flags */
#define BOX_SPAWN_DETACHED 0x1u  /* nobody will proc.wait: the kernel reaps it */
#define BOX_SPAWN_FLAGS    (BOX_SPAWN_DETACHED)
/* system.proc.spawn auth parameter: run at the caller's own level */
#define BOX_SPAWN_AUTH_SAME 0xFFu

/* box_proc_info.state */
enum box_proc_state {
	BOX_PROC_NEW = 0, BOX_PROC_READY, BOX_PROC_RUNNING, BOX_PROC_BLOCKED,
	BOX_PROC_EXITING, BOX_PROC_DONE,
};

#define BOX_PROC_KILLED INT32_MIN  /* exit_status of a Cabin the kernel stopped */

struct box_proc_info {
	uint32_t id;
	uint32_t parent;        /* 0 = started by the kernel */
	uint8_t  auth;          /* enum box_auth */
	uint8_t  state;         /* enum box_proc_state */
	uint8_t  level;         /* scheduler queue level, 0 = highest */
	uint8_t  reserved0;
	uint32_t core;          /* CPU it runs on or last ran on */
	uint64_t tags;          /* tag bits (system.tag.add) */
	uint64_t user_pages;    /* pages mapped in its user half */
	uint64_t kernel_bytes;  /* what it costs the kernel: page tables, kernel stack, rings, struct */
	uint64_t runs;          /* times scheduled */
	uint64_t ticks;         /* timer ticks spent running */
	int32_t  exit_status;   /* valid in state DONE */
	uint32_t reserved1;
	char     name[32];      /* NUL-terminated */
	char     why[64];       /* DONE and killed: how it died (a fault, "killed by cabin N"), else "" */
};

_Static_assert(sizeof(struct box_proc_info) == 160, "box_proc_info is 160 bytes");
_Static_assert(offsetof(struct box_proc_info, id) == 0, "proc_info.id");
_Static_assert(offsetof(struct box_proc_info, parent) == 4, "proc_info.parent");
_Static_assert(offsetof(struct box_proc_info, auth) == 8, "proc_info.auth");
_Static_assert(offsetof(struct box_proc_info, state) == 9, "proc_info.state");
_Static_assert(offsetof(struct box_proc_info, level) == 10, "proc_info.level");
_Static_assert(offsetof(struct box_proc_info, core) == 12, "proc_info.core");
_Static_assert(offsetof(struct box_proc_info, tags) == 16, "proc_info.tags");
_Static_assert(offsetof(struct box_proc_info, user_pages) == 24, "proc_info.user_pages");
_Static_assert(offsetof(struct box_proc_info, kernel_bytes) == 32, "proc_info.kernel_bytes");
_Static_assert(offsetof(struct box_proc_info, runs) == 40, "proc_info.runs");
_Static_assert(offsetof(struct box_proc_info, ticks) == 48, "proc_info.ticks");
_Static_assert(offsetof(struct box_proc_info, exit_status) == 56, "proc_info.exit_status");
_Static_assert(offsetof(struct box_proc_info, name) == 64, "proc_info.name");
_Static_assert(offsetof(struct box_proc_info, why) == 96, "proc_info.why");

#endif
