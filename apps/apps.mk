# apps.mk: boxlib, the apps (the programs Cabins run) and the bundle.
#
# boxlib/*.c and *.S (except crt0.S) become $(BUILD)/boxlib/libbox.a; crt0.S
# becomes $(BUILD)/boxlib/crt0.o, the entry point of every app.  Each app is
# the C and assembly files in apps/NAME/, linked statically at 0x400000 by
# apps/app.ld with crt0.o and libbox.a into $(BUILD)/apps/NAME.elf.  The
# bundle $(BUILD)/bundle.bin is a cpio "newc" archive of those ELF files
# (named NAME.elf, sorted, reproducible) that mkimage.sh puts on the disk as
# /boxos/bundle.bin; kernel/core/bundle.c reads it.
#
# Adding an app: make apps/NAME/ with a main(), add NAME to APPS.

APPS := badnotify bench benchcsv chain crash echo exit42 fault fbtest halttest hostile hwtest kbdrepeat kbdtest libtest nop perfprobe \
        regcheck schedtest shell sysprobe systest tracetest waittest
# the user-facing apps (docs/apps.md); appcheck drives their tests
APPS += today decks proca procb memtest mtest display cpus ps trace shutdown reboot appcheck
# The storage apps (docs/storage.md) and their test driver.
APPS += files create show tag untag name rm snap fsck braid df storscript storprobe

APP_CC     ?= gcc
APP_AR     ?= ar
APP_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 \
              -ffreestanding -fno-builtin -fno-pic -fno-pie -mno-red-zone \
              -fno-stack-protector -fcf-protection=none -mgeneral-regs-only \
              -fno-asynchronous-unwind-tables \
              -Iinclude -Iboxlib/include -I$(BUILD)/gen -MMD -MP
APP_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
               -Wl,-z,noexecstack -Wl,--orphan-handling=error -T apps/app.ld

BOXLIB_A    := $(BUILD)/boxlib/libbox.a
BOXLIB_CRT0 := $(BUILD)/boxlib/crt0.o
BOXLIB_SRCS := $(filter-out boxlib/crt0.S,$(wildcard boxlib/*.c boxlib/*.S))
BOXLIB_OBJS := $(patsubst boxlib/%,$(BUILD)/boxlib/%.o,$(BOXLIB_SRCS))

APP_ELFS := $(foreach a,$(APPS),$(BUILD)/apps/$(a).elf)

# The shell's list of user-facing apps: every apps/NAME/about (see
# tools/appsindex.sh), as build/gen/boxlib/apps_index.h.
APP_ABOUTS := $(sort $(wildcard $(foreach a,$(APPS),apps/$(a)/about)))
APPS_INDEX := $(BUILD)/gen/boxlib/apps_index.h
APPS_LIST := $(BUILD)/gen/apps_list.txt
# rewritten only when the set of about files changes, so removing one rebuilds the index
$(APPS_LIST): FORCE
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '%s\n' $(APP_ABOUTS) | cmp -s - $@ || printf '%s\n' $(APP_ABOUTS) > $@
$(APPS_INDEX): $(APP_ABOUTS) $(APPS_LIST) tools/appsindex.sh apps/apps.mk
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  GEN     $@"
	$(Q)sh tools/appsindex.sh $@ $(APP_ABOUTS)
BUNDLE   := $(BUILD)/bundle.bin

.PHONY: apps boxlib
all: $(BUNDLE)
apps: $(APP_ELFS)
boxlib: $(BOXLIB_A) $(BOXLIB_CRT0)

$(BOXLIB_A): $(BOXLIB_OBJS)
	$(Q)echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)$(APP_AR) rcsD $@ $^

$(BOXLIB_CRT0): boxlib/crt0.S
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  AS      $<"
	$(Q)$(APP_CC) $(APP_CFLAGS) -c -o $@ $<

# Objects are named after the whole source name (string.c -> string.c.o) so
# a.c and a.S in one folder cannot collide.
$(BUILD)/boxlib/%.c.o: boxlib/%.c | $(GEN_BOXLIB_OPS_H)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(APP_CC) $(APP_CFLAGS) -c -o $@ $<

$(BUILD)/boxlib/%.S.o: boxlib/%.S
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  AS      $<"
	$(Q)$(APP_CC) $(APP_CFLAGS) -c -o $@ $<

# GCC would turn the byte loops of memcpy/memset into calls to themselves.
$(BUILD)/boxlib/string.c.o: private APP_CFLAGS += -fno-tree-loop-distribute-patterns

$(BUILD)/apps/%.c.o: apps/%.c | $(GEN_BOXLIB_OPS_H) $(APPS_INDEX)
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)$(APP_CC) $(APP_CFLAGS) -c -o $@ $<

$(BUILD)/apps/%.S.o: apps/%.S
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  AS      $<"
	$(Q)$(APP_CC) $(APP_CFLAGS) -c -o $@ $<

define app_rule
$(1)_APP_OBJS := $$(patsubst apps/%,$(BUILD)/apps/%.o,$$(sort $$(wildcard apps/$(1)/*.c apps/$(1)/*.S)))
$(BUILD)/apps/$(1).elf: $$($(1)_APP_OBJS) $(BOXLIB_CRT0) $(BOXLIB_A) apps/app.ld
	$$(Q)echo "  LD      $$@"
	$$(Q)$$(APP_CC) $$(APP_CFLAGS) $$(APP_LDFLAGS) -o $$@ $(BOXLIB_CRT0) $$($(1)_APP_OBJS) $(BOXLIB_A) -lgcc
APP_OBJS += $$($(1)_APP_OBJS)
endef
APP_OBJS :=
$(foreach a,$(APPS),$(eval $(call app_rule,$(a))))

# Reproducible: only the ELF files of APPS (not stale ones), in C-locale
# order, copied to a staging folder with mode 0644 and mtime 0 and archived
# with owner 0:0 and device-independent inode numbers, so the same ELFs
# always give the same bytes.
BUNDLE_STAGE := $(BUILD)/bundle-stage

$(BUNDLE): $(APP_ELFS) apps/apps.mk
	$(Q)echo "  CPIO    $@"
	$(Q)rm -rf $(BUNDLE_STAGE) && mkdir -p $(BUNDLE_STAGE)
	$(Q)cp $(APP_ELFS) $(BUNDLE_STAGE)/
	$(Q)chmod 0644 $(BUNDLE_STAGE)/*.elf && touch -d @0 $(BUNDLE_STAGE)/*.elf
	$(Q)cd $(BUNDLE_STAGE) && printf '%s\n' $(notdir $(APP_ELFS)) | LC_ALL=C sort | \
		cpio -o -H newc --reproducible -R 0:0 --quiet > $(abspath $@).tmp
	$(Q)mv -f $@.tmp $@

-include $(BOXLIB_OBJS:.o=.d) $(BOXLIB_CRT0:.o=.d) $(APP_OBJS:.o=.d)
