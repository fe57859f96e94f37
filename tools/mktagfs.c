/*
 * mktagfs.c: builds a TagFS volume image from host files.
 *
 *   mktagfs OUT.img --size 64M [--log BLOCKS] FILE[:TAG,TAG...][=NAME] ...
 *
 * Each FILE becomes one file with the listed tags.  Its name label is NAME
 * when given, none for a bare "=", and the file's base name otherwise.
 * Identical blocks are stored once (TagFS deduplicates), so the summary
 * reports how many block writes that saved.  Exit status 0 on success, 1
 * with a message on stderr for anything wrong (the image is then removed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tagfs/tagfs.h"
#include "tools/tagfs_filedev.h"

static void usage(void)
{
	fprintf(stderr, "usage: mktagfs OUT.img --size SIZE[K|M|G] [--log BLOCKS] "
			"FILE[:TAG,TAG...][=NAME] ...\n");
	exit(1);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	uint64_t mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1024ull * 1024 * 1024, end++;
	if (*end || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static uint64_t now(void *arg)
{
	(void)arg;
	return (uint64_t)time(NULL);
}

static uint8_t *slurp(const char *path, uint64_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		uint8_t *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

struct spec {
	char path[4096];
	char name[TAGFS_NAME_MAX + 2];
	char *tags[TAGFS_FILE_TAGS_MAX + 1];
	uint32_t ntags;
	char tagbuf[4096];
};

/* FILE[:TAG,TAG...][=NAME] */
static int parse_spec(const char *arg, struct spec *s)
{
	memset(s, 0, sizeof *s);
	const char *colon = strchr(arg, ':');
	const char *eq = strchr(colon ? colon : arg, '=');
	const char *path_end = colon ? colon : eq ? eq : arg + strlen(arg);
	size_t plen = (size_t)(path_end - arg);
	if (plen == 0 || plen >= sizeof s->path)
		return -1;
	memcpy(s->path, arg, plen);
	if (eq) {
		if (strlen(eq + 1) > TAGFS_NAME_MAX)
			return -1;
		strcpy(s->name, eq + 1);
	} else {
		const char *base = strrchr(s->path, '/');
		base = base ? base + 1 : s->path;
		snprintf(s->name, sizeof s->name, "%.*s", (int)TAGFS_NAME_MAX, base);
	}
	if (colon) {
		size_t tlen = (size_t)((eq ? eq : colon + strlen(colon)) - (colon + 1));
		if (tlen >= sizeof s->tagbuf)
			return -1;
		memcpy(s->tagbuf, colon + 1, tlen);
		for (char *t = strtok(s->tagbuf, ","); t; t = strtok(NULL, ",")) {
			if (s->ntags == TAGFS_FILE_TAGS_MAX || t[0] == '-' || strlen(t) > TAGFS_TAG_MAX ||
			    strpbrk(t, " \t\n"))
				return -1;
			s->tags[s->ntags++] = t;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *out = argv[1];
	uint64_t size = 0, log_blocks = 0;
	int first = 2;
	while (first < argc && !strncmp(argv[first], "--", 2)) {
		if (!strcmp(argv[first], "--size") && first + 1 < argc) {
			if (parse_size(argv[first + 1], &size)) {
				fprintf(stderr, "mktagfs: bad size '%s'\n", argv[first + 1]);
				return 1;
			}
		} else if (!strcmp(argv[first], "--log") && first + 1 < argc) {
			if (parse_size(argv[first + 1], &log_blocks) || log_blocks > UINT32_MAX) {
				fprintf(stderr, "mktagfs: bad log size '%s'\n", argv[first + 1]);
				return 1;
			}
		} else {
			usage();
		}
		first += 2;
	}
	if (!size) {
		fprintf(stderr, "mktagfs: --size is required\n");
		return 1;
	}
	if (size % TAGFS_BLOCK_SIZE) {
		fprintf(stderr, "mktagfs: size must be a multiple of 4096 bytes\n");
		return 1;
	}
	struct spec *specs = calloc((size_t)(argc - first + 1), sizeof *specs);
	for (int i = first; i < argc; i++) {
		if (parse_spec(argv[i], &specs[i - first])) {
			fprintf(stderr, "mktagfs: bad file spec '%s' (FILE[:TAG,TAG...][=NAME]; up to %u tags of up to 63 bytes, no spaces, not starting with '-')\n",
				argv[i], TAGFS_FILE_TAGS_MAX);
			return 1;
		}
	}

	char why[512] = "";
	struct tagfs_dev dev;
	if (tagfs_filedev_open(&dev, out, true, size, why, sizeof why)) {
		fprintf(stderr, "mktagfs: %s\n", why);
		return 1;
	}
	int status = 1;
	struct tagfs *fs = NULL;
	struct tagfs_format_opts fo = { .log_blocks = (uint32_t)log_blocks, .volume_id = (uint64_t)time(NULL) };
	int err = tagfs_format(&dev, &fo);
	if (err == TAGFS_EINVAL) {
		fprintf(stderr, "mktagfs: %s: cannot format: the volume needs at least 64 blocks (256K) "
				"and a log of 16..16384 blocks that fits\n", out);
		goto done;
	}
	if (err) {
		fprintf(stderr, "mktagfs: %s: cannot format: %s\n", out, tagfs_strerror(err));
		goto done;
	}
	struct tagfs_mount_opts mo = { .now = now, .why = why, .why_len = sizeof why };
	err = tagfs_mount(&dev, &mo, &fs);
	if (err) {
		fprintf(stderr, "mktagfs: %s: cannot mount the new volume: %s (%s)\n", out, tagfs_strerror(err), why);
		goto done;
	}
	for (int i = 0; i < argc - first; i++) {
		struct spec *s = &specs[i];
		uint64_t len = 0;
		uint8_t *data = slurp(s->path, &len);
		if (!data) {
			fprintf(stderr, "mktagfs: %s: %s\n", s->path, strerror(errno));
			goto done;
		}
		uint64_t id;
		err = tagfs_create(fs, s->name[0] ? s->name : NULL, (const char *const *)s->tags, s->ntags, data,
				   len, &id);
		free(data);
		if (err) {
			fprintf(stderr, "mktagfs: %s: %s\n", s->path, tagfs_strerror(err));
			goto done;
		}
	}
	struct tagfs_statfs st;
	struct tagfs_stats stats;
	tagfs_statfs(fs, &st);
	tagfs_stats(fs, &stats);
	err = tagfs_unmount(fs);
	fs = NULL;
	if (err) {
		fprintf(stderr, "mktagfs: %s: unmount: %s\n", out, tagfs_strerror(err));
		goto done;
	}
	printf("mktagfs: %s: %llu files, %llu tags, %llu data blocks (%llu deduplicated), %llu of %llu blocks free\n",
	       out, (unsigned long long)st.files, (unsigned long long)st.tags, (unsigned long long)st.data_blocks,
	       (unsigned long long)stats.dedup_blocks, (unsigned long long)st.free_blocks,
	       (unsigned long long)st.total_blocks);
	status = 0;
done:
	if (fs)
		tagfs_unmount(fs);
	if (tagfs_filedev_close(&dev) && status == 0) {
		fprintf(stderr, "mktagfs: %s: cannot write the image to disk\n", out);
		status = 1;
	}
	if (status)
		remove(out);
	free(specs);
	return status;
}
