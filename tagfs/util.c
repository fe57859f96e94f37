/*
 * util.c: BoxHash, byte buffers, a bounds-checked reader and a u64 map.
 *
 * BoxHash is XXH3-128 from the distribution's header-only xxHash, compiled
 * scalar (the kernel has no SSE) with everything inlined, the same way the
 * Operations Deck uses it.  A metadata block carries the BoxHash of its
 * bytes 16..4095 in bytes 0..15 (tfs_meta_seal / tfs_meta_ok).
 */
#include "internal.h"

#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_SCALAR
#define XXH_FORCE_MEMORY_ACCESS 1
#define XXH_NO_STDLIB
/* Under libFuzzer, tracing every comparison inside the hash costs most of
 * the run time and finds nothing (its branches do not depend on structure). */
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(coverage_sanitizer)
#define TFS_NO_HASH_COVERAGE 1
#endif
#endif
#ifdef TFS_NO_HASH_COVERAGE
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#endif
#include <xxhash.h>
#ifdef TFS_NO_HASH_COVERAGE
#pragma clang attribute pop
#endif

struct tagfs_hash tfs_hash(const void *p, size_t len)
{
	XXH128_hash_t h = XXH3_128bits(p, len);
	return (struct tagfs_hash){ h.low64, h.high64 };
}

struct tagfs_hash tagfs_boxhash(const void *data, size_t len)
{
	return tfs_hash(data, len);
}

uint64_t tfs_hash64(const void *p, size_t len)
{
	return XXH3_64bits(p, len);
}

int tfs_hasher_begin(struct tfs_hasher *h)
{
	h->raw = tagfs_alloc(sizeof(XXH3_state_t) + 64);
	if (!h->raw) {
		h->state = NULL;
		return TAGFS_ENOMEM;
	}
	h->state = (void *)(((uintptr_t)h->raw + 63) & ~(uintptr_t)63);
	XXH3_128bits_reset(h->state);
	return TAGFS_OK;
}

void tfs_hasher_add(struct tfs_hasher *h, const void *p, size_t len)
{
	if (h->state && len)
		XXH3_128bits_update(h->state, p, len);
}

struct tagfs_hash tfs_hasher_end(struct tfs_hasher *h)
{
	struct tagfs_hash out = { 0, 0 };
	if (h->state) {
		XXH128_hash_t d = XXH3_128bits_digest(h->state);
		out = (struct tagfs_hash){ d.low64, d.high64 };
	}
	tagfs_free(h->raw);
	h->raw = h->state = NULL;
	return out;
}

bool tfs_data_ok(const void *block, const void *arg)
{
	return tfs_hash_eq(tfs_hash(block, TAGFS_BLOCK_SIZE), *(const struct tagfs_hash *)arg);
}

