/*
 * tagfsck.c: checks a TagFS image, and with --repair scrubs it.
 *
 *   tagfsck IMG [--repair]
 *
 * Without --repair the image is mounted read-only and nothing is written.
 * With it, the mount replays the DiskBook and heals what it reads, and fsck
 * rewrites every bad mirror copy (or the whole metadata) from good copies.
 * Exit status: 0 clean, 1 problems found and all repaired, 2 broken (a
 * problem left, or the image does not mount), with one line saying why.
 */
#include <stdio.h>
#include <string.h>

#include "tagfs/tagfs.h"
#include "tools/tagfs_filedev.h"

int main(int argc, char **argv)
{
	const char *img = NULL;
	bool repair = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--repair"))
			repair = true;
		else if (!img && argv[i][0] != '-')
			img = argv[i];
		else {
			fprintf(stderr, "usage: tagfsck IMG [--repair]\n");
			return 2;
		}
	}
	if (!img) {
		fprintf(stderr, "usage: tagfsck IMG [--repair]\n");
		return 2;
	}
	char why[512] = "";
	struct tagfs_dev dev;
	if (tagfs_filedev_open(&dev, img, repair, 0, why, sizeof why)) {
		printf("tagfsck: %s: broken: %s\n", img, why);
		return 2;
	}
	struct tagfs *fs = NULL;
	struct tagfs_mount_opts mo = { .flags = repair ? 0 : TAGFS_MOUNT_RDONLY, .why = why, .why_len = sizeof why };
	int err = tagfs_mount(&dev, &mo, &fs);
	if (err) {
		printf("tagfsck: %s: broken: does not mount: %s (%s)\n", img, tagfs_strerror(err), why);
		tagfs_filedev_close(&dev);
		return 2;
	}
	struct tagfs_stats mount_stats;
	tagfs_stats(fs, &mount_stats);
	struct tagfs_fsck_report r;
	err = tagfs_fsck(fs, repair, &r);
	struct tagfs_statfs st;
	tagfs_statfs(fs, &st);
	/* A read-write mount heals what it reads before fsck looks: count those
	 * too.  A read-only mount heals nothing, so fsck finds it all again. */
	uint64_t problems = r.problems + (repair ? mount_stats.heals : 0);
	uint64_t repaired = r.repaired + (repair ? mount_stats.heals : 0);
	int uerr = tagfs_unmount(fs);
	int cerr = tagfs_filedev_close(&dev);
	printf("tagfsck: %s: %llu files, %llu snapshots, %llu blocks checked, %llu files verified, "
	       "%llu DiskBook transactions replayed\n",
	       img, (unsigned long long)st.files, (unsigned long long)st.snapshots,
	       (unsigned long long)r.blocks_checked, (unsigned long long)r.files_checked,
	       (unsigned long long)mount_stats.replayed);
	if (err == TAGFS_ECORRUPT || (repair && (uerr || cerr)) || problems > repaired) {
		if (err && err != TAGFS_ECORRUPT)
			printf("tagfsck: %s: broken: fsck failed: %s\n", img, tagfs_strerror(err));
		else if (repair && (uerr || cerr))
			printf("tagfsck: %s: broken: cannot write the repairs\n", img);
		else
			printf("tagfsck: %s: broken: %llu problems, %llu repaired; first: %s%s\n", img,
			       (unsigned long long)problems, (unsigned long long)repaired,
			       r.first[0] ? r.first : "a metadata copy fails its checksum",
			       repair || problems - repaired <= r.unrepairable ? "" : " (--repair can fix some)");
		return 2;
	}
	if (err) {
		printf("tagfsck: %s: broken: fsck failed: %s\n", img, tagfs_strerror(err));
		return 2;
	}
	if (problems) {
		printf("tagfsck: %s: repaired: %llu problems, all repaired\n", img, (unsigned long long)problems);
		return 1;
	}
	printf("tagfsck: %s: clean\n", img);
	return 0;
}
