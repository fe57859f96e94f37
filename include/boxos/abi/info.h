/*
 * info.h: what the kernel's introspection ops write (ABI).
 *
 *   system.op.list     struct box_op_record per registered op
 *   system.mem.info    one struct box_mem_info
 *   hardware.cpu.stats struct box_cpu_stats per CPU
 *   system.trace.read  struct box_trace_entry per PerfTrace entry (the
 *                      kernel's struct perftrace_entry, core/perftrace.h)
 *
 * All integers little-endian; names NUL-terminated and NUL-padded.
 * Every size and offset is pinned below, because apps and the kernel are
 * built separately and only agree through these numbers.
 */
#ifndef BOXOS_ABI_INFO_H
#define BOXOS_ABI_INFO_H

#include <stdint.h>
#include <stddef.h>

/* system.op.list: one record per op in the OpRegistry. */
#define BOX_OP_NAME_MAX 48
struct box_op_record {
	uint64_t id;           /* XXH3-64 of the name */
	uint8_t  deck;         /* enum box_deck */
	uint8_t  auth;         /* enum box_auth: the level a caller needs */
	uint8_t  has_handler;  /* 1: a Deck implements it; 0: registered, answers INVALID_OPCODE */
	uint8_t  reserved0;
	uint16_t param_size;   /* exact parameter blob size */
	uint16_t reserved1;
	char     name[BOX_OP_NAME_MAX]; /* "operations.fill" */
};
_Static_assert(sizeof(struct box_op_record) == 64, "box_op_record is 64 bytes");
_Static_assert(offsetof(struct box_op_record, id) == 0, "op_record.id");
_Static_assert(offsetof(struct box_op_record, deck) == 8, "op_record.deck");
_Static_assert(offsetof(struct box_op_record, auth) == 9, "op_record.auth");
_Static_assert(offsetof(struct box_op_record, has_handler) == 10, "op_record.has_handler");
_Static_assert(offsetof(struct box_op_record, reserved0) == 11, "op_record.reserved0");
_Static_assert(offsetof(struct box_op_record, param_size) == 12, "op_record.param_size");
_Static_assert(offsetof(struct box_op_record, reserved1) == 14, "op_record.reserved1");
_Static_assert(offsetof(struct box_op_record, name) == 16, "op_record.name");

/* system.mem.info: the physical zones and the kernel heap. */
#define BOX_MEM_ZONES 3        /* DMA32, USER, HIGH (kernel/mm/pmm.h) */
struct box_mem_zone {
	char     name[8];          /* "DMA32", "USER", "HIGH" */
	uint64_t total_pages;      /* 4 KiB pages the zone manages */
	uint64_t free_pages;       /* of those, free now */
};
_Static_assert(sizeof(struct box_mem_zone) == 24, "box_mem_zone is 24 bytes");
_Static_assert(offsetof(struct box_mem_zone, name) == 0, "mem_zone.name");
_Static_assert(offsetof(struct box_mem_zone, total_pages) == 8, "mem_zone.total_pages");
_Static_assert(offsetof(struct box_mem_zone, free_pages) == 16, "mem_zone.free_pages");

struct box_mem_info {
	uint32_t zone_count;       /* BOX_MEM_ZONES */
	uint32_t page_size;        /* 4096 */
	struct box_mem_zone zones[BOX_MEM_ZONES];
	uint64_t free_pages;       /* sum over the zones */
	uint64_t heap_bytes;       /* kernel heap bytes in use (kmalloc) */
	uint64_t heap_pages;       /* pages the kernel heap holds */
	uint64_t heap_allocs;      /* kmalloc calls since boot */
	uint64_t heap_frees;       /* kfree calls since boot */
};
_Static_assert(sizeof(struct box_mem_info) == 120, "box_mem_info is 120 bytes");
_Static_assert(offsetof(struct box_mem_info, zone_count) == 0, "mem_info.zone_count");
_Static_assert(offsetof(struct box_mem_info, page_size) == 4, "mem_info.page_size");
_Static_assert(offsetof(struct box_mem_info, zones) == 8, "mem_info.zones");
_Static_assert(offsetof(struct box_mem_info, free_pages) == 80, "mem_info.free_pages");
_Static_assert(offsetof(struct box_mem_info, heap_bytes) == 88, "mem_info.heap_bytes");
_Static_assert(offsetof(struct box_mem_info, heap_pages) == 96, "mem_info.heap_pages");
_Static_assert(offsetof(struct box_mem_info, heap_allocs) == 104, "mem_info.heap_allocs");
_Static_assert(offsetof(struct box_mem_info, heap_frees) == 112, "mem_info.heap_frees");

