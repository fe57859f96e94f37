/*
 * tags.c: tag names <-> bits, tag lists and the use context (see tags.h).
 */
#include "core/tags.h"
#include "core/auth.h"
#include "boxos/abi/status.h"

static void copy_name(char *dst, const char *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i];
	dst[len] = 0;
}

static bool same_name(const char *stored, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (stored[i] != name[i])
			return false;
	return stored[len] == 0;
}

void tags_init(struct tags *t)
{
	for (unsigned i = 0; i < TAGS_BITS; i++)
		t->names[i][0] = 0;
	copy_name(t->names[__builtin_ctzll(AUTH_TAG_GOD)], "god", 3);
	copy_name(t->names[__builtin_ctzll(AUTH_TAG_STOPPED)], "stopped", 7);
	t->ctx_count = 0;
}

bool tags_valid_name(const char *name, size_t len)
{
	if (len == 0 || len >= TAGS_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			  ch == '.' || ch == '-';
		if (!ok)
			return false;
	}
	return true;
}

int32_t tags_bit(struct tags *t, const char *name, size_t len, bool create, unsigned *bit)
{
	if (!tags_valid_name(name, len))
		return BOX_ERR_INVALID;
	int free_bit = -1;
	for (unsigned i = 0; i < TAGS_BITS; i++) {
		if (t->names[i][0] == 0) {
			if (free_bit < 0)
				free_bit = (int)i;
			continue;
		}
		if (same_name(t->names[i], name, len)) {
			*bit = i;
			return BOX_OK;
		}
	}
	if (!create)
		return BOX_ERR_NOENT;
	if (free_bit < 0)
		return BOX_ERR_FULL;
	copy_name(t->names[free_bit], name, len);
	*bit = (unsigned)free_bit;
	return BOX_OK;
}

static bool is_separator(char ch)
{
	return ch == ' ' || ch == ',' || ch == 0;
}

/* The next name of a list from *at on: true with [*start, *at) the name. */
static bool next_name(const char *list, size_t len, size_t *at, size_t *start)
{
	while (*at < len && is_separator(list[*at]))
		(*at)++;
	if (*at >= len)
		return false;
	*start = *at;
	while (*at < len && !is_separator(list[*at]))
		(*at)++;
	return true;
}

int32_t tags_parse_list(struct tags *t, const char *list, size_t len, uint8_t *bits,
			unsigned max, unsigned *count)
{
	unsigned n = 0;
	size_t at = 0, start;
	/* decode: every name valid and not too many, before any bit is given out */
	while (next_name(list, len, &at, &start)) {
		if (!tags_valid_name(list + start, at - start))
			return BOX_ERR_INVALID;
		if (++n > max)
			return BOX_ERR_TOO_BIG;
	}
	if (n == 0)
		return BOX_ERR_INVALID;
	unsigned missing = 0, spare = 0, bit;
	for (unsigned i = 0; i < TAGS_BITS; i++)
		spare += t->names[i][0] == 0;
	for (at = 0; next_name(list, len, &at, &start);)
		missing += tags_bit(t, list + start, at - start, false, &bit) == BOX_ERR_NOENT;
	if (missing > spare)
		return BOX_ERR_FULL;
	/* act */
	n = 0;
	for (at = 0; next_name(list, len, &at, &start);) {
		tags_bit(t, list + start, at - start, true, &bit);
		bool dup = false;
		for (unsigned k = 0; k < n; k++)
			dup |= bits[k] == bit;
		if (!dup)
			bits[n++] = (uint8_t)bit;
	}
	*count = n;
	return BOX_OK;
}

void tags_ctx_set(struct tags *t, const uint8_t *bits, unsigned count)
{
	if (count > TAGS_CTX_MAX)
		count = TAGS_CTX_MAX;
	for (unsigned i = 0; i < count; i++)
		t->ctx[i] = bits[i];
	t->ctx_count = count;
}

uint64_t tags_ctx_mask(const struct tags *t)
{
	uint64_t mask = 0;
	for (unsigned i = 0; i < t->ctx_count; i++)
		mask |= 1ull << t->ctx[i];
	return mask;
}

size_t tags_ctx_format(const struct tags *t, char *buf, size_t cap)
{
	size_t need = 0;
	for (unsigned i = 0; i < t->ctx_count; i++) {
		const char *name = t->names[t->ctx[i]];
		if (i > 0)
			need++;
		while (*name) {
			name++;
			need++;
		}
	}
	if (need > cap)
		return need;
	size_t at = 0;
	for (unsigned i = 0; i < t->ctx_count; i++) {
		if (i > 0)
			buf[at++] = ' ';
		for (const char *name = t->names[t->ctx[i]]; *name; name++)
			buf[at++] = *name;
	}
	return at;
}
