/*
 * test_validate.c: host tests for kernel/core/validate.c.
 *
 * A simulated Cabin memory (one buffer at a fixed user address, with a
 * copy_in that faults outside it) holds the Manifests and Crate arrays.
 * Valid inline and non-inline Pockets must pass with the right plan; then
 * each rule is broken alone and must give its exact status; then every
 * truncation of a Manifest; then 100k random mutations of valid Pockets,
 * where every accepted plan is re-checked by tests/fuzz/plan_invariants.h.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/validate.h"
#include "../fuzz/plan_invariants.h"

#define MEM_BASE 0x400000ull
#define MEM_LEN  (256u * 1024)
#define MAN_OFF  0x1000u       /* where the non-inline Manifest goes */
#define CRATE_OFF 0x30000u     /* where the Crate array goes */
#define BUF_OFF  0x38000u      /* where the Crates' buffers start */

static uint8_t mem[MEM_LEN];
static unsigned copy_calls;
static int copy_hostile;       /* scribble over mem after each copy */

static int sim_copy_in(void *ctx, void *dst, uint64_t src, size_t n)
{
	(void)ctx;
	copy_calls++;
	if (src < MEM_BASE || src - MEM_BASE > MEM_LEN || n > MEM_LEN - (src - MEM_BASE))
		return BOX_ERR_FAULT;
	memcpy(dst, mem + (src - MEM_BASE), n);
	if (copy_hostile)
		memset(mem + (src - MEM_BASE), 0xA5, n);  /* a racing thread rewrites it */
	return 0;
}

/* The user range is much larger than the backed memory: pointers can be in range yet fault. */
static struct box_user_view uv = {
	.lo = MEM_BASE, .hi = MEM_BASE + (4ull << 30), .ctx = NULL, .copy_in = sim_copy_in,
};

static uint8_t man_buf[BOX_MANIFEST_MAX];
static struct box_plan plan;

static int validate(const struct box_pocket *p)
{
	plan.manifest = man_buf;
	int rc = box_validate_pocket(p, &uv, &plan);
	if (rc == BOX_OK) {
		const char *why = plan_violation(&plan, &uv);
		if (why) {
			printf("invariant broken: %s\n", why);
			return 99;
		}
	}
	return rc;
}

/* ---- Manifest builder ---- */

struct mb {
	uint8_t b[BOX_MANIFEST_MAX];
	uint32_t len;
	uint8_t nops;
};

static void mb_init(struct mb *m)
{
	memset(m, 0, sizeof *m);
	m->len = 8;
}

static uint32_t mb_op(struct mb *m, uint64_t id, uint8_t policy, uint8_t in, uint8_t out,
		      uint16_t psize)
{
	uint32_t at = m->len;
	struct box_op op = { .op_id = id, .policy = policy, .in_crate = in, .out_crate = out,
			     .param_size = psize };
	memcpy(m->b + at, &op, sizeof op);
	for (uint32_t i = 0; i < psize; i++)
		m->b[at + 16 + i] = (uint8_t)(i * 7 + 1);
	m->len += 16 + BOX_PARAM_PAD(psize);
	m->nops++;
	return at;  /* offset of the entry */
}

static void mb_finish(struct mb *m)
{
	struct box_manifest h = { .magic = BOX_MANIFEST_MAGIC, .version = BOX_MANIFEST_VERSION,
				  .op_count = m->nops, .size = (uint16_t)m->len, .flags = 0 };
	memcpy(m->b, &h, sizeof h);
}

static void pocket_inline(struct box_pocket *p, const struct mb *m)
{
	memset(p, 0, sizeof *p);
	p->cookie = 0x1234;
	p->flags = BOX_POCKET_INLINE;
	p->manifest_size = (uint16_t)m->len;
	memcpy(p->inline_manifest, m->b, m->len);
}

static void pocket_ext(struct box_pocket *p, const struct mb *m)
{
	memset(p, 0, sizeof *p);
	p->cookie = 0x5678;
	p->manifest = MEM_BASE + MAN_OFF;
	p->manifest_size = (uint16_t)m->len;
	memcpy(mem + MAN_OFF, m->b, m->len);
}

static struct box_crate *crate_at(unsigned i)
{
	return (struct box_crate *)(mem + CRATE_OFF + i * sizeof(struct box_crate));
}

