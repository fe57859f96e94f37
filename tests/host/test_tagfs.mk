# test_tagfs.mk: the TagFS library on a RAM device (see test_tagfs.c).
include tagfs/sources.mk
HOST_TESTS += tagfs
tagfs_SRCS := $(TAGFS_LIB_SRCS)
$(BUILD)/host/test_tagfs: $(TAGFS_LIB_HDRS) tests/host/test_tagfs_util.h
$(BUILD)/host/test_tagfs: private HOST_CFLAGS += -I.
