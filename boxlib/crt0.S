/*
 * crt0.S: a Cabin's first instructions.  _start is the ELF entry point; the
 * kernel enters it with RSP at the top of the Cabin's stack.  It clears RBP
 * (the end of the frame-pointer chain), aligns RSP to 16 as the SysV ABI
 * wants at a call and calls box_start_main(BOX_START_VA) (boxlib/start.c),
 * which checks the start page, builds argv, sets up the heap, runs main and
 * hands its return value to box_exit; it never returns.  The address is
 * written out here because abi/start.h is C only; start.c pins it with a
 * _Static_assert.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	movabsq	$0x0000700000300000, %rdi	/* BOX_START_VA */
	call	box_start_main
1:	ud2
	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