static void set_crates(struct box_pocket *p, unsigned n)
{
	p->crate_count = (uint16_t)n;
	p->crates = n ? MEM_BASE + CRATE_OFF : 0;
}

/* Crate i: a 4 KiB buffer of its own. */
static void crate_set(unsigned i, uint32_t dir)
{
	struct box_crate c = { .addr = MEM_BASE + BUF_OFF + i * 0x1000ull, .size = 100,
			       .capacity = 0x1000, .dir = dir };
	*crate_at(i) = c;
}

/* ---- valid Pockets ---- */

static struct mb M;
static struct box_pocket P;

/* Inline: one op with 64 bytes of params, no Crates. */
static void base_inline(void)
{
	mb_init(&M);
	mb_op(&M, 0xDEADBEEFCAFEF00Dull, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, 64);
	mb_finish(&M);
	pocket_inline(&P, &M);
}

/* Non-inline: 4 ops over 3 Crates (IN, OUT, INOUT), with a FEED. */
static void base_ext(void)
{
	mb_init(&M);
	mb_op(&M, 1, BOX_POLICY_STOP, 0, 1, 3);                    /* IN -> OUT */
	mb_op(&M, 2, BOX_POLICY_SKIP, BOX_FEED, 2, 0);             /* OUT(fed) -> INOUT */
	mb_op(&M, 3, BOX_POLICY_OPTIONAL, 2, 2, 256);              /* INOUT in place */
	mb_op(&M, 4, BOX_POLICY_STOP, BOX_NO_CRATE, BOX_NO_CRATE, 9);
	mb_finish(&M);
	pocket_ext(&P, &M);
	crate_set(0, BOX_CRATE_IN);
	crate_set(1, BOX_CRATE_OUT);
	crate_set(2, BOX_CRATE_INOUT);
	set_crates(&P, 3);
}

/* The op entry offsets in base_ext's Manifest. */
#define OP0 8u
#define OP1 (OP0 + 16 + 8)
#define OP2 (OP1 + 16)
#define OP3 (OP2 + 16 + 256)

static void test_valid(void)
{
	base_inline();
	CHECK_EQ(validate(&P), BOX_OK);
	CHECK_EQ(plan.op_count, 1);
	CHECK_EQ(plan.crate_count, 0);
	CHECK_EQ(plan.manifest_size, 88);
	CHECK_EQ(plan.pocket.cookie, 0x1234);
	CHECK_EQ(plan.ops[0].op_id, 0xDEADBEEFCAFEF00Dull);
	CHECK_EQ(plan.ops[0].param_size, 64);
	CHECK(plan.ops[0].params == man_buf + 24);
	CHECK_EQ(plan.ops[0].params[63], (uint8_t)(63 * 7 + 1));
	CHECK_EQ(plan.ops[0].in, BOX_NO_CRATE);
	CHECK_EQ(plan.ops[0].out, BOX_NO_CRATE);

	base_ext();
	struct box_pocket before = P;
	static uint8_t mem_before[MEM_LEN];
	memcpy(mem_before, mem, MEM_LEN);
	copy_calls = 0;
	CHECK_EQ(validate(&P), BOX_OK);
	CHECK_EQ(copy_calls, 2);                           /* Manifest and Crates, once each */
	CHECK(memcmp(&before, &P, sizeof P) == 0);         /* changes nothing */
	CHECK(memcmp(mem_before, mem, MEM_LEN) == 0);
	CHECK_EQ(plan.op_count, 4);
	CHECK_EQ(plan.crate_count, 3);
	CHECK_EQ(plan.manifest_size, M.len);
	CHECK_EQ(plan.ops[0].in, 0);
	CHECK_EQ(plan.ops[0].out, 1);
	CHECK_EQ(plan.ops[0].param_size, 3);
	CHECK(plan.ops[0].params == man_buf + OP0 + 16);
	CHECK_EQ(plan.ops[1].in, 1);
	CHECK(plan.ops[1].feed);
	CHECK_EQ(plan.ops[1].out, 2);
	CHECK_EQ(plan.ops[1].policy, BOX_POLICY_SKIP);
	CHECK_EQ(plan.ops[2].in, 2);
	CHECK_EQ(plan.ops[2].out, 2);
	CHECK_EQ(plan.ops[2].param_size, 256);
	CHECK(plan.ops[3].params == man_buf + OP3 + 16);
	CHECK_EQ(plan.ops[3].op_id, 4);
	CHECK_EQ(plan.crates[2].dir, BOX_CRATE_INOUT);
	CHECK_EQ(plan.crates[1].addr, MEM_BASE + BUF_OFF + 0x1000);

	/* Time of check / time of use: user memory rewritten right after each copy. */
	base_ext();
	copy_hostile = 1;
	CHECK_EQ(validate(&P), BOX_OK);
	copy_hostile = 0;
	CHECK_EQ(plan.crates[0].dir, BOX_CRATE_IN);
	CHECK_EQ(plan.ops[3].op_id, 4);

	/* Edge cases that are fine. */
	base_ext();
	crate_at(0)->capacity = BOX_CRATE_MAX_BYTES;       /* exactly 1 GiB */
	crate_at(0)->addr = MEM_BASE + (2ull << 30);
	CHECK_EQ(validate(&P), BOX_OK);
	base_ext();
	crate_at(1)->capacity = 0;                          /* empty Crate overlaps nothing */
	crate_at(1)->size = 0;
	crate_at(1)->addr = crate_at(2)->addr;
	CHECK_EQ(validate(&P), BOX_OK);
	base_ext();
	crate_at(0)->addr = crate_at(1)->addr;              /* IN overlaps an OUT of another op... */
	M.b[OP0 + 9] = BOX_NO_CRATE;                        /* ...op 0 no longer reads it */
	memcpy(mem + MAN_OFF, M.b, M.len);
	CHECK_EQ(validate(&P), BOX_OK);
	base_ext();
	crate_at(2)->addr = uv.hi - crate_at(2)->capacity;  /* ends exactly at hi */
	CHECK_EQ(validate(&P), BOX_OK);
}

