# test_hardware.mk: the portable parts of the Hardware Deck (see test_hardware.c):
# the console/key queues and the input, sleep and framebuffer handlers of
# decks/hardware_io.c against a fake grid and clock (kbd.read encodes events
# with ps2kbd_decode.c, hence that source too).
HOST_TESTS += hardware
hardware_SRCS := decks/hardware_io.c kernel/drivers/console_input.c kernel/drivers/ps2kbd_decode.c

$(BUILD)/host/test_hardware: $(BUILD)/gen/boxos/ops.h decks/hardware.h kernel/core/op.h \
	kernel/drivers/console_input.h kernel/drivers/ps2kbd_decode.h kernel/drivers/fbcon.h
$(BUILD)/host/test_hardware: private HOST_CFLAGS += -I. -I$(BUILD)/gen
