# test_braid_crash.mk: Braid across a power cut at every write (see
# test_braid_crash.c).
HOST_TESTS += braid_crash
braid_crash_SRCS := tagfs/braid.c tagfs/braid_label.c

$(BUILD)/host/test_braid_crash: tagfs/braid.h tagfs/blockdev.h tests/host/test_braid_fixture.h
