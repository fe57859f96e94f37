HOST_TESTS += bundle
bundle_SRCS := kernel/core/bundle.c
# Headers host.mk does not track for us; the real bundle is read if it exists.
$(BUILD)/host/test_bundle: kernel/core/bundle.h
$(BUILD)/host/test_bundle: private HOST_CFLAGS += -DBUNDLE_BIN='"$(abspath $(BUILD)/bundle.bin)"'
