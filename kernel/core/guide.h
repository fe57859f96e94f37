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
/* The kernel info page every Cabin maps read-only (abi/start.h). */
uint64_t guide_kinfo_phys(void);
/* The K-Core has nothing to do: poll the running Cabins' rings for up to
 * us microseconds (advertising it in the info page) before it halts; true
 * when work turned up. */
bool guide_spin(uint64_t us);
/* A Cabin leaves its CPU: if it left Pockets queued without ringing (the
 * Guide was polling), ring for it. */
void guide_leaving(struct cabin *c);
/* Wake parked chains waiting on any of these OP_WAKE_* events; safe from interrupt handlers. */
void guide_signal(uint32_t events);


#endif
