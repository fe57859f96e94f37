/*
 * storage.h: what the Storage Deck's files share (decks/storage*.c).
 *
 * storage_map.c is portable (the host tests compile it): the TagFS error to
 * box_status mapping, tag-list parsing and the create input's layout.  The
 * handlers (storage.c, storage_files.c, storage_snap.c) are kernel-only:
 * they use the mounted volume (core/volume.h).
 */
#ifndef DECKS_STORAGE_H
#define DECKS_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boxos/abi/status.h"
#include "boxos/abi/storage.h"
#include "core/op.h"

#define STORAGE_TAGS_MAX   32u    /* = TAGFS_FILE_TAGS_MAX */
#define STORAGE_TAG_BYTES  64u    /* a tag name and its NUL */
#define STORAGE_SCOPE_MAX  8u     /* tags in the storage scope */
#define STORAGE_EXPR_MAX   1024u  /* bytes of a query expression */

/* The box_status a TagFS (or BOX_STORAGE_E*) code becomes; table in docs/storage.md. */
int32_t storage_status(int code);
/* Short text for a code ("corrupt: no copy passed its check"). */
const char *storage_code_text(int code);

/* A valid TagFS tag name: 1..63 bytes, no byte <= ' ' or 0x7f, not starting with '-'. */
bool storage_tag_ok(const char *s, size_t len);

struct storage_taglist {
	unsigned count;
	char name[STORAGE_TAGS_MAX][STORAGE_TAG_BYTES];
};

/* Split len bytes of names (separated by spaces, commas or NULs) into l,
 * appending to what it holds and skipping names it already has.
 * BOX_ERR_INVALID for a bad name, BOX_ERR_TOO_BIG past max names. */
int32_t storage_parse_tags(struct storage_taglist *l, const char *s, size_t len, unsigned max);

/* storage.create's input: name_len bytes of name, tags_len of tags, content. */
struct storage_create_in {
	char name[BOX_STORAGE_NAME_MAX + 1];
	const uint8_t *content;
	uint64_t content_len;
};
int32_t storage_decode_create(const uint8_t *in, uint64_t in_size, uint32_t name_len,
			      uint32_t tags_len, struct storage_create_in *out,
			      struct storage_taglist *tags);

/* Kernel side (storage.c): the mounted volume or BOX_ERR_NOENT, and the
 * bookkeeping every handler ends with. */
struct tagfs;
struct tagfs *storage_fs(void);
/* Records the caller's last TagFS code (storage.why) and returns its status. */
int32_t storage_done(const struct op_call *call, int code);
/* The scope in force (storage.ctx.set's, else system.ctx.use's) into l. */
void storage_scope(struct storage_taglist *l, bool *own);

int32_t storage_create(struct op_call *call);
int32_t storage_read(struct op_call *call);
int32_t storage_write(struct op_call *call);
int32_t storage_delete(struct op_call *call);
int32_t storage_rename(struct op_call *call);
int32_t storage_lookup(struct op_call *call);
int32_t storage_query(struct op_call *call);
int32_t storage_getinfo(struct op_call *call);
int32_t storage_tag_set(struct op_call *call);
int32_t storage_tag_unset(struct op_call *call);
int32_t storage_open(struct op_call *call);
int32_t storage_hread(struct op_call *call);
int32_t storage_close(struct op_call *call);
int32_t storage_snap_create(struct op_call *call);
int32_t storage_snap_list(struct op_call *call);
int32_t storage_snap_delete(struct op_call *call);
int32_t storage_snap_files(struct op_call *call);

#endif
