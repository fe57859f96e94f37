# test_tagfs_heal.mk: bit rot, damaged and foreign images.
include tagfs/sources.mk
HOST_TESTS += tagfs_heal
tagfs_heal_SRCS := $(TAGFS_LIB_SRCS)
$(BUILD)/host/test_tagfs_heal: $(TAGFS_LIB_HDRS) tests/host/test_tagfs_util.h
$(BUILD)/host/test_tagfs_heal: private HOST_CFLAGS += -I.
