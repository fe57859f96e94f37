/*
 * status.h: the status codes every BoxOS interface returns (ABI).
 *
 * BOX_OK is 0 and every error is a small negative number, so a status fits in
 * an int32 (struct box_result.status) and, clipped, in an int8
 * (box_result.op_status).  box_status_name() turns a code into its name for
 * logs and tests.  Values are part of the ABI: never renumber, only append.
 */
#ifndef BOXOS_ABI_STATUS_H
#define BOXOS_ABI_STATUS_H

#include <stdint.h>

enum box_status {
	BOX_OK                 = 0,
	BOX_ERR_INVALID_OPCODE = -1,  /* no op with this id in the registry */
	BOX_ERR_INVALID        = -2,  /* malformed Pocket, Manifest or Crate */
	BOX_ERR_FAULT          = -3,  /* pointer outside the Cabin's user range, not canonical, or copy failed */
	BOX_ERR_BOUNDS         = -4,  /* Crate index or param out of bounds, size > capacity, overlapping Crates */
	BOX_ERR_PERM           = -5,  /* auth level or tags forbid the op */
	BOX_ERR_FULL           = -6,  /* ring full (returned at once, never waits) */
	BOX_ERR_TIMEOUT        = -7,
	BOX_ERR_NOMEM          = -8,
	BOX_ERR_NOENT          = -9,  /* no such object; also "ring empty" for a pop */
	BOX_ERR_BUSY           = -10,
	BOX_ERR_TOO_BIG        = -11, /* a size over its limit (Manifest, Crate count, Crate capacity) */
	BOX_ERR_SKIPPED        = -12, /* op skipped by policy */
	BOX_ERR_NOT_RUN        = -13, /* an earlier op stopped the chain */
	BOX_ERR_INTERNAL       = -14,
};

#define BOX_STATUS_MIN BOX_ERR_INTERNAL  /* the most negative code defined */

_Static_assert(sizeof(enum box_status) == 4, "box_status is an int32");

static inline const char *box_status_name(int32_t status)
{
	switch (status) {
	case BOX_OK:                 return "OK";
	case BOX_ERR_INVALID_OPCODE: return "ERR_INVALID_OPCODE";
	case BOX_ERR_INVALID:        return "ERR_INVALID";
	case BOX_ERR_FAULT:          return "ERR_FAULT";
	case BOX_ERR_BOUNDS:         return "ERR_BOUNDS";
	case BOX_ERR_PERM:           return "ERR_PERM";
	case BOX_ERR_FULL:           return "ERR_FULL";
	case BOX_ERR_TIMEOUT:        return "ERR_TIMEOUT";
	case BOX_ERR_NOMEM:          return "ERR_NOMEM";
	case BOX_ERR_NOENT:          return "ERR_NOENT";
	case BOX_ERR_BUSY:           return "ERR_BUSY";
	case BOX_ERR_TOO_BIG:        return "ERR_TOO_BIG";
	case BOX_ERR_SKIPPED:        return "ERR_SKIPPED";
	case BOX_ERR_NOT_RUN:        return "ERR_NOT_RUN";
	case BOX_ERR_INTERNAL:       return "ERR_INTERNAL";
	}
	return "ERR_UNKNOWN";
}

#endif
