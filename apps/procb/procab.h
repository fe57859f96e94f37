/*
 * procab.h: what proca and procb agree on -- the message layout and the
 * checksum both sides compute over every byte that crossed.
 *
 * A data message (cookie PROC_COOKIE_DATA) is PROC_MSG_BYTES bytes: u64
 * sequence number, then 56 bytes of xorshift64 output seeded by it; its
 * reply is the same bytes complemented.  The done message (cookie
 * PROC_COOKIE_DONE) is answered with a struct proc_done.  The checksum is
 * FNV-1a 64 over message then reply, message after message.
 */
#ifndef APPS_PROCAB_H
#define APPS_PROCAB_H

#include <stdint.h>

#define PROC_MSG_BYTES 64u
#define PROC_COOKIE_DATA 0xDA7Aull
#define PROC_COOKIE_DONE 0xD0E5ull
#define PROC_FNV_OFFSET 0xcbf29ce484222325ull
#define PROC_FNV_PRIME 0x100000001b3ull

struct proc_done {
	uint64_t messages;  /* data messages procb answered */
	uint64_t checksum;  /* its FNV-1a over what crossed */
};

static inline uint64_t proc_fnv(uint64_t h, const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ p[i]) * PROC_FNV_PRIME;
	return h;
}

static inline void proc_fill_message(uint8_t *m, uint64_t seq)
{
	uint64_t x = seq * 0x9E3779B97F4A7C15ull + 1;
	for (unsigned k = 0; k < 8; k++)
		m[k] = (uint8_t)(seq >> (8 * k));
	for (unsigned k = 8; k < PROC_MSG_BYTES; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		m[k] = (uint8_t)x;
	}
}

#endif
