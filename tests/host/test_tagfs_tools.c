/*
 * test_tagfs_tools.c: mktagfs and tagfsck as a user runs them.
 *
 * Builds an image from files with tags and names (build/tools/mktagfs),
 * opens it through the image-file device and checks every file, tag and
 * name; runs tagfsck on the clean image (exit 0), on one with a damaged
 * superblock (2 without --repair, then 1 with it, then 0), on one with a
 * damaged data block (2 even with --repair) and on a foreign file (2); and
 * checks that mktagfs refuses bad arguments with exit 1 and leaves no image.
 * Runs from the repository root with the tools built (tests/run.py does).
 */
#include <sys/wait.h>
#include <unistd.h>

#include "test_tagfs_util.h"
#include "tools/tagfs_filedev.h"

#define TOOLS "build/tools/"

static char dir[] = "/tmp/test_tagfs_tools.XXXXXX";

static int run(const char *cmd)
{
	char full[2048];
	snprintf(full, sizeof full, "%s >%s/out.txt 2>&1", cmd, dir);
	int st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int output_has(const char *what)
{
	char path[256], buf[4096] = "";
	snprintf(path, sizeof path, "%s/out.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	if (!strstr(buf, what))
		printf("output lacks '%s': %s", what, buf);
	return strstr(buf, what) != NULL;
}

static int output_has_quiet(const char *what)
{
	char path[256], buf[4096] = "";
	snprintf(path, sizeof path, "%s/out.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return strstr(buf, what) != NULL;
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
}

static void flip_byte(const char *img, uint64_t off)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, img);
	FILE *f = fopen(path, "r+b");
	fseek(f, (long)off, SEEK_SET);
	int c = fgetc(f);
	fseek(f, (long)off, SEEK_SET);
	fputc(c ^ 0x40, f);
	fclose(f);
}

int main(void)
{
	if (access(TOOLS "mktagfs", X_OK) || access(TOOLS "tagfsck", X_OK)) {
		printf("FAIL: build/tools/mktagfs and tagfsck must be built first (make)\n");
		CHECK(0);
		return check_report();
	}
	CHECK(mkdtemp(dir) != NULL);
	static uint8_t big[50000], text[] = "hello, tags\n";
	tt_fill(big, sizeof big, 42);
	write_file("big.bin", big, sizeof big);
	write_file("copy.bin", big, sizeof big);
	write_file("hello.txt", text, sizeof text - 1);
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 TOOLS "mktagfs %s/v.img --size 2M %s/hello.txt:doc,greeting=greet %s/big.bin:blob "
		       "%s/copy.bin:blob,copy=",
		 dir, dir, dir, dir);
	CHECK_EQ(run(cmd), 0);
	CHECK(output_has("3 files, 4 tags"));
	CHECK(output_has("(13 deduplicated)"));

	char path[256], why[256];
	snprintf(path, sizeof path, "%s/v.img", dir);
	struct tagfs_dev dev;
	CHECK_EQ(tagfs_filedev_open(&dev, path, false, 0, why, sizeof why), 0);
	CHECK_EQ(dev.blocks, 512);
	struct tagfs *fs = tt_mount(&dev, TAGFS_MOUNT_RDONLY);
	uint64_t ids[8];
	uint32_t n = 0;
	CHECK_EQ(tagfs_query(fs, "blob", ids, 8, &n), TAGFS_OK);
	CHECK_EQ(n, 2);
	CHECK(tt_same(fs, 0, ids[0], big, sizeof big));
	CHECK(tt_same(fs, 0, ids[1], big, sizeof big));
	struct tagfs_info info;
	CHECK_EQ(tagfs_getinfo(fs, 0, ids[0], &info), TAGFS_OK);
	CHECK(!strcmp(info.name, "big.bin"));
	CHECK_EQ(tagfs_getinfo(fs, 0, ids[1], &info), TAGFS_OK);
	CHECK(!strcmp(info.name, ""));
	CHECK_EQ(tagfs_query(fs, "greeting doc -blob", ids, 8, &n), TAGFS_OK);
	CHECK_EQ(n, 1);
	CHECK(tt_same(fs, 0, ids[0], text, sizeof text - 1));
	uint64_t gid;
	CHECK_EQ(tagfs_lookup_name(fs, "greet", &gid), TAGFS_OK);
	CHECK_EQ(gid, ids[0]);
	CHECK(tt_fsck_clean(fs));
	CHECK_EQ(tagfs_unmount(fs), TAGFS_OK);
	CHECK_EQ(tagfs_filedev_close(&dev), 0);

	snprintf(cmd, sizeof cmd, TOOLS "tagfsck %s/v.img", dir);
	CHECK_EQ(run(cmd), 0);
	CHECK(output_has(": clean"));

	/* Superblock A damaged: broken until repaired, then clean. */
	flip_byte("v.img", 300);
	CHECK_EQ(run(cmd), 2);
	CHECK(output_has("superblock A"));
	CHECK(output_has("--repair can fix"));
	snprintf(cmd, sizeof cmd, TOOLS "tagfsck %s/v.img --repair", dir);
	CHECK_EQ(run(cmd), 1);
	CHECK(output_has("repaired"));
	snprintf(cmd, sizeof cmd, TOOLS "tagfsck %s/v.img", dir);
	CHECK_EQ(run(cmd), 0);

	/* A data block damaged: a single copy cannot be repaired. */
	snprintf(path, sizeof path, "%s/v.img", dir);
	FILE *f = fopen(path, "rb");
	static uint8_t img[512 * 4096];
	CHECK_EQ(fread(img, 1, sizeof img, f), sizeof img);
	fclose(f);
	uint64_t at = 0;
	for (uint64_t b = 0; b < 512 && !at; b++)
		if (!memcmp(img + b * 4096, big + 8192, 4096))
			at = b * 4096;
	CHECK(at != 0);
	flip_byte("v.img", at + 10);
	CHECK_EQ(run(cmd), 2);
	CHECK(output_has("data block"));
	CHECK(!output_has_quiet("--repair"));
	snprintf(cmd, sizeof cmd, TOOLS "tagfsck %s/v.img --repair", dir);
	CHECK_EQ(run(cmd), 2);

	/* Not TagFS, and no such file. */
	write_file("zero.img", img + 4096 * 300, 4096 * 100);
	snprintf(cmd, sizeof cmd, TOOLS "tagfsck %s/zero.img", dir);
	CHECK_EQ(run(cmd), 2);
	CHECK(output_has("not a TagFS volume"));
	snprintf(cmd, sizeof cmd, TOOLS "tagfsck %s/missing.img", dir);
	CHECK_EQ(run(cmd), 2);

	/* mktagfs refuses bad arguments and leaves nothing behind. */
	const char *bad[] = { "--size 100K %s/hello.txt", "--size 1M %s/missing.txt", "--size 1M %s/hello.txt:-neg",
			      "--size 12345 %s/hello.txt", "%s/hello.txt" };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char args[512];
		snprintf(args, sizeof args, bad[i], dir);
		snprintf(cmd, sizeof cmd, TOOLS "mktagfs %s/bad.img %s", dir, args);
		CHECK_EQ(run(cmd), 1);
		snprintf(path, sizeof path, "%s/bad.img", dir);
		CHECK(access(path, F_OK) != 0);
	}
	/* A volume too small for its files. */
	snprintf(cmd, sizeof cmd, TOOLS "mktagfs %s/small.img --size 512K %s/big.bin %s/hello.txt", dir, dir, dir);
	CHECK_EQ(run(cmd), 0);
	static uint8_t huge[400000];
	tt_fill(huge, sizeof huge, 9);
	write_file("huge.bin", huge, sizeof huge);
	snprintf(cmd, sizeof cmd, TOOLS "mktagfs %s/small.img --size 512K %s/huge.bin", dir, dir);
	CHECK_EQ(run(cmd), 1);
	CHECK(output_has("no space"));

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
	return check_report();
}
