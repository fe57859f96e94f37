# tagfs.mk: the TagFS host tools and the check that the library builds for
# the kernel.
#
#   build/tools/mktagfs     builds a volume image from files, tags and names
#   build/tools/tagfsck     checks (and with --repair scrubs) an image
#   tagfs-kernel-check      compiles every tagfs/*.c with the kernel's flags
#                           (freestanding, no SSE, no red zone) into
#                           build/tagfs-kcheck/; part of `make all`
include tagfs/sources.mk

TAGFS_TOOL_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -I.
TAGFS_TOOLS := $(BUILD)/tools/mktagfs $(BUILD)/tools/tagfsck
TAGFS_KCHECK_OBJS := $(patsubst tagfs/%.c,$(BUILD)/tagfs-kcheck/%.o,$(wildcard tagfs/*.c))

.PHONY: tagfs-tools tagfs-kernel-check
all: tagfs-tools tagfs-kernel-check
tagfs-tools: $(TAGFS_TOOLS)
tagfs-kernel-check: $(TAGFS_KCHECK_OBJS)

$(TAGFS_TOOLS): $(BUILD)/tools/%: tools/%.c tools/tagfs_filedev.c tools/tagfs_filedev.h $(TAGFS_LIB_SRCS) $(TAGFS_LIB_HDRS) tools/tagfs.mk
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(TAGFS_TOOL_CFLAGS) -o $@ $< tools/tagfs_filedev.c $(TAGFS_LIB_SRCS)

$(BUILD)/tagfs-kcheck/%.o: tagfs/%.c $(wildcard tagfs/*.h)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  KCHECK  $<"
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -c -o $@ $<
