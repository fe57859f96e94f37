# test_boxlib_calls.mk: the typed wrappers opgen generates (build/gen/boxlib/calls.h)
# against a recording box_op, and opgen's --calls checks (sanitized opgen copy).
HOST_TESTS += boxlib_calls
boxlib_calls_SRCS :=
$(BUILD)/host/test_boxlib_calls: $(BUILD)/gen/boxlib/calls.h $(BUILD)/gen/boxlib/ops.h \
	$(OPGEN_SANITIZED) boxlib/include/boxlib/call.h
$(BUILD)/host/test_boxlib_calls: private HOST_CFLAGS += -I$(BUILD)/gen -Iboxlib/include \
	-DOPGEN_BIN='"$(abspath $(OPGEN_SANITIZED))"' \
	-DOPS_SPEC='"$(abspath ops/ops.spec)"' \
	-DGEN_CALLS_H='"$(abspath $(BUILD)/gen/boxlib/calls.h)"'
