/*
 * operations.c: the Operations Deck, bytewise primitives on Crates.
 *
 * One handler per op in ops/ops.spec.  Each first decodes: it checks the
 * parameter blob, that the Crates it needs are there (BOX_ERR_INVALID if
 * not), widths and lengths (BOX_ERR_INVALID), and that every offset and
 * length lies inside its Crate (BOX_ERR_BOUNDS), all with overflow-safe
 * arithmetic and without writing anything.  Only then does it invoke: it
 * writes the output (never past its capacity), sets out->size and call->value.
 *
 * Shared conventions:
 *   - the input's valid bytes are in->size; the output may hold up to
 *     out->capacity and out->size is its current valid length on entry;
 *   - ops that write at an offset inside the output (move, fill, xor, pack)
 *     leave out->size = max(out->size, end of the write); ops that produce a
 *     fresh result (hash, cmp, find, unpack, bswap, vadd) set it to the bytes
 *     they produced;
 *   - scalar results (hash, cmp, find) are written as a little-endian u64 at
 *     output offset 0 and also returned in call->value;
 *   - copies are safe when the input and output are the same buffer.
 *
 * Portable C (no libc): the kernel and the host tests compile this file.
 * XXH3-64 comes from the system xxHash, header-only, scalar code, so the
 * kernel (-mgeneral-regs-only, no SSE) can use it; its only library call is
 * memcpy, which the kernel provides.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boxos/ops.h"
#include "decks/decks.h"

/* xxHash configuration: everything static inline, scalar code only, unaligned
 * reads through packed structs instead of a memcpy call per word (the kernel
 * builds with -fno-builtin), no streaming/allocation where the version
 * supports turning them off (XXH_NO_STDLIB/XXH_NO_STREAM arrived in 0.8.2;
 * 0.8.1 ignores them and its unused malloc/free wrappers are dropped). */
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_SCALAR
#define XXH_FORCE_MEMORY_ACCESS 1
#define XXH_NO_STDLIB
#define XXH_NO_STREAM
#include <xxhash.h>


/* Both Crates must be present and consistent. */
static int32_t check_in_out(const struct op_call *call)
{
	int32_t st = op_check_buf(call->in);
	if (st == BOX_OK)
		st = op_check_buf(call->out);
	return st;
}

/* [off, off + len) lies inside [0, limit), without overflow. */
static bool range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* memmove: correct for overlapping ranges of the same buffer. */
static void copy_bytes(uint8_t *dst, const uint8_t *src, uint64_t n)
{
	if (dst == src || n == 0)
		return;
	if (dst < src) {
		for (uint64_t i = 0; i < n; i++)
			dst[i] = src[i];
	} else {
		for (uint64_t i = n; i > 0; i--)
			dst[i - 1] = src[i - 1];
	}
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}


/* A scalar result: 8 little-endian bytes at output offset 0. */
static void put_result(struct op_call *call, uint64_t v)
{
	op_put_le(call->out->data, v, 8);
	call->out->size = 8;
	call->value = v;
}

/*
 * operations.move: copy length bytes from input+src_offset to
 * output+dst_offset; length 0 means the rest of the input from src_offset
 * (possibly nothing).  The source range must lie in the input's valid bytes
 * and the destination in the output's capacity (else BOUNDS).  A gap between
 * out->size and dst_offset keeps whatever bytes the output holds.
 * value = bytes copied; out->size = max(out->size, dst_offset + length).
 */
static int32_t op_move(struct op_call *call)
{
	OP_PARAMS(box_params_operations_move, p);
	int32_t st = check_in_out(call);
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;

	if (p->src_offset > in->size)
		return BOX_ERR_BOUNDS;
	uint64_t len = p->length ? p->length : in->size - p->src_offset;
	if (!range_ok(p->src_offset, len, in->size) || !range_ok(p->dst_offset, len, out->capacity))
		return BOX_ERR_BOUNDS;

	copy_bytes(out->data + p->dst_offset, in->data + p->src_offset, len);
	out->size = max_u64(out->size, p->dst_offset + len);
	call->value = len;
	return BOX_OK;
}

