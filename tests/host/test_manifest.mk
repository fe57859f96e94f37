# test_manifest.mk: the Manifest engine and the auth gate, with a fake spec and fake handlers.
HOST_TESTS += manifest
manifest_SRCS := kernel/core/manifest.c kernel/core/registry.c kernel/core/auth.c \
	$(BUILD)/gen/ops_table.c
# Headers host.mk does not track for us; the generated header lives in $(BUILD)/gen.
$(BUILD)/host/test_manifest: $(BUILD)/gen/boxos/ops.h kernel/core/manifest.h \
	kernel/core/registry.h kernel/core/auth.h kernel/core/op.h kernel/core/validate.h \
	$(wildcard include/boxos/abi/*.h)
$(BUILD)/host/test_manifest: private HOST_CFLAGS += -I$(BUILD)/gen
