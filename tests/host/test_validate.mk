HOST_TESTS += validate
validate_SRCS := kernel/core/validate.c
# Headers host.mk does not track for us.
$(BUILD)/host/test_validate: $(wildcard include/boxos/abi/*.h) kernel/core/validate.h tests/fuzz/plan_invariants.h
