HOST_TESTS += cmdline
cmdline_SRCS := kernel/lib/cmdline.c