/*
 * operations.fill: set length bytes of the output starting at offset to
 * value; length 0 means up to the output's capacity (possibly nothing).
 * Needs only the output; an input Crate, if given, is ignored.
 * value = bytes set; out->size = max(out->size, offset + length).
 */
static int32_t op_fill(struct op_call *call)
{
	OP_PARAMS(box_params_operations_fill, p);
	int32_t st = op_check_buf(call->out);
	if (st != BOX_OK)
		return st;
	struct op_buf *out = call->out;

	if (p->offset > out->capacity)
		return BOX_ERR_BOUNDS;
	uint64_t len = p->length ? p->length : out->capacity - p->offset;
	if (!range_ok(p->offset, len, out->capacity))
		return BOX_ERR_BOUNDS;

	for (uint64_t i = 0; i < len; i++)
		out->data[p->offset + i] = p->value;
	out->size = max_u64(out->size, p->offset + len);
	call->value = len;
	return BOX_OK;
}

/*
 * operations.xor: out[i] ^= in[i] for i < length; length 0 means all of the
 * input.  length must fit the input's valid bytes and the output's capacity
 * (else BOUNDS).  Output bytes at or past out->size count as zero, so there
 * the input is copied.  value = bytes processed;
 * out->size = max(out->size, length).
 */
static int32_t op_xor(struct op_call *call)
{
	OP_PARAMS(box_params_operations_xor, p);
	int32_t st = check_in_out(call);
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;

	uint64_t len = p->length ? p->length : in->size;
	if (len > in->size || len > out->capacity)
		return BOX_ERR_BOUNDS;

	for (uint64_t i = 0; i < len; i++) {
		uint8_t old = i < out->size ? out->data[i] : 0;
		out->data[i] = old ^ in->data[i];
	}
	out->size = max_u64(out->size, len);
	call->value = len;
	return BOX_OK;
}

/*
 * operations.hash: XXH3-64 of the input's valid bytes with the given seed.
 * The output needs room for 8 bytes (else BOUNDS); the hash is written
 * little-endian at offset 0, out->size = 8, value = the hash.
 */
static int32_t op_hash(struct op_call *call)
{
	OP_PARAMS(box_params_operations_hash, p);
	int32_t st = check_in_out(call);
	if (st != BOX_OK)
		return st;
	if (call->out->capacity < 8)
		return BOX_ERR_BOUNDS;

	static const uint8_t empty[1];
	const void *data = call->in->size ? (const void *)call->in->data : (const void *)empty;
	put_result(call, XXH3_64bits_withSeed(data, (size_t)call->in->size, p->seed));
	return BOX_OK;
}

/*
 * operations.cmp: compare the first length bytes of the input and of the
 * output (their valid bytes: length past either size is BOUNDS).  length 0
 * compares nothing and gives 0 (the spec gives 0 no special meaning here).
 * Writes the offset of the first differing byte, or length if all are
 * equal, as a u64 at output offset 0 (the output needs capacity 8, else
 * BOUNDS); out->size = 8, value = that offset.
 */
static int32_t op_cmp(struct op_call *call)
{
	OP_PARAMS(box_params_operations_cmp, p);
	int32_t st = check_in_out(call);
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;

	if (p->length > in->size || p->length > out->size || out->capacity < 8)
		return BOX_ERR_BOUNDS;

	uint64_t i = 0;
	while (i < p->length && in->data[i] == out->data[i])
		i++;
	put_result(call, i);
	return BOX_OK;
}

/*
 * operations.find: search the input's valid bytes from offset start for the
 * pattern_len (1-8, else INVALID) low bytes of pattern, least significant
 * byte first; pattern bits above pattern_len bytes must be zero (else
 * INVALID).  start past the input's size is BOUNDS (start == size finds
 * nothing).  Writes the absolute offset of the first match, or UINT64_MAX,
 * as a u64 at output offset 0 (capacity 8 needed, else BOUNDS);
 * out->size = 8, value = that offset.
 */
