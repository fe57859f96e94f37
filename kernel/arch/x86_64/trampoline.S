/*
 * trampoline.S: the first code an Application Processor runs.
 *
 * A STARTUP IPI starts the AP in 16-bit real mode at CS:IP = T>>4:0, where
 * T is the page below 1 MiB that TagBoot reserved; smp.c copies this blob
 * there and fills in the data slots at its end.  The AP turns on PAE, loads
 * the kernel's PML4 (below 4 GiB, and identity-mapping T for the moment),
 * sets EFER.LME/NXE and enables protection and paging in one write, which
 * puts it straight into long mode on a far jump.  In 64-bit code it loads
 * its stack and jumps to ap_entry(cpu) in the kernel half.  Everything is
 * position independent: 16-bit code addresses data relative to CS, 64-bit
 * code RIP-relative, and the two absolute addresses (GDT base and the far
 * jump target) are patched by smp.c.
 */
	.section .rodata
	.globl trampoline_start, trampoline_end
	.globl tramp_gdtr_base, tramp_farptr, tramp_cr3, tramp_efer, tramp_stack, tramp_cpu, tramp_entry
	.globl tramp_long, tramp_gdt
	.balign 16
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - trampoline_start
	movl %cr4, %eax
	orl $0x20, %eax                     /* PAE */
	movl %eax, %cr4
	movl tramp_cr3 - trampoline_start, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx              /* EFER */
	rdmsr
	orl tramp_efer - trampoline_start, %eax /* LME, and NXE if the BSP has it */
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax               /* PG | WP | PE */
	movl %eax, %cr0
	ljmpl *(tramp_farptr - trampoline_start)

	.code64
tramp_long:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movq tramp_stack(%rip), %rsp
	movq tramp_cpu(%rip), %rdi
	movq tramp_entry(%rip), %rax
	xorl %ebp, %ebp
	pushq $0                            /* a null return address ends backtraces */
	jmpq *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF            /* 0x08: 64-bit code */
	.quad 0x00CF92000000FFFF            /* 0x10: data */
tramp_gdtr:
	.word 23
tramp_gdtr_base:
	.long 0                             /* patched: T + (tramp_gdt - trampoline_start) */
tramp_farptr:
	.long 0                             /* patched: T + (tramp_long - trampoline_start) */
	.word 0x08
tramp_cr3:
	.long 0
tramp_efer:
	.long 0                             /* patched: EFER bits to set */
	.balign 8
tramp_stack:
	.quad 0
tramp_cpu:
	.quad 0
tramp_entry:
	.quad 0
trampoline_end:
	.section .note.GNU-stack, "", @progbits
