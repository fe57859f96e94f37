/*
 * isr.S: the 256 interrupt entry stubs and the common path into C.
 *
 * Each stub makes the stack look the same (an error code slot, then the
 * vector), saves every general register into a struct trap_frame and calls
 * trap_entry(frame).  Interrupts from ring 3 swap GS so %gs:0 is always the
 * kernel's per-CPU block inside trap_entry.
 */
#include "arch/x86_64/frame.h"
#include "arch/x86_64/gdt.h"

/* vectors for which the CPU pushes an error code */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text
	.globl isr_stub_table
	.align 16
isr_stubs_start:               /* stub N is at isr_stubs_start + 16 * N */
	.set vec, 0
	.rept 256
	.align 16
	.if !HAS_ERROR(vec)
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	/* frame so far: vector, error, rip, cs, rflags, rsp, ss */
	testb $3, 24(%rsp)          /* CS of the interrupted context */
	jz 1f
	swapgs
1:
	PUSH_GPRS
	cld
	movq %rsp, %rdi
	/* align the stack for the C call; the frame pointer chain stays intact */
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_entry
	movq %rbx, %rsp
	POP_GPRS
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:
	addq $16, %rsp              /* vector and error code */
	iretq

	.section .rodata
	.align 8
isr_stub_table:
	.set vec, 0
	.rept 256
	.quad isr_stubs_start + vec * 16
	.set vec, vec + 1
	.endr
