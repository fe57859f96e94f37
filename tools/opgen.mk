# opgen.mk: builds the op generator and runs it on ops/ops.spec.
#
#   build/tools/opgen           tools/opgen.c, opgen_parse.c and opgen_emit.c
#                               (OPGEN_SRCS), built with the host compiler and
#                               the system xxHash (-lxxhash)
#   build/gen/boxos/ops.h       op ids, enums, descriptor types, parameter structs
#   build/gen/ops_table.c       box_op_table[] (includes "boxos/ops.h")
#   build/gen/boxlib/ops.h      the same ids and parameter structs for userspace
#   build/gen/boxlib/calls.h    boxlib's typed wrappers, one per op
#   make docs                   regenerates docs/ops.md, which is committed;
#                               tests/host/test_opgen fails while it is stale
#
# Code that uses the generated files adds -I$(GEN_INCLUDE) and depends on
# $(GEN_OPS_H) (and compiles $(GEN_OPS_C) for the table).

OPGEN            := $(BUILD)/tools/opgen
OPS_SPEC         := ops/ops.spec
GEN_INCLUDE      := $(BUILD)/gen
GEN_OPS_H        := $(GEN_INCLUDE)/boxos/ops.h
GEN_OPS_C        := $(GEN_INCLUDE)/ops_table.c
GEN_BOXLIB_OPS_H := $(GEN_INCLUDE)/boxlib/ops.h
GEN_BOXLIB_CALLS_H := $(GEN_INCLUDE)/boxlib/calls.h
OPGEN_SRCS       := tools/opgen.c tools/opgen_parse.c tools/opgen_emit.c
OPGEN_CFLAGS     := -std=gnu11 -Wall -Wextra -Werror -O2 -g

.PHONY: gen docs
gen: $(GEN_OPS_H) $(GEN_OPS_C) $(GEN_BOXLIB_OPS_H) $(GEN_BOXLIB_CALLS_H)

$(OPGEN): $(OPGEN_SRCS) tools/opgen.h tools/opgen.mk
	$(Q)mkdir -p $(dir $@)
	$(Q)echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(OPGEN_CFLAGS) -o $@ $(OPGEN_SRCS) -lxxhash

# The ASan + UBSan copy tests/host/test_opgen runs; OPGEN_SANITIZED and
# HOST_CFLAGS come from tests/host (included before this file).
$(OPGEN_SANITIZED): $(OPGEN_SRCS) tools/opgen.h | $(BUILD)/host
	$(Q)echo "  HOSTCC  $@"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $(OPGEN_SRCS) -lxxhash

# One run writes all four (atomically: nothing changes when the spec is bad).
$(GEN_OPS_H) $(GEN_OPS_C) $(GEN_BOXLIB_OPS_H) $(GEN_BOXLIB_CALLS_H) &: $(OPS_SPEC) $(OPGEN)
	$(Q)mkdir -p $(dir $(GEN_OPS_H)) $(dir $(GEN_BOXLIB_OPS_H))
	$(Q)echo "  OPGEN   $(OPS_SPEC)"
	$(Q)$(OPGEN) $(OPS_SPEC) --header $(GEN_OPS_H) --table $(GEN_OPS_C) --boxlib $(GEN_BOXLIB_OPS_H) \
		--calls $(GEN_BOXLIB_CALLS_H)

docs: $(OPGEN)
	$(Q)echo "  OPGEN   docs/ops.md"
	$(Q)$(OPGEN) $(OPS_SPEC) --docs docs/ops.md
