/*
 * entry.S: the kernel's first instructions.  TagBoot jumps here with
 * RDI = BootInfo (direct-map address), interrupts off and its own page
 * tables.  Stamp the TSC (the start of "kernel time" in the boot report),
 * switch to the kernel's boot stack and call kmain with RDI untouched.
 * RBP = 0 ends every backtrace here.
 */
	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	cli
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, kernel_entry_tsc(%rip)
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call kmain
1:	cli
	hlt
	jmp 1b

	.section .bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
	.section .note.GNU-stack, "", @progbits