/* ---- one test per rule ---- */

static void reput(void) { memcpy(mem + MAN_OFF, M.b, M.len); }

static void ext_op_byte(unsigned off, uint8_t v) { base_ext(); M.b[off] = v; reput(); }

static void test_pocket_rules(void)
{
	base_inline(); P.flags |= 2;          CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_inline(); P.flags |= 0x80000000; CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext();    P.flags = 4;           CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_inline(); P.manifest_size = 89;  CHECK_EQ(validate(&P), BOX_ERR_TOO_BIG);
	base_inline(); P.manifest_size = 7;   CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_inline(); P.manifest_size = 0;   CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext();    P.manifest_size = 7;   CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext();    P.manifest_size = 0;   CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_inline(); P.manifest = MEM_BASE + MAN_OFF; CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* Garbage after an inline Manifest (size 40: header + op + 16 params). */
	mb_init(&M); mb_op(&M, 9, 0, BOX_NO_CRATE, BOX_NO_CRATE, 16); mb_finish(&M);
	pocket_inline(&P, &M); CHECK_EQ(validate(&P), BOX_OK);
	P.inline_manifest[87] = 1;            CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	pocket_inline(&P, &M); P.inline_manifest[40] = 1; CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* Crate count and pointer. */
	base_ext(); set_crates(&P, 65);       CHECK_EQ(validate(&P), BOX_ERR_TOO_BIG);
	base_ext(); P.crate_count = 0xFFFF;   CHECK_EQ(validate(&P), BOX_ERR_TOO_BIG);
	base_inline(); P.crates = MEM_BASE + CRATE_OFF; CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* sender and target are not this step's business. */
	base_ext(); P.sender = 77; P.target = 5; CHECK_EQ(validate(&P), BOX_OK);
}

