/*
 * volume.h: the one TagFS volume the kernel mounts at boot (see volume.c).
 *
 * volume_init() looks at every disk disk_init() found and mounts one
 * volume: a Braid set (whole disks carrying Braid labels of one set), a
 * whole disk holding a TagFS superblock, or a GPT partition of the BoxOS
 * TagFS type (part.h).  It logs `storage: mounted ...` or `storage: no
 * volume ...` and never stops the boot.  After that only the Guide touches
 * the volume (through the Storage Deck), one op at a time.
 */
#ifndef CORE_VOLUME_H
#define CORE_VOLUME_H

#include <stdbool.h>
#include <stdint.h>

#include "tagfs/tagfs.h"
#include "tagfs/braid.h"

enum volume_kind {
	VOLUME_NONE = 0,
	VOLUME_DISK = 1,       /* a whole disk */
	VOLUME_PARTITION = 2,  /* a GPT partition */
	VOLUME_BRAID = 3,      /* a Braid set of 2-3 whole disks */
};

#define VOLUME_WHERE_MAX 64
#define VOLUME_WHY_MAX   128

/* Command-line words read: storage=off (mount nothing), storage=ro (mount
 * read-only), storage=DISK (prefer the volume on disk DISK, e.g. vblk0, or
 * a partition, e.g. ahci0p2). */
void volume_init(const char *cmdline);

struct tagfs *volume_fs(void);        /* NULL when nothing is mounted */
struct braid *volume_braid(void);     /* NULL unless kind is VOLUME_BRAID */
enum volume_kind volume_kind(void);
const char *volume_where(void);       /* "vblk0", "ahci0p2", "braid mirror vblk0+vblk1"; "" */
const char *volume_problem(void);     /* why nothing is mounted (or the mount is read-only); "" */
uint64_t volume_now(void *arg);       /* seconds since 1970, for TagFS file times */

#endif