/* hardware.cpu.stats: one record per CPU. */
enum box_cpu_role {
	BOX_CPU_ROLE_NONE = 0, BOX_CPU_ROLE_KCORE = 1, BOX_CPU_ROLE_APP = 2, BOX_CPU_ROLE_BOTH = 3,
};
struct box_cpu_stats {
	uint32_t cpu;              /* dense index, 0 = bootstrap CPU */
	uint32_t apic_id;
	uint8_t  role;             /* enum box_cpu_role */
	uint8_t  online;
	uint16_t reserved0;
	uint32_t queued;           /* READY Cabins in its run queue */
	uint64_t ticks;            /* LAPIC timer interrupts taken */
	uint32_t running;          /* id of the Cabin running on it now, 0 = none */
	uint32_t cabins;           /* Cabins (not ended) whose core is this CPU */
	char     running_name[32]; /* that Cabin's name, "" when none */
};
_Static_assert(sizeof(struct box_cpu_stats) == 64, "box_cpu_stats is 64 bytes");
_Static_assert(offsetof(struct box_cpu_stats, cpu) == 0, "cpu_stats.cpu");
_Static_assert(offsetof(struct box_cpu_stats, apic_id) == 4, "cpu_stats.apic_id");
_Static_assert(offsetof(struct box_cpu_stats, role) == 8, "cpu_stats.role");
_Static_assert(offsetof(struct box_cpu_stats, online) == 9, "cpu_stats.online");
_Static_assert(offsetof(struct box_cpu_stats, reserved0) == 10, "cpu_stats.reserved0");
_Static_assert(offsetof(struct box_cpu_stats, queued) == 12, "cpu_stats.queued");
_Static_assert(offsetof(struct box_cpu_stats, ticks) == 16, "cpu_stats.ticks");
_Static_assert(offsetof(struct box_cpu_stats, running) == 24, "cpu_stats.running");
_Static_assert(offsetof(struct box_cpu_stats, cabins) == 28, "cpu_stats.cabins");
_Static_assert(offsetof(struct box_cpu_stats, running_name) == 32, "cpu_stats.running_name");

/* system.trace.read: one PerfTrace entry, oldest first. */
struct box_trace_entry {
	uint64_t tsc;        /* the TSC when the handler returned */
	uint32_t cabin;      /* the caller's Cabin id */
	uint8_t  deck;       /* enum box_deck */
	uint8_t  pad[3];     /* zero */
	uint64_t op_id;
	int32_t  status;     /* the op's status */
	uint32_t seq_lo;     /* low 32 bits of the entry's sequence number */
};
_Static_assert(sizeof(struct box_trace_entry) == 32, "box_trace_entry is 32 bytes");
_Static_assert(offsetof(struct box_trace_entry, tsc) == 0, "trace_entry.tsc");
_Static_assert(offsetof(struct box_trace_entry, cabin) == 8, "trace_entry.cabin");
_Static_assert(offsetof(struct box_trace_entry, deck) == 12, "trace_entry.deck");
_Static_assert(offsetof(struct box_trace_entry, pad) == 13, "trace_entry.pad");
_Static_assert(offsetof(struct box_trace_entry, op_id) == 16, "trace_entry.op_id");
_Static_assert(offsetof(struct box_trace_entry, status) == 24, "trace_entry.status");
_Static_assert(offsetof(struct box_trace_entry, seq_lo) == 28, "trace_entry.seq_lo");

#endif
