# test_boxlib_string.mk: boxlib's string, number and start-page code against libc
# and hand-built start pages (the sources are #included under other names).
HOST_TESTS += boxlib_string
boxlib_string_SRCS :=
$(BUILD)/host/test_boxlib_string: boxlib/string.c boxlib/number.c boxlib/args.c \
	boxlib/include/boxlib/string.h boxlib/include/boxlib/start.h $(wildcard include/boxos/abi/*.h)
$(BUILD)/host/test_boxlib_string: private HOST_CFLAGS += -Iboxlib/include -fno-builtin \
	-fno-tree-loop-distribute-patterns
