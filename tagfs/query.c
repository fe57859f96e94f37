/*
 * query.c: tag queries over the in-memory posting bitmaps.
 *
 * Each tag keeps one bit per live-file slot, so "kernel notify -draft" is a
 * word-wise AND of two bitmaps and an AND-NOT of a third: 100 000 files are
 * 1 563 words per tag.  The matching slots are turned into file ids and
 * sorted, so results come in ascending id (creation) order.
 */
#include "internal.h"

void tfs_sort_ids(uint64_t *a, uint64_t n)
{
	for (uint64_t gap = n / 2; gap; gap = gap == 2 ? 1 : gap * 5 / 11) {
		for (uint64_t i = gap; i < n; i++) {
			uint64_t t = a[i], j = i;
			for (; j >= gap && a[j - gap] > t; j -= gap)
				a[j] = a[j - gap];
			a[j] = t;
		}
	}
}

int tagfs_query(struct tagfs *fs, const char *expr, uint64_t *ids, uint32_t max, uint32_t *count)
{
	if (!expr || !count || (max && !ids))
		return TAGFS_EINVAL;
	*count = 0;
	uint32_t words = fs->bitmap_words;
	uint64_t *set = tagfs_alloc((size_t)(words ? words : 1) * 8);
	if (!set)
		return TAGFS_ENOMEM;
	if (words)
		memcpy(set, fs->live_bits, (size_t)words * 8);
	bool empty = false;
	const char *p = expr;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		bool neg = *p == '-';
		if (neg)
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t len = (size_t)(p - start);
		bool ok = len > 0 && len <= TAGFS_TAG_MAX && start[0] != '-';
		for (size_t i = 0; ok && i < len; i++)
			ok = (uint8_t)start[i] > ' ' && start[i] != 0x7f;
		if (!ok) {
			tagfs_free(set);
			return TAGFS_EINVAL;
		}
		uint32_t tid;
		if (tfs_tag_find(fs, start, len, &tid) != TAGFS_OK) {
			empty |= !neg; /* nothing carries an unknown tag */
			continue;
		}
		const uint64_t *post = fs->tags[tid - 1].posting;
		for (uint32_t w = 0; w < words; w++)
			set[w] &= neg ? ~post[w] : post[w];
	}
	uint64_t n = 0;
	if (!empty)
		for (uint32_t w = 0; w < words; w++)
			n += (uint64_t)__builtin_popcountll(set[w]);
	uint64_t *all = tagfs_alloc((size_t)(n ? n : 1) * 8);
	if (!all) {
		tagfs_free(set);
		return TAGFS_ENOMEM;
	}
	uint64_t k = 0;
	for (uint32_t w = 0; w < words && k < n; w++) {
		for (uint64_t bits = set[w]; bits; bits &= bits - 1) {
			uint32_t slot = w * 64 + (uint32_t)__builtin_ctzll(bits);
			all[k++] = fs->slots[slot]->id;
		}
	}
	tfs_sort_ids(all, n);
	for (uint64_t i = 0; i < n && i < max; i++)
		ids[i] = all[i];
	*count = (uint32_t)n;
	tagfs_free(all);
	tagfs_free(set);
	return TAGFS_OK;
}
