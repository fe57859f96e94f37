/*
 * mkbraid.c: builds a Braid set of 2-3 member images with a TagFS volume on it.
 *
 *   mkbraid --mode mirror|weave|stripe --size SIZE A.img B.img [C.img] [-- FILE[:TAG,TAG...][=NAME] ...]
 *
 * Each member image is created with SIZE bytes (a multiple of 4096), gets
 * Braid labels (a fresh random set id) and the set gets a TagFS volume
 * holding the FILEs (tags after ':' separated by commas, name label after
 * '='; default name: the base name).  The kernel finds such disks at boot
 * by their labels and mounts the set (docs/storage.md).  Exit 0, or 1 with
 * a message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tagfs/braid.h"
#include "tagfs/tagfs.h"
#include "tools/tagfs_filedev.h"

static int fail(const char *msg, const char *arg)
{
	fprintf(stderr, "mkbraid: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	return 1;
}

static uint64_t now(void *arg)
{
	(void)arg;
	return (uint64_t)time(NULL);
}

static int add_file(struct tagfs *fs, const char *spec)
{
	char buf[4096];
	if (strlen(spec) >= sizeof(buf))
		return fail("file spec too long", spec);
	strcpy(buf, spec);
	char *name = strchr(buf, '=');
	if (name)
		*name++ = 0;
	char *tags = strchr(buf, ':');
	if (tags)
		*tags++ = 0;
	if (!name) {
		name = strrchr(buf, '/');
		name = name ? name + 1 : buf;
	}
	const char *tv[TAGFS_FILE_TAGS_MAX];
	uint32_t nt = 0;
	for (char *t = tags ? strtok(tags, ",") : NULL; t; t = strtok(NULL, ",")) {
		if (nt == TAGFS_FILE_TAGS_MAX)
			return fail("too many tags", spec);
		tv[nt++] = t;
	}
	FILE *f = fopen(buf, "rb");
	if (!f)
		return fail("cannot open", buf);
	static uint8_t data[16 << 20];
	size_t len = fread(data, 1, sizeof(data), f);
	int bad = ferror(f) || !feof(f);
	fclose(f);
	if (bad)
		return fail("cannot read (or over 16 MiB)", buf);
	uint64_t id;
	int err = tagfs_create(fs, name[0] ? name : NULL, tv, nt, data, len, &id);
	if (err)
		return fail(tagfs_strerror(err), spec);
	return 0;
}

int main(int argc, char **argv)
{
	enum braid_mode mode = 0;
	uint64_t size = 0;
	int i = 1;
	for (; i + 1 < argc && !strncmp(argv[i], "--", 2) && strcmp(argv[i], "--"); i += 2) {
		if (!strcmp(argv[i], "--mode"))
			mode = !strcmp(argv[i + 1], "mirror") ? BRAID_MIRROR :
			       !strcmp(argv[i + 1], "weave")  ? BRAID_WEAVE :
			       !strcmp(argv[i + 1], "stripe") ? BRAID_STRIPE : 0;
		else if (!strcmp(argv[i], "--size"))
			size = strtoull(argv[i + 1], NULL, 0);
		else
			return fail("unknown option", argv[i]);
	}
	const char *imgs[BRAID_MAX_MEMBERS];
	uint32_t n = 0;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (n == BRAID_MAX_MEMBERS)
			return fail("at most 3 member images", argv[i]);
		imgs[n++] = argv[i];
	}
	if (i < argc)
		i++; /* past "--" */
	if (!mode || !size || size % TAGFS_BLOCK_SIZE || n < 2)
		return fail("usage: mkbraid --mode mirror|weave|stripe --size BYTES A.img B.img [C.img] "
			    "[-- FILE[:TAGS][=NAME]...]", NULL);
	static struct tagfs_dev devs[BRAID_MAX_MEMBERS];
	struct tagfs_dev *members[BRAID_MAX_MEMBERS];
	char why[256];
	for (uint32_t k = 0; k < n; k++) {
		if (tagfs_filedev_open(&devs[k], imgs[k], true, size, why, sizeof(why)))
			return fail(why, imgs[k]);
		members[k] = &devs[k];
	}
	static struct braid b;
	struct braid_config cfg = {.mode = mode};
	FILE *ur = fopen("/dev/urandom", "rb");
	if (!ur || fread(cfg.set_id, 1, BRAID_SET_ID_BYTES, ur) != BRAID_SET_ID_BYTES)
		return fail("cannot read /dev/urandom", NULL);
	fclose(ur);
	int err = braid_format(&b, members, n, &cfg);
	if (err)
		return fail("braid_format", tagfs_strerror(err));
	struct tagfs_format_opts fo = {.volume_id = (uint64_t)time(NULL)};
	err = tagfs_format(braid_dev(&b), &fo);
	if (err)
		return fail("tagfs_format", tagfs_strerror(err));
	struct tagfs *fs;
	struct tagfs_mount_opts mo = {.now = now, .why = why, .why_len = sizeof(why)};
	err = tagfs_mount(braid_dev(&b), &mo, &fs);
	if (err)
		return fail("mount", why);
	for (; i < argc; i++)
		if (add_file(fs, argv[i]))
			return 1;
	err = tagfs_unmount(fs);
	if (err)
		return fail("unmount", tagfs_strerror(err));
	for (uint32_t k = 0; k < n; k++)
		if (tagfs_filedev_close(&devs[k]))
			return fail("cannot close", imgs[k]);
	printf("mkbraid: %u members, %s\n", n, mode == BRAID_MIRROR ? "mirror" :
	       mode == BRAID_WEAVE ? "weave" : "stripe");
	return 0;
}
