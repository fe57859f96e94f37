/*
 * storage_rows.c: the storage rows, measured the way an app uses storage
 * (the typed wrappers, so WAIT included), next to the raw device they sit
 * on, all in the same boot.
 *
 *   disk.read4k      storage.dev.read of one 4 KiB block of disk 0 (the boot
 *                    disk, which carries the volume): the floor under TagFS;
 *   storage.read4k   storage.read of a 4 KiB file (verified against its
 *                    BoxHash on every read);
 *   storage.write4k  storage.write replacing that file's 4 KiB with new
 *                    bytes each round (a counter in the first word, so dedup
 *                    never makes a write free): data block, DiskBook record,
 *                    flushes;
 *   storage.query    storage.query for the file's tag among every file on
 *                    the volume.
 * The file is made with the tag `benchfile` outside the use context's
 * scope and deleted at the end.  Without a mounted volume (or below SYSTEM,
 * which the raw row needs) the rows say n/a and why.
 */
#include "bench.h"
#include "boxlib/calls.h"
#include "boxlib/string.h"

#define BLOCK 4096u
#define STORAGE_WAIT_NS (10ull * 1000000000ull)

static uint8_t block[BLOCK] __attribute__((aligned(64)));
static uint8_t create_in[64 + BLOCK] __attribute__((aligned(8)));

static void na_all(struct row *rows[], unsigned n, const char *why, int32_t st)
{
	for (unsigned i = 0; i < n; i++)
		if (rows[i]->state == ROW_OK)
			row_fail(rows[i], ROW_NA, "%s: %s", why, box_status_name(st));
}

void bench_storage(struct row *raw, struct row *rd, struct row *wr, struct row *query)
{
	struct row *all[] = {raw, rd, wr, query};
	uint64_t len = 0, value = 0;

	/* the raw device */
	for (uint32_t i = 0; raw->state == ROW_OK && i < raw->warmup + raw->iters; i++) {
		uint64_t t0 = tsc_begin();
		len = 0; /* the wrappers' out_len is in/out: nothing valid in the output yet */
		int32_t st = box_storage_dev_read(0, 1, block, BLOCK, &len, &value);
		uint64_t t1 = tsc_end();
		if (st != BOX_OK || value != 1) {
			row_fail(raw, i == 0 ? ROW_NA : ROW_FAILED, "storage.dev.read: %s",
				 box_status_name(st));
			break;
		}
		if (i >= raw->warmup)
			row_add(raw, t0, t1, 1);
	}

	/* one 4 KiB file: name, tags, then the content */
	static const char name[] = "bench-4k", tags[] = "benchfile";
	uint32_t nlen = sizeof(name) - 1, tlen = sizeof(tags) - 1;
	memcpy(create_in, name, nlen);
	memcpy(create_in + nlen, tags, tlen);
	for (uint32_t i = 0; i < BLOCK; i++)
		create_in[nlen + tlen + i] = (uint8_t)(i * 7 + 1);
	uint64_t id = 0;
	len = 0;
	int32_t st = box_storage_create(nlen, tlen, 1, create_in, nlen + tlen + BLOCK, &id,
					sizeof(id), &len, &value);
	if (st != BOX_OK) {
		na_all(all + 1, 3, "storage.create (no volume mounted?)", st);
		return;
	}
	id = value ? value : id;

	for (uint32_t i = 0; rd->state == ROW_OK && i < rd->warmup + rd->iters; i++) {
		uint64_t t0 = tsc_begin();
		len = 0;
		st = box_storage_read(id, 0, 0, block, BLOCK, &len, &value);
		uint64_t t1 = tsc_end();
		if (st != BOX_OK || len != BLOCK || block[1] != 8) {
			row_fail(rd, ROW_FAILED, "round %u: storage.read: %s, %llu bytes", i,
				 box_status_name(st), (unsigned long long)len);
			break;
		}
		if (i >= rd->warmup)
			row_add(rd, t0, t1, 1);
	}

	for (uint32_t i = 0; wr->state == ROW_OK && i < wr->warmup + wr->iters; i++) {
		uint64_t stamp = 0x5752495445000000ull + i; /* new bytes every round */
		memcpy(block, &stamp, sizeof(stamp));
		uint64_t t0 = tsc_begin();
		st = box_storage_write(id, 0, 1, block, BLOCK, &value);
		uint64_t t1 = tsc_end();
		if (st != BOX_OK) {
			row_fail(wr, ROW_FAILED, "round %u: storage.write: %s", i, box_status_name(st));
			break;
		}
		if (i >= wr->warmup)
			row_add(wr, t0, t1, 1);
	}

	static uint64_t ids[64];
	for (uint32_t i = 0; query->state == ROW_OK && i < query->warmup + query->iters; i++) {
		uint64_t t0 = tsc_begin();
		len = 0;
		st = box_storage_query(0, 1, tags, tlen, ids, sizeof(ids), &len, &value);
		uint64_t t1 = tsc_end();
		if (st != BOX_OK || value < 1) {
			row_fail(query, ROW_FAILED, "round %u: storage.query: %s, %llu matches", i,
				 box_status_name(st), (unsigned long long)value);
			break;
		}
		if (i >= query->warmup)
			row_add(query, t0, t1, 1);
	}
	box_storage_delete(id, NULL);
}
