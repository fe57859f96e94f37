# test_tagfs_tools.mk: mktagfs and tagfsck run as commands (see test_tagfs_tools.c).
include tagfs/sources.mk
HOST_TESTS += tagfs_tools
tagfs_tools_SRCS := $(TAGFS_LIB_SRCS) tools/tagfs_filedev.c
$(BUILD)/host/test_tagfs_tools: $(TAGFS_LIB_HDRS) tests/host/test_tagfs_util.h tools/tagfs_filedev.h
$(BUILD)/host/test_tagfs_tools: $(BUILD)/tools/mktagfs $(BUILD)/tools/tagfsck
$(BUILD)/host/test_tagfs_tools: private HOST_CFLAGS += -I.
