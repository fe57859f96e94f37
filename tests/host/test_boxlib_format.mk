# test_boxlib_format.mk: boxlib's printf core, against the host libc's snprintf.
HOST_TESTS += boxlib_format
boxlib_format_SRCS := boxlib/format.c
$(BUILD)/host/test_boxlib_format: boxlib/include/boxlib/stdio.h
$(BUILD)/host/test_boxlib_format: private HOST_CFLAGS += -Iboxlib/include -Wno-format-zero-length
