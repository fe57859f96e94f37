/*
 * manifest.h: the Manifest, a chain of ops sent in one Pocket (ABI).
 *
 * Layout: an 8-byte header, then op_count entries.  Each entry is a 16-byte
 * struct box_op followed by its parameter blob, padded with zero bytes to a
 * multiple of 8, so every entry starts 8-aligned.  header.size is the exact
 * total (header + all entries): nothing may follow the last entry.
 *
 *   entry length = sizeof(struct box_op) + BOX_PARAM_PAD(param_size)
 *
 * An op may name one input and one output Crate by index into the Pocket's
 * Crate array; BOX_NO_CRATE means none, BOX_FEED (input only, never on op 0)
 * means "the previous op's output Crate".
 */
#ifndef BOXOS_ABI_MANIFEST_H
#define BOXOS_ABI_MANIFEST_H

#include <stdint.h>
#include <stddef.h>

#define BOX_MANIFEST_MAGIC    0xB0C5u
#define BOX_MANIFEST_VERSION  1u
#define BOX_MANIFEST_MAX      65536u  /* buffer size; the u16 size field caps a Manifest at 65528 */
#define BOX_MAX_OPS           255u
#define BOX_PARAM_MAX         256u    /* bytes of parameters per op */
#define BOX_PARAM_PAD(n)      (((uint32_t)(n) + 7u) & ~7u)

/* box_op.policy: what an error in this op does to the chain. */
#define BOX_POLICY_STOP     0u  /* stop the chain; later ops get BOX_ERR_NOT_RUN */
#define BOX_POLICY_SKIP     1u  /* record the error, go on; the chain's status is the error */
#define BOX_POLICY_OPTIONAL 2u  /* record the error, go on; the chain's status ignores it */

/* box_op.in_crate / out_crate special values. */
#define BOX_NO_CRATE 0xFFu
#define BOX_FEED     0xFEu      /* in_crate only: the previous op's output Crate */

struct box_manifest {
	uint16_t magic;     /* BOX_MANIFEST_MAGIC */
	uint8_t  version;   /* BOX_MANIFEST_VERSION */
	uint8_t  op_count;  /* 1..255 */
	uint16_t size;      /* total bytes including this header */
	uint16_t flags;     /* 0 */
};

struct box_op {
	uint64_t op_id;       /* XXH3-64 of the op's name */
	uint8_t  policy;      /* BOX_POLICY_* */
	uint8_t  in_crate;    /* Crate index, BOX_NO_CRATE or BOX_FEED */
	uint8_t  out_crate;   /* Crate index or BOX_NO_CRATE */
	uint8_t  reserved;    /* 0 */
	uint16_t param_size;  /* bytes of parameters that follow, <= BOX_PARAM_MAX */
	uint16_t reserved2;   /* 0 */
	/* uint8_t params[param_size], zero-padded to a multiple of 8 */
};

_Static_assert(sizeof(struct box_manifest) == 8, "box_manifest is 8 bytes");
_Static_assert(offsetof(struct box_manifest, magic) == 0, "manifest.magic");
_Static_assert(offsetof(struct box_manifest, version) == 2, "manifest.version");
_Static_assert(offsetof(struct box_manifest, op_count) == 3, "manifest.op_count");
_Static_assert(offsetof(struct box_manifest, size) == 4, "manifest.size");
_Static_assert(offsetof(struct box_manifest, flags) == 6, "manifest.flags");

_Static_assert(sizeof(struct box_op) == 16, "box_op is 16 bytes");
_Static_assert(_Alignof(struct box_op) == 8, "box_op alignment");
_Static_assert(offsetof(struct box_op, op_id) == 0, "op.op_id");
_Static_assert(offsetof(struct box_op, policy) == 8, "op.policy");
_Static_assert(offsetof(struct box_op, in_crate) == 9, "op.in_crate");
_Static_assert(offsetof(struct box_op, out_crate) == 10, "op.out_crate");
_Static_assert(offsetof(struct box_op, reserved) == 11, "op.reserved");
_Static_assert(offsetof(struct box_op, param_size) == 12, "op.param_size");
_Static_assert(offsetof(struct box_op, reserved2) == 14, "op.reserved2");

#endif
