# test_tagfs_crash.mk: power cuts at every write of a TagFS workload.
include tagfs/sources.mk
HOST_TESTS += tagfs_crash
tagfs_crash_SRCS := $(TAGFS_LIB_SRCS)
$(BUILD)/host/test_tagfs_crash: $(TAGFS_LIB_HDRS) tests/host/test_tagfs_util.h
$(BUILD)/host/test_tagfs_crash: private HOST_CFLAGS += -I.
