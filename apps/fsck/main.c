/*
 * fsck: check the mounted volume, or (--repair) check and scrub it.
 *
 *   fsck [--repair]
 *
 * Checks both superblocks, every metadata page and log block (both mirror
 * copies), every data block and file against its BoxHash.  Prints one
 * summary line "fsck: clean|repaired|BROKEN: ..." and the first problem.
 * Exit 0 clean, 1 on an error, 2 repaired, 4 problems left.
 */
#include "../storage_app.h"

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: fsck [--repair]  (check the volume; --repair rewrites bad mirror copies, system level)"))
		return 0;
	int repair = argc == 2 && strcmp(argv[1], "--repair") == 0;
	if (argc > 2 || (argc == 2 && !repair)) {
		printf("usage: fsck [--repair]\n");
		return 1;
	}
	struct box_storage_fsck r;
	uint64_t len = 0;
	int32_t st = repair ? box_storage_repair(&r, sizeof(r), &len, NULL)
			    : box_storage_fsck(&r, sizeof(r), &len, NULL);
	if (st != BOX_OK)
		return st_fail("fsck", st);
	const char *verdict = r.problems == 0 ? "clean" :
			      r.problems == r.repaired ? "repaired" : "BROKEN";
	printf("%s: %lu problems, %lu repaired, %lu unrepairable; %lu blocks, %lu files checked\n",
	       verdict, (unsigned long)r.problems, (unsigned long)r.repaired,
	       (unsigned long)r.unrepairable, (unsigned long)r.blocks_checked,
	       (unsigned long)r.files_checked);
	if (r.first[0])
		printf("first problem: %s\n", r.first);
	if (r.problems == 0)
		return 0;
	return r.problems == r.repaired ? 2 : 4;
}
