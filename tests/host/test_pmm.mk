HOST_TESTS += pmm
pmm_SRCS := kernel/mm/pmm.c kernel/mm/buddy.c
