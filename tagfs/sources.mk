# sources.mk: the portable TagFS library's sources, for every build that links
# it (tools/tagfs.mk, tests/host/test_tagfs*.mk, tests/fuzz/fuzz.mk).
TAGFS_LIB_SRCS := tagfs/util.c tagfs/state.c tagfs/diskbook.c tagfs/checkpoint.c \
                  tagfs/volume.c tagfs/files.c tagfs/query.c tagfs/snapshot.c \
                  tagfs/fsck.c tagfs/ramdev.c
TAGFS_LIB_HDRS := tagfs/blockdev.h tagfs/tagfs.h tagfs/port.h tagfs/format.h \
                  tagfs/internal.h tagfs/ramdev.h