static void test_pointer_rules(void)
{
	static const uint64_t bad[] = {
		0,                          /* null */
		MEM_BASE - 8,               /* below lo */
		MEM_BASE + (4ull << 30),    /* == hi */
		MEM_BASE + (4ull << 30) - 16, /* straddles hi */
		0x0000800000000000ull,      /* first non-canonical */
		0x8000000000001000ull,      /* non-canonical */
		0xFFFF800000001000ull,      /* canonical kernel half */
		0xFFFFFFFFFFFFFFF8ull,      /* overflows */
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		base_ext(); P.manifest = bad[i]; CHECK_EQ(validate(&P), BOX_ERR_FAULT);
		base_ext(); P.crates = bad[i];   CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	}
	/* In range but not backed: the copy itself faults. */
	base_ext(); P.manifest = MEM_BASE + MEM_LEN + 0x1000; CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	base_ext(); P.crates = MEM_BASE + MEM_LEN - 40;       CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	/* A broken user view is the caller's bug. */
	base_ext();
	struct box_user_view save = uv;
	uv.lo = 0;                 CHECK_EQ(validate(&P), BOX_ERR_INTERNAL); uv = save;
	uv.hi = uv.lo;             CHECK_EQ(validate(&P), BOX_ERR_INTERNAL); uv = save;
	uv.hi = BOX_USER_TOP + 1;  CHECK_EQ(validate(&P), BOX_ERR_INTERNAL); uv = save;
	uv.copy_in = NULL;         CHECK_EQ(validate(&P), BOX_ERR_INTERNAL); uv = save;
	plan.manifest = NULL;
	CHECK_EQ(box_validate_pocket(&P, &uv, &plan), BOX_ERR_INTERNAL);
}

static void test_manifest_rules(void)
{
	uint16_t v;
	base_ext(); M.b[0] ^= 1; reput();      CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* magic */
	base_ext(); M.b[2] = 2; reput();       CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* version */
	base_ext(); M.b[2] = 0; reput();       CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); M.b[6] = 1; reput();       CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* flags */
	base_ext(); M.b[7] = 0x80; reput();    CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); v = (uint16_t)(M.len - 8); memcpy(M.b + 4, &v, 2); reput();
	CHECK_EQ(validate(&P), BOX_ERR_INVALID);                                        /* size != pocket's */
	base_ext(); M.b[3] = 0; reput();       CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* no ops */
	base_ext(); M.b[3] = 5; reput();       CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* runs past size */
	base_ext(); M.b[3] = 255; reput();     CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); M.b[3] = 3; reput();       CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* trailing entry */
	/* Trailing garbage: 8 more bytes counted in both sizes. */
	base_ext(); M.len += 8; mb_finish(&M); pocket_ext(&P, &M); set_crates(&P, 3);
	CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* Op fields. */
	ext_op_byte(OP1 + 11, 1);              CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* reserved */
	ext_op_byte(OP1 + 14, 1);              CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* reserved2 */
	ext_op_byte(OP3 + 15, 0x80);           CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	ext_op_byte(OP0 + 8, 3);               CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* policy */
	ext_op_byte(OP0 + 8, 0xFF);            CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	ext_op_byte(OP0 + 16 + 3, 1);          CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* padding */
	ext_op_byte(OP3 + 16 + 15, 1);         CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* param_size 257 (and 264 of room for it, so only the limit is wrong). */
	mb_init(&M); mb_op(&M, 1, 0, BOX_NO_CRATE, BOX_NO_CRATE, 264); mb_finish(&M);
	v = 257; memcpy(M.b + 8 + 12, &v, 2);
	memset(M.b + 8 + 16 + 257, 0, 7);
	pocket_ext(&P, &M);                    CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	v = 0xFFFF; memcpy(M.b + 8 + 12, &v, 2); pocket_ext(&P, &M);
	CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	/* param_size within the limit but past the end. */
	base_ext(); v = 200; memcpy(M.b + OP3 + 12, &v, 2); reput();
	CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* 255 ops is the most a Manifest can hold. */
	mb_init(&M);
	for (int i = 0; i < 255; i++)
		mb_op(&M, (uint64_t)i, 0, BOX_NO_CRATE, BOX_NO_CRATE, 8);
	mb_finish(&M); pocket_ext(&P, &M);     CHECK_EQ(validate(&P), BOX_OK);
	CHECK_EQ(plan.op_count, 255);
	CHECK_EQ(plan.ops[254].op_id, 254);
}

static void test_crate_index_rules(void)
{
	ext_op_byte(OP0 + 9, 3);               CHECK_EQ(validate(&P), BOX_ERR_BOUNDS); /* in >= count */
	ext_op_byte(OP0 + 9, 0xFD);            CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	ext_op_byte(OP0 + 10, 3);              CHECK_EQ(validate(&P), BOX_ERR_BOUNDS); /* out >= count */
	ext_op_byte(OP0 + 10, 63);             CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	ext_op_byte(OP0 + 10, BOX_FEED);       CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* FEED as out */
	ext_op_byte(OP0 + 9, BOX_FEED);        CHECK_EQ(validate(&P), BOX_ERR_INVALID); /* FEED on op 0 */
	/* FEED after an op without an output. */
	base_ext(); M.b[OP0 + 10] = BOX_NO_CRATE; reput();
	CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* Direction: reading an OUT-only Crate, writing an IN-only one. */
	ext_op_byte(OP0 + 9, 1);               CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	ext_op_byte(OP0 + 10, 0);              CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* No Crates at all but an op names one. */
	mb_init(&M); mb_op(&M, 1, 0, 0, BOX_NO_CRATE, 0); mb_finish(&M); pocket_inline(&P, &M);
	CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
}

