# test_braid_random.mk: Braid under random operation sequences against a
# model (see test_braid_random.c).
HOST_TESTS += braid_random
braid_random_SRCS := tagfs/braid.c tagfs/braid_label.c

$(BUILD)/host/test_braid_random: tagfs/braid.h tagfs/blockdev.h tests/host/test_braid_fixture.h
