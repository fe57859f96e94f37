/*
 * df: the volume's size, what is free, what it holds, and its counters.
 *
 *   df
 *
 * Exit 0, or 1 (with "no volume mounted") when there is none.
 */
#include "../storage_app.h"

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: df  (volume size, free space and counters)"))
		return 0;
	struct box_storage_stats s;
	uint64_t len = 0;
	int32_t st = box_storage_stats(&s, sizeof(s), &len, NULL);
	if (st != BOX_OK)
		return st_fail("df", st);
	static const char *const kinds[] = {"?", "disk", "partition", "braid"};
	uint64_t kib = s.block_size / 1024;
	printf("volume %s (%s)%s\n", s.where, kinds[s.kind < 4 ? s.kind : 0],
	       s.readonly ? " read-only" : "");
	printf("size %lu KiB, pool %lu KiB, free %lu KiB, data %lu KiB, metadata %lu KiB, log %lu KiB\n",
	       (unsigned long)(s.total_blocks * kib), (unsigned long)(s.pool_blocks * kib),
	       (unsigned long)(s.free_blocks * kib), (unsigned long)(s.data_blocks * kib),
	       (unsigned long)(s.meta_blocks * kib), (unsigned long)(s.log_blocks * kib));
	printf("files %lu, tags %lu, snapshots %lu, %lu bytes in files\n", (unsigned long)s.files,
	       (unsigned long)s.tags, (unsigned long)s.snapshots, (unsigned long)s.logical_bytes);
	printf("dedup_blocks %lu checksum_errors %lu heals %lu tag_placements %lu log_commits %lu "
	       "replayed %lu checkpoints %lu\n",
	       (unsigned long)s.dedup_blocks, (unsigned long)s.checksum_errors,
	       (unsigned long)s.heals, (unsigned long)s.tag_placements,
	       (unsigned long)s.log_commits, (unsigned long)s.replayed,
	       (unsigned long)s.checkpoints);
	return 0;
}
