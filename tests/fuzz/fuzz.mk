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
FUZZ_TARGETS := validate
validate_FUZZ_SRCS := kernel/core/validate.c

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
