/* cabin.h: Cabins, the programs BoxOS runs in ring 3 (see cabin.c). */
#ifndef CORE_CABIN_H
#define CORE_CABIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boxos/ring.h"
#include "boxos/abi/start.h"
#include "boxos/abi/proc.h"
#include "lib/spinlock.h"
#include "mm/pagetable.h"

#define CABIN_NAME_MAX 32
#define CABIN_MAX 1024                 /* Cabins alive (or waiting to be reaped) at once */
#define CABIN_STACK_MAX (1ull << 20)   /* the stack grows on demand up to 1 MiB */
#define CABIN_HEAP_MAX (1ull << 30)    /* the heap range, backed on first touch */
#define CABIN_KSTACK_ORDER 2           /* 16 KiB kernel stack per Cabin */
#define CABIN_KILLED BOX_PROC_KILLED /* exit status of a Cabin the kernel stopped */

/*
 * READY: in a run queue.  RUNNING: on a CPU.  BLOCKED: asleep in WAIT.
 * EXITING: switched away for the last time, its CPU is releasing it.
 * DONE: every page released; only this struct is left, for proc.wait.
 */
#define CABIN_NEW      BOX_PROC_NEW   /* the ABI's names, so proc.info reports them as they are */
#define CABIN_READY    BOX_PROC_READY
#define CABIN_RUNNING  BOX_PROC_RUNNING
#define CABIN_BLOCKED  BOX_PROC_BLOCKED
#define CABIN_EXITING  BOX_PROC_EXITING
#define CABIN_DONE     BOX_PROC_DONE

/*
 * How hardware.console.write shows a Cabin's bytes (decks/hardware.c):
 * LOG, one kernel log line "NAME: text" (the default); TERMINAL, the bytes
 * as written, escape sequences included (the init program, the shell, which
 * owns the console, and a SYSTEM Cabin a TERMINAL one starts: a nested
 * shell); PLAIN, the bytes as written but with escapes and other control
 * bytes shown as '?' (the rest of what the shell starts, and their children).
 */
#define CABIN_CONSOLE_LOG      0
#define CABIN_CONSOLE_PLAIN    1
#define CABIN_CONSOLE_TERMINAL 2

struct guide_park;

struct cabin {
	uint32_t id;
	char name[CABIN_NAME_MAX];
	volatile uint32_t state;     /* CABIN_* */
	int32_t exit_status;         /* CABIN_KILLED when stopped by the kernel */
	char why[64];                /* how a killed Cabin died */
	uint32_t parent;             /* the Cabin that spawned it; 0 = the kernel */
	uint32_t core;               /* CPU it runs on (or last ran on) */
	uint32_t slot;               /* its doorbell slot in the Guide */
	bool attached;               /* holds a doorbell slot */
	uint8_t auth;                /* enum box_auth */
	uint64_t tags;               /* AUTH_TAG_* bits */
	struct pt_ctx pt;            /* its page table: user half + the shared kernel half */
	uint64_t entry, stack_top;
	struct ring pockets, results, inbox; /* kernel-side views of its three rings */
	struct spinlock inbox_lock;  /* many senders, one inbox */
	struct spinlock mm_lock;     /* its page table grows on demand from two CPUs */
	uint64_t heap_base, stack_lo; /* the demand-filled ranges: heap, stack */
	uint64_t start_page;         /* physical address of its start page */
	/* scheduling (core/sched.c) */
	uint64_t kstack_top;         /* its kernel stack: SYSCALL and ring-3 interrupts land here */
	uint64_t ksp;                /* saved kernel RSP while switched away */
	struct cabin *rq_next;       /* run-queue link */
	uint8_t level;               /* MLFQ level, 0 = highest */
	uint32_t slice_left;         /* ticks left in its quantum */
	uint64_t wake_tsc;           /* BLOCKED with a deadline: wake at this TSC (0 = none) */
	struct cabin *sleep_next;    /* link in its core's list of sleepers with a deadline */
	volatile bool killed;        /* stop at the next kernel exit, with kill_status */
	int32_t kill_status;         /* proc.exit's code, or CABIN_KILLED */
	bool autoreap;               /* nobody will proc.wait: the Guide frees it when DONE */
	uint8_t console;             /* CABIN_CONSOLE_*: what its hardware.console.write does */
	uint64_t runs, ticks;        /* times scheduled, ticks spent running */
	struct guide_park *park;     /* a chain the Guide parked (core/guide.c) */
	uint64_t *blocks;            /* every physical block it owns: phys | order */
	uint32_t block_count, block_cap;
	uint32_t table_pages;        /* page-table pages it owns */
	uint64_t user_pages;         /* pages mapped into its user half */
};

/*
 * Build a Cabin from an ELF image; NULL with *why set when it cannot be made.
 * args: argc NUL-terminated strings packed back to back (args_size bytes in
 * all, argv[0] first), copied to its start page.
 */
struct cabin *cabin_spawn(const char *name, const void *elf, size_t size, const char *args,
			  uint32_t args_size, uint32_t argc, const char **why);
/* Return every page, ring and table the Cabin owns; the struct stays (state DONE). */
void cabin_release(struct cabin *c);
/* Release if not yet released, then free the struct. */
void cabin_destroy(struct cabin *c);
/* Set a new Cabin's auth level and parent, in its struct and its start page. */
void cabin_set_origin(struct cabin *c, uint8_t auth, uint32_t parent);
/* Back the page at va with a zeroed page if it lies in the heap or stack range
 * and is not mapped yet: BOX_OK, or BOX_ERR_FAULT / BOX_ERR_NOMEM. */
int32_t cabin_populate(struct cabin *c, uint64_t va);
/* cabin_populate for every page of [va, va + len) in a demand range: BOX_OK
 * or BOX_ERR_NOMEM (pages elsewhere are left for uaccess_check to judge). */
int32_t cabin_populate_range(struct cabin *c, uint64_t va, uint64_t len);
/* Kernel stack frames for the first entry (called from core/sched.c). */
void cabin_first_entry(void);
/* Stop the Cabin running on this CPU (from a notify or a fault); never returns. */
__attribute__((noreturn)) void cabin_kill_current(const char *why);
__attribute__((noreturn)) void cabin_exit_current(int32_t status);
/* Make a Cabin end as soon as it next enters the kernel (at once if it
 * sleeps): status is its exit status, why (may be NULL) says who stopped it. */
void cabin_stop(struct cabin *c, int32_t status, const char *why);
/* Put a message on a Cabin's inbox ring and wake it: BOX_OK, BOX_ERR_FULL,
 * BOX_ERR_NOENT when it has ended. */
int32_t cabin_deliver(struct cabin *c, const struct box_message *m);
/* Pages the kernel spends on a Cabin beyond its user memory, in bytes. */
uint64_t cabin_kernel_bytes(const struct cabin *c);
/* Cabin registry: every Cabin that has not been freed, by id. */
struct cabin *cabin_find(uint32_t id);
/* Calls fn for every Cabin (under the registry lock: fn must not block or free). */
void cabin_foreach(void (*fn)(struct cabin *c, void *arg), void *arg);
/* Install SYSCALL on this CPU. */
void notify_init_cpu(void);

#endif
