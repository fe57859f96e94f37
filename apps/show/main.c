/*
 * show: print a file, or its record, or check its pattern content.
 *
 *   show FILE [--snap S] [--info] [--check [WORD]]
 *
 * FILE is a name or an id (#12).  The file is opened (storage.open pins the
 * version, so a concurrent rewrite cannot tear what is printed) and read in
 * 4 KiB pieces; its text is printed line by line (bytes outside printable
 * ASCII as '.').  --snap reads it as of snapshot S.  --info prints id,
 * size, BoxHash, times, tags.  --check compares the content with the
 * pattern `create --size` writes (WORD defaults to the file's name) and
 * prints "FILE: pattern ok, N bytes" or where it differs.
 * Exit 0, 1 on an error, 2 when --check found a difference.
 */
#include "../storage_app.h"

static uint8_t buf[4096], expect[4096];
static uint8_t info[4096];
static char line[200];

int main(int argc, char **argv)
{
	st_init();
	static const char usage[] = "usage: show FILE [--snap S] [--info] [--check [WORD]]";
	if (st_help(argc, argv, usage))
		return 0;
	if (argc < 2) {
		printf("%s\n", usage);
		return 1;
	}
	uint64_t snap = 0;
	int want_info = 0, check = 0;
	const char *word = NULL;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--snap") == 0 && i + 1 < argc) {
			if (st_parse_u64(argv[++i], &snap) != 0 || snap > 0xFFFFFFFFu) {
				printf("error: bad snapshot id %s\n", argv[i]);
				return 1;
			}
		} else if (strcmp(argv[i], "--info") == 0) {
			want_info = 1;
		} else if (strcmp(argv[i], "--check") == 0) {
			check = 1;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				word = argv[++i];
		} else {
			printf("%s\n", usage);
			return 1;
		}
	}
	uint64_t id;
	int32_t st = st_resolve(argv[1], &id);
	if (st != BOX_OK)
		return st_fail(argv[1], st);
	uint64_t ilen = 0;
	st = box_storage_getinfo(id, (uint32_t)snap, info, sizeof(info) - 1, &ilen, NULL);
	if (st != BOX_OK)
		return st_fail(argv[1], st);
	info[ilen] = 0;
	struct box_storage_info *r = (struct box_storage_info *)info;
	if (want_info) {
		printf("id %lu name %s size %lu blocks %u\n", (unsigned long)r->id,
		       r->name[0] ? r->name : "-", (unsigned long)r->size, r->blocks);
		printf("hash %016lx%016lx ctime %lu mtime %lu\n", (unsigned long)r->hash_hi,
		       (unsigned long)r->hash_lo, (unsigned long)r->ctime, (unsigned long)r->mtime);
		printf("tags %s\n", (char *)info + sizeof(*r));
		return 0;
	}
	if (check && !word)
		word = r->name[0] ? r->name : "";
	uint64_t h = 0;
	st = box_storage_open(id, (uint32_t)snap, &h);
	if (st != BOX_OK)
		return st_fail("open", st);
	uint64_t off = 0;
	size_t ll = 0;
	int rc = 0;
	for (;;) {
		uint64_t got = 0;
		st = box_storage_hread((uint32_t)h, off, buf, sizeof(buf), NULL, &got);
		if (st != BOX_OK) {
			rc = st_fail("read", st);
			break;
		}
		if (got == 0)
			break;
		if (check) {
			st_pattern(word, off, expect, got);
			for (uint64_t i = 0; i < got; i++)
				if (buf[i] != expect[i]) {
					printf("%s: pattern differs at byte %lu\n", argv[1],
					       (unsigned long)(off + i));
					box_storage_close((uint32_t)h, NULL);
					return 2;
				}
		} else {
			for (uint64_t i = 0; i < got; i++) {
				char c = (char)buf[i];
				if (c == '\n' || ll == sizeof(line) - 1) {
					line[ll] = 0;
					printf("%s\n", line);
					ll = 0;
					if (c == '\n')
						continue;
				}
				line[ll++] = (c >= ' ' && c < 0x7f) ? c : '.';
			}
		}
		off += got;
	}
	if (!check && ll) {
		line[ll] = 0;
		printf("%s\n", line);
	}
	box_storage_close((uint32_t)h, NULL);
	if (rc == 0 && check) {
		if (off != r->size) {
			printf("%s: read %lu bytes, size says %lu\n", argv[1], (unsigned long)off,
			       (unsigned long)r->size);
			return 2;
		}
		printf("%s: pattern ok, %lu bytes\n", argv[1], (unsigned long)off);
	}
	return rc;
}
