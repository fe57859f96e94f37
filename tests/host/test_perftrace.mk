# test_perftrace.mk: the PerfTrace ring (kernel/core/perftrace.c), with the
# mid-snapshot test hook; the test also compiles the file a second time with
# BOXOS_PERFTRACE=0 under other names.
HOST_TESTS += perftrace
perftrace_SRCS := kernel/core/perftrace.c
$(BUILD)/host/test_perftrace: kernel/core/perftrace.h
$(BUILD)/host/test_perftrace: private HOST_CFLAGS += -DPERFTRACE_TEST_HOOKS
