# test_registry.mk: the OpRegistry against the real generated spec and fake Decks.
HOST_TESTS += registry
registry_SRCS := kernel/core/registry.c $(BUILD)/gen/ops_table.c
# Headers host.mk does not track for us; the generated header lives in $(BUILD)/gen.
$(BUILD)/host/test_registry: $(BUILD)/gen/boxos/ops.h kernel/core/registry.h kernel/core/op.h \
	$(wildcard include/boxos/abi/*.h)
$(BUILD)/host/test_registry: private HOST_CFLAGS += -I$(BUILD)/gen
