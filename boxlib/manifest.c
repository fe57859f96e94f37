/*
 * manifest.c: the Manifest builder of boxlib/manifest.h.
 *
 * box_mb_begin() writes the header; box_mb_add() checks that the entry fits
 * (capacity, the u16 size, the u8 op count), then writes the struct box_op,
 * the parameters and their zero padding and updates the header's op_count
 * and size.  Header and entries are written with memcpy from local structs,
 * so the buffer's alignment does not matter to the builder itself.
 */
#include "boxlib/manifest.h"
#include "boxlib/string.h"

void box_mb_begin(struct box_mb *mb, void *buf, uint32_t cap)
{
	struct box_manifest h = {.magic = BOX_MANIFEST_MAGIC, .version = BOX_MANIFEST_VERSION,
				 .op_count = 0, .size = sizeof(h), .flags = 0};
	mb->buf = buf;
	mb->cap = cap;
	mb->len = 0;
	if (cap < sizeof(h))
		return;
	memcpy(buf, &h, sizeof(h));
	mb->len = sizeof(h);
}

int box_mb_add(struct box_mb *mb, uint64_t op_id, uint8_t policy, uint8_t in, uint8_t out,
	       const void *params, uint16_t param_size)
{
	struct box_manifest h;
	if (mb->len < sizeof(h))
		return -1;
	memcpy(&h, mb->buf, sizeof(h));
	uint32_t end = mb->len + (uint32_t)sizeof(struct box_op) + BOX_PARAM_PAD(param_size);
	if (end > mb->cap || end > 0xFFFFu || h.op_count >= BOX_MAX_OPS)
		return -1;

	struct box_op op = {.op_id = op_id, .policy = policy, .in_crate = in, .out_crate = out,
			    .reserved = 0, .param_size = param_size, .reserved2 = 0};
	uint8_t *p = mb->buf + mb->len;
	memcpy(p, &op, sizeof(op));
	p += sizeof(op);
	if (params)
		memcpy(p, params, param_size);
	else
		memset(p, 0, param_size);
	memset(p + param_size, 0, BOX_PARAM_PAD(param_size) - param_size);

	h.op_count++;
	h.size = (uint16_t)end;
	memcpy(mb->buf, &h, sizeof(h));
	mb->len = end;
	return 0;
}
