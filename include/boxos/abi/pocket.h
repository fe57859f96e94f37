/*
 * pocket.h: the Pocket, one 128-byte request slot on a Cabin's Pocket ring (ABI).
 *
 * A Pocket carries either an inline Manifest (BOX_POCKET_INLINE: the first
 * manifest_size bytes of inline_manifest, the rest zero) or a user pointer to
 * one (manifest + manifest_size), plus a user pointer to crate_count Crates.
 * `sender` is overwritten by the kernel and never read from the Cabin; the
 * cookie comes back unchanged in the Result.
 */
#ifndef BOXOS_ABI_POCKET_H
#define BOXOS_ABI_POCKET_H

#include <stdint.h>
#include <stddef.h>

#include "boxos/abi/manifest.h"

#define BOX_POCKET_INLINE  0x1u                /* the Manifest is in inline_manifest */
#define BOX_POCKET_FLAGS   (BOX_POCKET_INLINE) /* every defined flag bit */
#define BOX_INLINE_MAX     88u                 /* bytes of inline Manifest */
#define BOX_TARGET_KERNEL  0u

struct box_pocket {
	uint64_t cookie;         /* echoed in the Result */
	uint32_t sender;         /* written by the kernel, never trusted */
	uint32_t target;         /* 0 = kernel, else a Cabin id */
	uint32_t flags;          /* BOX_POCKET_*; unknown bits are invalid */
	uint16_t manifest_size;  /* bytes of Manifest (inline or at `manifest`) */
	uint16_t crate_count;    /* entries at `crates`, <= BOX_MAX_CRATES */
	uint64_t crates;         /* user pointer to struct box_crate[crate_count], 0 if none */
	uint64_t manifest;       /* user pointer to the Manifest, 0 when inline */
	uint8_t  inline_manifest[BOX_INLINE_MAX];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct box_pocket) == 128, "box_pocket is 128 bytes");
_Static_assert(_Alignof(struct box_pocket) == 64, "box_pocket is 64-byte aligned");
_Static_assert(offsetof(struct box_pocket, cookie) == 0, "pocket.cookie");
_Static_assert(offsetof(struct box_pocket, sender) == 8, "pocket.sender");
_Static_assert(offsetof(struct box_pocket, target) == 12, "pocket.target");
_Static_assert(offsetof(struct box_pocket, flags) == 16, "pocket.flags");
_Static_assert(offsetof(struct box_pocket, manifest_size) == 20, "pocket.manifest_size");
_Static_assert(offsetof(struct box_pocket, crate_count) == 22, "pocket.crate_count");
_Static_assert(offsetof(struct box_pocket, crates) == 24, "pocket.crates");
_Static_assert(offsetof(struct box_pocket, manifest) == 32, "pocket.manifest");
_Static_assert(offsetof(struct box_pocket, inline_manifest) == 40, "pocket.inline_manifest");
/* A header plus one op with 64 bytes of parameters fits inline. */
_Static_assert(sizeof(struct box_manifest) + sizeof(struct box_op) + 64 == BOX_INLINE_MAX,
	       "inline Manifest holds one op with 64 bytes of params");

#endif
