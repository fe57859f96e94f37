/*
 * fuzz_validate.c: libFuzzer target for box_validate_pocket().
 *
 * Input layout:
 *   byte 0       mode: with bit 7 set the rest of the input drives a
 *                generator that builds a valid Pocket, Manifest and Crates
 *                and then applies a few byte edits the input also chooses
 *                (so even tiny inputs reach accepted plans); otherwise the
 *                low bits are fix-ups (below) that repair parts of a raw
 *                input, and with them clear the decoder sees raw bytes:
 *   bytes 1..128 the Pocket (zero-filled if the input is shorter);
 *   the rest     the Cabin's memory (up to 64 KiB), mapped at FUZZ_LO.
 * The user range is [FUZZ_LO, FUZZ_LO + 2 GiB): pointers past the backed
 * memory are in range but make the simulated copy_in fault.
 * On BOX_OK the plan is re-checked with tests/fuzz/plan_invariants.h and
 * against the simulated memory; any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "plan_invariants.h"

#define FUZZ_LO      0x10000ull
#define FUZZ_SPAN    (2ull << 30)
#define FUZZ_MEM_MAX 65536u

#define FIX_POINTERS 0x01  /* manifest/crates pointers into backed memory, crate_count <= 64 */
#define FIX_HEADER   0x02  /* a well-formed Manifest header */
#define FIX_CRATES   0x04  /* crates with sane dir/flags/sizes inside the range */
#define FIX_OPS      0x08  /* op entries with sane fields */
#define FIX_INLINE   0x10  /* force an inline Manifest */
#define GENERATE     0x80  /* build a valid Pocket from the input, then edit it */

static uint8_t mem[FUZZ_MEM_MAX];
static size_t mem_len;
static uint8_t man_buf[BOX_MANIFEST_MAX];
static struct box_plan plan;

static int fuzz_copy_in(void *ctx, void *dst, uint64_t src, size_t n)
{
	(void)ctx;
	if (src < FUZZ_LO || src - FUZZ_LO > mem_len || n > mem_len - (src - FUZZ_LO))
		return BOX_ERR_FAULT;
	memcpy(dst, mem + (src - FUZZ_LO), n);
	return 0;
}

static uint8_t *backed(uint64_t addr, size_t n)
{
	if (addr < FUZZ_LO || addr - FUZZ_LO > mem_len || n > mem_len - (addr - FUZZ_LO))
		return NULL;
	return mem + (addr - FUZZ_LO);
}

static void fix_header(uint8_t *m, uint16_t size)
{
	struct box_manifest h;
	memcpy(&h, m, sizeof h);
	h.magic = BOX_MANIFEST_MAGIC;
	h.version = BOX_MANIFEST_VERSION;
	h.flags = 0;
	h.size = size;
	if (h.op_count == 0)
		h.op_count = 1;
	memcpy(m, &h, sizeof h);
}

static void fix_ops(uint8_t *m, uint16_t size, uint16_t crate_count)
{
	uint32_t off = 8;
	for (unsigned i = 0; i < m[3] && size - off >= 16; i++) {
		struct box_op op;
		memcpy(&op, m + off, sizeof op);
		op.reserved = 0;
		op.reserved2 = 0;
		op.policy %= 3;
		op.param_size %= (uint16_t)(size - off - 16 + 1);
		if (op.param_size > BOX_PARAM_MAX)
			op.param_size = BOX_PARAM_MAX;
		if (crate_count && op.in_crate < 0xF0)
			op.in_crate %= crate_count;
		if (crate_count && op.out_crate < 0xF0)
			op.out_crate %= crate_count;
		memcpy(m + off, &op, sizeof op);
		off += 16;
		uint32_t padded = BOX_PARAM_PAD(op.param_size);
		if (size - off < padded)
			break;
		memset(m + off + op.param_size, 0, padded - op.param_size);
		off += padded;
	}
}

static void fix_crates(struct box_crate *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct box_crate k;
		memcpy(&k, &c[i], sizeof k);
		k.flags = 0;
		k.reserved = 0;
		k.dir = k.dir % 3 + 1;
		k.capacity &= 0xFFFF;
		k.size = k.capacity ? k.size % (k.capacity + 1) : 0;
		k.addr = FUZZ_LO + (k.addr & 0xFFFFF);
		memcpy(&c[i], &k, sizeof k);
	}
}

/* ---- generator mode ---- */

struct stream {
	const uint8_t *d;
	size_t n, at;
};

