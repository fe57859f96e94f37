/*
 * test_registry.c: host tests for kernel/core/registry.c.
 *
 * Builds the registry from the real generated spec (box_op_table) and fake
 * Decks whose tables are made from the spec at run time (every handler a
 * stub), then checks: a good init, lookup hits and misses, lookup by name,
 * the table's load factor, every init failure class with its message, and
 * collision handling with a fake spec whose ids all share their low bits.
 */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "core/registry.h"

static int32_t stub_a(struct op_call *c) { (void)c; return BOX_OK; }
static int32_t stub_b(struct op_call *c) { (void)c; return BOX_ERR_BUSY; }

static struct registry reg;
static struct deck_op deck_ops[BOX_DECK_COUNT][BOX_OP_COUNT];
static struct deck decks[BOX_DECK_COUNT];
static const struct deck *deck_ptrs[BOX_DECK_COUNT];

/* One fake Deck per spec Deck, implementing every op of it with stub_a. */
static void make_decks(void)
{
	for (unsigned d = 0; d < BOX_DECK_COUNT; d++) {
		for (unsigned j = 0; j < box_deck_ops[d]; j++) {
			deck_ops[d][j].id = box_op_table[box_deck_first[d] + j].id;
			deck_ops[d][j].handler = stub_a;
		}
		decks[d].name = box_deck_names[d];
		decks[d].deck_id = (uint8_t)d;
		decks[d].ops = deck_ops[d];
		decks[d].count = box_deck_ops[d];
		deck_ptrs[d] = &decks[d];
	}
}

