/*
 * decks: every op the kernel registered, grouped by Deck.
 *
 * system.op.list pages through the kernel's OpRegistry (64-byte records,
 * boxos/abi/info.h) until it has as many records as the op's value says
 * are registered.  The records are sorted by Deck, then name, and printed
 * one per line with the auth level a caller needs and whether a Deck
 * implements the op (an op without a handler is registered from the spec
 * and answers BOX_ERR_INVALID_OPCODE).  Each Deck ends with its count and
 * the whole listing with the totals, which equal the kernel's boot line
 * "guide: OpRegistry has N ops, M with handlers".  `decks NAME` shows one
 * Deck (its totals, then the overall ones).
 */
#include <stdint.h>

#include "boxos/abi/info.h"
#include "boxlib/calls.h"
#include "boxlib/heap.h"
#include "boxlib/stdio.h"
#include "boxlib/string.h"

#define PAGE_RECORDS 16

static const char *const deck_names[BOX_DECK_COUNT] = {
	[BOX_DECK_OPERATIONS] = "operations", [BOX_DECK_HARDWARE] = "hardware",
	[BOX_DECK_SYSTEM] = "system", [BOX_DECK_STORAGE] = "storage",
	[BOX_DECK_EXECUTION] = "execution",
};
static const char *const auth_names[BOX_AUTH_COUNT] = {
	"NONE", "APP", "UTILITY", "SYSTEM", "NETWORK",
};

static void usage(void)
{
	printf("usage: decks [--help] [DECK]\n");
	printf("list every registered op by Deck with its auth level and totals\n");
	printf("DECK is one of operations, hardware, system, storage, execution\n");
}

/* Every record; *count gets how many.  NULL (and a message) on failure. */
static struct box_op_record *fetch_all(uint32_t *count)
{
	static struct box_op_record page[PAGE_RECORDS];
	struct box_op_record *all = NULL;
	uint32_t have = 0;
	uint64_t total = 1, cap = 0;
	while (have < total && (cap == 0 || have < cap)) {
		uint64_t len = 0;
		int32_t st = box_system_op_list(have, page, sizeof(page), &len, &total);
		if (st != BOX_OK) {
			printf("system.op.list failed: %s\n", box_status_name(st));
			free(all);
			return NULL;
		}
		uint32_t got = (uint32_t)(len / sizeof(page[0]));
		if (total > 65536 || (got == 0 && have < total)) {
			printf("system.op.list gave %u records at %u of %llu\n", got, have,
			       (unsigned long long)total);
			free(all);
			return NULL;
		}
		if (!all) {
			cap = total; /* the registry is fixed at boot: the first count is the count */
			all = malloc(cap * sizeof(*all));
		}
		if (!all) {
			printf("out of memory for %llu records\n", (unsigned long long)total);
			return NULL;
		}
		for (uint32_t i = 0; i < got && have < cap; i++)
			all[have++] = page[i];
	}
	*count = have;
	return all;
}

static int before(const struct box_op_record *a, const struct box_op_record *b)
{
	if (a->deck != b->deck)
		return a->deck < b->deck;
	return strcmp(a->name, b->name) < 0;
}

static void sort(struct box_op_record *r, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) { /* insertion sort: a few dozen records */
		struct box_op_record x = r[i];
		uint32_t j = i;
		while (j > 0 && before(&x, &r[j - 1])) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

int main(int argc, char **argv)
{
	int only = -1;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	if (argc > 2) {
		printf("too many arguments (try decks --help)\n");
		return 2;
	}
	if (argc == 2) {
		for (int d = 0; d < BOX_DECK_COUNT; d++)
			if (strcmp(argv[1], deck_names[d]) == 0)
				only = d;
		if (only < 0) {
			printf("no Deck named '%s' (try decks --help)\n", argv[1]);
			return 2;
		}
	}

	uint32_t n = 0;
	struct box_op_record *r = fetch_all(&n);
	if (!r)
		return 1;
	sort(r, n);

	uint32_t total_handled = 0;
	for (uint32_t i = 0; i < n; i++)
		total_handled += r[i].has_handler ? 1 : 0;
	for (int d = 0; d < BOX_DECK_COUNT; d++) {
		if (only >= 0 && d != only)
			continue;
		uint32_t ops = 0, handled = 0;
		printf("Deck %s\n", deck_names[d]);
		for (uint32_t i = 0; i < n; i++) {
			if (r[i].deck != d)
				continue;
			r[i].name[BOX_OP_NAME_MAX - 1] = 0;
			printf("  %-28s %-8s %s\n", r[i].name,
			       r[i].auth < BOX_AUTH_COUNT ? auth_names[r[i].auth] : "?",
			       r[i].has_handler ? "handler" : "no handler");
			ops++;
			handled += r[i].has_handler ? 1 : 0;
		}
		printf("Deck %s: %u ops, %u with handlers\n", deck_names[d], ops, handled);
	}
	for (uint32_t i = 0; i < n; i++)
		if (r[i].deck >= BOX_DECK_COUNT)
			printf("op %s has an unknown Deck %u\n", r[i].name, r[i].deck);
	printf("total: %u ops, %u with handlers\n", n, total_handled);
	free(r);
	return 0;
}
