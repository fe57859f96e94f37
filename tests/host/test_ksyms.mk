HOST_TESTS += ksyms
ksyms_SRCS := kernel/lib/ksyms.c
