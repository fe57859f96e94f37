/*
 * syscall.S: the notify path (SYSCALL/SYSRET) and the switch between the
 * kernel and a Cabin.
 *
 * syscall_entry: SYSCALL left the Cabin's RIP in RCX and RFLAGS in R11 and
 * masked IF/DF/TF/AC (SFMASK).  SWAPGS reaches the per-CPU block, the user
 * RSP is parked there, and the frame pushed on the CPU's kernel stack has
 * exactly the shape of an interrupt's struct trap_frame, so C sees one
 * layout for both.  notify_dispatch() may change RAX (the verb's result).
 * The way back is SYSRETQ, but only after checking that the return RIP is
 * canonical: SYSRET to a non-canonical RIP faults in ring 0 on the user's
 * stack on Intel CPUs (CVE-2012-0217).  SYSCALL itself always leaves a
 * canonical RIP, so only a kernel bug could put a bad one in the frame; if
 * one ever does, the Cabin is killed (notify_bad_return) rather than
 * returned to, since IRETQ would fault in ring 0 with the user's GS loaded.
 *
 * Each Cabin has its own kernel stack (the scheduler points the per-CPU
 * syscall_rsp and the TSS's RSP0 at it), so a notify that blocks, a timer
 * tick that preempts and an exit all leave through sched_switch below; a
 * Cabin enters ring 3 the first time through cabin_user_start.
 */
#include "arch/x86_64/frame.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu_asm.h"

#define USER_CS (GDT_UCODE | 3)
#define USER_SS (GDT_UDATA | 3)
#define VECTOR_SYSCALL 256     /* not a real vector: marks a notify frame */

	.section .text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_SYSCALL_RSP, %rsp
	pushq $USER_SS
	pushq %gs:CPU_USER_RSP
	pushq %r11                    /* user RFLAGS */
	pushq $USER_CS
	pushq %rcx                    /* user RIP */
	pushq $0                      /* error code */
	pushq $VECTOR_SYSCALL
	PUSH_GPRS
	xorl %ebp, %ebp               /* backtraces stop at the user boundary */
	movq %rsp, %rdi
	cld
	call notify_dispatch
	POP_GPRS
	addq $16, %rsp                /* vector, error code */
	/* RSP -> RIP, CS, RFLAGS, RSP, SS.  RCX and R11 are SYSRET's to clobber. */
	movq (%rsp), %rcx
	shlq $16, %rcx
	sarq $16, %rcx
	cmpq (%rsp), %rcx
	jne 1f                        /* non-canonical: never SYSRET */
	movq 16(%rsp), %r11
	movq 24(%rsp), %rsp
	swapgs
	sysretq
1:	andq $-16, %rsp
	call notify_bad_return        /* never returns */
	ud2

/*
 * void cabin_user_start(uint64_t rip, uint64_t rsp, uint64_t arg): a Cabin's
 * first drop to ring 3, on its own kernel stack.  RDI = arg (its start
 * page); every other register is zero so no kernel value leaks.
 */
	.globl cabin_user_start
	.type cabin_user_start, @function
cabin_user_start:
	pushq $USER_SS
	pushq %rsi
	pushq $0x202                  /* IF set, reserved bit 1 */
	pushq $USER_CS
	pushq %rdi
	movq %rdx, %rdi
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	swapgs
	iretq

/*
 * void sched_switch(uint64_t *save_rsp, uint64_t next_rsp): save the
 * callee-saved registers on this stack, park RSP in *save_rsp, and continue
 * on next_rsp where an earlier sched_switch parked it (or where
 * cabin_kstack_init built a first frame).  Caller-saved registers are the
 * C caller's business, so six pushes are the whole context.
 */
	.globl sched_switch
	.type sched_switch, @function
sched_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
