/*
 * name: set or remove a file's name label.   name FILE NEWNAME | name FILE -
 * FILE is a name or an id (#12); "-" removes the name.  Exit 0, or 1.
 */
#include "../storage_app.h"

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: name FILE NEWNAME | name FILE -  (FILE: a name or #id)"))
		return 0;
	if (argc != 3) {
		printf("usage: name FILE NEWNAME | name FILE -\n");
		return 1;
	}
	uint64_t id;
	int32_t st = st_resolve(argv[1], &id);
	if (st != BOX_OK)
		return st_fail(argv[1], st);
	const char *nn = strcmp(argv[2], "-") == 0 ? "" : argv[2];
	st = box_storage_rename(id, nn, strlen(nn), NULL);
	if (st != BOX_OK)
		return st_fail("rename", st);
	printf("%lu named %s\n", (unsigned long)id, nn[0] ? nn : "-");
	return 0;
}
