/* percpu_asm.h: struct cpu offsets that assembly uses (checked by percpu.h). */
#ifndef ARCH_PERCPU_ASM_H
#define ARCH_PERCPU_ASM_H
#define CPU_SYSCALL_RSP 8
#define CPU_USER_RSP 16
#endif