static bool contains(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

static void test_good_init(void)
{
	char err[128] = "junk";
	make_decks();
	CHECK_EQ(registry_init(&reg, deck_ptrs, BOX_DECK_COUNT, err, sizeof(err)), 0);
	CHECK_EQ(err[0], '\0');
	CHECK_EQ(reg.count, BOX_OP_COUNT);
	CHECK_EQ(reg.handled, BOX_OP_COUNT);

	unsigned bad = 0;
	for (unsigned i = 0; i < box_op_count; i++) {
		const struct box_op_desc *d = &box_op_table[i];
		const struct registry_entry *e = registry_lookup(&reg, d->id);
		if (!e || e->id != d->id || e->desc != d || strcmp(e->name, d->name) ||
		    e->deck != d->deck || e->auth != d->auth || e->param_size != d->param_size ||
		    e->handler != stub_a)
			bad++;
	}
	CHECK_EQ(bad, 0);

	/* Misses: ids not in the spec, including 0 and ~0 and a home-slot neighbour. */
	CHECK(registry_lookup(&reg, 0) == NULL);
	CHECK(registry_lookup(&reg, ~0ull) == NULL);
	CHECK(registry_lookup(&reg, BOX_OP_OPERATIONS_FILL ^ (1ull << 63)) == NULL);
	CHECK(registry_lookup(&reg, BOX_OP_OPERATIONS_FILL + REGISTRY_SLOTS) == NULL);
	CHECK(registry_lookup(NULL, BOX_OP_OPERATIONS_FILL) == NULL);

	/* Names. */
	const struct registry_entry *e = registry_find_name(&reg, "operations.fill");
	CHECK(e != NULL);
	CHECK(e && e->id == BOX_OP_OPERATIONS_FILL);
	CHECK(e && e->param_size == sizeof(struct box_params_operations_fill));
	e = registry_find_name(&reg, "system.proc.exit");
	CHECK(e && e->id == BOX_OP_SYSTEM_PROC_EXIT && e->auth == BOX_AUTH_NONE);
	e = registry_find_name(&reg, "hardware.port.out");
	CHECK(e && e->auth == BOX_AUTH_SYSTEM && e->deck == BOX_DECK_HARDWARE);
	CHECK(registry_find_name(&reg, "operations") == NULL);
	CHECK(registry_find_name(&reg, "operations.fil") == NULL);
	CHECK(registry_find_name(&reg, "operations.fills") == NULL);
	CHECK(registry_find_name(&reg, "") == NULL);
	CHECK(registry_find_name(&reg, NULL) == NULL);

	/* Load factor: power-of-two table at least twice the entries, short probes. */
	CHECK_EQ(REGISTRY_SLOTS & (REGISTRY_SLOTS - 1), 0);
	CHECK(REGISTRY_SLOTS >= 2 * reg.count);
	CHECK(REGISTRY_SLOTS < 4 * reg.count || REGISTRY_SLOTS == 16);
	CHECK(reg.max_probe >= 1 && reg.max_probe <= 8);
	unsigned used = 0;
	for (unsigned i = 0; i < REGISTRY_SLOTS; i++)
		used += reg.slots[i].name != NULL;
	CHECK_EQ(used, BOX_OP_COUNT);
}

static void test_partial_decks(void)
{
	char err[128];
	make_decks();
	/* Only the Operations Deck: the rest of the spec is registered without handlers. */
	CHECK_EQ(registry_init(&reg, deck_ptrs, 1, err, sizeof(err)), 0);
	CHECK_EQ(reg.count, BOX_OP_COUNT);
	CHECK_EQ(reg.handled, box_deck_ops[BOX_DECK_OPERATIONS]);
	const struct registry_entry *e = registry_lookup(&reg, BOX_OP_HARDWARE_PORT_OUT);
	CHECK(e && e->handler == NULL);
	e = registry_lookup(&reg, BOX_OP_OPERATIONS_XOR);
	CHECK(e && e->handler == stub_a);

	/* No Decks at all; NULL Deck pointers are ignored. */
	CHECK_EQ(registry_init(&reg, NULL, 0, err, sizeof(err)), 0);
	CHECK_EQ(reg.handled, 0);
	const struct deck *nulls[2] = { NULL, &decks[BOX_DECK_EXECUTION] };
	CHECK_EQ(registry_init(&reg, nulls, 2, err, sizeof(err)), 0);
	CHECK_EQ(reg.handled, 1);
	CHECK(registry_lookup(&reg, BOX_OP_EXECUTION_RESULT)->handler == stub_a);
}

/* Init must fail with a message containing want, and leave the registry empty. */
static void expect_fail(const struct deck *const *d, unsigned n, const char *want, int line)
{
	char err[160];
	memset(err, 'x', sizeof(err));
	int rc = registry_init(&reg, d, n, err, sizeof(err));
	if (rc == 0 || !contains(err, want) || reg.count != 0 ||
	    registry_lookup(&reg, BOX_OP_OPERATIONS_FILL) != NULL) {
		check_failed++;
		printf("FAIL %s:%d: rc %d, err \"%.*s\", want \"%s\"\n", __FILE__, line, rc,
		       (int)sizeof(err), err, want);
	} else {
		check_passed++;
	}
}

static void test_failures(void)
{
	char err[160];

	/* A Deck entry whose id is not in the spec. */
	make_decks();
	deck_ops[BOX_DECK_OPERATIONS][3].id = 0x1234abcdull;
	expect_fail(deck_ptrs, BOX_DECK_COUNT,
		    "deck operations: op 0x000000001234abcd (entry 3) is not in the spec", __LINE__);

	/* A Deck entry for another Deck's op. */
	make_decks();
	deck_ops[BOX_DECK_OPERATIONS][0].id = BOX_OP_HARDWARE_PORT_IN;
	expect_fail(deck_ptrs, BOX_DECK_COUNT,
		    "deck operations: hardware.port.in belongs to deck hardware", __LINE__);

	/* Two handlers for one id: inside one Deck ... */
	make_decks();
	deck_ops[BOX_DECK_SYSTEM][1].id = deck_ops[BOX_DECK_SYSTEM][0].id;
	deck_ops[BOX_DECK_SYSTEM][1].handler = stub_b;
	char want[96];
	snprintf(want, sizeof(want), "deck system: two handlers for %s",
		 box_op_table[box_deck_first[BOX_DECK_SYSTEM]].name);
	expect_fail(deck_ptrs, BOX_DECK_COUNT, want, __LINE__);

	/* ... and across two Deck tables with the same Deck id. */
	make_decks();
	static const struct deck_op one[] = { { BOX_OP_OPERATIONS_FILL, stub_b } };
	struct deck extra = { "operations2", BOX_DECK_OPERATIONS, one, 1 };
	const struct deck *two[] = { &decks[0], &extra };
	expect_fail(two, 2, "deck operations2: two handlers for operations.fill", __LINE__);

	/* The same Deck registered twice. */
	const struct deck *twice[] = { &decks[BOX_DECK_EXECUTION], &decks[BOX_DECK_EXECUTION] };
	expect_fail(twice, 2, "deck execution: two handlers for execution.result", __LINE__);

	/* A NULL handler in a Deck table. */
	make_decks();
	deck_ops[BOX_DECK_HARDWARE][2].handler = NULL;
	expect_fail(deck_ptrs, BOX_DECK_COUNT, "has a NULL handler", __LINE__);

	/* A Deck with a count but no table. */
	make_decks();
	struct deck empty = { NULL, BOX_DECK_STORAGE, NULL, 3 };
	const struct deck *e1[] = { &empty };
	expect_fail(e1, 1, "deck (unnamed): no op table", __LINE__);

	/* Decks count without a table. */
	expect_fail(NULL, 2, "decks: no table", __LINE__);

	/* Duplicate ids in the spec. */
	static struct box_op_desc spec[BOX_OP_COUNT];
	memcpy(spec, box_op_table, sizeof(spec));
	spec[7].id = spec[2].id;
	memset(err, 'x', sizeof(err));
	CHECK(registry_init_spec(&reg, spec, BOX_OP_COUNT, NULL, 0, err, sizeof(err)) != 0);
	snprintf(want, sizeof(want), "spec: duplicate op id 0x%016llx (%s and %s)",
		 (unsigned long long)spec[2].id, spec[2].name, spec[7].name);
	CHECK(contains(err, want));
	CHECK_EQ(reg.count, 0);

	/* A spec larger than the static table. */
	static struct box_op_desc big[BOX_OP_COUNT + 1];
	memcpy(big, box_op_table, sizeof(box_op_table));
	big[BOX_OP_COUNT] = box_op_table[0];
	big[BOX_OP_COUNT].id ^= 1;
	CHECK(registry_init_spec(&reg, big, BOX_OP_COUNT + 1, NULL, 0, err, sizeof(err)) != 0);
	CHECK(contains(err, "more than the table holds"));

	/* A spec entry with an out-of-range deck. */
	memcpy(spec, box_op_table, sizeof(spec));
	spec[4].deck = BOX_DECK_COUNT;
	CHECK(registry_init_spec(&reg, spec, BOX_OP_COUNT, NULL, 0, err, sizeof(err)) != 0);
	CHECK(contains(err, "spec: entry 4 ("));

	/* Messages are truncated, always terminated; a NULL err is fine. */
	make_decks();
	deck_ops[0][0].id = 42;
	memset(err, 'x', sizeof(err));
	CHECK(registry_init(&reg, deck_ptrs, BOX_DECK_COUNT, err, 8) != 0);
	CHECK_EQ(strlen(err), 7);
	CHECK(memcmp(err, "deck op", 7) == 0);
	CHECK_EQ(err[9], 'x');
	CHECK(registry_init(&reg, deck_ptrs, BOX_DECK_COUNT, NULL, 0) != 0);
	CHECK(registry_init(&reg, deck_ptrs, BOX_DECK_COUNT, err, 0) != 0);

	/* A failed init after a good one leaves nothing behind. */
	make_decks();
	CHECK_EQ(registry_init(&reg, deck_ptrs, BOX_DECK_COUNT, err, sizeof(err)), 0);
	deck_ops[1][1].id = 7;
	CHECK(registry_init(&reg, deck_ptrs, BOX_DECK_COUNT, err, sizeof(err)) != 0);
	CHECK(registry_find_name(&reg, "operations.fill") == NULL);
	CHECK_EQ(reg.handled, 0);
}

/* Every id lands in the same home slot (and some wrap past the end). */
static void test_collisions(void)
{
	static struct box_op_desc spec[BOX_OP_COUNT];
	static char names[BOX_OP_COUNT][16];
	static struct deck_op ops[BOX_OP_COUNT];
	char err[128];
	const unsigned home = REGISTRY_SLOTS - 3;

	for (unsigned i = 0; i < BOX_OP_COUNT; i++) {
		snprintf(names[i], sizeof(names[i]), "t.op%u", i);
		spec[i] = (struct box_op_desc){
			.id = ((uint64_t)(i + 1) << 32) * REGISTRY_SLOTS + home,
			.name = names[i],
			.deck = BOX_DECK_OPERATIONS,
			.auth = BOX_AUTH_APP,
			.param_size = (uint16_t)(8 * (i % 4)),
		};
		ops[i] = (struct deck_op){ spec[i].id, (i & 1) ? stub_a : stub_b };
	}
	struct deck d = { "t", BOX_DECK_OPERATIONS, ops, BOX_OP_COUNT };
	const struct deck *dp[] = { &d };
	CHECK_EQ(registry_init_spec(&reg, spec, BOX_OP_COUNT, dp, 1, err, sizeof(err)), 0);
	CHECK_EQ(reg.count, BOX_OP_COUNT);
	CHECK_EQ(reg.max_probe, BOX_OP_COUNT);
	unsigned bad = 0;
	for (unsigned i = 0; i < BOX_OP_COUNT; i++) {
		const struct registry_entry *e = registry_lookup(&reg, spec[i].id);
		if (!e || e->id != spec[i].id || e->param_size != spec[i].param_size ||
		    e->handler != ((i & 1) ? stub_a : stub_b))
			bad++;
		if (registry_find_name(&reg, names[i]) != e)
			bad++;
	}
	CHECK_EQ(bad, 0);
	/* A miss with the same home slot walks the cluster and stops at a free slot. */
	CHECK(registry_lookup(&reg, home) == NULL);
	CHECK(registry_lookup(&reg, ((uint64_t)999 << 32) * REGISTRY_SLOTS + home) == NULL);
	/* The cluster wrapped around the end of the table. */
	CHECK(reg.slots[0].name != NULL);
	CHECK(reg.slots[home - 1].name == NULL);
}

int main(void)
{
	test_good_init();
	test_partial_decks();
	test_failures();
	test_collisions();
	return check_report();
}
