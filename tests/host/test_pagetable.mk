HOST_TESTS += pagetable
pagetable_SRCS := kernel/mm/pagetable.c
