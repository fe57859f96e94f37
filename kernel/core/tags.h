/*
 * tags.h: tag names and the bits that stand for them, and the use context.
 *
 * A Cabin's tags are a 64-bit mask; each bit stands for one name.  Bits 0
 * and 1 are fixed, `god` and `stopped` (core/auth.h); the other 62 are given
 * out to names on first use (system.tag.add, system.ctx.use) and never
 * reused while the kernel runs.  A tag name is 1-31 characters of
 * [a-z0-9_.-].  A tag list (ctx.use's input, ctx.get's output) is names
 * separated by spaces, commas or NULs.  The use context is one list of at
 * most TAGS_CTX_MAX names, kept in the order given.
 *
 * Portable (host tests compile it); one struct tags holds all state and the
 * caller serializes access (in the kernel only the Guide touches it).
 */
#ifndef CORE_TAGS_H
#define CORE_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAGS_NAME_MAX 32  /* including the NUL */
#define TAGS_BITS 64
#define TAGS_CTX_MAX 8

struct tags {
	char names[TAGS_BITS][TAGS_NAME_MAX];   /* "" = bit not given out */
	uint8_t ctx[TAGS_CTX_MAX];              /* the use context's bits, in order */
	unsigned ctx_count;
};

void tags_init(struct tags *t);
/* True if name (len bytes, no NUL needed) is a valid tag name. */
bool tags_valid_name(const char *name, size_t len);
/* The bit for a name: BOX_OK and *bit, BOX_ERR_NOENT when it has none and
 * !create, BOX_ERR_FULL when every bit is taken, BOX_ERR_INVALID for a bad name. */
int32_t tags_bit(struct tags *t, const char *name, size_t len, bool create, unsigned *bit);
/* Parse a list into bits (creating names); BOX_ERR_INVALID for a bad or
 * empty list, BOX_ERR_TOO_BIG for more than max names, BOX_ERR_FULL. */
int32_t tags_parse_list(struct tags *t, const char *list, size_t len, uint8_t *bits,
			unsigned max, unsigned *count);
/* Set the use context (validated list) or clear it (count 0). */
void tags_ctx_set(struct tags *t, const uint8_t *bits, unsigned count);
uint64_t tags_ctx_mask(const struct tags *t);
/* Write the context as "a b c" into buf (cap bytes, no NUL); returns bytes
 * written, or the bytes needed when more than cap. */
size_t tags_ctx_format(const struct tags *t, char *buf, size_t cap);

#endif
