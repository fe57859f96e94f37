# test_boxlib_heap.mk: boxlib's heap core over a plain buffer, against a model.
HOST_TESTS += boxlib_heap
boxlib_heap_SRCS := boxlib/heap.c
$(BUILD)/host/test_boxlib_heap: boxlib/include/boxlib/heap.h boxlib/include/boxlib/string.h
$(BUILD)/host/test_boxlib_heap: private HOST_CFLAGS += -Iboxlib/include
