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

#define AUTH_TAG_GOD     (1ull << 0)  /* passes every check */
#define AUTH_TAG_STOPPED (1ull << 1)  /* fails every check, even with god */

/* BOX_OK when a Cabin at cabin_level with cabin_tags may run an op at op_level, else BOX_ERR_PERM. */
int32_t auth_check(uint8_t cabin_level, uint64_t cabin_tags, uint8_t op_level);

#endif
