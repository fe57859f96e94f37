# test_storage.mk: the kernel side of storage that runs on the host: GPT
# parsing (kernel/drivers/part.c) with hostile tables, and the Storage Deck's
# decoding and error mapping (decks/storage_map.c).
HOST_TESTS += storage
storage_SRCS := kernel/drivers/part.c decks/storage_map.c

$(BUILD)/host/test_storage: $(BUILD)/gen/boxos/ops.h decks/storage.h kernel/drivers/part.h include/boxos/abi/storage.h
$(BUILD)/host/test_storage: private HOST_CFLAGS += -I. -I$(BUILD)/gen
