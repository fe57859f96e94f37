# test_opgen.mk: the op spec, tools/opgen and its outputs (see test_opgen.c).
# Links the generated table and runs a copy of opgen built like the host
# tests (ASan + UBSan) on good and bad specs and on ops/ops.spec for the
# docs/ops.md freshness check.
HOST_TESTS += opgen
opgen_SRCS := $(BUILD)/gen/ops_table.c
opgen_LIBS := -lxxhash

OPGEN_SANITIZED := $(BUILD)/host/opgen-sanitized

# tools/opgen.mk builds it from OPGEN_SRCS.

$(BUILD)/host/test_opgen: $(OPGEN_SANITIZED) $(BUILD)/gen/boxos/ops.h $(BUILD)/gen/boxlib/ops.h
$(BUILD)/host/test_opgen: private HOST_CFLAGS += -I$(BUILD)/gen \
	-DOPGEN_BIN='"$(abspath $(OPGEN_SANITIZED))"' \
	-DOPS_SPEC='"$(abspath ops/ops.spec)"' \
	-DOPS_DOCS='"$(abspath docs/ops.md)"' \
	-DGEN_BOXLIB_H='"$(abspath $(BUILD)/gen/boxlib/ops.h)"' \
	-DTEST_CC='"$(HOST_CC)"'
