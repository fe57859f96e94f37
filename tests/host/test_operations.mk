# test_operations.mk: the Operations and Execution Decks (see test_operations.c).
# Links the generated op table for the Deck-table check and the system xxHash
# for the reference XXH3-64.  The Decks include the generated boxos/ops.h and
# "decks/decks.h" (repo root), hence the extra include paths.
HOST_TESTS += operations
operations_SRCS := decks/operations.c decks/execution.c $(BUILD)/gen/ops_table.c
operations_LIBS := -lxxhash

$(BUILD)/host/test_operations: $(BUILD)/gen/boxos/ops.h decks/decks.h kernel/core/op.h include/boxos/abi/status.h
$(BUILD)/host/test_operations: private HOST_CFLAGS += -I. -I$(BUILD)/gen