static uint8_t next(struct stream *s)
{
	return s->at < s->n ? s->d[s->at++] : 0;
}

#define GEN_MAN_OFF   0x0000u  /* Manifest in memory */
#define GEN_CRATE_OFF 0x8000u  /* Crate array in memory */
#define GEN_BUF_LO    (FUZZ_LO + 0x100000ull)  /* Crate buffers (range only, not backed) */

static void generate(struct box_pocket *p, struct stream *s)
{
	uint8_t m[BOX_MANIFEST_MAX];
	uint32_t len = 8;
	uint8_t ctl = next(s);
	unsigned ncrates = next(s) % 8;
	unsigned nops = 1 + next(s) % 8;
	struct box_crate c[8];

	memset(p, 0, sizeof *p);
	memset(m, 0, sizeof m);
	mem_len = FUZZ_MEM_MAX;
	memset(mem, 0, mem_len);
	p->cookie = 0xC0FFEE;
	/* Crates: mostly disjoint 64 KiB slots; sometimes two share a slot. */
	for (unsigned i = 0; i < ncrates; i++) {
		uint8_t b = next(s);
		memset(&c[i], 0, sizeof c[i]);
		c[i].dir = b % 3 + 1;
		c[i].capacity = (uint64_t)next(s) << (b >> 5);
		c[i].size = c[i].capacity ? next(s) % (c[i].capacity + 1) : 0;
		c[i].addr = GEN_BUF_LO + ((b & 0x10) ? 0 : i * 0x10000ull) + (next(s) & 0x38);
	}
	/* Ops whose Crate references follow the rules most of the time. */
	int prev_out = -1;
	for (unsigned i = 0; i < nops; i++) {
		uint8_t b = next(s);
		struct box_op op = { .op_id = 0x1000 + next(s), .policy = b % 3 };
		int in = -1, out = -1;
		for (unsigned k = 0; k < ncrates; k++) {
			unsigned j = (b + k) % ncrates;
			if (in < 0 && (c[j].dir & BOX_CRATE_IN) && (b & 0x08))
				in = (int)j;
		}
		for (unsigned k = 0; k < ncrates; k++) {
			unsigned j = (b / 3 + k) % ncrates;
			if (out < 0 && (c[j].dir & BOX_CRATE_OUT) && (b & 0x40) && (j == (unsigned)in || in < 0 ||
			    c[j].addr >= c[in].addr + c[in].capacity || c[in].addr >= c[j].addr + c[j].capacity))
				out = (int)j;
		}
		op.in_crate = (b & 0x80) && prev_out >= 0 ? BOX_FEED : in < 0 ? BOX_NO_CRATE : (uint8_t)in;
		op.out_crate = out < 0 ? BOX_NO_CRATE : (uint8_t)out;
		prev_out = out;
		op.param_size = next(s) % (ctl & 1 ? 72 : 257);
		if (len + 16 + BOX_PARAM_PAD(op.param_size) > 0xFFF8)
			break;
		memcpy(m + len, &op, sizeof op);
		for (unsigned k = 0; k < op.param_size; k++)
			m[len + 16 + k] = next(s);
		len += 16 + BOX_PARAM_PAD(op.param_size);
		m[3]++;
	}
	fix_header(m, (uint16_t)len);
	p->manifest_size = (uint16_t)len;
	if ((ctl & 2) && len <= BOX_INLINE_MAX) {
		p->flags = BOX_POCKET_INLINE;
		memcpy(p->inline_manifest, m, len);
	} else {
		p->manifest = FUZZ_LO + GEN_MAN_OFF;
		memcpy(mem + GEN_MAN_OFF, m, len);
	}
	p->crate_count = (uint16_t)ncrates;
	p->crates = ncrates ? FUZZ_LO + GEN_CRATE_OFF : 0;
	memcpy(mem + GEN_CRATE_OFF, c, ncrates * sizeof c[0]);

	/* Edits: (where, what) pairs from the rest of the input. */
	unsigned edits = (ctl >> 2) % 4;
	for (unsigned i = 0; i < edits; i++) {
		uint8_t where = next(s), at = next(s), val = next(s);
		switch (where % 3) {
		case 0: ((uint8_t *)p)[at % sizeof *p] = val; break;
		case 1: mem[GEN_MAN_OFF + (at + (where & 0xF0) * 256u) % (len ? len : 1)] = val; break;
		default: if (ncrates) mem[GEN_CRATE_OFF + at % (ncrates * sizeof c[0])] = val;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct box_pocket p;
	uint8_t fix = size ? data[0] : 0;
	size_t pocket_bytes = size > 1 ? size - 1 : 0;

	if (fix & GENERATE) {
		struct stream st = { data + 1, size - 1, 0 };
		generate(&p, &st);
		fix = 0;
		goto run;
	}
	memset(&p, 0, sizeof p);
	if (pocket_bytes > sizeof p)
		pocket_bytes = sizeof p;
	if (pocket_bytes)
		memcpy(&p, data + 1, pocket_bytes);
	mem_len = size > 1 + sizeof p ? size - 1 - sizeof p : 0;
	if (mem_len > FUZZ_MEM_MAX)
		mem_len = FUZZ_MEM_MAX;
	if (mem_len)
		memcpy(mem, data + 1 + sizeof p, mem_len);

	if (fix & FIX_INLINE) {
		p.flags = BOX_POCKET_INLINE;
		p.manifest = 0;
		if (p.manifest_size > BOX_INLINE_MAX)
			p.manifest_size = (uint16_t)(8 + p.manifest_size % (BOX_INLINE_MAX - 7));
		memset(p.inline_manifest + p.manifest_size, 0, BOX_INLINE_MAX - p.manifest_size);
	}
	if ((fix & FIX_POINTERS) && mem_len) {
		p.manifest = (p.flags & BOX_POCKET_INLINE) ? 0 : FUZZ_LO + p.manifest % mem_len;
		p.crate_count %= BOX_MAX_CRATES + 1;
		p.crates = p.crate_count ? FUZZ_LO + p.crates % mem_len : 0;
		if (!(p.flags & BOX_POCKET_INLINE) && p.manifest_size > mem_len - (p.manifest - FUZZ_LO))
			p.manifest_size = (uint16_t)(mem_len - (p.manifest - FUZZ_LO));
	}
	uint8_t *m = (p.flags & BOX_POCKET_INLINE) ? p.inline_manifest
						   : backed(p.manifest, p.manifest_size);
	if (m && p.manifest_size >= 8 &&
	    (!(p.flags & BOX_POCKET_INLINE) || p.manifest_size <= BOX_INLINE_MAX)) {
		if (fix & FIX_HEADER)
			fix_header(m, p.manifest_size);
		if (fix & FIX_OPS)
			fix_ops(m, p.manifest_size, p.crate_count);
	}
	if (fix & FIX_CRATES) {
		struct box_crate *c = (struct box_crate *)(void *)backed(p.crates, 40ull * p.crate_count);
		if (c && p.crate_count <= BOX_MAX_CRATES)
			fix_crates(c, p.crate_count);
	}

run:;
	struct box_user_view uv = { .lo = FUZZ_LO, .hi = FUZZ_LO + FUZZ_SPAN, .ctx = NULL,
				    .copy_in = fuzz_copy_in };
	plan.manifest = man_buf;
	int rc = box_validate_pocket(&p, &uv, &plan);
	if (rc > 0 || rc < BOX_STATUS_MIN) {
		fprintf(stderr, "unknown status %d\n", rc);
		abort();
	}
#ifdef FUZZ_STATS
	{
		static unsigned long n, ok, by[16];
		n++;
		ok += rc == BOX_OK;
		by[-rc & 15]++;
		if ((n & (n - 1)) == 0 || n == 50000)
			fprintf(stderr, "stats: %lu runs, %lu accepted, invalid %lu fault %lu bounds %lu too_big %lu\n",
				n, ok, by[2], by[3], by[4], by[11]);
	}
#endif
	if (rc != BOX_OK)
		return 0;

	const char *why = plan_violation(&plan, &uv);
	if (!why && memcmp(&plan.pocket, &p, sizeof p) != 0)
		why = "pocket snapshot differs";
	if (!why && !(p.flags & BOX_POCKET_INLINE) &&
	    memcmp(man_buf, backed(p.manifest, plan.manifest_size), plan.manifest_size) != 0)
		why = "manifest copy differs from user memory";
	if (!why && plan.crate_count &&
	    memcmp(plan.crates, backed(p.crates, 40ull * plan.crate_count), 40ull * plan.crate_count) != 0)
		why = "crate copy differs from user memory";
	if (why) {
		fprintf(stderr, "plan invariant broken: %s\n", why);
		abort();
	}
	return 0;
}
