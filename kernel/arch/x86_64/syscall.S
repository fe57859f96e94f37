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
 * cabin_enter / kernel_resume: cabin_enter saves the kernel's callee-saved
 * registers and stack pointer in a struct kernel_context and drops to ring 3
 * with IRETQ; when the Cabin exits or is killed, kernel_resume (called from
 * deep inside a notify or a fault) restores that context, and cabin_enter
 * returns the exit status as if it had been an ordinary call.
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

/* int cabin_enter(uint64_t rip, uint64_t rsp, struct kernel_context *ctx) */
	.globl cabin_enter
	.type cabin_enter, @function
cabin_enter:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdx)             /* ctx->rsp */
	pushq $USER_SS
	pushq %rsi
	pushq $0x202                  /* IF set, reserved bit 1 */
	pushq $USER_CS
	pushq %rdi
	/* no kernel value may leak into the Cabin */
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
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

/* void kernel_resume(struct kernel_context *ctx, int status): never returns */
	.globl kernel_resume
	.type kernel_resume, @function
kernel_resume:
	movl %esi, %eax
	movq (%rdi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.section .note.GNU-stack, "", @progbits
