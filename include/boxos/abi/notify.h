/*
 * notify.h: the notify verbs, the only trap from a Cabin into the kernel (ABI).
 *
 * A Cabin executes SYSCALL with RAX = verb and RDI, RSI, RDX = arguments; the
 * result comes back in RAX.  RCX and R11 are clobbered by the instruction
 * itself (return RIP and RFLAGS); the kernel preserves every other register.
 * The verb is the whole 64-bit RAX: an unknown verb (including one whose
 * upper 32 bits are not zero) returns BOX_ERR_INVALID.  Everything that is
 * not one of these verbs is an op carried in a Pocket.
 *
 * Also here: the Cabin's user address range and where apps are linked.
 * Usable from assembly (only the macros are visible there).
 */
#ifndef BOXOS_ABI_NOTIFY_H
#define BOXOS_ABI_NOTIFY_H

/* RDI = exit code (int32).  Never returns. */
#define BOX_NOTIFY_EXIT      1
/* The Cabin pushed Pockets onto its Pocket ring.  Returns BOX_OK. */
#define BOX_NOTIFY_DOORBELL  2
/* RDI = timeout in microseconds (0 = poll), RSI = BOX_WAIT_* flags.  Returns
 * BOX_OK when a Result is available on the Result ring (or, with
 * BOX_WAIT_INBOX, a message on the inbox ring), BOX_ERR_TIMEOUT otherwise,
 * BOX_ERR_INVALID for unknown flag bits. */
#define BOX_NOTIFY_WAIT      3
#define BOX_WAIT_INBOX       0x1  /* also return for an inbox message */
#define BOX_WAIT_FLAGS       (BOX_WAIT_INBOX)
/* Give up the CPU.  Returns BOX_OK. */
#define BOX_NOTIFY_YIELD     4
/* Nothing: returns BOX_OK at once.  The bare cost of a trap (bench's
 * syscall.null row). */
#define BOX_NOTIFY_NOP       5

#ifdef __ASSEMBLER__
#define BOX_NOTIFY_U64(x) x
#else
#define BOX_NOTIFY_U64(x) x##ull
#endif

/*
 * A Cabin's user addresses are [BOX_USER_LO, BOX_USER_HI).  The rings sit at
 * BOX_POCKET_RING_VA and up (abi/ring.h), at or above BOX_USER_HI; the kernel
 * places the stack just below BOX_USER_HI.  Page 0 and everything below
 * BOX_USER_LO stay unmapped so null pointers fault.
 */
#define BOX_USER_LO          BOX_NOTIFY_U64(0x0000000000400000)
#define BOX_USER_HI          BOX_NOTIFY_U64(0x0000700000000000)  /* exclusive */
#define BOX_USER_BASE_LINK   0x400000                            /* apps are linked here */

#ifndef __ASSEMBLER__
#include "boxos/abi/status.h"
#include "boxos/abi/ring.h"

_Static_assert(BOX_NOTIFY_EXIT == 1 && BOX_NOTIFY_DOORBELL == 2 && BOX_NOTIFY_WAIT == 3 &&
	       BOX_NOTIFY_YIELD == 4 && BOX_NOTIFY_NOP == 5, "notify verbs are distinct and fixed");
_Static_assert(BOX_USER_LO < BOX_USER_HI, "user range is not empty");
_Static_assert(BOX_USER_HI <= BOX_POCKET_RING_VA, "rings sit above the user range");
_Static_assert(BOX_USER_BASE_LINK == BOX_USER_LO, "apps are linked at the bottom of the range");
#endif

#endif
