/* guide.h: the K-Core's Guide: drains Pocket rings, runs Manifests, posts Results (see guide.c). */
#ifndef CORE_GUIDE_H
#define CORE_GUIDE_H

#include <stdbool.h>
#include <stdint.h>

struct cabin;
struct registry;

#define GUIDE_MAX_CABINS 1024

/* Build the OpRegistry from the Decks; a bad table stops the boot. */
void guide_init(void);
/* The OpRegistry guide_init built (read-only; system.op.list lists it). */
const struct registry *guide_registry(void);
/* Give a new Cabin a doorbell slot; false when all are taken. */
bool guide_attach(struct cabin *c);
void guide_detach(struct cabin *c);
/* The Cabin pushed Pockets: mark it and make sure the Guide looks. */
void guide_doorbell(struct cabin *c);
/* Drain every ring whose doorbell rang; returns the Pockets handled. */
unsigned guide_poll(void);
/* Wake parked chains waiting on any of these OP_WAKE_* events; safe from interrupt handlers. */
void guide_signal(uint32_t events);


#endif
