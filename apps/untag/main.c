/*
 * untag: remove tags from a file.   untag FILE TAG...
 * FILE is a name or an id (#12).  Exit 0, or 1 with the error.
 */
#include "../storage_app.h"

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: untag FILE TAG...  (FILE: a name or #id)") )
		return 0;
	if (argc < 3) {
		printf("usage: untag FILE TAG...\n");
		return 1;
	}
	uint64_t id;
	int32_t st = st_resolve(argv[1], &id);
	if (st != BOX_OK)
		return st_fail(argv[1], st);
	for (int i = 2; i < argc; i++) {
		st = box_storage_tag_unset(id, argv[i], strlen(argv[i]), NULL);
		if (st != BOX_OK)
			return st_fail(argv[i], st);
	}
	printf("untagged %lu\n", (unsigned long)id);
	return 0;
}
