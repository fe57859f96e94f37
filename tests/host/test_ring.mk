HOST_TESTS += ring
ring_SRCS :=
# Headers host.mk does not track for us.
$(BUILD)/host/test_ring: $(wildcard include/boxos/abi/*.h) include/boxos/ring.h