static int32_t op_find(struct op_call *call)
{
	OP_PARAMS(box_params_operations_find, p);
	int32_t st = check_in_out(call);
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;

	unsigned n = p->pattern_len;
	if (n < 1 || n > 8)
		return BOX_ERR_INVALID;
	if (n < 8 && (p->pattern >> (8 * n)) != 0)
		return BOX_ERR_INVALID;
	if (p->start > in->size || call->out->capacity < 8)
		return BOX_ERR_BOUNDS;

	uint64_t found = UINT64_MAX;
	if (in->size - p->start >= n) {
		uint64_t last = in->size - n;
		for (uint64_t pos = p->start; pos <= last; pos++) {
			if (get_le(in->data + pos, n) == p->pattern) {
				found = pos;
				break;
			}
		}
	}
	put_result(call, found);
	return BOX_OK;
}

/* Packed records: u32 little-endian byte count, the bytes, zero padding to 8. */
#define PACK_HDR 4u

static uint64_t record_span(uint64_t n)
{
	return (PACK_HDR + n + 7) & ~(uint64_t)7;
}

/*
 * Walk the packed stream in buf[0, size): stop before record `stop` (its
 * offset in *at) or at the end (*at = size).  Returns the records walked
 * over; *ok is false when a header or a padded record runs past size (the
 * last record's padding may not be cut short either).
 */
static uint64_t walk_records(const uint8_t *buf, uint64_t size, uint64_t stop, uint64_t *at, bool *ok)
{
	uint64_t off = 0, count = 0;

	*ok = true;
	while (off < size && count < stop) {
		if (size - off < PACK_HDR) {
			*ok = false;
			break;
		}
		uint64_t n = get_le(buf + off, PACK_HDR);
		if (record_span(n) > size - off) {
			*ok = false;
			break;
		}
		off += record_span(n);
		count++;
	}
	*at = off;
	return count;
}

/*
 * operations.pack: append the input as one record at the end of the output
 * (offset out->size): a u32 little-endian byte count, the bytes, zero
 * padding to a multiple of 8.  The output's valid bytes must already be a
 * well-formed packed stream (empty is fine), else INVALID; an input over
 * 4 GiB - 1 bytes is TOO_BIG; a record that does not fit the output's
 * capacity is BOUNDS.  value = records in the output after the append (the
 * new record's index + 1); out->size grows by the padded record.
 */
static int32_t op_pack(struct op_call *call)
{
	int32_t st = check_in_out(call);
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;

	uint64_t end;
	bool ok;
	uint64_t count = walk_records(out->data, out->size, UINT64_MAX, &end, &ok);
	if (!ok || end != out->size)
		return BOX_ERR_INVALID;
	if (in->size > UINT32_MAX)
		return BOX_ERR_TOO_BIG;
	uint64_t n = in->size, span = record_span(n);
	if (!range_ok(out->size, span, out->capacity))
		return BOX_ERR_BOUNDS;

	uint8_t *rec = out->data + out->size;
	copy_bytes(rec + PACK_HDR, in->data, n);
	op_put_le(rec, n, PACK_HDR);
	for (uint64_t i = PACK_HDR + n; i < span; i++)
		rec[i] = 0;
	out->size += span;
	call->value = count + 1;
	return BOX_OK;
}

/*
 * operations.unpack: copy the bytes of record index (0-based) of the packed
 * stream in the input's valid bytes to output offset 0.  A malformed stream
 * up to and including that record (header or record past the input's size)
 * is INVALID; an index at or past the record count is NOENT; bytes that do
 * not fit the output's capacity are BOUNDS.  out->size = value = the
 * record's byte count.
 */
