/*
 * loop.S: regcheck_loop(n), the register-preservation test of the notify
 * path.  Fills every general register the kernel must preserve with its own
 * 64-bit pattern, then n times: SYSCALL with RAX = BOX_NOTIFY_YIELD and check
 * that each register still holds its pattern.  RCX and R11 are clobbered by
 * SYSCALL itself and serve as scratch for the checks; RAX must come back as
 * BOX_OK (0).  The loop counter lives in RBX and is compared with a copy in
 * memory; RSP is compared with a copy in memory; RFLAGS.DF must be clear.
 *
 * Returns 0 when everything held for all n calls, else 100 + index of the
 * first check that failed:
 *   0 rbx (counter)  1 rbp  2 r12  3 r13  4 r14  5 r15  6 rdi  7 rsi
 *   8 rdx  9 r8  10 r9  11 r10  12 rsp  13 rax != BOX_OK  14 DF set
 */
#include "boxos/abi/notify.h"

#define PAT_RBP 0x0101a5a5c3c3f00full
#define PAT_R12 0x1212fedcba987654ull
#define PAT_R13 0x1313013579bdf024ull
#define PAT_R14 0x8014deadbeefcafeull
#define PAT_R15 0xf015123456789abcull
#define PAT_RDI 0x7d1d00ff00ff00ffull
#define PAT_RSI 0x5151ff00ff00ff00ull
#define PAT_RDX 0xd0d0aaaa5555aaaaull
#define PAT_R8  0x0808cccc33332222ull
#define PAT_R9  0x9999111177778888ull
#define PAT_R10 0xa0a0eeee44446666ull

/* Compare REG with the 64-bit pattern PAT (through RCX); on a mismatch
 * return 100 + IDX. */
#define CHECK(reg, pat, idx)       \
	movabsq	$pat, %rcx;        \
	cmpq	%rcx, reg;         \
	movl	$(100 + idx), %ecx; \
	jne	.Lfail

	.text
	.globl regcheck_loop
	.type regcheck_loop, @function
regcheck_loop:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rdi, limit(%rip)
	movq	%rsp, saved_rsp(%rip)
	movq	$0, count(%rip)
	xorl	%ebx, %ebx
	cld

	movabsq	$PAT_RBP, %rbp
	movabsq	$PAT_R12, %r12
	movabsq	$PAT_R13, %r13
	movabsq	$PAT_R14, %r14
	movabsq	$PAT_R15, %r15
	movabsq	$PAT_RDI, %rdi
	movabsq	$PAT_RSI, %rsi
	movabsq	$PAT_RDX, %rdx
	movabsq	$PAT_R8, %r8
	movabsq	$PAT_R9, %r9
	movabsq	$PAT_R10, %r10

	cmpq	limit(%rip), %rbx
	jae	.Ldone
.Lloop:
	movl	$BOX_NOTIFY_YIELD, %eax
	syscall

	cmpq	count(%rip), %rbx
	movl	$100, %ecx
	jne	.Lfail
	CHECK(%rbp, PAT_RBP, 1)
	CHECK(%r12, PAT_R12, 2)
	CHECK(%r13, PAT_R13, 3)
	CHECK(%r14, PAT_R14, 4)
	CHECK(%r15, PAT_R15, 5)
	CHECK(%rdi, PAT_RDI, 6)
	CHECK(%rsi, PAT_RSI, 7)
	CHECK(%rdx, PAT_RDX, 8)
	CHECK(%r8, PAT_R8, 9)
	CHECK(%r9, PAT_R9, 10)
	CHECK(%r10, PAT_R10, 11)
	cmpq	saved_rsp(%rip), %rsp
	movl	$112, %ecx
	jne	.Lfail
	testq	%rax, %rax
	movl	$113, %ecx
	jne	.Lfail
	/* RFLAGS through RCX and the stack, which was just found intact. */
	pushfq
	popq	%rcx
	testl	$0x400, %ecx
	movl	$114, %ecx
	jnz	.Lfail

	incq	%rbx
	incq	count(%rip)
	cmpq	limit(%rip), %rbx
	jb	.Lloop
.Ldone:
	xorl	%ecx, %ecx
.Lfail:
	/* ECX = the answer.  RSP may be the thing that broke: reload it. */
	movq	saved_rsp(%rip), %rsp
	cld
	movl	%ecx, %eax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size regcheck_loop, . - regcheck_loop

	.bss
	.balign 8
saved_rsp:	.skip 8
count:		.skip 8
limit:		.skip 8

	.section .note.GNU-stack, "", @progbits
