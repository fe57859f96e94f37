# Kernel build: a freestanding ELF64 linked at BOOT_KERNEL_BASE (the top 2 GiB).
# Sources are found by wildcard, so adding a file to a subsystem folder is all
# it takes. The console font comes from Debian's kbd package and is linked in
# as a blob (kernel/drivers/font.S).

KERNEL_ELF := $(BUILD)/kernel/kernel.elf
KERNEL_FONT_GZ ?= /usr/share/consolefonts/Lat15-Terminus16.psf.gz

KERNEL_DIRS := kernel/arch/x86_64 kernel/mm kernel/lib kernel/drivers kernel/core
KERNEL_C    := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c))
KERNEL_S    := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.S))
# Portable sources outside kernel/, built into build/kernel/shared/: the ELF
# checker shared with TagBoot (it loads Cabins too) and the Decks (decks/*.c,
# also compiled by the host tests).
KERNEL_SHARED_DIRS := decks
# TagFS and Braid (tagfs/sources.mk, the same sources the host tools build)
# are in too: the kernel mounts the volume at boot (core/volume.c).
include tagfs/sources.mk
KERNEL_TAGFS_C := $(filter-out tagfs/ramdev.c,$(TAGFS_LIB_SRCS)) tagfs/braid.c tagfs/braid_label.c
KERNEL_SHARED_C := tagboot/elfcheck.c $(foreach d,$(KERNEL_SHARED_DIRS),$(wildcard $(d)/*.c)) \
                   $(KERNEL_TAGFS_C) $(BUILD)/gen/ops_table.c
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S)) \
               $(patsubst %.c,$(BUILD)/kernel/shared/%.o,$(KERNEL_SHARED_C))

KERNEL_CC     ?= gcc
# `override ... $(KERNEL_CFLAGS)` keeps these flags when the command line adds
# some, e.g. `make KERNEL_CFLAGS+=-DBOXOS_PERFTRACE=0` (PerfTrace compiled out).
override KERNEL_CFLAGS := $(KERNEL_CFLAGS) -std=gnu11 -Wall -Wextra -Werror -O2 -g \
                 -ffreestanding -fno-builtin -fno-pic -fno-pie -mcmodel=kernel \
                 -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -mgeneral-regs-only \
                 -fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-optimize-sibling-calls \
                 -fno-asynchronous-unwind-tables -fcf-protection=none \
                 -I. -Iinclude -Ikernel -Itagboot -I$(BUILD)/gen -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
                  -Wl,-z,noexecstack -T kernel/kernel.ld

kernel: $(KERNEL_ELF)

$(KERNEL_ELF): $(KERNEL_OBJS) kernel/kernel.ld
	$(Q)echo "  LD      $@"
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) -lgcc

$(BUILD)/kernel/%.o: kernel/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/shared/%.o: %.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/%.o: kernel/%.S
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  AS      $<"
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -DFONT_FILE='"$(abspath $(BUILD)/font.psf)"' -c -o $@ $<

# The font blob is assembled in; unpack it first.
$(BUILD)/kernel/drivers/font.o: $(BUILD)/font.psf
$(BUILD)/font.psf: $(KERNEL_FONT_GZ)
	$(Q)mkdir -p $(BUILD)
	$(Q)gzip -dc $< > $@

# The generated op ids and parameter structs (boxos/ops.h) must exist before
# any kernel object compiles; the .d files track changes to it after that.
# The rule is in tools/opgen.mk, included after this file.
$(KERNEL_OBJS): | $(BUILD)/gen/boxos/ops.h

-include $(KERNEL_OBJS:.o=.d)
