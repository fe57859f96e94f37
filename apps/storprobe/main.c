/*
 * storprobe: hostile and malformed Storage Deck calls, as a test program.
 *
 *   storprobe FILE          (FILE: an existing file's name)
 *
 * Each check prints "PASS name" or "FAIL name: got STATUS, want STATUS";
 * the exit status is the number of failures.  Checked: every op's decode
 * refuses bad parameters, lengths, names, tags, flags and too-small
 * outputs with the documented status; a handle works for its owner and is
 * refused to another Cabin (storprobe spawns itself as "storprobe --child
 * H"); and the volume's file count and DiskBook commit count are the same
 * before and after all the refused calls (nothing changed).
 */
#include "../storage_app.h"
#include "boxlib/heap.h"
#include "boxos/abi/proc.h"

static unsigned failed;
static uint8_t buf[8192];

static void expect(const char *name, int32_t got, int32_t want)
{
	if (got == want) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: got %s, want %s\n", name, box_status_name(got), box_status_name(want));
		failed++;
	}
}

static int child(const char *h)
{
	uint64_t handle;
	if (st_parse_u64(h, &handle) != 0)
		return 100;
	uint64_t len = 0;
	int32_t a = box_storage_hread((uint32_t)handle, 0, buf, 4096, &len, NULL);
	int32_t b = box_storage_close((uint32_t)handle, NULL);
	printf("child hread %s close %s\n", box_status_name(a), box_status_name(b));
	return a == BOX_ERR_NOENT && b == BOX_ERR_NOENT ? 0 : 1;
}