bool tfs_hash_eq(struct tagfs_hash a, struct tagfs_hash b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

void tfs_put_hash(uint8_t *p, struct tagfs_hash h)
{
	tfs_put(p, 8, h.lo);
	tfs_put(p + 8, 8, h.hi);
}

struct tagfs_hash tfs_get_hash(const uint8_t *p)
{
	return (struct tagfs_hash){ tfs_get(p, 8), tfs_get(p + 8, 8) };
}

void tfs_meta_seal(uint8_t *block)
{
	tfs_put_hash(block, tfs_hash(block + 16, TAGFS_BLOCK_SIZE - 16));
}

bool tfs_meta_ok(const void *block, const void *arg)
{
	(void)arg;
	const uint8_t *b = block;
	return tfs_hash_eq(tfs_get_hash(b), tfs_hash(b + 16, TAGFS_BLOCK_SIZE - 16));
}

const char *tagfs_strerror(int err)
{
	switch (err) {
	case TAGFS_OK: return "ok";
	case TAGFS_EIO: return "device I/O error";
	case TAGFS_ECORRUPT: return "corrupted (checksum or structure)";
	case TAGFS_ERANGE: return "block number out of range";
	case TAGFS_ENOSPC: return "no space";
	case TAGFS_ENOENT: return "no such file, tag or snapshot";
	case TAGFS_EEXIST: return "already exists";
	case TAGFS_EINVAL: return "invalid argument";
	case TAGFS_EFORMAT: return "not a TagFS volume or unsupported format version";
	case TAGFS_ENOMEM: return "out of memory";
	case TAGFS_EROFS: return "read-only volume";
	default: return "unknown error";
	}
}

/* ---- byte buffer ---- */

static bool buf_reserve(struct tfs_buf *b, size_t more)
{
	if (b->failed)
		return false;
	if (more > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	if (b->len + more <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *p = tagfs_alloc(cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	if (b->len)
		memcpy(p, b->data, b->len);
	tagfs_free(b->data);
	b->data = p;
	b->cap = cap;
	return true;
}

void tfs_buf_put(struct tfs_buf *b, const void *p, size_t len)
{
	if (!len || !buf_reserve(b, len))
		return;
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

void tfs_buf_u(struct tfs_buf *b, unsigned bytes, uint64_t v)
{
	uint8_t tmp[8];
	tfs_put(tmp, bytes, v);
	tfs_buf_put(b, tmp, bytes);
}

void tfs_buf_hash(struct tfs_buf *b, struct tagfs_hash h)
{
	uint8_t tmp[16];
	tfs_put_hash(tmp, h);
	tfs_buf_put(b, tmp, 16);
}

void tfs_buf_free(struct tfs_buf *b)
{
	tagfs_free(b->data);
	*b = (struct tfs_buf){ 0 };
}

/* ---- reader ---- */

const uint8_t *tfs_rd_bytes(struct tfs_rd *r, size_t len)
{
	if (r->bad || len > r->len - r->pos) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p + r->pos;
	r->pos += len;
	return p;
}

uint64_t tfs_rd_u(struct tfs_rd *r, unsigned bytes)
{
	const uint8_t *p = tfs_rd_bytes(r, bytes);
	return p ? tfs_get(p, bytes) : 0;
}

struct tagfs_hash tfs_rd_hash(struct tfs_rd *r)
{
	const uint8_t *p = tfs_rd_bytes(r, 16);
	return p ? tfs_get_hash(p) : (struct tagfs_hash){ 0, 0 };
}

char *tfs_strndup(const char *s, size_t len)
{
	char *p = tagfs_alloc(len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

/* ---- u64 map ---- */

static uint32_t map_slot(const struct tfs_map *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32) & (m->cap - 1);
}

int tfs_map_init(struct tfs_map *m, uint32_t cap)
{
	uint32_t c = 16;
	while (c < cap)
		c *= 2;
	*m = (struct tfs_map){ 0 };
	m->keys = tagfs_alloc((size_t)c * 8);
	m->vals = tagfs_alloc((size_t)c * 8);
	m->used = tagfs_zalloc(c);
	if (!m->keys || !m->vals || !m->used) {
		tfs_map_free(m);
		return TAGFS_ENOMEM;
	}
	m->cap = c;
	return TAGFS_OK;
}

void tfs_map_free(struct tfs_map *m)
{
	tagfs_free(m->keys);
	tagfs_free(m->vals);
	tagfs_free(m->used);
	*m = (struct tfs_map){ 0 };
}

bool tfs_map_get(const struct tfs_map *m, uint64_t key, uint64_t *val)
{
	if (!m->cap)
		return false;
	for (uint32_t i = map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i])
			return false;
		if (m->keys[i] == key) {
			if (val)
				*val = m->vals[i];
			return true;
		}
	}
}

static int map_grow(struct tfs_map *m)
{
	struct tfs_map n;
	if (m->cap >= (1u << 30))
		return TAGFS_ENOMEM;
	int err = tfs_map_init(&n, m->cap * 2);
	if (err)
		return err;
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->used[i])
			tfs_map_put(&n, m->keys[i], m->vals[i]);
	tfs_map_free(m);
	*m = n;
	return TAGFS_OK;
}

int tfs_map_put(struct tfs_map *m, uint64_t key, uint64_t val)
{
	if (!m->cap || (m->count + 1) * 4 > m->cap * 3) {
		int err = m->cap ? map_grow(m) : tfs_map_init(m, 16);
		if (err)
			return err;
	}
	for (uint32_t i = map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i]) {
			m->used[i] = 1;
			m->keys[i] = key;
			m->vals[i] = val;
			m->count++;
			return TAGFS_OK;
		}
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return TAGFS_OK;
		}
	}
}

void tfs_map_del(struct tfs_map *m, uint64_t key)
{
	if (!m->cap)
		return;
	uint32_t mask = m->cap - 1, i = map_slot(m, key);
	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & mask;
	if (!m->used[i])
		return;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	uint32_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->used[j])
			break;
		uint32_t home = map_slot(m, m->keys[j]);
		/* Move j into the hole at i unless its home lies cyclically in (i, j]. */
		bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
		if (!stays) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->used[i] = 0;
	m->count--;
}
