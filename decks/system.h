/*
 * system.h: what the System Deck's files share (decks/system*.c).
 *
 * The System Deck is kernel-only: its handlers act on Cabins, the
 * scheduler and the inbox rings, and run on the K-Core inside a Guide pass,
 * one at a time, so the Deck's own state (tag names, the Listen table,
 * pending ipc.send answers) needs no lock.  Every handler decodes first
 * (parameters, Crates, the target Cabin, auth) and changes nothing until all
 * of it holds.
 */
#ifndef DECKS_SYSTEM_H
#define DECKS_SYSTEM_H

#include <stdint.h>

#include "boxos/ops.h"
#include "boxos/abi/abi.h"
#include "core/op.h"
#include "core/tags.h"
#include "core/listen.h"

struct cabin;

/* Handlers, one file per vocabulary. */
int32_t sys_proc_spawn(struct op_call *call);
int32_t sys_proc_kill(struct op_call *call);
int32_t sys_proc_exit(struct op_call *call);
int32_t sys_proc_wait(struct op_call *call);
int32_t sys_proc_list(struct op_call *call);
int32_t sys_proc_info(struct op_call *call);
int32_t sys_ipc_send(struct op_call *call);
int32_t sys_ipc_reply(struct op_call *call);
int32_t sys_ipc_broadcast(struct op_call *call);
int32_t sys_listen_add(struct op_call *call);
int32_t sys_listen_remove(struct op_call *call);
int32_t sys_notify_send(struct op_call *call);
int32_t sys_tag_add(struct op_call *call);
int32_t sys_tag_remove(struct op_call *call);
int32_t sys_ctx_use(struct op_call *call);
int32_t sys_ctx_clear(struct op_call *call);
int32_t sys_ctx_get(struct op_call *call);
int32_t sys_op_list(struct op_call *call);   /* system_info.c */
int32_t sys_mem_info(struct op_call *call);  /* system_info.c */
int32_t sys_bench_pingpong(struct op_call *call); /* system_bench.c */

/* The Deck's state (decks/system.c). */
struct tags *sys_tags(void);
struct listen_table *sys_listen(void);

/* A u64 Cabin id from a parameter: 0 = the caller; NULL if there is none
 * such (or it is beyond reach: ids are 32-bit). */
struct cabin *sys_target(const struct op_call *call, uint64_t id);
/* The TSC value timeout_ns from now (saturating). */
uint64_t sys_deadline(uint64_t timeout_ns);
/* An optional input of at most max bytes: BOX_OK, BOX_ERR_TOO_BIG or BOX_ERR_INVALID. */
int32_t sys_check_small_input(const struct op_buf *in, uint64_t max);
/* An output that must hold n bytes: BOX_OK, BOX_ERR_INVALID (missing) or BOX_ERR_BOUNDS. */
int32_t sys_check_out(const struct op_buf *out, uint64_t n);

#endif
