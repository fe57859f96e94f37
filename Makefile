# BoxOS top-level build.
#
#   make          build everything into build/ (TagBoot, kernel, disk image, host tests)
#   make run      boot BoxOS in QEMU (installs missing Debian packages first)
#   make test     host unit tests + QEMU integration tests; last line "N passed, N failed"
#   make debug    QEMU halted with a gdb stub; build/gdbinit loads the kernel symbols
#   make docs     regenerate docs/ops.md from ops/ops.spec (make test fails if it is stale)
#   make fuzz     run the fuzzers for a few minutes each (make test runs them briefly)
#   make clean    remove build/
#
# Variables: CORES (4), MEM (2G), HEADLESS (1 when there is no display), ACCEL (tcg).

CORES    ?= 4
MEM      ?= 2G
ACCEL    ?= tcg
HEADLESS ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),0,1)
CMDLINE  ?= loglevel=info

BUILD := build
Q     := @

export CORES MEM ACCEL HEADLESS

.PHONY: all run test debug clean deps host-tests image kernel tagboot
all: image gen host-tests

# Everything the build and tests need comes from Debian packages; this checks
# for them and installs the missing ones (as root) or prints the exact command.
deps:
	$(Q)bash tools/deps.sh

include kernel/kernel.mk
include tagboot/tagboot.mk
include tests/host/host.mk
include tests/fuzz/fuzz.mk
include tools/tagfs.mk
include tools/opgen.mk
include apps/apps.mk
include tools/bench.mk

IMAGE := $(BUILD)/boxos.img

# The boot image's TagFS partition (docs/storage.md): every app's ELF,
# tagged app and elf and named after the app, and the sample files in
# tools/volume/ with their tags.  32 MiB; the kernel mounts it at boot
# unless a data disk or a Braid set is attached.
VOLUME_IMG   := $(BUILD)/volume.img
VOLUME_SIZE  := 32M
VOLUME_FILES := tools/volume/hello.txt:sample,text,greeting \
                tools/volume/kernel-plan.txt:sample,text,kernel,draft \
                tools/volume/kernel-notes.txt:sample,text,kernel \
                tools/volume/todo.txt:sample,todo
$(VOLUME_IMG): $(BUILD)/tools/mktagfs $(APP_ELFS) $(wildcard tools/volume/*) Makefile
	$(Q)echo "  TAGFS   $@"
	$(Q)$(BUILD)/tools/mktagfs $@ --size $(VOLUME_SIZE) \
		$(foreach a,$(APPS),$(BUILD)/apps/$(a).elf:app,elf=$(a)) $(VOLUME_FILES) >/dev/null

image: $(IMAGE)
$(IMAGE): $(KERNEL_ELF) $(TAGBOOT_EFI) $(BUNDLE) $(BUILD)/cmdline.txt $(VOLUME_IMG) tools/mkimage.sh Makefile
	$(Q)echo "  IMAGE   $@"
	$(Q)bash tools/mkimage.sh $@ $(TAGBOOT_EFI) $(KERNEL_ELF) $(BUNDLE) $(BUILD)/cmdline.txt $(VOLUME_IMG)

# mkbraid: Braid sets with a TagFS volume, for the storage tests and by hand.
MKBRAID := $(BUILD)/tools/mkbraid
all: $(MKBRAID)
$(MKBRAID): tools/mkbraid.c tools/tagfs_filedev.c tools/tagfs_filedev.h $(TAGFS_LIB_SRCS) tagfs/braid.c tagfs/braid_label.c $(TAGFS_LIB_HDRS) tagfs/braid.h
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(TAGFS_TOOL_CFLAGS) -o $@ $< tools/tagfs_filedev.c $(TAGFS_LIB_SRCS) tagfs/braid.c tagfs/braid_label.c

# The command line file is rewritten only when CMDLINE changes, so a new
# CMDLINE rebuilds the image and an unchanged one does not.
$(BUILD)/cmdline.txt: FORCE
	$(Q)mkdir -p $(BUILD)
	$(Q)printf '%s\n' '$(CMDLINE)' | cmp -s - $@ || printf '%s\n' '$(CMDLINE)' > $@

.PHONY: FORCE
FORCE:

run: deps
	$(Q)$(MAKE) --no-print-directory image
	$(Q)python3 tools/qemu.py run --image $(IMAGE)

debug: deps
	$(Q)$(MAKE) --no-print-directory image
	$(Q)printf 'file %s\ntarget remote localhost:1234\n' '$(abspath $(KERNEL_ELF))' > $(BUILD)/gdbinit
	$(Q)echo "QEMU is halted with a gdb stub on localhost:1234. In another terminal:"
	$(Q)echo "    gdb -x $(BUILD)/gdbinit"
	$(Q)python3 tools/qemu.py run --image $(IMAGE) --gdb

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)python3 tests/run.py --build $(BUILD)

clean:
	rm -rf $(BUILD)
