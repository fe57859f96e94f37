/*
 * boxlib/start.h: what boxlib learned from the start page when the Cabin began.
 *
 * crt0 calls box_start_main(BOX_START_VA) (start.c): if the page's magic and
 * version are right and its arguments are well formed (argc NUL-terminated
 * strings filling exactly args_size bytes), the strings are copied into
 * writable static storage and main gets argc and argv (argv[argc] is NULL);
 * the heap of boxlib/heap.h is set up over [heap_base, heap_base +
 * heap_size) if that range lies in the user range.  Anything wrong: main(0,
 * NULL), no heap (malloc returns NULL), and box_start_problem() says why.
 * main's return value goes to box_exit after pending console output is sent.
 */
#ifndef BOXLIB_START_H
#define BOXLIB_START_H

#include <stdint.h>

#include "boxos/abi/start.h"

/* Longest argv boxlib can build: every argument one byte and its NUL. */
#define BOX_ARGV_MAX (BOX_START_ARGS_MAX / 2)

/*
 * The portable core (start.c's own logic, host-tested): check sp and, if it
 * is sound, copy its strings into text (BOX_START_ARGS_MAX bytes) and point
 * argv[0..argc) at them, argv[argc] = NULL; argv has room for argv_cap
 * pointers.  Returns argc, or -1 with *why set (nothing usable).
 */
int box_args_parse(const struct box_start *sp, char *text, char **argv, unsigned argv_cap,
		   const char **why);
/* Is [base, base + size) a usable heap range (page aligned, inside the user range)? */
int box_heap_range_ok(uint64_t base, uint64_t size);

__attribute__((noreturn)) void box_start_main(const struct box_start *sp);

/* The start page, or NULL if it was not valid. */
const struct box_start *box_start_page(void);
/* NULL when the start page was fine, else what was wrong with it. */
const char *box_start_problem(void);
/* This Cabin's id and the TSC rate, from the start page (0 if unknown). */
uint32_t box_cabin_id(void);
uint64_t box_tsc_hz(void);

#endif
