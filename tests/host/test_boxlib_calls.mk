# test_boxlib_calls.mk: the typed wrappers opgen generates (build/gen/boxlib/calls.h)
# against a recording box_op, and opgen's --calls checks (the sanitized opgen copy
# that test_opgen.mk names; spelled out here because that file is read after this one).
HOST_TESTS += boxlib_calls
boxlib_calls_SRCS :=
$(BUILD)/host/test_boxlib_calls: $(BUILD)/gen/boxlib/calls.h $(BUILD)/gen/boxlib/ops.h \
	$(BUILD)/host/opgen-sanitized boxlib/include/boxlib/call.h
$(BUILD)/host/test_boxlib_calls: private HOST_CFLAGS += -I$(BUILD)/gen -Iboxlib/include \
	-DOPGEN_BIN='"$(abspath $(BUILD)/host/opgen-sanitized)"' \
	-DOPS_SPEC='"$(abspath ops/ops.spec)"' \
	-DGEN_CALLS_H='"$(abspath $(BUILD)/gen/boxlib/calls.h)"'
