/*
 * tagfs_filedev.c: the image-file struct tagfs_dev the host tools use.
 *
 * Blocks are pread/pwrite at block * 4096; flush is fdatasync, so an
 * operation TagFS acknowledged on an image is on the host's disk too
 * (except while mktagfs builds a new image: then one fsync at close).  The
 * read check runs once (a plain device has one copy of each block).
 */
#define _GNU_SOURCE
#include "tagfs_filedev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct filedev {
	int fd;
	bool sync_at_close_only; /* building a new image */
};

static int fd_of(struct tagfs_dev *d)
{
	return ((struct filedev *)d->ctx)->fd;
}

static int file_read(struct tagfs_dev *d, uint64_t block, void *buf, const struct tagfs_check *check)
{
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	size_t done = 0;
	while (done < TAGFS_BLOCK_SIZE) {
		ssize_t n = pread(fd_of(d), (char *)buf + done, TAGFS_BLOCK_SIZE - done,
				  (off_t)(block * TAGFS_BLOCK_SIZE + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TAGFS_EIO;
		done += (size_t)n;
	}
	if (check && check->ok && !check->ok(buf, check->arg))
		return TAGFS_ECORRUPT;
	return TAGFS_OK;
}

static int file_write(struct tagfs_dev *d, uint64_t block, const void *buf)
{
	if (block >= d->blocks)
		return TAGFS_ERANGE;
	size_t done = 0;
	while (done < TAGFS_BLOCK_SIZE) {
		ssize_t n = pwrite(fd_of(d), (const char *)buf + done, TAGFS_BLOCK_SIZE - done,
				   (off_t)(block * TAGFS_BLOCK_SIZE + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return TAGFS_EIO;
		done += (size_t)n;
	}
	return TAGFS_OK;
}

static int file_flush(struct tagfs_dev *d)
{
	if (((struct filedev *)d->ctx)->sync_at_close_only)
		return TAGFS_OK;
	return fdatasync(fd_of(d)) == 0 ? TAGFS_OK : TAGFS_EIO;
}

static void say(char *why, size_t len, const char *what, const char *path)
{
	if (why && len)
		snprintf(why, len, "%s: %s: %s", path, what, strerror(errno));
}

int tagfs_filedev_open(struct tagfs_dev *dev, const char *path, bool writable, uint64_t create_bytes,
		       char *why, size_t why_len)
{
	*dev = (struct tagfs_dev){ 0 };
	int flags = writable ? O_RDWR : O_RDONLY;
	if (create_bytes)
		flags = O_RDWR | O_CREAT | O_TRUNC;
	int fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0) {
		say(why, why_len, "cannot open", path);
		return -1;
	}
	if (create_bytes && ftruncate(fd, (off_t)create_bytes) != 0) {
		say(why, why_len, "cannot set the size", path);
		close(fd);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		say(why, why_len, "cannot stat", path);
		close(fd);
		return -1;
	}
	struct filedev *f = malloc(sizeof(*f));
	if (!f) {
		close(fd);
		return -1;
	}
	f->fd = fd;
	f->sync_at_close_only = create_bytes != 0;
	dev->ctx = f;
	dev->blocks = (uint64_t)st.st_size / TAGFS_BLOCK_SIZE;
	dev->regions = 1;
	dev->read = file_read;
	dev->write = file_write;
	dev->flush = file_flush;
	return 0;
}

int tagfs_filedev_close(struct tagfs_dev *dev)
{
	struct filedev *f = dev->ctx;
	if (!f)
		return 0;
	int err = 0;
	if (fsync(f->fd) != 0 && errno != EBADF && errno != EINVAL)
		err = -1;
	if (close(f->fd) != 0)
		err = -1;
	free(f);
	*dev = (struct tagfs_dev){ 0 };
	return err;
}
