/*
 * rm: delete files.   rm FILE...
 * FILE is a name or an id (#12).  Blocks still used by other files or by
 * snapshots stay.  Exit 0, or 1 at the first error.
 */
#include "../storage_app.h"

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: rm FILE...  (FILE: a name or #id)"))
		return 0;
	if (argc < 2) {
		printf("usage: rm FILE...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		uint64_t id;
		int32_t st = st_resolve(argv[i], &id);
		if (st == BOX_OK)
			st = box_storage_delete(id, NULL);
		if (st != BOX_OK)
			return st_fail(argv[i], st);
		printf("removed %lu\n", (unsigned long)id);
	}
	return 0;
}
