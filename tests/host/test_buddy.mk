HOST_TESTS += buddy
buddy_SRCS := kernel/mm/buddy.c
