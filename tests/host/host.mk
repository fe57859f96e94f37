# Host unit tests: the portable parts of BoxOS (allocator, page-table code,
# ELF checks, formatting, ...) compiled for the host with ASan and UBSan.
#
# Each test is tests/host/test_NAME.c plus a fragment tests/host/test_NAME.mk
# that names the sources under test:
#     HOST_TESTS += NAME
#     NAME_SRCS  := kernel/mm/buddy.c
#     NAME_LIBS  := -lxxhash          (optional: libraries to link)
# Each test binary prints one line per failed check and ends with
# "N passed, N failed"; tests/run.py adds them up.

HOST_CC     ?= cc
HOST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -DBOXOS_HOST_TEST \
               -Iinclude -Ikernel -Itagboot -Itests/host
HOST_TESTS  :=

include $(sort $(wildcard tests/host/test_*.mk))

HOST_BINS := $(addprefix $(BUILD)/host/test_,$(HOST_TESTS))

host-tests: $(HOST_BINS)

define host_test_rule
$(BUILD)/host/test_$(1): tests/host/test_$(1).c $$($(1)_SRCS) tests/host/check.h $$(wildcard include/boxos/*.h) | $(BUILD)/host
	$$(Q)echo "  HOSTCC  $$@"
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) -o $$@ tests/host/test_$(1).c $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

$(BUILD)/host:
	$(Q)mkdir -p $@
