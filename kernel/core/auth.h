/*
 * auth.h: the auth gate, may a Cabin run an op.
 *
 * Levels (enum box_auth from the generated boxos/ops.h): NONE < APP <
 * UTILITY < SYSTEM form an order, a Cabin runs ops at or below its level.
 * NETWORK is a separate grant beside that order: a NETWORK op needs a Cabin
 * at NETWORK or SYSTEM, and a NETWORK Cabin runs NONE, APP and NETWORK ops
 * (not UTILITY or SYSTEM).  Tags are a 64-bit mask: AUTH_TAG_GOD passes
 * every check, AUTH_TAG_STOPPED fails every check, and stopped wins over
 * god.  Levels outside enum box_auth fail closed (unless god).  The
 * kernel's own Manifests do not come here at all: the engine skips the gate
 * when exec_ctx.kernel_internal is set.  Portable: no kernel state.
 */
#ifndef CORE_AUTH_H
#define CORE_AUTH_H

#include <stdint.h>

#include "boxos/abi/status.h"

#define AUTH_TAG_GOD     (1ull << 0)  /* passes every check */
#define AUTH_TAG_STOPPED (1ull << 1)  /* fails every check, even with god */

/* Bit l of auth_allowed[level]: a Cabin at level may run ops at level l. */
extern const uint8_t auth_allowed[];
#define AUTH_LEVELS 5  /* BOX_AUTH_COUNT, checked in auth.c */

/* BOX_OK when a Cabin at cabin_level with cabin_tags may run an op at
 * op_level, else BOX_ERR_PERM.  Inline: every op of every chain passes here. */
static inline int32_t auth_check(uint8_t cabin_level, uint64_t cabin_tags, uint8_t op_level)
{
	if (cabin_tags & AUTH_TAG_STOPPED)
		return BOX_ERR_PERM;
	if (cabin_tags & AUTH_TAG_GOD)
		return BOX_OK;
	if (cabin_level >= AUTH_LEVELS || op_level >= AUTH_LEVELS)
		return BOX_ERR_PERM;
	return (auth_allowed[cabin_level] >> op_level) & 1 ? BOX_OK : BOX_ERR_PERM;
}

#endif