static void test_crate_rules(void)
{
	base_ext(); crate_at(1)->flags = 1;         CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); crate_at(2)->reserved = 1ull << 63; CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); crate_at(0)->dir = 0;           CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); crate_at(0)->dir = 4;           CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); crate_at(0)->dir = 7;           CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	base_ext(); crate_at(0)->size = 0x1001;     CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	base_ext(); crate_at(0)->size = ~0ull;      CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	base_ext(); crate_at(0)->capacity = BOX_CRATE_MAX_BYTES + 1; CHECK_EQ(validate(&P), BOX_ERR_TOO_BIG);
	base_ext(); crate_at(0)->capacity = ~0ull;  CHECK_EQ(validate(&P), BOX_ERR_TOO_BIG);
	/* Crate range. */
	base_ext(); crate_at(0)->addr = MEM_BASE - 1;                 CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	base_ext(); crate_at(0)->addr = uv.hi - 0x800;                CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	base_ext(); crate_at(0)->addr = 0xFFFFFFFFFFFFF800ull;        CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	base_ext(); crate_at(0)->addr = 0x0000800000000000ull;        CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	base_ext(); crate_at(0)->addr = 0xFFFF800000000000ull;        CHECK_EQ(validate(&P), BOX_ERR_FAULT);
	base_ext(); crate_at(0)->addr = 0; crate_at(0)->capacity = 0; crate_at(0)->size = 0;
	CHECK_EQ(validate(&P), BOX_ERR_FAULT);                        /* even empty, it must be in range */
	/* Overlaps. */
	base_ext(); crate_at(1)->addr = crate_at(0)->addr + 0xFFF;    /* op 0: out overlaps in */
	CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	base_ext(); crate_at(0)->addr = crate_at(1)->addr - 0xFFF;
	CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	base_ext(); crate_at(1)->addr = crate_at(0)->addr + 0x1000;   /* touching is fine... */
	crate_at(2)->addr = crate_at(0)->addr - 0x1000;
	CHECK_EQ(validate(&P), BOX_OK);
	base_ext(); crate_at(2)->addr = crate_at(1)->addr + 0x800;    /* two OUT Crates overlap */
	CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	/* Two OUT Crates overlapping, neither named by any op. */
	base_ext(); crate_set(3, BOX_CRATE_OUT); crate_set(4, BOX_CRATE_OUT);
	crate_at(4)->addr = crate_at(3)->addr; set_crates(&P, 5);
	CHECK_EQ(validate(&P), BOX_ERR_BOUNDS);
	/* An IN Crate after the OUT Crate it overlaps, used by different ops: fine. */
	base_ext(); crate_set(3, BOX_CRATE_IN); crate_at(3)->addr = crate_at(1)->addr + 8;
	set_crates(&P, 4);
	CHECK_EQ(validate(&P), BOX_OK);
	/* The same IN-only Crate twice is fine. */
	base_ext(); crate_set(3, BOX_CRATE_IN); crate_set(4, BOX_CRATE_IN);
	crate_at(4)->addr = crate_at(3)->addr; set_crates(&P, 5);
	CHECK_EQ(validate(&P), BOX_OK);
	/* The same Crate as in and out must be INOUT (checked through the dir rule). */
	base_ext(); crate_at(2)->dir = BOX_CRATE_OUT;  /* op 2 reads it: INVALID */
	CHECK_EQ(validate(&P), BOX_ERR_INVALID);
	/* 64 Crates, all checked. */
	base_ext();
	for (unsigned i = 3; i < 64; i++)
		crate_set(i, BOX_CRATE_IN);
	set_crates(&P, 64);                          CHECK_EQ(validate(&P), BOX_OK);
	crate_at(63)->dir = 0;                       CHECK_EQ(validate(&P), BOX_ERR_INVALID);
}

