/*
 * snap: copy-on-write snapshots of every live file.
 *
 *   snap create [NAME]      take one; prints its id
 *   snap list               id, time, file count, name
 *   snap files ID           the files in snapshot ID (id, size, name)
 *   snap show ID FILE       print FILE (its name in the snapshot, or #id) as it was then
 *   snap delete ID          (system level) free what only it held
 * Exit 0, or 1 with the error.
 */
#include "../storage_app.h"

static struct box_storage_snap snaps[64];
static uint64_t ids[512];
static uint8_t buf[4096];
static uint8_t info[4096];

static int parse_snap(const char *s, uint32_t *out)
{
	uint64_t v;
	if (st_parse_u64(s, &v) != 0 || v == 0 || v > 0xFFFFFFFFu) {
		printf("error: bad snapshot id %s\n", s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* FILE as named in the snapshot (it may be gone or renamed since), else an id. */
static int32_t find_in_snap(uint32_t snap, const char *arg, uint64_t *id)
{
	if (arg[0] == '#')
		return st_parse_u64(arg + 1, id) == 0 ? BOX_OK : BOX_ERR_INVALID;
	uint64_t len = 0, count = 0;
	int32_t st = box_storage_snap_files(snap, ids, sizeof(ids), &len, &count);
	if (st != BOX_OK)
		return st;
	for (uint64_t i = 0; i < len / 8; i++) {
		uint64_t il = 0;
		st = box_storage_getinfo(ids[i], snap, info, sizeof(info) - 1, &il, NULL);
		if (st != BOX_OK)
			return st;
		if (strcmp(((struct box_storage_info *)info)->name, arg) == 0) {
			*id = ids[i];
			return BOX_OK;
		}
	}
	return st_parse_u64(arg, id) == 0 ? BOX_OK : BOX_ERR_NOENT;
}

int main(int argc, char **argv)
{
	st_init();
	static const char usage[] = "usage: snap create [NAME] | snap list | snap files ID | "
				    "snap show ID FILE | snap delete ID";
	if (st_help(argc, argv, usage))
		return 0;
	if (argc < 2) {
		printf("%s\n", usage);
		return 1;
	}
	const char *cmd = argv[1];
	uint32_t snap = 0;
	uint64_t v = 0, len = 0;
	int32_t st;
	if (strcmp(cmd, "create") == 0 && argc <= 3) {
		const char *nm = argc == 3 ? argv[2] : "";
		st = box_storage_snap_create(nm, strlen(nm), &v);
		if (st != BOX_OK)
			return st_fail("snap create", st);
		printf("snapshot %lu %s\n", (unsigned long)v, nm);
		return 0;
	}
	if (strcmp(cmd, "list") == 0 && argc == 2) {
		st = box_storage_snap_list(snaps, sizeof(snaps), &len, &v);
		if (st != BOX_OK)
			return st_fail("snap list", st);
		for (uint64_t i = 0; i < len / sizeof(snaps[0]); i++)
			printf("%4u %12lu %6lu files %s\n", snaps[i].id, (unsigned long)snaps[i].time,
			       (unsigned long)snaps[i].files, snaps[i].name);
		printf("%lu snapshots\n", (unsigned long)v);
		return 0;
	}
	if (strcmp(cmd, "delete") == 0 && argc == 3) {
		if (parse_snap(argv[2], &snap) != 0)
			return 1;
		st = box_storage_snap_delete(snap, NULL);
		if (st != BOX_OK)
			return st_fail("snap delete", st);
		printf("deleted snapshot %u\n", snap);
		return 0;
	}
	if (strcmp(cmd, "files") == 0 && argc == 3) {
		if (parse_snap(argv[2], &snap) != 0)
			return 1;
		st = box_storage_snap_files(snap, ids, sizeof(ids), &len, &v);
		if (st != BOX_OK)
			return st_fail("snap files", st);
		for (uint64_t i = 0; i < len / 8; i++) {
			uint64_t il = 0;
			st = box_storage_getinfo(ids[i], snap, info, sizeof(info) - 1, &il, NULL);
			if (st != BOX_OK)
				return st_fail("getinfo", st);
			struct box_storage_info *r = (struct box_storage_info *)info;
			printf("%6lu %8lu %s\n", (unsigned long)r->id, (unsigned long)r->size,
			       r->name[0] ? r->name : "-");
		}
		printf("%lu files in snapshot %u\n", (unsigned long)v, snap);
		return 0;
	}
	if (strcmp(cmd, "show") == 0 && argc == 4) {
		if (parse_snap(argv[2], &snap) != 0)
			return 1;
		uint64_t id;
		st = find_in_snap(snap, argv[3], &id);
		if (st != BOX_OK)
			return st_fail(argv[3], st);
		char last = '\n';
		for (uint64_t off = 0;;) {
			uint64_t got = 0;
			st = box_storage_read(id, off, snap, buf, sizeof(buf) - 1, NULL, &got);
			if (st != BOX_OK)
				return st_fail("read", st);
			if (got == 0)
				break;
			buf[got] = 0;
			for (uint64_t i = 0; i < got; i++)
				if (buf[i] != '\n' && (buf[i] < ' ' || buf[i] >= 0x7f))
					buf[i] = '.';
			printf("%s", (char *)buf);
			last = (char)buf[got - 1];
			off += got;
		}
		if (last != '\n')
			printf("\n");
		return 0;
	}
	printf("%s\n", usage);
	return 1;
}
