/*
 * storage_map.c: the Storage Deck's pure parts (portable; host-tested).
 *
 * The error mapping: a TagFS code keeps its meaning in the box_status
 * space where one fits (no such file -> NOENT, no room -> FULL, bad
 * argument -> INVALID, read-only -> PERM); device and format failures have
 * no box_status of their own and become INTERNAL, and storage.why tells the
 * caller which TagFS code it was.  Tag lists and the create input are
 * decoded here, before a handler changes anything.
 */
#include "decks/storage.h"

int32_t storage_status(int code)
{
	switch (code) {
	case BOX_STORAGE_OK:        return BOX_OK;
	case BOX_STORAGE_ERANGE:    return BOX_ERR_BOUNDS;
	case BOX_STORAGE_ENOSPC:    return BOX_ERR_FULL;
	case BOX_STORAGE_ENOENT:    return BOX_ERR_NOENT;
	case BOX_STORAGE_EEXIST:    return BOX_ERR_BUSY;
	case BOX_STORAGE_EINVAL:    return BOX_ERR_INVALID;
	case BOX_STORAGE_ENOMEM:    return BOX_ERR_NOMEM;
	case BOX_STORAGE_EROFS:     return BOX_ERR_PERM;
	case BOX_STORAGE_ENOVOLUME: return BOX_ERR_NOENT;
	case BOX_STORAGE_EHANDLE:   return BOX_ERR_NOENT;
	case BOX_STORAGE_EIO:
	case BOX_STORAGE_ECORRUPT:
	case BOX_STORAGE_EFORMAT:
	default:                    return BOX_ERR_INTERNAL;
	}
}

const char *storage_code_text(int code)
{
	switch (code) {
	case BOX_STORAGE_OK:        return "ok";
	case BOX_STORAGE_EIO:       return "disk I/O error";
	case BOX_STORAGE_ECORRUPT:  return "corrupt: no copy passed its check";
	case BOX_STORAGE_ERANGE:    return "block past the end of the device";
	case BOX_STORAGE_ENOSPC:    return "volume full";
	case BOX_STORAGE_ENOENT:    return "no such file, tag or snapshot";
	case BOX_STORAGE_EEXIST:    return "already exists";
	case BOX_STORAGE_EINVAL:    return "invalid argument";
	case BOX_STORAGE_EFORMAT:   return "not a TagFS volume this kernel reads";
	case BOX_STORAGE_ENOMEM:    return "out of kernel memory";
	case BOX_STORAGE_EROFS:     return "volume is read-only";
	case BOX_STORAGE_ENOVOLUME: return "no volume mounted";
	case BOX_STORAGE_EHANDLE:   return "not an open handle of this Cabin";
	default:                    return "unknown storage error";
	}
}

bool storage_tag_ok(const char *s, size_t len)
{
	if (len == 0 || len >= STORAGE_TAG_BYTES || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static bool is_sep(char c)
{
	return c == ' ' || c == ',' || c == 0;
}

int32_t storage_parse_tags(struct storage_taglist *l, const char *s, size_t len, unsigned max)
{
	if (max > STORAGE_TAGS_MAX)
		max = STORAGE_TAGS_MAX;
	size_t i = 0;
	while (i < len) {
		if (is_sep(s[i])) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && !is_sep(s[i]))
			i++;
		size_t n = i - start;
		if (!storage_tag_ok(s + start, n))
			return BOX_ERR_INVALID;
		bool dup = false;
		for (unsigned k = 0; k < l->count && !dup; k++) {
			size_t m = 0;
			while (m < n && l->name[k][m] == s[start + m])
				m++;
			dup = m == n && l->name[k][n] == 0;
		}
		if (dup)
			continue;
		if (l->count >= max)
			return BOX_ERR_TOO_BIG;
		for (size_t m = 0; m < n; m++)
			l->name[l->count][m] = s[start + m];
		l->name[l->count][n] = 0;
		l->count++;
	}
	return BOX_OK;
}

int32_t storage_decode_create(const uint8_t *in, uint64_t in_size, uint32_t name_len,
			      uint32_t tags_len, struct storage_create_in *out,
			      struct storage_taglist *tags)
{
	if (name_len > BOX_STORAGE_NAME_MAX || tags_len > STORAGE_TAGS_MAX * STORAGE_TAG_BYTES)
		return BOX_ERR_TOO_BIG;
	if ((uint64_t)name_len + tags_len > in_size)
		return BOX_ERR_BOUNDS;
	for (uint32_t i = 0; i < name_len; i++) {
		uint8_t c = in[i];
		if (c < ' ' || c == 0x7f)
			return BOX_ERR_INVALID;
		out->name[i] = (char)c;
	}
	out->name[name_len] = 0;
	int32_t st = storage_parse_tags(tags, (const char *)in + name_len, tags_len,
					STORAGE_TAGS_MAX);
	if (st != BOX_OK)
		return st;
	out->content = in + name_len + tags_len;
	out->content_len = in_size - name_len - tags_len;
	if (out->content_len > BOX_STORAGE_IO_MAX)
		return BOX_ERR_TOO_BIG;
	return BOX_OK;
}
