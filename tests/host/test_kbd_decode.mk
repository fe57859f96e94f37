# test_kbd_decode.mk: the PS/2 scancode set 1 decoder (see test_kbd_decode.c).
HOST_TESTS += kbd_decode
kbd_decode_SRCS := kernel/drivers/ps2kbd_decode.c

$(BUILD)/host/test_kbd_decode: kernel/drivers/ps2kbd_decode.h
