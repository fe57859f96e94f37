/*
 * part.c: GPT parsing and the partition block-device view (see part.h).
 *
 * The parser trusts nothing it reads: sizes are checked before they are
 * multiplied, every offset is checked against the buffer or the disk, and
 * CRC32s are verified before a field is used.  Only the primary header is
 * read; a disk whose primary header is bad is reported, not repaired from
 * the backup (the image builder and sgdisk write both).
 */
#include "drivers/part.h"

#if __STDC_HOSTED__
#include <string.h>
#else
#include "lib/string.h"
#endif

const uint8_t part_type_tagfs[16] = {
	0x1e, 0x0b, 0x6f, 0x7a, 0x2d, 0x5c, 0x8f, 0x4b,
	0x9e, 0x31, 0xb0, 0xc5, 0xf5, 0xa9, 0xd7, 0xe2,
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), what GPT uses. */
uint32_t part_crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

int part_gpt_header(const uint8_t *s, uint64_t disk_sectors, struct part_gpt *out,
		    const char **why)
{
	const char *w = NULL;
	uint32_t hsize = get32(s + 12);
	if (memcmp(s, "EFI PART", 8) != 0)
		w = "no GPT signature";
	else if (hsize < 92 || hsize > PART_SECTOR)
		w = "GPT header size out of range";
	if (!w) {
		uint8_t h[PART_SECTOR];
		memcpy(h, s, hsize);
		memset(h + 16, 0, 4);
		if (part_crc32(h, hsize) != get32(s + 16))
			w = "GPT header CRC32 mismatch";
	}
	if (!w) {
		out->first_usable = get64(s + 40);
		out->last_usable = get64(s + 48);
		out->entries_lba = get64(s + 72);
		out->entry_count = get32(s + 80);
		out->entry_size = get32(s + 84);
		out->entries_crc = get32(s + 88);
		uint64_t bytes = part_gpt_entries_bytes(out);
		if (out->entry_size < 128 || out->entry_size > 4096 || out->entry_size % 8)
			w = "GPT entry size out of range";
		else if (out->entry_count == 0 || bytes > PART_GPT_ENTRIES_MAX_BYTES)
			w = "GPT entry array empty or too large";
		else if (out->entries_lba < 2 || out->entries_lba >= disk_sectors ||
			 (bytes + PART_SECTOR - 1) / PART_SECTOR > disk_sectors - out->entries_lba)
			w = "GPT entry array outside the disk";
		else if (out->first_usable > out->last_usable || out->last_usable >= disk_sectors)
			w = "GPT usable range outside the disk";
	}
	if (w && why)
		*why = w;
	return w ? -1 : 0;
}

uint64_t part_gpt_entries_bytes(const struct part_gpt *g)
{
	return (uint64_t)g->entry_count * g->entry_size;
}

int part_gpt_find(const struct part_gpt *g, const uint8_t *entries, size_t len,
		  const uint8_t type[16], struct part_range *out, unsigned max, unsigned *n,
		  const char **why)
{
	const char *w = NULL;
	uint64_t bytes = part_gpt_entries_bytes(g);
	*n = 0;
	if (bytes > len)
		w = "GPT entry array not fully read";
	else if (part_crc32(entries, (size_t)bytes) != g->entries_crc)
		w = "GPT entry array CRC32 mismatch";
	for (uint32_t i = 0; !w && i < g->entry_count; i++) {
		const uint8_t *e = entries + (size_t)i * g->entry_size;
		if (memcmp(e, type, 16) != 0)
			continue;
		uint64_t first = get64(e + 32), last = get64(e + 40);
		if (first > last || first < g->first_usable || last > g->last_usable)
			w = "a TagFS partition lies outside the usable range";
		else if (first % 8 || (last + 1) % 8)
			w = "a TagFS partition is not 4 KiB aligned";
		else if (*n < max) {
			out[*n].index = i + 1;
			out[*n].first_block = first / 8;
			out[*n].blocks = (last + 1 - first) / 8;
			(*n)++;
		}
	}
	if (w) {
		*n = 0;
		if (why)
			*why = w;
	}
	return w ? -1 : 0;
}

static int part_read(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *check)
{
	struct part_dev *p = d->ctx;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	return p->disk->read(p->disk, p->first + block, buf, check);
}

static int part_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	struct part_dev *p = d->ctx;
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	return p->disk->write(p->disk, p->first + block, buf);
}

static int part_flush(struct tagfs_dev *d)
{
	struct part_dev *p = d->ctx;
	return p->disk->flush(p->disk);
}

void part_dev_init(struct part_dev *p, struct tagfs_dev *disk, uint64_t first_block,
		   uint64_t blocks)
{
	p->disk = disk;
	p->first = first_block;
	p->dev.ctx = p;
	p->dev.blocks = blocks;
	p->dev.regions = 1;
	p->dev.read = part_read;
	p->dev.write = part_write;
	p->dev.flush = part_flush;
	p->dev.region_of = NULL;
}
