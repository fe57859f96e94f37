# test_shell_line.mk: the shell's line editor and word splitter (see test_shell_line.c).
HOST_TESTS += shell_line
shell_line_SRCS := apps/shell/line.c apps/shell/words.c

$(BUILD)/host/test_shell_line: apps/shell/line.h apps/shell/words.h
$(BUILD)/host/test_shell_line: private HOST_CFLAGS += -Iapps/shell
