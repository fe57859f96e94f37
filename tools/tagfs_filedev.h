/*
 * tagfs_filedev.h: a struct tagfs_dev backed by an image file (host only).
 */
#ifndef TOOLS_TAGFS_FILEDEV_H
#define TOOLS_TAGFS_FILEDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tagfs/tagfs.h"

/*
 * Opens path as a device of (file size / 4096) blocks.  With create_bytes
 * non-zero the file is created or truncated to that size first, and flushes
 * are deferred to tagfs_filedev_close() (a new image that is cut short is
 * rebuilt, not recovered, so per-operation syncs would only cost time).
 * Returns 0, or -1 with a reason in why.
 */
int tagfs_filedev_open(struct tagfs_dev *dev, const char *path, bool writable, uint64_t create_bytes,
		       char *why, size_t why_len);
/* Flushes and closes; 0, or -1 when the final flush or close failed. */
int tagfs_filedev_close(struct tagfs_dev *dev);

#endif