int main(int argc, char **argv)
{
	st_init();
	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child(argv[2]);
	if (argc != 2) {
		printf("usage: storprobe FILE\n");
		return 100;
	}
	uint64_t id, len = 0, v = 0;
	int32_t st = st_resolve(argv[1], &id);
	if (st != BOX_OK)
		return st_fail(argv[1], st);
	struct box_storage_stats before, after;
	expect("stats", box_storage_stats(&before, sizeof(before), &len, NULL), BOX_OK);
	expect("stats output too small", box_storage_stats(buf, 100, &len, NULL), BOX_ERR_BOUNDS);

	/* create: "nametag" + content */
	memcpy(buf, "abcdefgh", 8);
	expect("create name_len over input", box_storage_create(6, 6, 0, buf, 8, NULL, 0, NULL, NULL),
	       BOX_ERR_BOUNDS);
	expect("create name_len over 127", box_storage_create(200, 0, 0, buf, 8, NULL, 0, NULL, NULL),
	       BOX_ERR_TOO_BIG);
	expect("create bad flags", box_storage_create(1, 1, 6, buf, 8, NULL, 0, NULL, NULL),
	       BOX_ERR_INVALID);
	memcpy(buf, "n-bad", 5);
	expect("create tag starting with -", box_storage_create(1, 4, 0, buf, 5, NULL, 0, NULL, NULL),
	       BOX_ERR_INVALID);
	memcpy(buf, "n\x01x", 3);
	expect("create control byte in name", box_storage_create(3, 0, 0, buf, 3, NULL, 0, NULL, NULL),
	       BOX_ERR_INVALID);
	uint8_t *big = malloc(BOX_STORAGE_IO_MAX + 4096);
	if (big) {
		memset(big, 'x', BOX_STORAGE_IO_MAX + 4096);
		expect("create content over 256 KiB",
		       box_storage_create(1, 0, 0, big, BOX_STORAGE_IO_MAX + 4096, NULL, 0, NULL, NULL),
		       BOX_ERR_TOO_BIG);
		expect("write over 256 KiB", box_storage_write(id, 0, 0, big, BOX_STORAGE_IO_MAX + 1, NULL),
		       BOX_ERR_TOO_BIG);
		free(big);
	}
	expect("write replace at an offset", box_storage_write(id, 5, 1, "x", 1, NULL), BOX_ERR_INVALID);
	expect("write bad flags", box_storage_write(id, 0, 4, "x", 1, NULL), BOX_ERR_INVALID);
	expect("write no such file", box_storage_write(0xFFFFFFFFFFull, 0, 0, "x", 1, NULL), BOX_ERR_NOENT);
	expect("read no such file", box_storage_read(0xFFFFFFFFFFull, 0, 0, buf, 4096, &len, NULL),
	       BOX_ERR_NOENT);
	expect("read no such snapshot", box_storage_read(id, 0, 4242, buf, 4096, &len, NULL), BOX_ERR_NOENT);
	expect("delete no such file", box_storage_delete(0xFFFFFFFFFFull, NULL), BOX_ERR_NOENT);
	expect("rename control byte", box_storage_rename(id, "a\tb", 3, NULL), BOX_ERR_INVALID);
	memset(buf, 'n', 200);
	expect("rename too long", box_storage_rename(id, buf, 200, NULL), BOX_ERR_TOO_BIG);
	expect("lookup empty", box_storage_lookup("", 0, NULL), BOX_ERR_INVALID);
	expect("tag.set empty", box_storage_tag_set(id, "", 0, NULL), BOX_ERR_INVALID);
	expect("tag.set -x", box_storage_tag_set(id, "-x", 2, NULL), BOX_ERR_INVALID);
	expect("tag.set with a space", box_storage_tag_set(id, "a b", 3, NULL), BOX_ERR_INVALID);
	memset(buf, 't', 64);
	expect("tag.set 64 bytes", box_storage_tag_set(id, buf, 64, NULL), BOX_ERR_TOO_BIG);
	expect("tag.unset a tag it lacks", box_storage_tag_unset(id, "nosuchtag", 9, NULL), BOX_ERR_NOENT);
	expect("query bad flags", box_storage_query(0, 8, "", 0, buf, 4096, &len, NULL), BOX_ERR_INVALID);
	memset(buf, 'q', 2000);
	expect("query expression over 1 KiB", box_storage_query(0, 0, buf, 2000, buf + 2048, 4096, &len, NULL),
	       BOX_ERR_TOO_BIG);
	len = 0;
	expect("query with no room counts", box_storage_query(0, 1, "", 0, buf, 0, &len, &v), BOX_OK);
	expect("query with no room writes nothing", len == 0 && v >= 1 ? BOX_OK : BOX_ERR_INTERNAL, BOX_OK);
	expect("getinfo output too small", box_storage_getinfo(id, 0, buf, 100, &len, NULL), BOX_ERR_BOUNDS);
	expect("snap.delete 0", box_storage_snap_delete(0, NULL), BOX_ERR_INVALID);
	expect("snap.files 0", box_storage_snap_files(0, buf, 4096, &len, NULL), BOX_ERR_INVALID);
	expect("snap.delete no such", box_storage_snap_delete(4242, NULL), BOX_ERR_NOENT);
	expect("dev.read no such disk", box_storage_dev_read(99, 0, buf, 4096, &len, NULL), BOX_ERR_NOENT);
	expect("dev.read past the end", box_storage_dev_read(0, 1ull << 40, buf, 4096, &len, NULL),
	       BOX_ERR_BOUNDS);
	expect("dev.read output under a block", box_storage_dev_read(0, 0, buf, 4095, &len, NULL),
	       BOX_ERR_BOUNDS);
	char scope[600];
	uint64_t s0 = 0, s1 = 0, own0 = 0, own1 = 0;
	box_storage_ctx_get(scope, sizeof(scope), &s0, &own0);
	expect("ctx.set bad tag", box_storage_ctx_set("ok -bad", 7, NULL), BOX_ERR_INVALID);
	expect("ctx.set nine tags", box_storage_ctx_set("a b c d e f g h i", 17, NULL), BOX_ERR_TOO_BIG);
	box_storage_ctx_get(scope, sizeof(scope), &s1, &own1);
	expect("scope unchanged by refused sets", s0 == s1 && own0 == own1 ? BOX_OK : BOX_ERR_INTERNAL,
	       BOX_OK);

	/* handles belong to their Cabin */
	uint64_t h = 0;
	expect("open", box_storage_open(id, 0, &h), BOX_OK);
	expect("hread bad handle", box_storage_hread(999, 0, buf, 4096, &len, NULL), BOX_ERR_NOENT);
	expect("close bad handle", box_storage_close(999, NULL), BOX_ERR_NOENT);
	char args[64];
	int n = snprintf(args, sizeof(args), "storprobe%c--child%c%lu", 0, 0, (unsigned long)h);
	uint64_t kid = 0, klen = 0;
	int64_t status = -1;
	st = box_system_proc_spawn(0, BOX_SPAWN_AUTH_SAME, args, (uint64_t)n + 1, NULL, 0, NULL, &kid);
	if (st == BOX_OK)
		st = box_system_proc_wait(kid, 60000000000ull, &status, sizeof(status), &klen, NULL);
	expect("another Cabin cannot use the handle", st == BOX_OK && status == 0 ? BOX_OK : BOX_ERR_PERM,
	       BOX_OK);
	uint64_t got = 0;
	expect("owner reads through the handle", box_storage_hread((uint32_t)h, 0, buf, 4096, &len, &got),
	       BOX_OK);
	expect("close", box_storage_close((uint32_t)h, NULL), BOX_OK);
	expect("closed handle refused", box_storage_close((uint32_t)h, NULL), BOX_ERR_NOENT);

	expect("stats again", box_storage_stats(&after, sizeof(after), &len, NULL), BOX_OK);
	expect("nothing changed (files, commits)",
	       before.files == after.files && before.log_commits == after.log_commits ? BOX_OK
										     : BOX_ERR_INTERNAL,
	       BOX_OK);
	printf("%u failed\n", failed);
	return (int)failed;
}
