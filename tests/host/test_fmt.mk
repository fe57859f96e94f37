HOST_TESTS += fmt
fmt_SRCS := kernel/lib/fmt.c
