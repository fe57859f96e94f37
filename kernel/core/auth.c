/*
 * auth.c: the auth gate (see auth.h).
 *
 * Tags first (stopped, then god), then one bit mask per Cabin level: bit n
 * set means ops at level n are allowed.  The table is the whole policy.
 */
#include "core/auth.h"
#include "boxos/abi/status.h"
#include "boxos/ops.h"

#define LV(n) (1u << (n))

const uint8_t auth_allowed[BOX_AUTH_COUNT] = {
	[BOX_AUTH_NONE]    = LV(BOX_AUTH_NONE),
	[BOX_AUTH_APP]     = LV(BOX_AUTH_NONE) | LV(BOX_AUTH_APP),
	[BOX_AUTH_UTILITY] = LV(BOX_AUTH_NONE) | LV(BOX_AUTH_APP) | LV(BOX_AUTH_UTILITY),
	[BOX_AUTH_SYSTEM]  = LV(BOX_AUTH_NONE) | LV(BOX_AUTH_APP) | LV(BOX_AUTH_UTILITY) |
			     LV(BOX_AUTH_SYSTEM) | LV(BOX_AUTH_NETWORK),
	[BOX_AUTH_NETWORK] = LV(BOX_AUTH_NONE) | LV(BOX_AUTH_APP) | LV(BOX_AUTH_NETWORK),
};

_Static_assert(BOX_AUTH_COUNT <= 8, "auth masks are 8 bits");
_Static_assert(BOX_AUTH_COUNT == AUTH_LEVELS, "auth.h's level count matches the spec");
