/* cabin.h: Cabins, the programs BoxOS runs in ring 3 (see cabin.c). */
#ifndef CORE_CABIN_H
#define CORE_CABIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "boxos/ring.h"
#include "mm/pagetable.h"

#define CABIN_NAME_MAX 32
#define CABIN_STACK_PAGES 16
#define CABIN_KILLED INT32_MIN /* exit status of a Cabin the kernel stopped */

enum cabin_state { CABIN_READY = 1, CABIN_RUNNING, CABIN_DONE };

/* Where the kernel resumes when the Cabin it entered exits (syscall.S). */
struct kernel_context {
	uint64_t rsp;
};

struct cabin {
	uint32_t id;
	char name[CABIN_NAME_MAX];
	volatile uint32_t state;     /* enum cabin_state */
	int32_t exit_status;         /* CABIN_KILLED when stopped by the kernel */
	char why[80];                /* how a killed Cabin died */
	uint32_t core;               /* CPU it ran on */
	uint32_t slot;               /* its doorbell slot in the Guide */
	bool attached;               /* holds a doorbell slot */
	uint8_t auth;                /* enum box_auth */
	uint64_t tags;               /* AUTH_TAG_* bits */
	struct pt_ctx pt;            /* its page table: user half + the shared kernel half */
	uint64_t entry, stack_top;
	struct ring pockets, results; /* kernel-side views of its two rings */
	uint64_t *blocks;            /* every physical block it owns: phys | order */
	uint32_t block_count, block_cap;
	uint32_t table_pages;        /* page-table pages it owns */
	uint64_t user_pages;         /* pages mapped into its user half */
};

/* Build a Cabin from an ELF image; NULL with *why set when it cannot be made. */
struct cabin *cabin_spawn(const char *name, const void *elf, size_t size, const char **why);
/* Return every page and table the Cabin owns; the struct is freed too. */
void cabin_destroy(struct cabin *c);
/* Run the Cabin on this CPU until it exits or is killed; returns its exit status. */
int32_t cabin_run(struct cabin *c);
/* Stop the Cabin running on this CPU (from a notify or a fault); never returns. */
__attribute__((noreturn)) void cabin_kill_current(const char *why);
__attribute__((noreturn)) void cabin_exit_current(int32_t status);
/* Install SYSCALL on this CPU. */
void notify_init_cpu(void);

#endif
