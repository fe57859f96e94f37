# test_tags.mk: tag names, tag lists, the use context and the Listen table.
HOST_TESTS += tags
tags_SRCS := kernel/core/tags.c kernel/core/listen.c
$(BUILD)/host/test_tags: kernel/core/tags.h kernel/core/listen.h kernel/core/auth.h
