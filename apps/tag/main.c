/*
 * tag: add tags to a file.   tag FILE TAG...
 * FILE is a name or an id (#12).  Exit 0, or 1 with the error.
 * The work is st_tag_main in ../storage_app.h, shared with untag.
 */
#include "../storage_app.h"

int main(int argc, char **argv)
{
	return st_tag_main(argc, argv, true);
}
