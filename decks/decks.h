/*
 * decks.h: the Deck tables the kernel registers with the OpRegistry.
 *
 * Each Deck (decks/<name>.c) is portable C: a handler per op, following the
 * decode-then-invoke contract in core/op.h, and one struct deck at the end of
 * the file listing every op of that Deck in ops/ops.spec.  The same files are
 * compiled into the kernel and into the host tests.
 */
#ifndef DECKS_DECKS_H
#define DECKS_DECKS_H

#include "core/op.h"

extern const struct deck operations_deck, execution_deck;
extern const struct deck hardware_deck, system_deck, storage_deck;

/* The Guide, after Cabins ended: the System Deck drops their Listen entries. */
void system_deck_forget_gone(void);

#endif
