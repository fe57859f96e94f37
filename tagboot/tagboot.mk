# TagBoot: the BoxOS UEFI loader, built with GNU-EFI into a PE32+ application.
# Sources are compiled as position-independent ELF, linked as a shared object
# with GNU-EFI's crt0 and linker script, then converted to PE by objcopy.
# GNU-EFI's files live in /usr/lib on Debian 12 and in a multiarch or lib64
# directory elsewhere, so every candidate is probed.

TAGBOOT_EFI := $(BUILD)/tagboot/BOOTX64.EFI

EFI_CANDIDATE_DIRS := /usr/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib/gnuefi /usr/local/lib
EFI_CRT0 := $(firstword $(wildcard $(addsuffix /crt0-efi-x86_64.o,$(EFI_CANDIDATE_DIRS)) \
                                   $(addsuffix /gnuefi/crt0-efi-x86_64.o,$(EFI_CANDIDATE_DIRS))))
EFI_LDS  := $(firstword $(wildcard $(addsuffix /elf_x86_64_efi.lds,$(EFI_CANDIDATE_DIRS)) \
                                   $(addsuffix /gnuefi/elf_x86_64_efi.lds,$(EFI_CANDIDATE_DIRS))))
EFI_LIBDIR := $(dir $(firstword $(wildcard $(addsuffix /libgnuefi.a,$(EFI_CANDIDATE_DIRS)))))
EFI_INC  := $(firstword $(wildcard /usr/include/efi /usr/local/include/efi))

TAGBOOT_SRCS := $(wildcard tagboot/*.c)
TAGBOOT_OBJS := $(patsubst tagboot/%.c,$(BUILD)/tagboot/%.o,$(TAGBOOT_SRCS))
TAGBOOT_SO   := $(BUILD)/tagboot/tagboot.so

TAGBOOT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g \
                  -ffreestanding -fpic -fshort-wchar -mno-red-zone \
                  -fno-stack-protector -fno-strict-aliasing -fno-builtin \
                  -fno-asynchronous-unwind-tables -fcf-protection=none \
                  -maccumulate-outgoing-args -DEFI_FUNCTION_WRAPPER \
                  -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I$(EFI_INC)/protocol \
                  -Iinclude -Itagboot -MMD -MP
TAGBOOT_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
                   -T $(EFI_LDS)

tagboot: $(TAGBOOT_EFI)

$(TAGBOOT_EFI): $(TAGBOOT_SO)
	$(Q)echo "  EFI     $@"
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

$(TAGBOOT_SO): $(TAGBOOT_OBJS) $(EFI_CRT0) $(EFI_LDS)
	$(Q)test -n "$(EFI_CRT0)" -a -n "$(EFI_LDS)" -a -n "$(EFI_LIBDIR)" || \
		{ echo "tagboot: GNU-EFI not found (install the gnu-efi package)" >&2; exit 1; }
	$(Q)echo "  LD      $@"
	$(Q)ld $(TAGBOOT_LDFLAGS) -o $@ $(EFI_CRT0) $(TAGBOOT_OBJS) \
		-L$(EFI_LIBDIR) -lefi -lgnuefi

$(BUILD)/tagboot/%.o: tagboot/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  CC      $<"
	$(Q)test -n "$(EFI_INC)" || { echo "tagboot: GNU-EFI headers not found (install gnu-efi)" >&2; exit 1; }
	$(Q)gcc $(TAGBOOT_CFLAGS) -c -o $@ $<

-include $(TAGBOOT_OBJS:.o=.d)
