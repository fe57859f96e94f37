# test_braid_heal.mk: Braid's heals, degrade and resync (see test_braid_heal.c).
HOST_TESTS += braid_heal
braid_heal_SRCS := tagfs/braid.c tagfs/braid_label.c

$(BUILD)/host/test_braid_heal: tagfs/braid.h tagfs/blockdev.h tests/host/test_braid_fixture.h
