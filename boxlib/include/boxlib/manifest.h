/*
 * boxlib/manifest.h: building a Manifest in a caller's buffer.
 *
 * A Manifest (boxos/abi/manifest.h) is an 8-byte header followed by op
 * entries, each a struct box_op and its parameters zero-padded to a multiple
 * of 8.  Usage:
 *
 *   static uint8_t buf[512] __attribute__((aligned(8)));
 *   struct box_mb mb;
 *   box_mb_begin(&mb, buf, sizeof(buf));
 *   if (box_mb_add(&mb, BOX_OP_OPERATIONS_FILL, BOX_POLICY_STOP,
 *                  BOX_NO_CRATE, 0, &fill, sizeof(fill)) != 0)
 *           ...;                   // did not fit
 *   // send mb.buf, mb.len bytes
 *
 * After every call the header's op_count and size match what was built, and
 * mb.len is that size.  The builder writes ops as given (it does not check
 * op ids, Crate indices or parameter sizes against the kernel's rules); it
 * only refuses what it cannot hold.  buf should be 8-byte aligned.
 */
#ifndef BOXLIB_MANIFEST_H
#define BOXLIB_MANIFEST_H

#include <stdint.h>

#include "boxos/abi/manifest.h"

struct box_mb {
	uint8_t *buf;   /* the Manifest being built */
	uint32_t cap;   /* bytes of buf */
	uint32_t len;   /* bytes built so far (the header's size); 0 if cap < 8 */
};

/* Start an empty Manifest (header only: magic, version, op_count 0, size 8). */
void box_mb_begin(struct box_mb *mb, void *buf, uint32_t cap);

/*
 * Append one op and param_size bytes of params (zeros if params is NULL),
 * padded to 8.  0, or -1 with nothing changed when it would not fit: past
 * cap, past the u16 size field, more than BOX_MAX_OPS ops, or no header.
 */
int box_mb_add(struct box_mb *mb, uint64_t op_id, uint8_t policy, uint8_t in, uint8_t out,
	       const void *params, uint16_t param_size);

#endif
