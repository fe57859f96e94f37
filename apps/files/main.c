/*
 * files: list the files that match a tag query, within the storage scope.
 *
 *   files [--all] [TAG | -TAG]...
 *
 * The query is the words given ("kernel -draft"; none = every file), ANDed
 * with the scope (storage.ctx.set, else the `use` context) unless --all.
 * One line per file: id, size, name (or -), tags.  The last line says how
 * many matched.  Exit 0, or 1 with the error.
 */
#include "../storage_app.h"

static uint64_t ids[512];
static uint8_t info[4096];
static char expr[1024];

int main(int argc, char **argv)
{
	st_init();
	if (st_help(argc, argv, "usage: files [--all] [TAG | -TAG]...  (list files matching all TAGs, none of -TAGs, within the use scope)"))
		return 0;
	uint32_t flags = 0;
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0) {
			flags |= BOX_STORAGE_QUERY_ALL;
			continue;
		}
		size_t l = strlen(argv[i]);
		if (n + l + 2 > sizeof(expr)) {
			printf("error: query too long\n");
			return 1;
		}
		memcpy(expr + n, argv[i], l);
		n += l;
		expr[n++] = ' ';
	}
	char scope[600];
	uint64_t slen = 0;
	if (!(flags & BOX_STORAGE_QUERY_ALL) &&
	    box_storage_ctx_get(scope, sizeof(scope) - 1, &slen, NULL) == BOX_OK && slen) {
		scope[slen] = 0;
		printf("scope: %s\n", scope);
	}
	uint64_t after = 0, shown = 0;
	for (;;) {
		uint64_t len = 0, above = 0;
		int32_t st = box_storage_query(after, flags, expr, n, ids, sizeof(ids), &len, &above);
		if (st != BOX_OK)
			return st_fail("query", st);
		uint64_t got = len / 8;
		for (uint64_t k = 0; k < got; k++) {
			uint64_t ilen = 0;
			st = box_storage_getinfo(ids[k], 0, info, sizeof(info) - 1, &ilen, NULL);
			if (st != BOX_OK)
				return st_fail("getinfo", st);
			struct box_storage_info *r = (struct box_storage_info *)info;
			info[ilen] = 0;
			printf("%6lu %8lu %-24s %s\n", (unsigned long)r->id, (unsigned long)r->size,
			       r->name[0] ? r->name : "-", (char *)info + sizeof(*r));
			shown++;
		}
		if (got == 0 || got >= above)
			break;
		after = ids[got - 1];
	}
	printf("%lu files\n", (unsigned long)shown);
	return 0;
}
