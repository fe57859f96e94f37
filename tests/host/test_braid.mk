# test_braid.mk: Braid, the redundancy layer under TagFS (see test_braid.c).
# braid_label.c includes the header-only xxHash, so no library is linked.
HOST_TESTS += braid
braid_SRCS := tagfs/braid.c tagfs/braid_label.c

$(BUILD)/host/test_braid: tagfs/braid.h tagfs/blockdev.h tests/host/test_braid_fixture.h