static int32_t op_unpack(struct op_call *call)
{
	OP_PARAMS(box_params_operations_unpack, p);
	int32_t st = check_in_out(call);
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;

	uint64_t off;
	bool ok;
	uint64_t seen = walk_records(in->data, in->size, p->index, &off, &ok);
	if (!ok)
		return BOX_ERR_INVALID;
	if (seen < p->index || off >= in->size)
		return BOX_ERR_NOENT;
	if (in->size - off < PACK_HDR)
		return BOX_ERR_INVALID;
	uint64_t n = get_le(in->data + off, PACK_HDR);
	if (record_span(n) > in->size - off)
		return BOX_ERR_INVALID;
	if (n > out->capacity)
		return BOX_ERR_BOUNDS;

	copy_bytes(out->data, in->data + off + PACK_HDR, n);
	out->size = n;
	call->value = n;
	return BOX_OK;
}

/* Element ops: width must be allowed by mask (bit w set) and divide in->size. */
static int32_t check_elements(const struct op_call *call, unsigned width, unsigned mask)
{
	if (width > 8 || !(mask & (1u << width)))
		return BOX_ERR_INVALID;
	if (call->in->size % width)
		return BOX_ERR_INVALID;
	if (call->in->size > call->out->capacity)
		return BOX_ERR_BOUNDS;
	return BOX_OK;
}

/*
 * operations.bswap: reverse the bytes of each width-byte element (2, 4 or 8,
 * else INVALID) of the input into the same place in the output.  The input's
 * size must be a multiple of width (else INVALID) and fit the output's
 * capacity (else BOUNDS).  out->size = in->size, value = elements swapped.
 */
static int32_t op_bswap(struct op_call *call)
{
	OP_PARAMS(box_params_operations_bswap, p);
	int32_t st = check_in_out(call);
	if (st == BOX_OK)
		st = check_elements(call, p->width, (1u << 2) | (1u << 4) | (1u << 8));
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;
	unsigned w = p->width;

	for (uint64_t off = 0; off < in->size; off += w) {
		uint64_t v = get_le(in->data + off, w);
		for (unsigned i = 0; i < w; i++)
			out->data[off + i] = (uint8_t)(v >> (8 * (w - 1 - i)));
	}
	out->size = in->size;
	call->value = in->size / w;
	return BOX_OK;
}

/*
 * operations.vadd: add addend, modulo 2^(8*width), to every little-endian
 * width-byte element (1, 2, 4 or 8, else INVALID) of the input, writing the
 * sums to the same place in the output (addend bits above the width drop
 * out of the wrap).  Size rules as for bswap.  out->size = in->size,
 * value = elements added.
 */
static int32_t op_vadd(struct op_call *call)
{
	OP_PARAMS(box_params_operations_vadd, p);
	int32_t st = check_in_out(call);
	if (st == BOX_OK)
		st = check_elements(call, p->width, (1u << 1) | (1u << 2) | (1u << 4) | (1u << 8));
	if (st != BOX_OK)
		return st;
	const struct op_buf *in = call->in;
	struct op_buf *out = call->out;
	unsigned w = p->width;

	for (uint64_t off = 0; off < in->size; off += w)
		op_put_le(out->data + off, get_le(in->data + off, w) + p->addend, w);
	out->size = in->size;
	call->value = in->size / w;
	return BOX_OK;
}

static const struct deck_op ops[] = {
	{ BOX_OP_OPERATIONS_MOVE, op_move },
	{ BOX_OP_OPERATIONS_FILL, op_fill },
	{ BOX_OP_OPERATIONS_XOR, op_xor },
	{ BOX_OP_OPERATIONS_HASH, op_hash },
	{ BOX_OP_OPERATIONS_CMP, op_cmp },
	{ BOX_OP_OPERATIONS_FIND, op_find },
	{ BOX_OP_OPERATIONS_PACK, op_pack },
	{ BOX_OP_OPERATIONS_UNPACK, op_unpack },
	{ BOX_OP_OPERATIONS_BSWAP, op_bswap },
	{ BOX_OP_OPERATIONS_VADD, op_vadd },
};

const struct deck operations_deck = {
	"operations", BOX_DECK_OPERATIONS, ops, sizeof(ops) / sizeof(ops[0]),
};