/* Every shortened Manifest is rejected, whichever size field is cut. */
static void test_truncation(void)
{
	unsigned bad_pocket = 0, bad_both = 0, total = 0;
	base_ext();
	uint32_t full = M.len;
	for (uint32_t s = 0; s < full; s++) {
		base_ext(); P.manifest_size = (uint16_t)s;
		bad_pocket += validate(&P) == BOX_ERR_INVALID;
		base_ext(); uint16_t v = (uint16_t)s; memcpy(M.b + 4, &v, 2);
		memset(M.b + s, 0, full - s); M.len = s; reput(); P.manifest_size = (uint16_t)s;
		int rc = validate(&P);
		bad_both += rc == BOX_ERR_INVALID || rc == BOX_ERR_BOUNDS;
		total++;
	}
	CHECK_EQ(bad_pocket, total);
	CHECK_EQ(bad_both, total);
	base_inline();
	total = bad_both = 0;
	for (uint32_t s = 0; s < 88; s++) {
		base_inline();
		uint16_t v = (uint16_t)s; memcpy(P.inline_manifest + 4, &v, 2);
		memset(P.inline_manifest + s, 0, 88 - s);
		P.manifest_size = (uint16_t)s;
		bad_both += validate(&P) == BOX_ERR_INVALID;
		total++;
	}
	CHECK_EQ(bad_both, total);
}

/* ---- random mutation ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
	return rng;
}

static const uint64_t interesting[] = {
	0, 1, 7, 8, 0xFE, 0xFF, 0x100, 0x101, 0xFFFF, BOX_CRATE_MAX_BYTES, BOX_CRATE_MAX_BYTES + 1,
	MEM_BASE, MEM_BASE + BUF_OFF, MEM_BASE + (4ull << 30), 0x0000800000000000ull,
	0xFFFF800000000000ull, ~0ull, ~0ull - 7,
};

static void mutate_region(uint8_t *b, size_t n)
{
	unsigned k = 1 + (unsigned)(rnd() % 6);
	for (unsigned i = 0; i < k; i++) {
		size_t at = (size_t)(rnd() % n);
		switch (rnd() % 4) {
		case 0: b[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
		case 1: b[at] = (uint8_t)rnd(); break;
		case 2: b[at] = (uint8_t)interesting[rnd() % (sizeof interesting / sizeof interesting[0])]; break;
		default: {
			uint64_t v = interesting[rnd() % (sizeof interesting / sizeof interesting[0])];
			size_t w = n - at < 8 ? n - at : 8;
			memcpy(b + at, &v, w);
		}
		}
	}
}

static void test_mutation(void)
{
	unsigned accepted = 0, rejected = 0, broken = 0, unknown_status = 0;
	for (int iter = 0; iter < 100000; iter++) {
		unsigned pick = (unsigned)(rnd() % 3);
		if (pick == 0)
			base_inline();
		else
			base_ext();
		switch (rnd() % 4) {
		case 0: mutate_region((uint8_t *)&P, sizeof P); break;
		case 1: mutate_region(mem + MAN_OFF, M.len); break;
		case 2: mutate_region(mem + CRATE_OFF, 3 * sizeof(struct box_crate)); break;
		default:
			mutate_region((uint8_t *)&P, sizeof P);
			mutate_region(mem + MAN_OFF, M.len);
			mutate_region(mem + CRATE_OFF, 3 * sizeof(struct box_crate));
		}
		int rc = validate(&P);
		if (rc == 99)
			broken++;
		else if (rc == BOX_OK)
			accepted++;
		else if (rc < BOX_STATUS_MIN || rc > 0)
			unknown_status++;
		else
			rejected++;
		if (rc == BOX_OK && !(P.flags & BOX_POCKET_INLINE) &&
		    memcmp(man_buf, mem + MAN_OFF, plan.manifest_size) != 0)
			broken++;
	}
	printf("mutation: %u accepted, %u rejected\n", accepted, rejected);
	CHECK_EQ(broken, 0);
	CHECK_EQ(unknown_status, 0);
	CHECK(accepted > 1000);
	CHECK(rejected > 10000);
}

int main(void)
{
	test_valid();
	test_pocket_rules();
	test_pointer_rules();
	test_manifest_rules();
	test_crate_index_rules();
	test_crate_rules();
	test_truncation();
	test_mutation();
	return check_report();
}
