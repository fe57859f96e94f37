# Fuzzing the Pocket/Manifest validation (kernel/core/validate.c) with libFuzzer.
#
#   make fuzz         build, then fuzz for 5 minutes; the corpus is kept in build/fuzz/corpus
#   make fuzz-smoke   build, then 50000 runs with a fixed seed (what `make test` runs)
#
# Each target is tests/fuzz/fuzz_NAME.c built with clang's libFuzzer, ASan and
# UBSan into build/fuzz/fuzz_NAME; tests/run.py runs every build/fuzz/fuzz_*
# with -runs=50000 -seed=1.  Without clang the fuzzers are skipped.

FUZZ_CC     ?= clang
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -DBOXOS_HOST_TEST -Iinclude -Ikernel -Itests/fuzz
FUZZ_TARGETS := validate bundle tagfs
validate_FUZZ_SRCS := kernel/core/validate.c
bundle_FUZZ_SRCS := kernel/core/bundle.c
include tagfs/sources.mk
tagfs_FUZZ_SRCS := $(TAGFS_LIB_SRCS)

FUZZ_BINS := $(if $(shell command -v $(FUZZ_CC)),$(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS)))
FUZZ_TIME ?= 300

.PHONY: fuzz fuzz-smoke fuzzers
all: fuzzers
fuzzers: $(FUZZ_BINS)

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$($(1)_FUZZ_SRCS) $$(wildcard tests/fuzz/*.h include/boxos/abi/*.h kernel/core/*.h) | $(BUILD)/fuzz
	$$(Q)echo "  FUZZCC  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ tests/fuzz/fuzz_$(1).c $$($(1)_FUZZ_SRCS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzz: $(BUILD)/fuzz/fuzz_validate
	$(Q)mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_validate -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus

fuzz-smoke: $(FUZZ_BINS)
	$(Q)for f in $(FUZZ_BINS); do echo "  FUZZ    $$f"; \
		$$f -runs=50000 -seed=1 -artifact_prefix=$(BUILD)/fuzz/ || exit 1; done

$(BUILD)/fuzz:
	$(Q)mkdir -p $@

# Parsers of untrusted files: the kernel ELF TagBoot checks, the DSDT's \_S5
# and the kernel's own symbol table; and the shell's line editor and word
# splitter, which take whatever the serial line sends.  `make fuzz` runs each for FUZZ_TIME
# too, each with its own corpus in build/fuzz/corpus-NAME.
PARSER_FUZZ_TARGETS := elfcheck acpi_aml ksyms shell_line
elfcheck_FUZZ_SRCS  := tagboot/elfcheck.c
acpi_aml_FUZZ_SRCS  := kernel/drivers/acpi_aml.c
ksyms_FUZZ_SRCS     := kernel/lib/ksyms.c
shell_line_FUZZ_SRCS := apps/shell/line.c apps/shell/words.c
PARSER_FUZZ_BINS := $(if $(shell command -v $(FUZZ_CC)),$(addprefix $(BUILD)/fuzz/fuzz_,$(PARSER_FUZZ_TARGETS)))
FUZZ_BINS += $(PARSER_FUZZ_BINS)
$(foreach t,$(PARSER_FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))
$(BUILD)/fuzz/fuzz_elfcheck: FUZZ_CFLAGS += -Itagboot
$(BUILD)/fuzz/fuzz_elfcheck: tagboot/elfcheck.h
$(BUILD)/fuzz/fuzz_acpi_aml: kernel/drivers/acpi_aml.h
$(BUILD)/fuzz/fuzz_ksyms: kernel/lib/ksyms.h kernel/lib/string.h
# TagFS mount path over damaged images (tagfs/ is included from the repo root).
$(BUILD)/fuzz/fuzz_tagfs: FUZZ_CFLAGS += -I.
$(BUILD)/fuzz/fuzz_tagfs: $(TAGFS_LIB_HDRS)
$(BUILD)/fuzz/fuzz_shell_line: FUZZ_CFLAGS += -Iapps/shell
$(BUILD)/fuzz/fuzz_shell_line: apps/shell/line.h apps/shell/words.h
fuzzers fuzz-smoke: $(PARSER_FUZZ_BINS)
fuzz: $(addprefix fuzz-run-,$(if $(PARSER_FUZZ_BINS),$(PARSER_FUZZ_TARGETS)))
.PHONY: $(addprefix fuzz-run-,$(PARSER_FUZZ_TARGETS))
$(addprefix fuzz-run-,$(PARSER_FUZZ_TARGETS)): fuzz-run-%: $(BUILD)/fuzz/fuzz_%
	$(Q)mkdir -p $(BUILD)/fuzz/corpus-$*
	$< -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$*
