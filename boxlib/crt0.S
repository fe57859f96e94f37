/*
 * crt0.S: a Cabin's first instructions.  _start is the ELF entry point; the
 * kernel enters it with RSP at the top of the Cabin's stack.  It clears RBP
 * (the end of the frame-pointer chain), aligns RSP to 16 as the SysV ABI
 * wants at a call, calls main(0, 0) (arguments come later) and hands main's
 * return value to box_exit, which never returns.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	xorl	%edi, %edi
	xorl	%esi, %esi
	call	main
	movl	%eax, %edi
	call	box_exit
1:	ud2
	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
