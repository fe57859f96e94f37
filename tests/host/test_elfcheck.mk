HOST_TESTS += elfcheck
elfcheck_SRCS := tagboot/elfcheck.c
