/*
 * system_info.c: the System Deck's introspection ops, op.list and mem.info.
 *
 *   op.list   walks the Guide's OpRegistry (core/registry.h) in slot order
 *             and writes one struct box_op_record (boxos/abi/info.h) per
 *             registered op, skipping the first `start` entries, as many
 *             whole records as the output holds.  out->size = bytes
 *             written; value = ops registered in all, so a caller whose
 *             buffer was too small knows to ask again from start + n.
 *             The order is the table's and stays the same for a boot.
 *   mem.info  one struct box_mem_info: every physical zone's total and
 *             free pages (mm/pmm.h) and the kernel heap's counters
 *             (mm/heap.h); value = free pages in all.  Memory tests take it
 *             before and after their work to see every page come back.
 */
#include "decks/system.h"
#include "boxos/abi/info.h"
#include "core/guide.h"
#include "core/registry.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/pmm.h"

int32_t sys_op_list(struct op_call *call)
{
	OP_PARAMS(box_params_system_op_list, p);
	int32_t st = sys_check_out(call->out, 0);
	if (st != BOX_OK)
		return st;
	const struct registry *r = guide_registry();

	struct op_buf *out = call->out;
	out->size = 0;
	uint32_t index = 0;
	for (unsigned i = 0; i < REGISTRY_SLOTS; i++) {
		const struct registry_entry *e = &r->slots[i];
		if (!e->name)
			continue;
		if (index++ < p->start)
			continue;
		if (out->size + sizeof(struct box_op_record) > out->capacity)
			break;
		struct box_op_record rec;
		memset(&rec, 0, sizeof(rec));
		rec.id = e->id;
		rec.deck = e->deck;
		rec.auth = e->auth;
		rec.has_handler = e->handler != NULL;
		rec.param_size = e->param_size;
		kstrlcpy(rec.name, e->name, sizeof(rec.name));
		memcpy(out->data + out->size, &rec, sizeof(rec));
		out->size += sizeof(rec);
	}
	call->value = r->count;
	return BOX_OK;
}

int32_t sys_mem_info(struct op_call *call)
{
	int32_t st = sys_check_out(call->out, sizeof(struct box_mem_info));
	if (st != BOX_OK)
		return st;

	struct pmm_zone_stats zones[ZONE_COUNT];
	struct heap_stats heap;
	pmm_stats(zones);
	heap_stats(&heap);

	struct box_mem_info info;
	memset(&info, 0, sizeof(info));
	_Static_assert(ZONE_COUNT == BOX_MEM_ZONES, "the ABI lists every pmm zone");
	info.zone_count = BOX_MEM_ZONES;
	info.page_size = 4096;
	for (unsigned z = 0; z < ZONE_COUNT; z++) {
		kstrlcpy(info.zones[z].name, zones[z].name ? zones[z].name : "", sizeof(info.zones[z].name));
		info.zones[z].total_pages = zones[z].total_pages;
		info.zones[z].free_pages = zones[z].free_pages;
		info.free_pages += zones[z].free_pages;
	}
	info.heap_bytes = heap.bytes_in_use;
	info.heap_pages = heap.pages;
	info.heap_allocs = heap.allocs;
	info.heap_frees = heap.frees;
	memcpy(call->out->data, &info, sizeof(info));
	call->out->size = sizeof(info);
	call->value = info.free_pages;
	return BOX_OK;
}
